#!/usr/bin/env python3
"""The short table gpu/run.sh prints last: per-library check counts, sanitizer verdict, bench rows.

    python3 gpu/summary.py OUT_DIR "check=pass;sanitize=FAIL (exit 9);bench=skipped;"
"""
import json
import os
import re
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def print_check(stage, check):
    if not check:
        return
    print(f"\n{stage} ({check.get('device')}, commit {check.get('commit')}):")
    for lib in check["libraries"]:
        neg = lib.get("negative", [])
        print(f"  {os.path.basename(lib['path']):<36} pass {lib['passed']:>3}  fail {lib['failed']:>3}  "
              f"skip {lib['skipped']:>3}  negative {sum(n['ok'] for n in neg)}/{len(neg)}"
              + (f"  {lib['note']}" if lib.get("note") else ""))


def main():
    out, stages = sys.argv[1], dict(s.split("=", 1) for s in sys.argv[2].split(";") if "=" in s)
    print("== summary")
    print("stages: " + ", ".join(f"{k} {v}" for k, v in stages.items()))

    for stage in ("check", "check80"):
        print_check(stage, load(os.path.join(out, f"{stage}.json")))

    log = os.path.join(out, "sanitize.log")
    if os.path.exists(log):
        text = open(log, errors="replace").read()
        summaries = re.findall(r"ERROR SUMMARY: (\d+) error", text)
        verdicts = re.findall(r"^(PASSED|FAILED): .*$", text, re.M)
        print(f"\nsanitize: {stages.get('sanitize', '?')}; compute-sanitizer error summaries "
              f"{summaries or 'none found'}; program verdicts {verdicts or 'none'}")

    bench = load(os.path.join(out, "bench.json"))
    if bench:
        peers = ["sdpa_flash", "sdpa_cudnn", "flex"]
        print("\nbench (TFLOP/s; ratio = best peer ms / attnc ms, > 1 is faster; vs dense = attnc ms "
              "/ our dense library's ms at the same shape, the goal <= 1.25 density + overhead):")
        print(f"  {'workload':<30} {'attnc':>7} " + " ".join(f"{p:>10}" for p in peers)
              + f" {'ratio':>6} {'density':>7} {'vs dense':>8}")
        rows = {}
        for r in bench:
            rows.setdefault(r["workload"], {})[r["impl"]] = r
        for name, impls in rows.items():
            ours = impls.get("attnc", {})
            if "skipped" in ours:
                print(f"  {name:<30} skipped: {ours['skipped']}")
                continue

            def tf(impl):
                r = impls.get(impl)
                return f"{r['tflops']:.1f}" if r and r.get("tflops") else "-"

            def num(key, spec):
                value = ours.get(key)
                return "-" if value is None else f"{value:{spec}}"
            print(f"  {name:<30} {tf('attnc'):>7} " + " ".join(f"{tf(p):>10}" for p in peers)
                  + f" {num('ratio_vs_best_peer', '.2f'):>6} {num('density', '.3f'):>7}"
                  + f" {num('ratio_vs_own_dense', '.3f'):>8}")

if __name__ == "__main__":
    main()
