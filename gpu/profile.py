#!/usr/bin/env python3
"""Runs one attnc library a few times at a benchmark shape, for a profiler to attach to:

    ncu --clock-control none -k regex:forward --launch-skip 2 --launch-count 1 \\
        python3 gpu/profile.py build/examples/libdense_bf16_d128.so --b 2 --h 16 --s 8192

Random inputs of the library's dtype and head dim; the runtime is found as attnc finds it."""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import attnc  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lib")
    ap.add_argument("--b", type=int, default=2)
    ap.add_argument("--h", type=int, default=16)
    ap.add_argument("--s", type=int, default=8192)
    ap.add_argument("--runs", type=int, default=4)
    a = ap.parse_args()
    lib = attnc.load(a.lib)
    dtype = {"bf16": torch.bfloat16, "f16": torch.float16}[lib.dtype]
    q, k, v = (torch.randn(a.b, a.h, a.s, lib.head_dim, device="cuda", dtype=dtype)
               for _ in range(3))
    for _ in range(a.runs):
        lib.forward(q, k, v)
    torch.cuda.synchronize()
    print(f"ran {lib.name} {a.runs} times at B={a.b} H={a.h} S={a.s}")


if __name__ == "__main__":
    main()
