#!/usr/bin/env python3
"""Correctness and speed of the sm_90a forward kernel (gpu/sm90/.build/libattn_sm90_test.so).

1. Correctness: every kernel of the shim over many shapes (odd lengths, sq != sk, GQA/MQA,
   [B,H,S,D], [B,S,H,D] and padded-row layouts, LSE present or not, plain and persistent grids)
   on fresh random inputs, against a float64 reference of the same (rounded) inputs. Outputs are
   NaN-poisoned first, so an unwritten element fails.
2. Speed: the workloads of ../shared/bench/workloads.json that the brief names, ours against
   torch SDPA's cuDNN and FLASH backends on the same tensors, median of CUDA-event timings.

Usage (on an H100, after gpu/sm90/build.sh):  python3 gpu/sm90/check.py [--no-bench] [--only SUBSTR]
"""
import argparse
import ctypes
import math
import os
import statistics
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(HERE, ".build", "libattn_sm90_test.so")
WINDOW_LEFT = 300  # variants.cuh Window::kLeft
SOFTCAP = 2.0      # variants.cuh Softcap::kCap
DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16}
TOL = {"bf16": 8e-3, "f16": 1.5e-3}  # ‖O − ref‖ / ‖ref‖; P is rounded to the element type
LSE_TOL = 2e-3


class Params(ctypes.Structure):  # attn_forward_params (runtime/include/attn/abi.h), leading fields
    _fields_ = ([(n, ctypes.c_void_p) for n in ("q", "k", "v", "o", "lse")] +
                [(f"{t}_{s}_stride", ctypes.c_int64) for t in "qkvo" for s in ("batch", "head", "row")] +
                [("lse_batch_stride", ctypes.c_int64), ("lse_head_stride", ctypes.c_int64)] +
                [(n, ctypes.c_int32) for n in ("batch", "heads_q", "heads_kv", "head_group", "seqlen_q", "seqlen_k",
                                                 "pack_heads")] +
                [("scale", ctypes.c_float), ("scale_log2", ctypes.c_float)])


def load():
    global Params
    lib = ctypes.CDLL(LIB)
    # Fields that abi.h may add after scale_log2 (variant parameters) stay zero here.
    rest = lib.attn_sm90_params_bytes() - ctypes.sizeof(Params)
    assert rest >= 0, "attn_forward_params is smaller than the fields this script sets"
    if rest:
        Params = type("Params", (Params,), {"_fields_": [("_rest", ctypes.c_uint8 * rest)]})
    lib.attn_sm90_kernel_name.restype = ctypes.c_char_p
    lib.attn_sm90_last_error.restype = ctypes.c_char_p
    lib.attn_sm90_forward.argtypes = [ctypes.c_char_p, ctypes.POINTER(Params), ctypes.c_int, ctypes.c_void_p]
    assert lib.attn_sm90_params_bytes() == ctypes.sizeof(Params), "Params does not match abi.h"
    names = [lib.attn_sm90_kernel_name(i).decode() for i in range(lib.attn_sm90_num_kernels())]
    return lib, names


def parse(name):
    """'serial_causal_bf16_d128' → ('causal', 'bf16', 128)."""
    parts = name.split("_")
    return parts[-3], parts[-2], int(parts[-1][1:])


def tensor(b, h, s, d, dt, layout):
    """A logical [B, H, S, D] view with the storage `layout`."""
    if layout == "bhsd":
        return torch.randn(b, h, s, d, device="cuda", dtype=dt)
    if layout == "bshd":
        return torch.randn(b, s, h, d, device="cuda", dtype=dt).transpose(1, 2)
    # padded rows: [B, H, S, D + 64], last 64 columns unused
    return torch.randn(b, h, s, d + 64, device="cuda", dtype=dt)[..., :d]


def empty_like_layout(x, layout):
    b, h, s, d = x.shape
    if layout == "bshd":
        return torch.full((b, s, h, d), float("nan"), device="cuda", dtype=x.dtype).transpose(1, 2)
    return torch.full((b, h, s, d), float("nan"), device="cuda", dtype=x.dtype)


def params(q, k, v, o, lse, scale):
    p = Params()
    p.q, p.k, p.v, p.o = q.data_ptr(), k.data_ptr(), v.data_ptr(), o.data_ptr()
    p.lse = lse.data_ptr() if lse is not None else None
    for t, x in zip("qkvo", (q, k, v, o)):
        sb, sh, ss, sd = x.stride()
        assert sd == 1
        setattr(p, f"{t}_batch_stride", sb)
        setattr(p, f"{t}_head_stride", sh)
        setattr(p, f"{t}_row_stride", ss)
    if lse is not None:
        p.lse_batch_stride, p.lse_head_stride = lse.stride(0), lse.stride(1)
    p.batch, p.heads_q, p.seqlen_q = q.shape[0], q.shape[1], q.shape[2]
    p.heads_kv, p.seqlen_k = k.shape[1], k.shape[2]
    p.head_group = p.heads_q // p.heads_kv
    p.scale = scale
    p.scale_log2 = scale * math.log2(math.e)
    return p


