#!/usr/bin/env python3
"""attnc against the PyTorch peers (sdpa_flash, sdpa_cudnn, flex) on the shared workload suite.

For every workload of workloads.json that one of our compiled libraries can serve (same dtype,
head dim and mask kind: "none" -> manifest mask "none", "causal" -> "causal"; GQA through hkv),
runs our kernel and each peer on the same [B, H, S, D] tensors in one process. Timing is
triton.testing.do_bench's median (warmup 50 ms, rep 300 ms), as peers.py does; TFLOP/s counts
4·B·Hq·D per kept (q, k) pair; max_abs_err is against peers.py's float32 reference on batch
slice 0. Workloads we cannot serve are listed with the reason.

    python3 bench/bench.py --libs-dir build/examples [--lib path ...] [--peers-dir DIR]
                           [--suite workloads.json] [--only name,...] [--peers sdpa_flash,...]
                           [--json out.json] [--no-lse]

peers.py is found in --peers-dir, else ../shared/bench beside the repository, else
.shared_bench/ in the repository (where it is copied for the GPU machine).
"""
import argparse
import datetime
import glob
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "python"))

PEERS = ["sdpa_flash", "sdpa_cudnn", "flex"]
# workload dtype -> manifest dtype; workload mask kind -> manifest mask
DTYPES = {"bf16": "bf16", "fp16": "f16", "f16": "f16"}
MASKS = {"none": "none", "causal": "causal"}


def find_peers_dir(explicit):
    candidates = [explicit] if explicit else [os.path.join(REPO, "..", "shared", "bench"),
                                              os.path.join(REPO, ".shared_bench")]
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, "peers.py")):
            return os.path.abspath(c)
    sys.exit(f"bench.py: peers.py not found in {', '.join(c for c in candidates if c)}")


def commit():
    if os.environ.get("ATTNC_COMMIT"):
        return os.environ["ATTNC_COMMIT"]
    try:
        return subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except Exception:
        return "unknown"


def match(workload, libraries):
    """(library, None) for the library serving `workload`, or (None, why not)."""
    if workload.get("backward"):
        return None, "backward: not compiled"
    if workload.get("score_mod"):
        return None, f"score_mod {workload['score_mod'].get('kind')}: not compiled"
    kind = (workload.get("mask") or {"kind": "none"})["kind"]
    mask = MASKS.get(kind)
    if mask is None:
        return None, f"mask {kind}: not compiled"
    dtype = DTYPES.get(workload.get("dtype", "bf16"))
    for lib in libraries:
        if lib.dtype == dtype and lib.head_dim == workload["d"] and lib.mask == mask:
            return lib, None
    return None, f"no library for ({dtype}, d{workload['d']}, {mask})"


def run_workload(w, lib, peers_mod, peer_names, need_lse, meta):
    import torch
    import triton.testing
    dev = "cuda"
    dt = peers_mod.DTYPES[w.get("dtype", "bf16")]
    b, hq, hkv, sq, skv, d = w["b"], w["hq"], w.get("hkv", w["hq"]), w["sq"], w["skv"], w["d"]
    scale = 1.0 / math.sqrt(d)
    torch.manual_seed(0)  # the same inputs peers.py draws
    q = torch.randn(b, hq, sq, d, device=dev, dtype=dt)
    k = torch.randn(b, hkv, skv, d, device=dev, dtype=dt)
    v = torch.randn(b, hkv, skv, d, device=dev, dtype=dt)
    mm, causal = peers_mod.mask_mod_for(w, dev)
    pairs = peers_mod.kept_pairs(mm, sq, skv, dev)
    flops = 4.0 * b * hq * d * pairs
    ref = peers_mod.reference(q, k, v, mm, None, scale)
    gqa = hq != hkv
    rows = []

    def row(impl, ms, err, note=""):
        r = {"workload": w["name"], "impl": impl, "ms": ms,
             "tflops": flops / ms / 1e9 if ms else None, "max_abs_err": err, **meta}
        if note:
            r["note"] = note
        rows.append(r)

    def ours():
        return lib.forward(q, k, v, scale=scale, need_lse=need_lse)[0]

    out = None
    try:
        t0 = time.time()
        out = ours()
        torch.cuda.synchronize()
        first = time.time() - t0
        err = (out[:1].float() - ref).abs().max().item()
        ms = triton.testing.do_bench(ours, warmup=50, rep=300, return_mode="median")
        row("attnc", ms, err, f"{lib.name}; first call {first:.2f}s")
    except Exception as e:
        row("attnc", None, None, f"error: {type(e).__name__}: {str(e)[:200]}")
    del out
    for peer in peer_names:
        try:
            call, note = peers_mod.make_call(peer, w, mm, causal, None, scale, gqa, sq, skv, dev)
            if call is None:
                row(peer, None, None, note)
                continue
            t0 = time.time()
            out = call(q, k, v)
            torch.cuda.synchronize()
            note = (note + f" first call {time.time() - t0:.1f}s").strip()
            err = (out[:1].float() - ref).abs().max().item()
            del out
            ms = triton.testing.do_bench(lambda: call(q, k, v), warmup=50, rep=300, return_mode="median")
            row(peer, ms, err, note)
        except Exception as e:
            row(peer, None, None, f"error: {type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}")
        torch.cuda.empty_cache()
    # Ratios on our row: > 1 means we are faster.
    mine = rows[0]
    if mine["ms"]:
        timed = {r["impl"]: r["ms"] for r in rows[1:] if r["ms"]}
        for peer, ms in timed.items():
            mine["ratio_vs_" + peer] = ms / mine["ms"]
        mine["ratio_vs_best_peer"] = min(timed.values()) / mine["ms"] if timed else None
    return rows


