#!/usr/bin/env python3
"""GPU correctness suite for attnc libraries: compares every library against a float64/float32
reference over ~150 shapes and layouts, and checks that bad calls fail cleanly. The reference
mask is the library's manifest "mask" expression, evaluated by gpu/mask_expr.py (the suite's own
implementation of the mask language); a mask with lengths in it (window(1024, 0), chunk(2048))
adds cases that cross and pass them, run first. A manifest "score" expression ("softcap(s, 50.0)";
absent or "s" is none) rewrites the reference's scaled scores before the mask, evaluated by
gpu/score_expr.py in the reference's dtype. A manifest "routing" narrows the reference mask to the
key blocks its list tensor names (gpu/reference.py's RoutedMask); gpu/runtime_data.py fills that
tensor with random lists that hold padding, repeats and out-of-range entries too, and its block
counts as a mask length.

    python3 gpu/check.py --libs-dir build/examples [--lib build/examples/libx.so ...]
                         [--json out.json] [--max-cases N] [--seed S] [--time-budget SECONDS]

Exits non-zero if any case or negative test fails. Run on a machine with a GPU and torch; the
runtime is found as attnc finds it ($ATTNC_RUNTIME, else build/lib).
"""
import argparse
import datetime
import glob
import json
import math
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import attnc  # noqa: E402
from cases import grid_cases, make_cases, make_tensors, mask_lengths  # noqa: E402
from negative import run_negative  # noqa: E402
from mask_expr import MaskError  # noqa: E402
from provenance import commit  # noqa: E402
from runtime_data import make_runtime_data  # noqa: E402
from reference import (attention, fully_masked_rows, reference_mask,  # noqa: E402
                       reference_score, reference_sink, sink_logits)

TORCH_DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "fp16": torch.float16}

# Tolerances: ||out - ref||_inf <= ATOL + RTOL * ||ref||_inf over the rows that keep any key.
# The kernel stores O in the input type and rounds P to it before the P·V product, each a relative
# error of one unit roundoff u (bf16: 2^-8 = 3.9e-3, f16: 2^-11 = 4.9e-4) of O or of each
# weighted term; accumulations are in float32 (negligible). About 2.5 u, on the scale of |O|
# (the RTOL term) or of the largest |v| a row averages (the ATOL term, for long rows whose O is
# much smaller than the v it averages), bounds both: 1e-2 for bf16, 4e-3 (8 u) for f16. Index or
# masking bugs give errors of order 1 and are far outside either. A score expression changes
# neither bound: the kernel evaluates it in float32 on float32 scores (a relative error of ~1e-7
# of the score), and the rounding of P and O is what it was. Softcap keeps |s| below its cap;
# ALiBi lowers the far scores, which only concentrates the softmax on near keys.
TOLERANCES = {torch.bfloat16: (1e-2, 1e-2), torch.float16: (4e-3, 4e-3)}
# LSE is computed in float32 from float32 scores; exp2/log2 approximations add ~1e-6 relative.
# 1e-3 of max(1, |lse|) leaves room and still catches a wrong row or a missing scale factor.
LSE_RTOL = 1e-3
# Use float64 for the reference when the score matrix is at most this many elements.
FLOAT64_ELEMENTS = 1 << 26


