#!/usr/bin/env python3
"""CPU tests of the GPU suite's plumbing: mask-length cases (gpu/cases.py), the reference with an
arbitrary mask and score expression (gpu/reference.py, needs torch; a CPU build is enough), routing
(the random lists of gpu/runtime_data.py, the routed reference mask), and how bench/bench.py
matches workloads to libraries (bench/workload_specs.json), builds block_topk routing lists and
checks their masks and score expressions.

    python3 test/python/test_gpu_suite.py        (unittest)
    python3 -m pytest test/python
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest
from types import SimpleNamespace

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "gpu"))
sys.path.insert(0, os.path.join(REPO, "bench"))
sys.path.insert(0, HERE)

import bench  # noqa: E402  (stdlib only at import time)
import peer_defs  # noqa: E402
from cases import DECODE, make_cases, mask_lengths  # noqa: E402
from mask_expr import compile_mask  # noqa: E402
from score_expr import compile_score  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

needs_torch = unittest.skipIf(torch is None, "torch is not installed")
SHARED_WORKLOADS = os.path.join(REPO, "..", "shared", "bench", "workloads.json")


class CasesTest(unittest.TestCase):
    def test_unmasked_suite_is_unchanged(self):
        cases = make_cases(0)
        self.assertEqual(len(cases), 150 + len(DECODE))
        self.assertEqual([(c.b, c.hq, c.hkv, c.sq, c.skv, c.layout) for c in cases[:len(DECODE)]],
                         DECODE)
        self.assertEqual(make_cases(0, lengths=()), cases)
        self.assertEqual(len(make_cases(0, 20)), 20)

    def test_lengths_from_literals(self):
        self.assertEqual(mask_lengths(compile_mask("window(512, 0) || sink(4)").literals), [4, 512])
        self.assertEqual(mask_lengths(compile_mask("causal").literals), [])
        self.assertEqual(mask_lengths([0, 1, 2, 2, 4096, 4097]), [2, 4096])

    def test_length_cases_come_first_and_bite(self):
        for expr, length in [("window(1024, 0)", 1024), ("chunk(2048) && causal", 2048),
                             ("causal || prefix(2048)", 2048), ("block_diagonal(256)", 256)]:
            with self.subTest(expr=expr):
                lengths = mask_lengths(compile_mask(expr).literals)
                cases = make_cases(0, lengths=lengths)
                first = cases[:4]
                self.assertTrue(any(c.sq == c.skv >= max(4096, 2 * length) for c in first))
                self.assertTrue(any(c.sq == c.skv == length + 1 for c in first))
                self.assertTrue(any(c.sq < c.skv and c.skv > length for c in first))
                self.assertTrue(any(c.sq > c.skv > length for c in first))
                self.assertEqual(cases[len(first):], make_cases(0))
                self.assertTrue(all(max(c.sq, c.skv) <= 8192 for c in cases))
                self.assertEqual(make_cases(0, 3, lengths), cases[:3])

    def test_shared_lengths_are_not_repeated(self):
        cases = make_cases(0, lengths=[4, 512])
        firsts = [(c.sq, c.skv) for c in cases[:8]]
        self.assertEqual(len(firsts), len(set(firsts)))


@needs_torch
class ReferenceTest(unittest.TestCase):
    def setUp(self):
        import reference
        self.ref = reference

    def naive(self, q, k, v, expr, scale, score_expr=None):
        """Per-row softmax over the kept keys of the modified scores, from the scalar evaluators;
        O = 0, LSE = -inf when a row keeps nothing. `expr`: a mask string, or a compiled mask
        (anything with evaluate(b, h, q, k, sq, skv))."""
        b, hq, sq, d = q.shape
        hkv, skv = k.shape[1], k.shape[2]
        mask = compile_mask(expr) if isinstance(expr, str) else expr
        score = compile_score(score_expr)
        out = torch.zeros(b, hq, sq, d, dtype=torch.float64)
        lse = torch.full((b, hq, sq), -math.inf, dtype=torch.float64)
        for bi in range(b):
            for h in range(hq):
                kh = h // (hq // hkv)
                for i in range(sq):
                    kept = [j for j in range(skv) if mask.evaluate(bi, h, i, j, sq, skv)]
                    if not kept:
                        continue
                    s = torch.tensor([score.evaluate(float((q[bi, h, i] * k[bi, kh, j]).sum()
                                                         * scale), bi, h, i, j, sq, skv, hq)
                                      for j in kept], dtype=torch.float64)
                    lse[bi, h, i] = torch.logsumexp(s, 0)
                    p = torch.exp(s - lse[bi, h, i])
                    out[bi, h, i] = (p[:, None] * v[bi, kh, kept]).sum(0)
        return out, lse


    def assert_matches_naive(self, got, want):
        """(out, lse) of the reference against the naive one: O close, LSE -inf in the same rows
        and close elsewhere."""
        (out, lse), (want_out, want_lse) = got, want
        self.assertTrue(torch.allclose(out, want_out, atol=1e-12))
        self.assertTrue(torch.equal(torch.isinf(lse), torch.isinf(want_lse)))
        finite = torch.isfinite(want_lse)
        self.assertTrue(torch.allclose(lse[finite], want_lse[finite], atol=1e-12))
    def test_attention_matches_naive_for_any_mask(self):
        gen = torch.Generator().manual_seed(0)
        for expr, (b, hq, hkv, sq, skv) in [
                ("window(2, 0) || sink(1)", (1, 2, 1, 7, 5)),
                ("chunk(3) && causal", (2, 2, 2, 8, 8)),
                ("h % 2 == 0 ? causal : block_diagonal(2)", (2, 4, 2, 5, 6)),
                ("b == 1 || k < 2", (2, 1, 1, 3, 4)),
                ("none", (1, 1, 1, 2, 3))]:
            with self.subTest(expr=expr):
                q = torch.randn(b, hq, sq, 8, generator=gen, dtype=torch.float64)
                k = torch.randn(b, hkv, skv, 8, generator=gen, dtype=torch.float64)
                v = torch.randn(b, hkv, skv, 8, generator=gen, dtype=torch.float64)
                mask = self.ref.reference_mask(expr)
                out, lse = self.ref.attention(q, k, v, mask, 0.3, torch.float64)
                want_out, want_lse = self.naive(q, k, v, expr, 0.3)
                self.assert_matches_naive((out, lse), (want_out, want_lse))
                dead = self.ref.fully_masked_rows(mask, b, hq, sq, skv, q.device)
                self.assertEqual(tuple(dead.shape), (b, hq, sq))
                self.assertTrue(torch.equal(dead, torch.isinf(want_lse)))

    def test_attention_with_a_score_expression(self):
        gen = torch.Generator().manual_seed(1)
        for score, expr, (b, hq, hkv, sq, skv), scale in [
                ("softcap(s, 2.0)", "causal", (1, 2, 1, 7, 9), 1.0),   # a cap that bites
                ("s - exp2(-8.0 * (h + 1) / hq) * abs(q - k)", "causal", (2, 4, 2, 6, 6), 0.3),
                ("s - exp2(-8.0 * (h + 1) / hq) * abs(q - k)", "none", (1, 3, 3, 5, 4), 0.3),
                ("h % 2 == 0 ? softcap(s, 1.5) : s * 0.5 + b", "window(2, 0)", (2, 2, 1, 6, 5), 1.0),
                ("q - k", "none", (1, 1, 1, 3, 3), 0.3),               # an int expression
                ("(s)", "chunk(2)", (1, 1, 1, 4, 4), 0.3)]:            # the identity
            with self.subTest(score=score, mask=expr):
                q = torch.randn(b, hq, sq, 8, generator=gen, dtype=torch.float64)
                k = torch.randn(b, hkv, skv, 8, generator=gen, dtype=torch.float64)
                v = torch.randn(b, hkv, skv, 8, generator=gen, dtype=torch.float64)
                out, lse = self.ref.attention(q, k, v, self.ref.reference_mask(expr), scale,
                                              torch.float64, self.ref.reference_score(score))
                self.assert_matches_naive((out, lse), self.naive(q, k, v, expr, scale, score))
                if score != "(s)":  # the expression makes a difference
                    plain, _ = self.ref.attention(q, k, v, self.ref.reference_mask(expr), scale,
                                                  torch.float64)
                    self.assertFalse(torch.allclose(out, plain, atol=1e-6))

    def test_score_expression_in_float32_and_chunks(self):
        gen = torch.Generator().manual_seed(2)
        q, k, v = (torch.randn(1, 2, 40, 16, generator=gen) for _ in range(3))
        mask = self.ref.reference_mask("causal")
        score = self.ref.reference_score("softcap(s, 3.0)")
        out64, lse64 = self.ref.attention(q.double(), k.double(), v.double(), mask, 1.0,
                                          torch.float64, score)
        old = self.ref.SCORE_CHUNK_BYTES_WITH_EXPRESSION
        try:
            self.ref.SCORE_CHUNK_BYTES_WITH_EXPRESSION = 2 * 40 * 4 * 3  # 3 rows a chunk
            out32, lse32 = self.ref.attention(q, k, v, mask, 1.0, torch.float32, score)
        finally:
            self.ref.SCORE_CHUNK_BYTES_WITH_EXPRESSION = old
        self.assertEqual((out32.dtype, lse32.dtype), (torch.float32, torch.float32))
        self.assertTrue(torch.allclose(out32.double(), out64, atol=1e-5))
        self.assertTrue(torch.allclose(lse32.double(), lse64, atol=1e-5))

    def test_attention_with_a_sink_logit(self):
        # σ(b, h) joins each row's softmax as a logit with no value row:
        #   O = Σ e^{s_k} v_k / (e^σ + Σ e^{s_k}),  LSE = log(e^σ + Σ e^{s_k}),
        # and a row with no kept key (causal with sq > skv: rows 0 and 1) has O = 0, LSE = σ.
        gen = torch.Generator().manual_seed(3)
        b, hq, hkv, sq, skv, scale = 2, 3, 1, 6, 4, 0.3
        q = torch.randn(b, hq, sq, 8, generator=gen, dtype=torch.float64)
        k = torch.randn(b, hkv, skv, 8, generator=gen, dtype=torch.float64)
        v = torch.randn(b, hkv, skv, 8, generator=gen, dtype=torch.float64)
        manifest = {"sink": "sinks[h] * 2.0 + b",
                    "spec": {"tensors": {"sinks": {"dtype": "f32", "shape": ["hq"]}}}}
        data = {"tensors": {"sinks": torch.tensor([0.5, -1.0, 3.0])}, "params": {}}
        sink = self.ref.reference_sink(manifest).with_data(data)
        sigma = self.ref.sink_logits(sink, b, hq, torch.float64, "cpu")
        self.assertEqual(sigma.tolist(), [[1.0, -2.0, 6.0], [2.0, -1.0, 7.0]])
        mask = self.ref.reference_mask("causal")
        out, lse = self.ref.attention(q, k, v, mask, scale, torch.float64, None, sigma)
        plain_out, plain_lse = self.ref.attention(q, k, v, mask, scale, torch.float64)
        # Per row: the plain softmax's weights shrink by e^lse / (e^lse + e^σ).
        keep = torch.exp(plain_lse) / (torch.exp(plain_lse) + torch.exp(sigma)[:, :, None])
        self.assertTrue(torch.allclose(out, plain_out * keep[..., None], atol=1e-12))
        want_lse = torch.logaddexp(plain_lse, sigma[:, :, None].expand_as(plain_lse))
        self.assertTrue(torch.allclose(lse, want_lse, atol=1e-12))
        self.assertTrue((out[:, :, :2] == 0).all())
        self.assertTrue(torch.equal(lse[:, :, :2], sigma[:, :, None].expand(b, hq, 2)))
        # σ = -inf is plain softmax.
        none = torch.full((b, hq), -math.inf, dtype=torch.float64)
        out_inf, lse_inf = self.ref.attention(q, k, v, mask, scale, torch.float64, None, none)
        self.assertTrue(torch.allclose(out_inf, plain_out, atol=1e-15))
        self.assertTrue(torch.allclose(lse_inf, plain_lse, atol=1e-15))
        self.assertIsNone(self.ref.reference_sink({"mask": "causal"}))

    def test_fully_masked_rows(self):
        dead = self.ref.fully_masked_rows(self.ref.reference_mask("window(1, 0)"), 1, 1, 4, 2, "cpu")
        self.assertEqual(dead[0, 0].tolist(), [True, True, False, False])
        dead = self.ref.fully_masked_rows(self.ref.reference_mask("h == 1 && causal"), 1, 2, 3, 3, "cpu")
        self.assertEqual(dead[0].tolist(), [[True] * 3, [False] * 3])
        # Many small chunks give the same answer as one.
        old = self.ref.MASK_CHUNK_ELEMENTS
        try:
            self.ref.MASK_CHUNK_ELEMENTS = 7
            dead = self.ref.fully_masked_rows(self.ref.reference_mask("causal"), 2, 3, 9, 4, "cpu")
        finally:
            self.ref.MASK_CHUNK_ELEMENTS = old
        self.assertEqual(dead[1, 2].tolist(), [True] * 5 + [False] * 4)


def routed_manifest(mask, shape, block=128, name="kv_blocks"):
    """A manifest with routing by the list tensor `name` of the declared `shape`."""
    return {"name": "routed", "mask": mask, "routing": {"tensor": name, "block": block},
            "tensors": [{"name": name, "dtype": "i32", "shape": list(shape)}]}


ROUTING_SHAPES = [["b", "hq", "sq/4", 3], ["hq", "sq/4", 2], ["b", "sq/4", 5], ["sq/4", 1]]


@needs_torch
class RoutingTest(unittest.TestCase):
    """Routing: the random lists of gpu/runtime_data.py, and the routed reference mask of
    gpu/reference.py against the contract written out pair by pair. Blocks of 4 keys here (the
    compiler takes multiples of 128; the reference takes any), so that small problems have many."""

    naive = ReferenceTest.naive
    assert_matches_naive = ReferenceTest.assert_matches_naive

    def setUp(self):
        import reference
        import runtime_data
        self.ref = reference
        self.data_mod = runtime_data

    def data(self, manifest, b, hq, sq, skv, seed=0):
        return self.data_mod.make_runtime_data(manifest, SimpleNamespace(b=b, hq=hq, sq=sq, skv=skv),
                                               seed, device="cpu")

    @staticmethod
    def contract(manifest, data, b, hq, sq, skv):
        """Bool [b, hq, sq, skv], in the contract's words: the expression keeps (q, k), and some
        entry of the list row of (b, h, q // block) in [0, ceil(skv / block)) equals k // block."""
        expr = compile_mask(manifest["mask"])
        (decl,) = manifest["tensors"]
        block, leading = manifest["routing"]["block"], decl["shape"][:-2]
        lists = data["tensors"][decl["name"]].tolist()
        blocks = math.ceil(skv / block)
        out = torch.zeros(b, hq, sq, skv, dtype=torch.bool)
        for bi in range(b):
            for h in range(hq):
                rows = lists
                for dim in leading:
                    rows = rows[bi if dim == "b" else h]
                for i in range(sq):
                    listed = {e for e in rows[i // block] if 0 <= e < blocks}
                    for j in range(skv):
                        out[bi, h, i, j] = (j // block in listed
                                            and expr.evaluate(bi, h, i, j, sq, skv))
        return out

    def test_extent(self):
        extent = self.data_mod.extent
        for sq, blocks in [(1, 1), (127, 1), (128, 1), (129, 2), (16384, 128)]:
            self.assertEqual(extent("sq/128", SimpleNamespace(b=2, hq=3, sq=sq, skv=5)), blocks)
        case = SimpleNamespace(b=2, hq=3, sq=7, skv=5)
        self.assertEqual([extent(d, case) for d in ["b", "hq", "sq", "skv", 32, "sq/4"]],
                         [2, 3, 7, 5, 32, 2])

    def test_random_lists_hold_everything(self):
        m = routed_manifest("causal", ["b", "hq", "sq/128", 16], name="blocks")
        m["tensors"].insert(0, {"name": "ids", "dtype": "i32", "shape": ["b", "skv"]})
        data = self.data(m, 4, 8, 2048, 3000)  # 24 kv blocks
        lists = data["tensors"]["blocks"]
        self.assertEqual((tuple(lists.shape), lists.dtype), ((4, 8, 16, 16), torch.int32))
        self.assertTrue(torch.equal(lists, self.data(m, 4, 8, 2048, 3000)["tensors"]["blocks"]))
        rows, blocks = lists.reshape(-1, 16).tolist(), 24
        valid = [[e for e in r if 0 <= e < blocks] for r in rows]
        flat = [e for r in rows for e in r]
        self.assertGreater(sum(map(len, valid)) / len(flat), 0.5)  # mostly valid
        self.assertIn(-1, flat)
        self.assertTrue(any(e >= blocks for e in flat) and any(e < -1 for e in flat))
        self.assertIn(2 ** 31 - 1, flat)
        self.assertIn(-2 ** 31, flat)
        self.assertTrue(any(len(v) > len(set(v)) for v in valid))  # repeated valid blocks
        self.assertTrue(any(r == [-1] * 16 for r in rows))         # rows routed nowhere
        self.assertTrue(any(r[0] == -1 and v for r, v in zip(rows, valid)))  # padding first
        self.assertGreater(len({len(set(v)) for v in valid}), 5)              # varied rows
        # Few blocks and long lists still leave blocks out of many rows.
        few = self.data(routed_manifest("none", ["sq/128", 32]), 1, 1, 8192, 300)["tensors"]
        sets = [{e for e in r if 0 <= e < 3} for r in few["kv_blocks"].tolist()]
        self.assertTrue(sum(0 < len(x) < 3 for x in sets) >= 8, sets)
        # Other i32 tensors are still packed document ids.
        ids = data["tensors"]["ids"]
        self.assertEqual(tuple(ids.shape), (4, 3000))
        self.assertTrue(bool((ids[:, 1:] >= ids[:, :-1]).all()))

    def test_routed_mask_is_the_contract(self):
        for shape in ROUTING_SHAPES:
            for expr in ["causal", "none", "h % 2 == 0 ? causal : window(5, 2)"]:
                for b, hq, sq, skv in [(2, 3, 23, 19), (1, 2, 9, 30)]:
                    with self.subTest(shape=shape, mask=expr, size=(b, hq, sq, skv)):
                        m = routed_manifest(expr, shape, block=4)
                        data = self.data(m, b, hq, sq, skv, seed=sq + len(shape))
                        want = self.contract(m, data, b, hq, sq, skv)
                        mask = self.ref.reference_mask(m).with_data(data)
                        rows = torch.arange(sq)
                        got = self.ref.keep(mask, rows, skv, sq, b, hq).expand(b, hq, sq, skv)
                        self.assertTrue(torch.equal(got, want))
                        self.assertTrue(torch.equal(torch.tensor(
                            [[mask.table(sq, skv, bi, h) for h in range(hq)] for bi in range(b)]),
                            want))
                        dead = self.ref.fully_masked_rows(mask, b, hq, sq, skv, "cpu")
                        self.assertTrue(torch.equal(dead, ~want.any(-1)))
                        old = self.ref.MASK_CHUNK_ELEMENTS
                        try:
                            self.ref.MASK_CHUNK_ELEMENTS = 7
                            chunked = self.ref.fully_masked_rows(mask, b, hq, sq, skv, "cpu")
                        finally:
                            self.ref.MASK_CHUNK_ELEMENTS = old
                        self.assertTrue(torch.equal(chunked, dead))
                        self.assertTrue(want.any() and not want.all())

    def test_routed_attention(self):
        gen = torch.Generator().manual_seed(4)
        for shape, expr, (b, hq, hkv, sq, skv) in [
                (["b", "hq", "sq/4", 3], "causal", (2, 4, 2, 13, 17)),
                (["hq", "sq/4", 2], "none", (1, 2, 1, 10, 9)),
                (["sq/4", 4], "window(6, 0)", (2, 1, 1, 16, 16))]:
            with self.subTest(shape=shape, mask=expr):
                m = routed_manifest(expr, shape, block=4)
                data = self.data(m, b, hq, sq, skv, seed=b * sq)
                mask = self.ref.reference_mask(m).with_data(data)
                q = torch.randn(b, hq, sq, 8, generator=gen, dtype=torch.float64)
                k = torch.randn(b, hkv, skv, 8, generator=gen, dtype=torch.float64)
                v = torch.randn(b, hkv, skv, 8, generator=gen, dtype=torch.float64)
                out, lse = self.ref.attention(q, k, v, mask, 0.3, torch.float64)
                self.assert_matches_naive((out, lse), self.naive(q, k, v, mask, 0.3))
                plain, _ = self.ref.attention(q, k, v, self.ref.reference_mask(expr), 0.3,
                                              torch.float64)
                self.assertFalse(torch.allclose(out, plain, atol=1e-6))  # routing bites

    def test_what_the_suite_reads(self):
        mask = self.ref.reference_mask(routed_manifest("window(512, 0)", ["b", "sq/128", 8]))
        self.assertEqual(mask_lengths(mask.literals), [128, 512])  # the block is a length
        self.assertTrue({"b", "q", "k"} <= mask.variables)
        self.assertNotIn("h", mask.variables)
        both = self.ref.reference_mask(routed_manifest("causal", ["b", "hq", "sq/128", 8]))
        self.assertTrue({"b", "h"} <= both.variables)
        self.assertNotIn("b", self.ref.reference_mask(
            routed_manifest("causal", ["hq", "sq/128", 8])).variables)
        self.assertEqual(self.ref.reference_mask({"mask": "causal"}).source, "causal")
        # The spec's "tensors" object serves when the manifest's list lacks the tensor.
        spec_only = {"mask": "causal", "routing": {"tensor": "r", "block": 128},
                     "spec": {"tensors": {"r": {"dtype": "i32", "shape": ["sq/128", 4]}}}}
        self.assertEqual(self.ref.reference_mask(spec_only).shape, ("sq/128", 4))
        from mask_expr import MaskError
        with self.assertRaises(MaskError):
            self.ref.reference_mask({"mask": "causal", "routing": {"tensor": "r", "block": 128}})
        with self.assertRaises(MaskError):  # no runtime data to read the lists from
            mask(q=torch.arange(4)[:, None], k=torch.arange(4)[None, :], sq=4, skv=4,
                 b=torch.arange(1)[:, None, None, None])


SOFTCAP = "softcap(s, 50.0)"
ALIBI = "s - exp2(-8.0 * (h + 1) / hq) * abs(q - k)"


def lib(name, dtype, d, mask, score=None):
    manifest = {"name": name, "mask": mask, **({"score": score} if score is not None else {})}
    return SimpleNamespace(name=name, dtype=dtype, head_dim=d, mask=mask, path=f"/x/lib{name}.so",
                           manifest=manifest)


class BenchMatchTest(unittest.TestCase):
    LIBS = [lib("dense_bf16_d128", "bf16", 128, "none"), lib("causal_bf16_d128", "bf16", 128, "causal"),
            lib("dense_f16_d64", "f16", 64, "none"),
            lib("swa1024_bf16_d128", "bf16", 128, "window(1024, 0)")]
    # Put first, so that the automatic match has to pass over them.
    SCORED = [lib("softcap_causal_bf16_d128", "bf16", 128, "causal", SOFTCAP),
              lib("alibi_dense_bf16_d128", "bf16", 128, "none", ALIBI)]

    def workload(self, name, kind="none", dtype="bf16", d=128, **extra):
        return {"name": name, "b": 1, "hq": 2, "sq": 16, "skv": 16, "d": d, "dtype": dtype,
                "mask": {"kind": kind}, **extra}

    def test_named_library_first(self):
        specs = {"swa1024_bf16_d128_s16k": "swa1024_bf16_d128", "odd": "dense_bf16_d128"}
        found, why = bench.match(self.workload("swa1024_bf16_d128_s16k", "sliding_window"),
                                 self.LIBS, specs)
        self.assertEqual((found.name, why), ("swa1024_bf16_d128", None))
        found, _ = bench.match(self.workload("odd", "causal"), self.LIBS, specs)
        self.assertEqual(found.name, "dense_bf16_d128")  # the table wins; the mask check catches it

    def test_automatic_fallback(self):
        found, _ = bench.match(self.workload("causal_x", "causal"), self.SCORED + self.LIBS, {})
        self.assertEqual(found.name, "causal_bf16_d128")  # not the softcap one
        found, _ = bench.match(self.workload("dense_x"), self.SCORED + self.LIBS, {})
        self.assertEqual(found.name, "dense_bf16_d128")  # not the alibi one
        found, _ = bench.match(self.workload("causal_s", "causal"),
                               [lib("s", "bf16", 128, "causal", " ( s ) ")], {})
        self.assertEqual(found.name, "s")  # an identity score is no score
        found, _ = bench.match(self.workload("dense_x", dtype="fp16", d=64), self.LIBS, {})
        self.assertEqual(found.name, "dense_f16_d64")
        found, why = bench.match(self.workload("doc", "document"), self.LIBS, {})
        self.assertIsNone(found)
        self.assertIn("mask document: not compiled", why)
        found, why = bench.match(self.workload("swa", "sliding_window"), self.LIBS[:3],
                                 {"swa": "swa1024_bf16_d128"})
        self.assertIsNone(found)
        self.assertIn("swa1024_bf16_d128 (workload_specs.json) not loaded", why)
        found, _ = bench.match(self.workload("c", "causal"), self.LIBS, {"c": "causal_other"})
        self.assertEqual(found.name, "causal_bf16_d128")  # named one missing: automatic

    def test_unservable_and_mismatched(self):
        _, why = bench.match(self.workload("bwd", "causal", backward=True), self.LIBS, {})
        self.assertIn("backward", why)
        # A score_mod workload is served by the library named for it, and by no other.
        cap = self.workload("cap", "causal", score_mod={"kind": "softcap", "cap": 50.0})
        found, _ = bench.match(cap, self.SCORED + self.LIBS, {"cap": "softcap_causal_bf16_d128"})
        self.assertEqual(found.name, "softcap_causal_bf16_d128")
        found, why = bench.match(cap, self.SCORED + self.LIBS, {})
        self.assertIsNone(found)
        self.assertIn("score_mod softcap: no library named for it", why)
        found, why = bench.match(cap, self.LIBS, {"cap": "softcap_causal_bf16_d128"})
        self.assertIsNone(found)
        self.assertIn("softcap_causal_bf16_d128 (workload_specs.json) not loaded", why)
        # A wrongly named one is served; score_disagreement stops it before timing.
        found, _ = bench.match(cap, self.LIBS, {"cap": "causal_bf16_d128"})
        self.assertEqual(found.name, "causal_bf16_d128")
        with self.assertRaises(bench.MismatchError):
            bench.match(self.workload("w", dtype="fp16", d=64), self.LIBS, {"w": "dense_bf16_d128"})

    def test_dense_library(self):
        self.assertEqual(bench.dense_library(self.LIBS[3], self.LIBS).name, "dense_bf16_d128")
        self.assertEqual(bench.dense_library(self.LIBS[2], self.LIBS).name, "dense_f16_d64")
        self.assertIsNone(bench.dense_library(lib("x", "f16", 128, "causal"), self.LIBS))
        self.assertTrue(bench.is_dense(lib("y", "bf16", 128, "")))
        self.assertFalse(bench.is_dense(lib("z", "bf16", 128, "none && causal")))
        self.assertFalse(bench.is_dense(self.SCORED[1]))  # mask none, but a score expression
        self.assertTrue(bench.is_dense(lib("i", "bf16", 128, "none", "s")))
        self.assertEqual(bench.dense_library(self.SCORED[0], self.SCORED + self.LIBS).name,
                         "dense_bf16_d128")
        self.assertEqual(bench.describe(self.SCORED[0]),
                         f"softcap_causal_bf16_d128 (bf16 d128 causal, score {SOFTCAP})")
        self.assertEqual(bench.describe(self.LIBS[1]), "causal_bf16_d128 (bf16 d128 causal)")

    def test_workload_specs_file(self):
        specs = bench.load_workload_specs()
        self.assertIn("swa1024_bf16_d128_s16k", specs)
        for workload, spec in specs.items():
            path = os.path.join(REPO, "specs", spec + ".json")
            if os.path.exists(path):  # the spec may still be on its way
                with open(path) as f:
                    self.assertEqual(json.load(f)["name"], spec)
        self.assertEqual(specs["softcap_causal_bf16_d128_s8k"], "softcap_causal_bf16_d128")
        self.assertEqual(specs["alibi_causal_bf16_d128_s8k"], "alibi_causal_bf16_d128")
        if os.path.exists(SHARED_WORKLOADS):
            with open(SHARED_WORKLOADS) as f:
                suite = {w["name"]: w for w in json.load(f)}
            for workload, spec in specs.items():
                self.assertIn(workload, suite, "workload_specs.json names an unknown workload")
                w = suite[workload]
                path = os.path.join(REPO, "specs", spec + ".json")
                if os.path.exists(path):
                    with open(path) as f:
                        s = json.load(f)
                    self.assertEqual((s["head_dim"], s["dtype"]),
                                     (w["d"], bench.DTYPES[w.get("dtype", "bf16")]), workload)

    @needs_torch
    def test_mask_disagreement(self):
        w = self.workload("swa", "sliding_window")
        w.update(sq=40, skv=40)

        def window(left):
            return lambda b, h, q, kv: (kv <= q) & (kv >= q - left)
        swa = lib("swa", "bf16", 128, "window(3, 0)")
        self.assertIsNone(bench.mask_disagreement(swa, w, window(3), "cpu"))
        why = bench.mask_disagreement(swa, w, window(4), "cpu")
        self.assertIn("drops (q=4, k=0)", why)
        self.assertIsNone(bench.mask_disagreement(self.LIBS[0], w, None, "cpu"))
        why = bench.mask_disagreement(lib("h", "bf16", 128, "h == 0 || causal"), w, window(99), "cpu")
        self.assertIn("keeps (b=0, h=0, q=0, k=1)", why)


@needs_torch
class BenchScoreTest(unittest.TestCase):
    """bench.score_disagreement: the library's score expression against a workload's score_mod."""

    W = {"name": "w", "b": 2, "hq": 16, "sq": 8192, "skv": 8192, "d": 128, "dtype": "bf16",
         "mask": {"kind": "causal"}}

    @staticmethod
    def softcap(cap):
        return lambda s, b, h, q, kv: cap * torch.tanh(s / cap)

    @staticmethod
    def alibi(hq):
        slopes = torch.tensor([2 ** (-8 * (i + 1) / hq) for i in range(hq)])
        return lambda s, b, h, q, kv: s - slopes[h] * (q - kv).abs()

    def test_agreement(self):
        softcap, alibi = (lib("x", "bf16", 128, "causal", e) for e in (SOFTCAP, ALIBI))
        self.assertIsNone(bench.score_disagreement(softcap, self.W, self.softcap(50.0), "cpu"))
        self.assertIsNone(bench.score_disagreement(alibi, self.W, self.alibi(16), "cpu"))
        identity = lib("i", "bf16", 128, "causal")
        self.assertIsNone(bench.score_disagreement(identity, self.W, None, "cpu"))
        self.assertIsNone(bench.score_disagreement(lib("j", "bf16", 128, "causal", "s"), self.W,
                                                   None, "cpu"))
        small = dict(self.W, b=1, hq=3, sq=5, skv=40)  # fewer indices than the sample size
        self.assertIsNone(bench.score_disagreement(alibi, small, self.alibi(3), "cpu"))
        self.assertIsNone(bench.score_disagreement(identity, small, None, "cpu"))

    def test_disagreement_is_reported(self):
        softcap = lib("cap", "bf16", 128, "causal", SOFTCAP)
        for library, sm, words in [
                (softcap, self.softcap(30.0), "cap's score 'softcap(s, 50.0)' gives"),
                (softcap, self.alibi(16), "score_mod none gives"),
                (softcap, None, "and the workload's score_mod none gives"),
                (lib("plain", "bf16", 128, "causal"), self.softcap(50.0), "plain's score 's'"),
                (lib("a8", "bf16", 128, "causal", ALIBI.replace("hq", "8")), self.alibi(16),
                 "s - exp2(-8.0 * (h + 1) / 8)"),
                (lib("qk", "bf16", 128, "causal", ALIBI.replace("q - k", "q - k + 1")),
                 self.alibi(16), "gives"),
                (lib("bad", "bf16", 128, "causal", "softcap(s)"), self.softcap(50.0),
                 "not readable by gpu/score_expr.py")]:
            with self.subTest(library=library.name):
                why = bench.score_disagreement(library, self.W, sm, "cpu")
                self.assertIsNotNone(why)
                self.assertIn(words, why)
        why = bench.score_disagreement(lib("h", "bf16", 128, "causal", "h == 15 ? s + 1.0 : s"),
                                       self.W, None, "cpu")
        self.assertRegex(why, r"at \(b=0, h=15, q=0, k=0, s=")

    def test_only_kept_pairs_count(self):
        # With a KV cache the spec writes ALiBi's distance as q + skv - sq - k, which causal keeps
        # non-negative: the same scores as |q - k| wherever causal keeps the pair (sq == skv).
        kv_cache = lib("kv", "bf16", 128, "causal",
                       "s - exp2(-8.0 * (h + 1) / hq) * (q + skv - sq - k)")

        def causal(b, h, q, kv):
            return kv <= q
        self.assertIsNone(bench.score_disagreement(kv_cache, self.W, self.alibi(16), "cpu",
                                                   causal))
        why = bench.score_disagreement(kv_cache, self.W, self.alibi(16), "cpu")  # every pair
        self.assertIn("gives", why)
        why = bench.score_disagreement(lib("x", "bf16", 128, "causal", "k > q ? s : s + 1.0"),
                                       self.W, None, "cpu", causal)
        self.assertRegex(why, r"at \(b=0, h=0, q=0, k=0,")

    def test_spread_indices(self):
        gen = torch.Generator().manual_seed(0)
        rows = bench._spread_indices(8192, 64, gen)
        self.assertEqual((len(rows), int(rows[0]), int(rows[-1])), (64, 0, 8191))
        self.assertEqual(len(set(rows.tolist())), 64)
        self.assertEqual(bench._spread_indices(5, 64, gen).tolist(), [0, 1, 2, 3, 4])

    @unittest.skipUnless(peer_defs.available(), "shared/bench/peers.py is not here")
    def test_against_peers_definitions(self):
        """The workloads' own score_mods (peers.py) against the expressions bench serves them
        with, and against the spec files' when those exist."""
        score_mod_for, mask_mod_for = peer_defs.peer_functions("score_mod_for", "mask_mod_for")
        suite = peer_defs.workloads()
        specs = bench.load_workload_specs()
        for name, expr in [("softcap_causal_bf16_d128_s8k", SOFTCAP),
                           ("alibi_causal_bf16_d128_s8k", ALIBI)]:
            if name not in suite:
                continue
            w = suite[name]
            sm = score_mod_for(w, "cpu")
            mm, _ = mask_mod_for(w, "cpu")
            candidates = [lib(specs[name], "bf16", 128, "causal", expr)]
            path = os.path.join(REPO, "specs", specs[name] + ".json")
            if os.path.exists(path):  # the spec may still be on its way
                with open(path) as f:
                    spec = json.load(f)
                candidates.append(lib(spec["name"], spec["dtype"], spec["head_dim"],
                                      spec.get("mask", "none"), spec.get("score")))
            for library in candidates:
                with self.subTest(workload=name, score=library.manifest.get("score")):
                    self.assertIsNone(bench.score_disagreement(library, w, sm, "cpu", mm))
            other = ALIBI if expr == SOFTCAP else SOFTCAP
            self.assertIsNotNone(bench.score_disagreement(lib("o", "bf16", 128, "causal", other),
                                                          w, sm, "cpu", mm))


def routed_lib(name="blocktopk_bf16_d128", mask="causal", shape=("b", "hq", "sq/128", 32),
               block=128):
    """A library like specs/blocktopk_bf16_d128.json: its mask, and routing by kv_blocks."""
    library = lib(name, "bf16", 128, mask)
    library.manifest.update(routed_manifest(mask, shape, block), name=name)
    return library


@needs_torch
class BenchRoutingTest(unittest.TestCase):
    """bench.py's block_topk workloads: the routing lists from the workload's selection, checked
    against peers.py's own mask_mod."""

    @staticmethod
    def workload(sq=1000, skv=None, topk=3, block=128, causal=True, b=2, hq=3, seed=0):
        return {"name": "bt", "b": b, "hq": hq, "sq": sq, "skv": skv or sq, "d": 128,
                "dtype": "bf16", "mask": {"kind": "block_topk", "block": block, "topk": topk,
                                          "seed": seed, "causal": causal}}

    def test_lists_follow_the_selection(self):
        w = self.workload()
        data = bench.workload_data(routed_lib(), w, "cpu")
        lists = data["tensors"]["kv_blocks"]
        self.assertEqual((tuple(lists.shape), lists.dtype), ((2, 3, 8, 32), torch.int32))
        self.assertTrue(lists.is_contiguous())
        self.assertTrue(bool((lists == lists[:1, :1]).all()))  # every batch and head the same
        selection = bench.block_topk_selection(w["mask"], 1000, 1000)
        for i, row in enumerate(lists[0, 0].tolist()):
            chosen = selection[i]
            self.assertEqual(row, chosen + [-1] * (32 - len(chosen)))
            self.assertIn(i, chosen)                                   # own block (causal)
            self.assertTrue(all(0 <= j <= i for j in chosen))
            self.assertLessEqual(len(chosen), 4)                       # topk + own block
        self.assertEqual(selection, bench.block_topk_selection(w["mask"], 1000, 1000))
        flat = bench.workload_data(routed_lib(shape=("sq/128", 4)), w, "cpu")
        self.assertTrue(torch.equal(flat["tensors"]["kv_blocks"], lists[0, 0, :, :4]))

    def test_what_cannot_be_served(self):
        for library, w, words in [
                (routed_lib(block=256), self.workload(), "routes blocks of 256 keys"),
                (routed_lib(shape=("b", "hq", "sq/128", 3)), self.workload(topk=3),
                 "lists at most 3"),
                (routed_lib(), dict(self.workload(), mask={"kind": "causal"}), "selects no blocks")]:
            with self.subTest(words=words):
                with self.assertRaises(bench.MismatchError) as e:
                    bench.workload_data(library, w, "cpu")
                self.assertIn(words, str(e.exception))
        # Routing is no dense or causal library for the automatic match.
        self.assertFalse(bench.is_dense(routed_lib(mask="none")))
        causal = {"name": "c", "b": 1, "hq": 1, "sq": 8, "skv": 8, "d": 128, "dtype": "bf16",
                  "mask": {"kind": "causal"}}
        found, why = bench.match(causal, [routed_lib()], {})
        self.assertIsNone(found)
        found, _ = bench.match(self.workload(), [routed_lib()], {"bt": "blocktopk_bf16_d128"})
        self.assertEqual(found.name, "blocktopk_bf16_d128")
        _, why = bench.match(self.workload(), [routed_lib()], {})
        self.assertIn("mask block_topk: not compiled", why)

    def test_mask_disagreement_includes_routing(self):
        w = self.workload(sq=700, skv=700)
        library = routed_lib()
        data = bench.workload_data(library, w, "cpu")

        def topk_mod(selection, causal=True):
            sel = torch.zeros(len(selection), len(selection), dtype=torch.bool)
            for i, row in enumerate(selection):
                sel[i, row] = True
            return lambda b, h, q, kv: sel[q // 128, kv // 128] & ((kv <= q) if causal else True)
        selection = bench.block_topk_selection(w["mask"], 700, 700)
        self.assertIsNone(bench.mask_disagreement(library, w, topk_mod(selection), "cpu", data))
        why = bench.mask_disagreement(library, w, lambda b, h, q, kv: kv <= q, "cpu", data)
        self.assertIn("'causal' routed by kv_blocks drops", why)
        # One head's list one block short: found, at that head.
        short = {"tensors": {"kv_blocks": data["tensors"]["kv_blocks"].clone()}, "params": {}}
        short["tensors"]["kv_blocks"][1, 2, 5, 0] = -1
        why = bench.mask_disagreement(library, w, topk_mod(selection), "cpu", short)
        self.assertRegex(why, r"drops \(b=1, h=2, q=640, k=\d+\)")
        why = bench.mask_disagreement(library, w, topk_mod(selection), "cpu", None)
        self.assertIn("cannot be evaluated", why)
        # Not causal: every block is allowed, and the library's mask is "none".
        w = self.workload(sq=700, causal=False, topk=4)
        library = routed_lib(mask="none")
        data = bench.workload_data(library, w, "cpu")
        selection = bench.block_topk_selection(w["mask"], 700, 700)
        self.assertTrue(all(len(row) == 4 for row in selection))
        self.assertIsNone(bench.mask_disagreement(library, w, topk_mod(selection, False), "cpu",
                                                  data))

    @unittest.skipUnless(peer_defs.available(), "shared/bench/peers.py is not here")
    def test_against_peers_definitions(self):
        """The shared suite's block_topk workloads against peers.py's own mask_mod: the block
        selection at full size, every (q, k) pair on their first 2048 queries and keys (the same
        draws: the selection of a query block depends on the blocks before it only)."""
        (mask_mod_for,) = peer_defs.peer_functions("mask_mod_for")
        specs = bench.load_workload_specs()
        topk = [w for w in peer_defs.workloads().values()
                if (w.get("mask") or {}).get("kind") == "block_topk"]
        for w in topk:
            with self.subTest(workload=w["name"]):
                library = routed_lib(specs.get(w["name"], "routed"),
                                     block=w["mask"]["block"])
                data = bench.workload_data(library, w, "cpu")
                lists = data["tensors"]["kv_blocks"]
                self.assertEqual(tuple(lists.shape),
                                 (w["b"], w["hq"], math.ceil(w["sq"] / w["mask"]["block"]), 32))
                mm, _ = mask_mod_for(w, "cpu")
                blk = w["mask"]["block"]
                nq, nk = math.ceil(w["sq"] / blk), math.ceil(w["skv"] / blk)
                last_q = torch.minimum(torch.arange(nq) * blk + blk - 1, torch.tensor(w["sq"] - 1))
                theirs = mm(0, 0, last_q[:, None], (torch.arange(nk) * blk)[None, :])
                ours = torch.zeros(nq, nk + 1, dtype=torch.bool)
                rows = lists[0, 0].long()
                ours.scatter_(1, rows.masked_fill(rows < 0, nk), torch.ones_like(rows).bool())
                self.assertTrue(torch.equal(ours[:, :nk], theirs))
                small = dict(w, b=1, hq=2, sq=min(w["sq"], 2048), skv=min(w["skv"], 2048))
                mm, _ = mask_mod_for(small, "cpu")
                data = bench.workload_data(library, small, "cpu")
                self.assertIsNone(bench.mask_disagreement(library, small, mm, "cpu", data))
        self.assertEqual(specs.get("blocktopk16_bf16_d128_s16k"), "blocktopk_bf16_d128")


class SummaryTest(unittest.TestCase):
    def test_bench_table_shows_density_and_dense_ratio(self):
        rows = [{"workload": "swa", "impl": "attnc", "ms": 2.0, "tflops": 100.0, "density": 0.125,
                 "ratio_vs_best_peer": 0.9, "ratio_vs_own_dense": 0.2},
                {"workload": "swa", "impl": "flex", "ms": 1.8, "tflops": 111.0},
                {"workload": "doc", "impl": "attnc", "ms": None, "tflops": None,
                 "skipped": "mask document: not compiled"}]
        with tempfile.TemporaryDirectory() as out:
            with open(os.path.join(out, "bench.json"), "w") as f:
                json.dump(rows, f)
            text = subprocess.run([sys.executable, os.path.join(REPO, "gpu", "summary.py"), out,
                                   "bench=pass;"], capture_output=True, text=True, check=True).stdout
        line = next(l for l in text.splitlines() if l.strip().startswith("swa"))
        self.assertEqual(line.split()[-3:], ["0.90", "0.125", "0.200"])
        self.assertIn("doc", text)


if __name__ == "__main__":
    unittest.main()
