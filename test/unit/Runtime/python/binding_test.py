#!/usr/bin/env python3
"""python/attnc against the mock driver and the fixture libraries, with a stand-in for torch:
checks the tensors the binding describes to the runtime (layouts, strides, outputs), the
parameters that reach the "kernel", and that failures raise AttnError with the right status.

    LD_LIBRARY_PATH=<mock driver dir> ATTNC_RUNTIME=<libattnrt.so> binding_test.py FIXTURE_DIR REPO
(ctest runs it so.)"""
import ctypes
import math
import os
import sys

FIXTURES, REPO = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "fake_torch"), os.path.join(REPO, "python")]
import torch  # noqa: E402  (the stand-in)
import attnc  # noqa: E402


class Params(ctypes.Structure):  # attn_forward_params (abi.h)
    _fields_ = ([(n, ctypes.c_void_p) for n in ("q", "k", "v", "o", "lse")]
                + [(n, ctypes.c_int64) for n in ("qb", "qh", "qr", "kb", "kh", "kr", "vb", "vh", "vr",
                                                 "ob", "oh", "orow", "lb", "lh")]
                + [(n, ctypes.c_int32) for n in ("batch", "hq", "hkv", "group", "sq", "sk", "pack")]
                + [("scale", ctypes.c_float), ("scale_log2", ctypes.c_float)])


mock = ctypes.CDLL("libcuda.so.1")
assert hasattr(mock, "attn_mock_driver_setup_default"), "libcuda.so.1 is not the mock driver"
mock.attn_mock_driver_setup_default.restype = ctypes.c_void_p
mock.attn_mock_driver_last_params.restype = ctypes.POINTER(Params)
state = mock.attn_mock_driver_setup_default()


def params():
    return mock.attn_mock_driver_last_params().contents


def expect_error(status, prefix, call):
    try:
        call()
    except attnc.AttnError as e:
        assert e.status == status and e.message.startswith(prefix), (e.status, e.message, prefix)
        return
    raise AssertionError(f"no AttnError ({status.name}: {prefix}...)")


S = attnc.Status
bf = torch.bfloat16
B, Hq, Hkv, Sq, Skv, D = 2, 8, 2, 100, 300, 128

lib = attnc.load(os.path.join(FIXTURES, "libGoodBf16Causal.so"))
assert (lib.name, lib.dtype, lib.head_dim, lib.mask) == ("causal", "bf16", 128, "causal")
assert lib.manifest["kernels"][1]["symbol"] == "causal_forward_sm90a"

# bhsd: as given.
q, k, v = (torch.empty(B, H, S, D, dtype=bf) for H, S in ((Hq, Sq), (Hkv, Skv), (Hkv, Skv)))
out, lse = lib.forward(q, k, v)
p = params()
assert out.shape == (B, Hq, Sq, D) and out.dtype is bf and lse.shape == (B, Hq, Sq)
assert lse.dtype is torch.float32
assert (p.qb, p.qh, p.qr) == (Hq * Sq * D, Sq * D, D)
assert (p.kb, p.kh, p.kr) == (Hkv * Skv * D, Skv * D, D)
assert (p.batch, p.hq, p.hkv, p.group, p.sq, p.sk) == (B, Hq, Hkv, Hq // Hkv, Sq, Skv)
assert p.o == out.data_ptr() and p.lse == lse.data_ptr() and p.q == q.data_ptr()
assert abs(p.scale - 1 / math.sqrt(D)) < 1e-7

# bshd: the runtime sees the transposed view; out comes back in q's layout.
q, k, v = (torch.empty(B, S, H, D, dtype=bf) for H, S in ((Hq, Sq), (Hkv, Skv), (Hkv, Skv)))
out, lse = lib.forward(q, k, v, layout="bshd", scale=0.5)
p = params()
assert out.shape == (B, Sq, Hq, D)
assert (p.qb, p.qh, p.qr) == (Sq * Hq * D, D, Hq * D)
assert (p.kb, p.kh, p.kr) == (Skv * Hkv * D, D, Hkv * D)
assert (p.ob, p.oh, p.orow) == (Sq * Hq * D, D, Hq * D)
assert (p.lb, p.lh) == (Hq * Sq, Sq) and p.scale == 0.5

# Without lse, and with preallocated outputs.
out, lse = lib.forward(q, k, v, layout="bshd", need_lse=False)
assert lse is None and params().lse is None
o2, l2 = torch.empty(B, Sq, Hq, D, dtype=bf), torch.empty(B, Hq, Sq)
out, lse = lib.forward(q, k, v, layout="bshd", out=o2, lse=l2)
assert out is o2 and lse is l2 and params().o == o2.data_ptr()

# Failures: from the binding itself, and from the runtime through it.
qb = torch.empty(B, Hq, Sq, D, dtype=bf)
kb, vb = torch.empty(B, Hkv, Skv, D, dtype=bf), torch.empty(B, Hkv, Skv, D, dtype=bf)
expect_error(S.INVALID_ARGUMENT, "q: dtype is f32",
             lambda: lib.forward(torch.empty(B, Hq, Sq, D, dtype=torch.float32), kb, vb))
expect_error(S.INVALID_ARGUMENT, "q: dtype torch.int8",
             lambda: lib.forward(torch.empty(B, Hq, Sq, D, dtype=torch.int8), kb, vb))
expect_error(S.INVALID_ARGUMENT, "q: data pointer", lambda: lib.forward(qb.offset(1), kb, vb))
expect_error(S.INVALID_ARGUMENT, "o: its memory overlaps q's", lambda: lib.forward(qb, kb, vb, out=qb))
expect_error(S.INVALID_ARGUMENT, "layout", lambda: lib.forward(qb, kb, vb, layout="sbhd"))
expect_error(S.INVALID_ARGUMENT, "q: expected 4 dimensions",
             lambda: lib.forward(torch.empty(Hq, Sq, D, dtype=bf), kb, vb))
expect_error(S.INVALID_ARGUMENT, "q: shape[2] (sequence) is 0",
             lambda: lib.forward(torch.empty(B, Hq, 0, D, dtype=bf), kb, vb))
expect_error(S.DEVICE, "q: not memory the CUDA driver knows",
             lambda: lib.forward(torch.empty(B, Hq, Sq, D, dtype=bf, device="cpu"), kb, vb))
expect_error(S.LOAD, "", lambda: attnc.load(os.path.join(FIXTURES, "libMalformed.so")))
expect_error(S.ABI_MISMATCH, "", lambda: attnc.load(os.path.join(FIXTURES, "libWrongAbi.so")))

# No current context: the binding makes torch bind one (a synchronize) and retries once.
ctypes.c_void_p.from_address(state).value = None  # MockDriverState::context is its first field
before = torch.cuda.synchronized
expect_error(S.DEVICE, "no current CUDA context", lambda: lib.forward(qb, kb, vb))
assert torch.cuda.synchronized == before + 1

lib.close()
lib.close()  # idempotent
expect_error(S.INVALID_ARGUMENT, "", lambda: lib.forward(qb, kb, vb))
print("binding test passed")