def check_case(lib, case, dtype, d, mask, generator, score=None, seed=0, sink=None):
    t = make_tensors(case, dtype, d, generator)
    data = make_runtime_data(lib.manifest, case, seed)
    if data is not None:  # the library reads runtime tensors and parameters: so does the reference
        mask = mask.with_data(data)
        score = score.with_data(data) if score is not None else None
        sink = sink.with_data(data) if sink is not None else None
    lib.forward(t.q, t.k, t.v, scale=case.scale, layout=t.layout, out=t.out, lse=t.lse,
                tensors=data and data["tensors"], params=data and data["params"])
    torch.cuda.synchronize()
    scale = case.scale if case.scale is not None and case.scale > 0 else 1.0 / math.sqrt(d)
    q, k, v, out = (t.logical(x) for x in (t.q, t.k, t.v, t.out))
    elements = case.b * case.hq * case.sq * case.skv
    compute = torch.float64 if elements <= FLOAT64_ELEMENTS else torch.float32
    sink_logit = sink_logits(sink, case.b, case.hq, compute, q.device)  # [B, Hq] or None
    ref_o, ref_lse = attention(q, k, v, mask, scale, compute, score, sink_logit)
    o = out.to(compute)
    lse = t.lse.to(compute)

    problems = []
    if torch.isnan(o).any():
        problems.append(f"{int(torch.isnan(o).sum())} NaN in O (unwritten or NaN result)")
    if torch.isnan(lse).any():
        problems.append(f"{int(torch.isnan(lse).sum())} NaN in LSE")
    for region in t.padding:
        if not torch.isnan(region).all():
            problems.append("a write outside out/lse (padding around them changed)")
            break
    # [B, Hq, Sq]: the rows whose every key the mask drops (any mask; per head if it reads h).
    dead = fully_masked_rows(mask, case.b, case.hq, case.sq, case.skv, o.device)
    live = ~dead
    if dead.any():
        if not (o[dead] == 0).all():
            problems.append("fully masked rows: O is not exactly 0")
        if sink_logit is None and not (lse[dead] == float("-inf")).all():
            problems.append("fully masked rows: LSE is not -inf")
        if sink_logit is not None:  # LSE = σ(b, h), as the kernel computes it in float32
            sigma = sink_logit[:, :, None].expand_as(lse)[dead]
            sigma_err = ((lse[dead] - sigma).abs() / sigma.abs().clamp(min=1.0)).nan_to_num(nan=math.inf)
            if not float(sigma_err.max()) <= LSE_RTOL:
                problems.append("fully masked rows: LSE is not the sink logit")
    o_err = o_tol = lse_err = 0.0
    if live.any():
        atol, rtol = TOLERANCES[dtype]
        diff = (o[live] - ref_o[live]).abs().nan_to_num(nan=math.inf)  # [live rows, D]
        o_err = float(diff.max())
        o_tol = atol + rtol * float(ref_o[live].abs().max())
        if not o_err <= o_tol:
            worst = int(diff.max(dim=1).values.argmax())
            where = [int(i) for i in live.nonzero()[worst]] + [int(diff[worst].argmax())]
            problems.append(f"O error {o_err:.3g} > tol {o_tol:.3g} "
                            f"(worst at b, h, q, d = {where})")
        ref_l = ref_lse[live]
        lse_rel = ((lse[live] - ref_l).abs() / ref_l.abs().clamp(min=1.0)).nan_to_num(nan=math.inf)
        lse_err = float(lse_rel.max())
        if not lse_err <= LSE_RTOL:
            problems.append(f"LSE error {lse_err:.3g} > {LSE_RTOL:g}·max(1,|lse|)")
    return {"o_err": o_err, "o_tol": o_tol, "lse_err": lse_err,
            "fully_masked_rows": int(dead.sum()), "reference": str(compute).replace("torch.", ""),
            "ok": not problems, "problems": problems}


def check_library(path, seed, max_cases, deadline):
    lib = attnc.load(path)
    m = lib.manifest
    report = {"path": path, "name": lib.name, "dtype": lib.dtype, "head_dim": lib.head_dim,
              "mask": lib.mask, "score": m.get("score") or "s", "sink": m.get("sink"),
              "routing": m.get("routing"),
              "archs": m.get("archs"),
              "cases": [], "negative": [], "passed": 0, "failed": 0, "skipped": 0, "note": ""}
    dtype = TORCH_DTYPES.get(lib.dtype)
    what, expression = "mask", lib.mask
    try:
        mask = reference_mask(m)
        what, expression = "score", m.get("score")
        score = reference_score(m)
        what, expression = "sink", m.get("sink")
        sink = reference_sink(m)
    except MaskError as e:
        cases = make_cases(seed, max_cases)
        report["note"] = (f"{what} {expression!r}: the reference cannot read it ({e}); "
                          f"library skipped")
        report["skipped"] = len(cases)
        return report, True
    grid = m.get("token_grid")
    if grid:  # the grid's tokens are the only lengths the library takes
        cases = grid_cases(math.prod(grid), seed, max_cases)
    else:
        cases = make_cases(seed, max_cases, mask_lengths(mask.literals))
    generator = torch.Generator(device="cuda")
    healthy = True
    for i, case in enumerate(cases):
        row = {"case": case.name, **case.__dict__}
        if time.time() > deadline:
            row.update(ok=None, problems=["skipped: time budget spent"])
            report["skipped"] += 1
            report["cases"].append(row)
            continue
        generator.manual_seed(seed * 100003 + i)  # fresh inputs per case, reproducible
        t0 = time.time()
        try:
            if m.get("requires_sq_le_skv") and case.sq > case.skv:
                row.update(ok=None, problems=["skipped: the spec needs sq <= skv"])
                report["skipped"] += 1
                report["cases"].append(row)
                continue
            row.update(check_case(lib, case, dtype, lib.head_dim, mask, generator, score,
                                  seed * 100003 + i, sink))
        except attnc.AttnError as e:
            row.update(ok=False, problems=[str(e)])
        except RuntimeError as e:  # a CUDA fault: the context is gone, later cases would lie
            row.update(ok=False, problems=[f"{type(e).__name__}: {e}"])
            healthy = "CUDA" not in str(e) and "cuda" not in str(e)
        row["seconds"] = round(time.time() - t0, 3)
        report["passed" if row["ok"] else "failed"] += 1
        report["cases"].append(row)
        if not row["ok"]:
            print(f"  FAIL {case.name}: {'; '.join(row['problems'])}", flush=True)
        if not healthy:
            print("  stopping: the CUDA context is unusable after that failure", flush=True)
            return report, False
        if case.sq * case.skv >= 1 << 24:
            torch.cuda.empty_cache()  # large references leave GiBs in torch's cache
    report["negative"] = run_negative(lib, dtype, lib.head_dim)
    for n in report["negative"]:
        if not n["ok"]:
            print(f"  FAIL negative '{n['name']}': got {n.get('message')!r}, expected {n['expected']}",
                  flush=True)
    return report, healthy


