#!/usr/bin/env python3
"""Runs one attnc library a few times at a benchmark shape, for a profiler to attach to (named so
as not to shadow the standard library's `profile`, which torch.compile imports when gpu/ is on
sys.path):

    ncu --clock-control none -k regex:forward --launch-skip 2 --launch-count 1 \\
        python3 gpu/time_library.py build/examples/libdense_bf16_d128.so --b 2 --h 16 --s 8192

Random inputs of the library's dtype and head dim, and random runtime data where the spec declares
some (gpu/runtime_data.py, as the GPU suite makes it); the runtime is found as attnc finds it.
The TFLOP/s of --time count every pair (half of them under a causal mask), not the pairs another
mask keeps."""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import attnc  # noqa: E402
from cases import Case  # noqa: E402
from runtime_data import make_runtime_data  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lib")
    ap.add_argument("--b", type=int, default=2)
    ap.add_argument("--h", type=int, default=16)
    ap.add_argument("--s", type=int, default=8192)
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--time", action="store_true",
                    help="also print the median time and TFLOP/s of 25 runs (CUDA events)")
    a = ap.parse_args()
    lib = attnc.load(a.lib)
    dtype = {"bf16": torch.bfloat16, "f16": torch.float16}[lib.dtype]
    q, k, v = (torch.randn(a.b, a.h, a.s, lib.head_dim, device="cuda", dtype=dtype)
               for _ in range(3))
    data = make_runtime_data(lib.manifest, Case(a.b, a.h, a.h, a.s, a.s, "bhsd"), seed=0) or {}
    extras = {"tensors": data.get("tensors"), "params": data.get("params")}
    for _ in range(a.runs):
        lib.forward(q, k, v, **extras)
    torch.cuda.synchronize()
    print(f"ran {lib.name} {a.runs} times at B={a.b} H={a.h} S={a.s}")
    if a.time:
        times = []
        for _ in range(25):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            lib.forward(q, k, v, **extras)
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
        ms = sorted(times)[len(times) // 2]
        causal = lib.mask == "causal"
        flops = 4.0 * a.b * a.h * a.s * a.s * lib.head_dim * (0.5 if causal else 1.0)
        print(f"{lib.name}: {ms:.3f} ms, {flops / ms / 1e9:.1f} TFLOP/s on kept pairs "
              f"(B={a.b} H={a.h} S={a.s}, median of 25)")


if __name__ == "__main__":
    main()
