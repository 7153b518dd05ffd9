"""attnc: call attention kernels compiled ahead of time by attnc, from PyTorch.

    import attnc
    lib = attnc.load("build/examples/libcausal_bf16_d128.so")
    out, lse = lib.forward(q, k, v)                  # q [B, Hq, Sq, D], k/v [B, Hkv, Skv, D]
    out, lse = lib.forward(q, k, v, layout="bshd")   # q [B, Sq, Hq, D], k/v [B, Skv, Hkv, D]

A pure-Python (ctypes) binding over libattnrt.so, located through $ATTNC_RUNTIME, the checkout's
build/lib, or next to this package. torch is imported on the first forward call, not here.
"""
from .errors import AttnError, Status
from .library import Library, load
from ._native import runtime_candidates

__all__ = ["AttnError", "Library", "Status", "load", "runtime_candidates"]