def summarize(report):
    cases = [c for c in report["cases"] if c.get("ok") is not None]
    worst = max((c["o_err"] / c["o_tol"] for c in cases if c.get("o_tol")), default=0.0)
    worst_lse = max((c["lse_err"] for c in cases if "lse_err" in c), default=0.0)
    neg_ok = sum(1 for n in report["negative"] if n["ok"])
    score = report.get("score", "s")
    variant = (report["mask"] or "-") + ("" if score in ("", "s") else f", score {score}")
    if report.get("sink"):
        variant += f", sink {report['sink']}"
    if report.get("routing"):
        variant += f", routing {report['routing']['tensor']}/{report['routing']['block']}"
    return (f"{os.path.basename(report['path']):<36} {report['dtype']:>4} d{report['head_dim']:<4} "
            f"{variant:<16} pass {report['passed']:>3} fail {report['failed']:>3} "
            f"skip {report['skipped']:>3}  worst O err/tol {worst:.2f}  worst LSE rel {worst_lse:.1e}  "
            f"negative {neg_ok}/{len(report['negative'])}"
            + (f"  ({report['note']})" if report["note"] else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", action="append", default=[], help="a library to check (repeatable)")
    ap.add_argument("--libs-dir", help="check every lib*.so in this folder")
    ap.add_argument("--json", help="write full results here")
    ap.add_argument("--max-cases", type=int, default=None,
                    help="first N cases of each library only (a mask's length cases come first)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-budget", type=float, default=170.0,
                    help="seconds for all libraries; cases past it are skipped (and reported)")
    a = ap.parse_args()
    libs = list(a.lib)
    if a.libs_dir:
        libs += sorted(glob.glob(os.path.join(a.libs_dir, "lib*.so")))
    if not libs:
        ap.error("no libraries: give --lib or --libs-dir")
    torch.backends.cuda.matmul.allow_tf32 = False  # the float32 reference must be float32
    torch.backends.cudnn.allow_tf32 = False
    torch.cuda.init()
    device = torch.cuda.get_device_name()
    print(f"# device: {device}; torch {torch.__version__}; commit {commit()}; "
          f"{len(libs)} libraries x {len(make_cases(a.seed, a.max_cases))} cases "
          f"(+ up to 4 per length in a mask)", flush=True)
    start = time.time()
    reports, failed = [], False
    for i, path in enumerate(libs):
        print(f"== {path}", flush=True)
        # Share what is left of the budget among the libraries still to run.
        left = a.time_budget - (time.time() - start)
        deadline = time.time() + max(0.0, left) / (len(libs) - i)
        try:
            report, healthy = check_library(path, a.seed, a.max_cases, deadline)
        except attnc.AttnError as e:
            report, healthy = {"path": path, "name": os.path.basename(path), "dtype": "?", "head_dim": 0,
                               "mask": "", "cases": [], "negative": [], "passed": 0, "failed": 1,
                               "skipped": 0, "note": f"cannot load: {e}"}, True
        failed |= report["failed"] > 0 or any(not n["ok"] for n in report["negative"])
        reports.append(report)
        print(summarize(report), flush=True)
        if not healthy:
            failed = True
            break
    print("\n# summary", flush=True)
    for report in reports:
        print(summarize(report), flush=True)
    print(f"# {'FAILED' if failed else 'PASSED'} in {time.time() - start:.0f}s", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"device": device, "commit": commit(), "torch": torch.__version__,
                       "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                       "passed": not failed, "libraries": reports}, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
