"""The shapes and layouts the GPU suite runs, and the tensors for each.

A deterministic list (same seed, same cases) of ~156 cases: decoding shapes, every pair of the
small sequence lengths (Sq < Skv, Sq > Skv, equal), a few large ones, a layout x head-grouping
sweep and a scale sweep. Large sizes run with B = 1 so that the whole suite stays within a few minutes.

A mask with lengths in it (window(1024, 0), chunk(2048), block_diagonal(256)) bites only on
sequences longer than them: mask_lengths() finds them, and make_cases() puts cases around and well
past each one first, so that they run under --max-cases too.
"""
from __future__ import annotations

import dataclasses
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch is imported where tensors are made, so that the case list needs none
    import torch

SIZES = [1, 17, 64, 127, 128, 129, 255, 1000, 1023, 2048, 4095, 8192]
SMALL = [s for s in SIZES if s <= 1023]
LARGE_PAIRS = [(2048, 2048), (4095, 4095), (8192, 8192), (1, 8192), (17, 4095), (4095, 1000),
               (8192, 1023), (2048, 129), (128, 8192), (1000, 2048), (8192, 64), (4095, 2048)]
HEADS = [(1, 1), (4, 4), (8, 2), (6, 1)]  # (Hq, Hkv): MHA, MHA, GQA, MQA
LAYOUTS = ["bhsd", "bshd", "strided"]
# None: the library's default 1/sqrt(D); <= 0 also selects it. Others are runtime scales.
SCALES = [None, None, None, None, 0.05, 0.3, 1.0]


# A mask length L gets cases that cross it (L + 1), start past it with Sq < Skv and Sq > Skv (the
# bottom-right diagonal moves by Skv - Sq), and run well past it; no side exceeds MAX_MASK_SIDE.
MAX_MASK_SIDE = 8192


@dataclasses.dataclass
class Case:
    b: int
    hq: int
    hkv: int
    sq: int
    skv: int
    layout: str
    scale: float = None

    @property
    def name(self):
        scale = "" if self.scale is None else f" scale={self.scale:g}"
        return (f"B{self.b} H{self.hq}/{self.hkv} sq={self.sq} skv={self.skv} "
                f"{self.layout}{scale}")


