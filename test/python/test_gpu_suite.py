#!/usr/bin/env python3
"""CPU tests of the GPU suite's plumbing: mask-length cases (gpu/cases.py), the reference with an
arbitrary mask (gpu/reference.py, needs torch; a CPU build is enough), and how bench/bench.py
matches workloads to libraries (bench/workload_specs.json) and checks their masks.

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

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "gpu"))
sys.path.insert(0, os.path.join(REPO, "bench"))

import bench  # noqa: E402  (stdlib only at import time)
from cases import make_cases, mask_lengths  # noqa: E402
from mask_expr import compile_mask  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

needs_torch = unittest.skipIf(torch is None, "torch is not installed")
SHARED_WORKLOADS = os.path.join(REPO, "..", "shared", "bench", "workloads.json")


class CasesTest(unittest.TestCase):
    def test_unmasked_suite_is_unchanged(self):
        cases = make_cases(0)
        self.assertEqual(len(cases), 150)
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
                self.assertEqual(cases[len(first):len(first) + 150], make_cases(0))
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

    def naive(self, q, k, v, expr, scale):
        """Per-row softmax over the kept keys, from the scalar evaluator; O = 0, LSE = -inf when
        a row keeps nothing."""
        b, hq, sq, d = q.shape
        hkv, skv = k.shape[1], k.shape[2]
        mask = compile_mask(expr)
        out = torch.zeros(b, hq, sq, d, dtype=torch.float64)
        lse = torch.full((b, hq, sq), -math.inf, dtype=torch.float64)
        for bi in range(b):
            for h in range(hq):
                kh = h // (hq // hkv)
                for i in range(sq):
                    kept = [j for j in range(skv) if mask.evaluate(bi, h, i, j, sq, skv)]
                    if not kept:
                        continue
                    s = torch.stack([(q[bi, h, i] * k[bi, kh, j]).sum() * scale for j in kept])
                    lse[bi, h, i] = torch.logsumexp(s, 0)
                    p = torch.exp(s - lse[bi, h, i])
                    out[bi, h, i] = (p[:, None] * v[bi, kh, kept]).sum(0)
        return out, lse

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
                self.assertTrue(torch.allclose(out, want_out, atol=1e-12))
                self.assertTrue(torch.equal(torch.isinf(lse), torch.isinf(want_lse)))
                finite = torch.isfinite(want_lse)
                self.assertTrue(torch.allclose(lse[finite], want_lse[finite], atol=1e-12))
                dead = self.ref.fully_masked_rows(mask, b, hq, sq, skv, q.device)
                self.assertEqual(tuple(dead.shape), (b, hq, sq))
                self.assertTrue(torch.equal(dead, torch.isinf(want_lse)))

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


def lib(name, dtype, d, mask):
    return SimpleNamespace(name=name, dtype=dtype, head_dim=d, mask=mask, path=f"/x/lib{name}.so")


class BenchMatchTest(unittest.TestCase):
    LIBS = [lib("dense_bf16_d128", "bf16", 128, "none"), lib("causal_bf16_d128", "bf16", 128, "causal"),
            lib("dense_f16_d64", "f16", 64, "none"),
            lib("swa1024_bf16_d128", "bf16", 128, "window(1024, 0)")]

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
        found, _ = bench.match(self.workload("causal_x", "causal"), self.LIBS, {})
        self.assertEqual(found.name, "causal_bf16_d128")
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
        _, why = bench.match(self.workload("cap", "causal", score_mod={"kind": "softcap"}),
                             self.LIBS, {"cap": "causal_bf16_d128"})
        self.assertIn("score_mod softcap", why)
        with self.assertRaises(bench.MismatchError):
            bench.match(self.workload("w", dtype="fp16", d=64), self.LIBS, {"w": "dense_bf16_d128"})

    def test_dense_library(self):
        self.assertEqual(bench.dense_library(self.LIBS[3], self.LIBS).name, "dense_bf16_d128")
        self.assertEqual(bench.dense_library(self.LIBS[2], self.LIBS).name, "dense_f16_d64")
        self.assertIsNone(bench.dense_library(lib("x", "f16", 128, "causal"), self.LIBS))
        self.assertTrue(bench.is_dense(lib("y", "bf16", 128, "")))
        self.assertFalse(bench.is_dense(lib("z", "bf16", 128, "none && causal")))

    def test_workload_specs_file(self):
        specs = bench.load_workload_specs()
        self.assertIn("swa1024_bf16_d128_s16k", specs)
        for workload, spec in specs.items():
            path = os.path.join(REPO, "specs", spec + ".json")
            if os.path.exists(path):  # the spec may still be on its way
                with open(path) as f:
                    self.assertEqual(json.load(f)["name"], spec)
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