def run(lib, name, q, k, v, o, lse, scale, persistent):
    p = params(q, k, v, o, lse, scale)
    rc = lib.attn_sm90_forward(name.encode(), ctypes.byref(p), persistent, torch.cuda.current_stream().cuda_stream)
    if rc != 0:
        raise RuntimeError(f"{name}: {lib.attn_sm90_last_error().decode()}")


def keep_mask(variant, sq, sk):
    qi = torch.arange(sq, device="cuda")[:, None]
    ki = torch.arange(sk, device="cuda")[None, :]
    diag = qi + (sk - sq)
    if variant == "dense":
        return torch.ones(sq, sk, dtype=torch.bool, device="cuda")
    if variant in ("causal", "softcap"):
        return ki <= diag
    if variant == "window":
        return (ki <= diag) & (ki >= diag - WINDOW_LEFT)
    raise ValueError(variant)


def reference(variant, q, k, v, scale):
    g = q.shape[1] // k.shape[1]
    q64, k64, v64 = (x.double() for x in (q, k, v))
    k64, v64 = k64.repeat_interleave(g, 1), v64.repeat_interleave(g, 1)
    s = torch.einsum("bhqd,bhkd->bhqk", q64, k64) * scale
    if variant == "softcap":
        s = SOFTCAP * torch.tanh(s / SOFTCAP)
    keep = keep_mask(variant, q.shape[2], k.shape[2])
    s = s.masked_fill(~keep, float("-inf"))
    lse = torch.logsumexp(s, -1)
    any_kept = keep.any(-1)[None, None, :, None]
    p = torch.where(any_kept, torch.exp(s - lse[..., None]), torch.zeros_like(s))
    return p @ v64, lse


def check_case(lib, name, b, hq, hkv, sq, sk, layout, with_lse, persistent):
    variant, dts, d = parse(name)
    dt = DTYPES[dts]
    q = tensor(b, hq, sq, d, dt, layout)
    k = tensor(b, hkv, sk, d, dt, layout)
    v = tensor(b, hkv, sk, d, dt, layout)
    o = empty_like_layout(q, layout)
    lse = torch.full((b, hq, sq), float("nan"), device="cuda", dtype=torch.float32) if with_lse else None
    scale = 1.0 / math.sqrt(d)
    run(lib, name, q, k, v, o, lse, scale, persistent)
    torch.cuda.synchronize()
    ref_o, ref_lse = reference(variant, q, k, v, scale)
    of = o.double()
    nan = int(torch.isnan(of).sum())
    denom = ref_o.norm().item()
    rel = (of - ref_o).norm().item() / (denom if denom > 0 else 1.0)
    ok = nan == 0 and rel < TOL[dts]
    lse_err = 0.0
    if with_lse:
        finite = torch.isfinite(ref_lse)
        lse_nan = int(torch.isnan(lse).sum())
        ninf_ok = bool((lse[~finite] == float("-inf")).all())
        lse_err = (lse.double()[finite] - ref_lse[finite]).abs().max().item() if finite.any() else 0.0
        ok = ok and lse_nan == 0 and ninf_ok and lse_err < LSE_TOL
    empty_rows = int((~keep_mask(variant, sq, sk).any(-1)).sum())
    tag = "ok  " if ok else "FAIL"
    print(f"{tag} {name:<24} b={b} hq={hq} hkv={hkv} sq={sq:<5} sk={sk:<5} {layout:<6} lse={int(with_lse)} "
          f"pers={persistent} rel={rel:.2e} lse_err={lse_err:.1e} nan={nan} empty_rows={empty_rows}", flush=True)
    return ok


SHAPES = [  # b, hq, hkv, sq, sk, layout
    (1, 2, 2, 128, 128, "bhsd"),
    (2, 3, 3, 1, 1, "bshd"),
    (1, 2, 2, 77, 77, "bhsd"),
    (1, 4, 2, 300, 519, "bshd"),
    (2, 4, 1, 513, 200, "bhsd"),
    (1, 2, 2, 1000, 1000, "padded"),
    (1, 1, 1, 1, 700, "bshd"),
    (1, 2, 2, 700, 1, "bhsd"),
    (2, 8, 2, 1024, 1536, "bshd"),
    (1, 2, 1, 2047, 2049, "bhsd"),
]