def mask_lengths(literals):
    """The lengths worth crossing among a mask's integer literals (mask_expr.Mask.literals):
    2..MAX_MASK_SIDE / 2, without repeats, in order. window(1024, 0) || sink(4) -> [4, 1024]."""
    return sorted({n for n in literals if 2 <= n <= MAX_MASK_SIDE // 2})


def length_cases(lengths):
    """Cases around and past each mask length: where a window, chunk or prefix starts to cut."""
    cases, seen = [], set()
    for i, n in enumerate(lengths):
        far = min(MAX_MASK_SIDE, max(4096, 2 * n + 129))
        shapes = [(1, 4, 2, far, far), (1, 2, 1, n + 1, n + 1),
                  (2, 4, 4, max(1, n - 1), min(MAX_MASK_SIDE, 2 * n + 3)),  # Sq < Skv
                  (1, 4, 1, min(MAX_MASK_SIDE, 2 * n + 19), n + 17)]         # Sq > Skv
        for j, (b, hq, hkv, sq, skv) in enumerate(shapes):
            if (sq, skv) not in seen:
                seen.add((sq, skv))
                cases.append(Case(b, hq, hkv, sq, skv, LAYOUTS[(i + j) % len(LAYOUTS)]))
    return cases


def grid_cases(tokens, seed=0, limit=None):
    """The cases of a spec with a token grid: its tokens are both lengths, so only the batch,
    heads, layout and scale vary."""
    rng = random.Random(seed)
    cases = []
    for i in range(12):
        hq, hkv = HEADS[i % len(HEADS)]
        cases.append(Case(1 + i % 2, hq, hkv, tokens, tokens, LAYOUTS[i % len(LAYOUTS)],
                          rng.choice(SCALES)))
    return cases[:limit] if limit else cases


# Decoding shapes: queries shorter than a tile with GQA/MQA, where the sm_90a runtime packs the q
# heads of a group into one tile's rows (attn_forward_params::pack_heads) if the kernel's hooks do
# not read the head: groups of 4, 8 and 64, a few queries, and a group of 3 that does not divide
# a tile (so it is not packed).
DECODE = [(2, 32, 8, 1, 4095, "bshd"), (1, 16, 2, 5, 1000, "bhsd"), (3, 8, 1, 1, 129, "strided"),
          (1, 64, 1, 1, 300, "bshd"), (2, 8, 2, 33, 2048, "bhsd"), (1, 12, 4, 1, 500, "bshd")]


def make_cases(seed=0, limit=None, lengths=()):
    """The suite's cases; with mask `lengths` (mask_lengths()), the cases that cross them first."""
    rng = random.Random(seed)
    cases = length_cases(lengths)
    cases += [Case(b, hq, hkv, sq, skv, layout) for b, hq, hkv, sq, skv, layout in DECODE]
    total = 150 + len(cases)
    for i, sq in enumerate(SMALL):
        for j, skv in enumerate(SMALL):
            hq, hkv = HEADS[(i + j) % len(HEADS)]
            cases.append(Case(rng.choice([1, 2, 3]), hq, hkv, sq, skv,
                              LAYOUTS[(i * len(SMALL) + j) % len(LAYOUTS)], rng.choice(SCALES)))
    for n, (sq, skv) in enumerate(LARGE_PAIRS):
        hq, hkv = HEADS[n % len(HEADS)]
        cases.append(Case(2 if n == 0 else 1, hq, hkv, sq, skv, LAYOUTS[n % len(LAYOUTS)]))
    for sq, skv in [(127, 129), (255, 64)]:
        for layout in LAYOUTS:
            for hq, hkv in HEADS:
                cases.append(Case(2, hq, hkv, sq, skv, layout))
    for sq, skv, scale in [(64, 64, 0.01), (1000, 1023, 0.125), (129, 17, 1.0), (255, 255, 2.0),
                           (17, 129, -1.0), (128, 1000, 0.0)]:
        cases.append(Case(1, 4, 2, sq, skv, "bhsd", scale))
    while len(cases) < total:  # random fill, at most one large side
        sq, skv = rng.choice(SIZES), rng.choice(SMALL)
        if rng.random() < 0.5:
            sq, skv = skv, sq
        hq, hkv = rng.choice(HEADS)
        cases.append(Case(rng.choice([1, 2]), hq, hkv, sq, skv, rng.choice(LAYOUTS),
                          rng.choice(SCALES)))
    return cases[:limit] if limit else cases


@dataclasses.dataclass
class Tensors:
    """What forward() is called with, and logical [B, H, S, D] views of it for checking."""
    q: torch.Tensor
    k: torch.Tensor
    v: torch.Tensor
    out: torch.Tensor
    lse: torch.Tensor
    layout: str            # the layout argument to pass to forward()
    padding: list          # NaN-filled regions around out/lse that must stay NaN

    def logical(self, t):
        return t if self.layout == "bhsd" else t.transpose(1, 2)


def make_tensors(case, dtype, d, generator):
    """Fresh randn inputs and NaN-poisoned outputs for `case` (the kernel must write every
    element of out and lse, and nothing around them)."""
    import torch
    dev = "cuda"
    b, hq, hkv, sq, skv = case.b, case.hq, case.hkv, case.sq, case.skv
    nan = float("nan")

    def randn(*shape):
        return torch.randn(*shape, device=dev, dtype=dtype, generator=generator)

    padding = []
    if case.layout == "bhsd":
        q, k, v = randn(b, hq, sq, d), randn(b, hkv, skv, d), randn(b, hkv, skv, d)
        out = torch.full((b, hq, sq, d), nan, device=dev, dtype=dtype)
        lse = torch.full((b, hq, sq), nan, device=dev, dtype=torch.float32)
        return Tensors(q, k, v, out, lse, "bhsd", padding)
    if case.layout == "bshd":
        q, k, v = randn(b, sq, hq, d), randn(b, skv, hkv, d), randn(b, skv, hkv, d)
        out = torch.full((b, sq, hq, d), nan, device=dev, dtype=dtype)
        lse = torch.full((b, hq, sq), nan, device=dev, dtype=torch.float32)
        return Tensors(q, k, v, out, lse, "bshd", padding)
    # "strided": views into larger buffers, passed as layout "bshd".
    if sq == skv:
        # One packed [B, S, Hq + 2 Hkv, D] buffer, sliced along the head dim (a fused qkv proj).
        qkv = randn(b, sq, hq + 2 * hkv, d)
        q, k, v = qkv[:, :, :hq], qkv[:, :, hq:hq + hkv], qkv[:, :, hq + hkv:]
    else:
        # q rows padded by 8 elements (16 bytes), k and v interleaved in one [B, S, 2, Hkv, D].
        q = randn(b, sq, hq, d + 8)[..., :d]
        kv = randn(b, skv, 2, hkv, d)
        k, v = kv[:, :, 0], kv[:, :, 1]
    out_buf = torch.full((b, sq, hq, d + 16), nan, device=dev, dtype=dtype)
    lse_buf = torch.full((b, hq + 1, sq + 4), nan, device=dev, dtype=torch.float32)
    out, lse = out_buf[..., :d], lse_buf[:, :hq, :sq]
    padding = [out_buf[..., d:], lse_buf[:, hq:], lse_buf[:, :, sq:]]
    return Tensors(q, k, v, out, lse, "bshd", padding)