def print_table(rows, skipped, peer_names):
    by_workload = {}
    for r in rows:
        if "skipped" in r:
            continue
        by_workload.setdefault(r["workload"], {})[r["impl"]] = r
    head = f"{'workload':<30} {'attnc TF/s':>10} " + " ".join(f"{p + ' TF/s':>16}" for p in peer_names)
    print("\n" + head + f" {'vs best':>8} {'attnc err':>9}")
    for name, impls in by_workload.items():
        def tf(impl):
            r = impls.get(impl)
            return f"{r['tflops']:.1f}" if r and r.get("tflops") else "-"
        ours = impls.get("attnc", {})
        ratio = ours.get("ratio_vs_best_peer")
        err = ours.get("max_abs_err")
        print(f"{name:<30} {tf('attnc'):>10} " + " ".join(f"{tf(p):>16}" for p in peer_names)
              + f" {(f'{ratio:.2f}x' if ratio else '-'):>8} {(f'{err:.1e}' if err is not None else '-'):>9}")
    for name, why in skipped:
        print(f"{name:<30} skipped: {why}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", action="append", default=[])
    ap.add_argument("--libs-dir", default=os.path.join(REPO, "build", "examples"))
    ap.add_argument("--peers-dir")
    ap.add_argument("--suite", help="default: workloads.json beside peers.py")
    ap.add_argument("--only", default="", help="comma-separated workload names")
    ap.add_argument("--peers", default=",".join(PEERS))
    ap.add_argument("--no-lse", action="store_true", help="do not write LSE (as inference would)")
    ap.add_argument("--json")
    a = ap.parse_args()

    peers_dir = find_peers_dir(a.peers_dir)
    sys.path.insert(0, peers_dir)
    import peers as peers_mod  # noqa: E402  (imports torch and triton)
    import torch
    import attnc

    suite = json.load(open(a.suite or os.path.join(peers_dir, "workloads.json")))
    paths = list(a.lib) or sorted(glob.glob(os.path.join(a.libs_dir, "lib*.so")))
    libraries = [attnc.load(p) for p in paths]
    peer_names = [p for p in a.peers.split(",") if p]
    only = {x for x in a.only.split(",") if x}
    meta = {"device": torch.cuda.get_device_name(), "commit": commit(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    print(f"# device: {meta['device']}; torch {torch.__version__}; commit {meta['commit']}; "
          f"libraries: {', '.join(f'{l.name} ({l.dtype} d{l.head_dim} {l.mask})' for l in libraries)}",
          flush=True)

    rows, skipped = [], []
    for w in suite:
        if only and w["name"] not in only:
            continue
        lib, why = match(w, libraries)
        if lib is None:
            skipped.append((w["name"], why))
            rows.append({"workload": w["name"], "impl": "attnc", "ms": None, "tflops": None,
                         "max_abs_err": None, "skipped": why, **meta})
            print(f"{w['name']:<30} skipped: {why}", flush=True)
            continue
        for r in run_workload(w, lib, peers_mod, peer_names, not a.no_lse, meta):
            rows.append(r)
            ms = f"{r['ms']:.3f} ms {r['tflops']:.1f} TF/s err {r['max_abs_err']:.1e}" if r["ms"] else "-"
            print(f"{w['name']:<30} {r['impl']:<11} {ms}  {r.get('note', '')}", flush=True)
    print_table(rows, skipped, peer_names)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    # Failing to run our own kernel on a workload we claim to serve is an error.
    sys.exit(1 if any(r["impl"] == "attnc" and not r["ms"] and "skipped" not in r for r in rows) else 0)


if __name__ == "__main__":
    main()