def correctness(lib, names, only):
    fails = total = 0
    for name in names:
        if only and only not in name:
            continue
        shapes = SHAPES if not name.startswith("serial") else SHAPES[2:6]
        for i, (b, hq, hkv, sq, sk, layout) in enumerate(shapes):
            torch.manual_seed(1000 * total + i)
            ok = check_case(lib, name, b, hq, hkv, sq, sk, layout, with_lse=(i % 3 != 1), persistent=i % 2)
            total += 1
            fails += not ok
    print(f"correctness: {total - fails}/{total} cases pass", flush=True)
    return fails == 0


def bench_ms(fn, warmup=5, reps=25):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


WORKLOADS = [  # name, b, hq, hkv, s, d, dtype, variant (../shared/bench/workloads.json)
    ("dense_bf16_d128_s8k", 2, 16, 16, 8192, 128, "bf16", "dense"),
    ("causal_bf16_d128_s8k", 2, 16, 16, 8192, 128, "bf16", "causal"),
    ("dense_fp16_d64_s8k", 2, 32, 32, 8192, 64, "f16", "dense"),
    ("causal_gqa4_bf16_d128_s8k", 1, 32, 8, 8192, 128, "bf16", "causal"),
    ("causal_fp16_d64_s8k", 2, 32, 32, 8192, 64, "f16", "causal"),
    ("dense_bf16_d256_s8k", 1, 16, 16, 8192, 256, "bf16", "dense"),
    ("causal_bf16_d256_s8k", 1, 16, 16, 8192, 256, "bf16", "causal"),
]


def benchmark(lib, names):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    rows = []
    for wname, b, hq, hkv, s, d, dts, variant in WORKLOADS:
        dt = DTYPES[dts]
        torch.manual_seed(0)
        q, k, v = (torch.randn(b, h, s, d, device="cuda", dtype=dt) for h in (hq, hkv, hkv))
        o = torch.empty_like(q)
        lse = torch.empty(b, hq, s, device="cuda", dtype=torch.float32)
        scale = 1.0 / math.sqrt(d)
        pairs = s * s if variant == "dense" else s * (s + 1) // 2
        flops = 4.0 * b * hq * d * pairs
        causal = variant == "causal"
        impls = []
        base = f"{variant}_{dts}_d{d}"
        for kname in names:
            if not kname.endswith(base):
                continue
            tag = "ours" if kname == base else "ours " + kname[: -len(base) - 1]
            for pers in ((1,) if kname.startswith("serial") else (1, 0)):
                impls.append((f"{tag} {'pers' if pers else 'grid'}",
                              lambda kname=kname, pers=pers: run(lib, kname, q, k, v, o, lse, scale, pers)))
        for backend, label in ((SDPBackend.CUDNN_ATTENTION, "sdpa cudnn"), (SDPBackend.FLASH_ATTENTION, "sdpa flash")):
            def call(backend=backend):
                with sdpa_kernel([backend]):
                    return F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=scale, enable_gqa=hkv != hq)
            impls.append((label, call))
        ref = None
        for label, fn in impls:
            try:
                out = fn()
                torch.cuda.synchronize()
                out = o.clone() if out is None else out
                if ref is None and label.startswith("sdpa"):
                    ref = out
                ms = bench_ms(fn)
                rows.append((wname, label, ms, flops / ms / 1e9, out))
            except Exception as e:  # a peer that cannot run this workload
                rows.append((wname, label, None, None, f"{type(e).__name__}: {str(e).splitlines()[0][:80]}"))
        for i, r in enumerate(rows):
            if r[0] == wname and r[2] is not None and ref is not None and torch.is_tensor(r[4]):
                diff = ((r[4].float() - ref.float()).norm() / ref.float().norm()).item()
                rows[i] = r[:4] + (f"rel diff vs first sdpa {diff:.1e}",)
        del q, k, v, o, lse
        torch.cuda.empty_cache()
    print(f"\n# {torch.cuda.get_device_name()}, torch {torch.__version__}; TFLOP/s on kept (q,k) pairs")
    print(f"{'workload':<28} {'impl':<18} {'ms':>8} {'TFLOP/s':>8}  note")
    for wname, label, ms, tf, note in rows:
        if ms is None:
            print(f"{wname:<28} {label:<18} {'-':>8} {'-':>8}  {note}")
        else:
            print(f"{wname:<28} {label:<18} {ms:8.3f} {tf:8.1f}  {note}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-bench", action="store_true")
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--bench-passes", type=int, default=1, help="repeat the benchmark to see its spread")
    a = ap.parse_args()
    lib, names = load()
    ok = True
    if not a.no_check:
        ok = correctness(lib, names, a.only)
    if not a.no_bench:
        for _ in range(a.bench_passes):
            benchmark(lib, names)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
