"""Calls that must fail cleanly through the Python binding: each raises attnc.AttnError with the
right status and a message naming the argument, and the library keeps working afterwards."""
import math
import types

import torch

import attnc
from runtime_data import make_runtime_data


def _expect(lib, name, status, prefix, call):
    try:
        call()
    except attnc.AttnError as e:
        ok = e.status == status and e.message.startswith(prefix)
        return {"name": name, "ok": ok, "status": int(e.status), "message": e.message,
                "expected": f"{status.name}: {prefix}..."}
    except Exception as e:  # a crash or a torch error instead of AttnError
        return {"name": name, "ok": False, "message": f"{type(e).__name__}: {e}",
                "expected": f"{status.name}: {prefix}..."}
    return {"name": name, "ok": False, "message": "no error raised",
            "expected": f"{status.name}: {prefix}..."}


def run_negative(lib, dtype, d):
    dev = "cuda"
    grid = lib.manifest.get("token_grid")
    b, h, s = 2, 4, math.prod(grid) if grid else 64  # a grid's tokens are its only length

    def t(*shape, dt=dtype, device=dev):
        return torch.randn(*shape, device=device, dtype=dt)

    q, k, v = t(b, h, s, d), t(b, h, s, d), t(b, h, s, d)
    # Libraries that read runtime data get it with every call below, so that each call fails for
    # the one reason it tests; the last cases break the runtime data itself.
    data = make_runtime_data(lib.manifest, types.SimpleNamespace(b=b, hq=h, sq=s, skv=s), 0)
    plain_forward = lib.forward
    if data is not None:
        lib = types.SimpleNamespace(forward=lambda *a, **kw: plain_forward(
            *a, **{"tensors": data["tensors"], "params": data["params"], **kw}))
    other = torch.float16 if dtype == torch.bfloat16 else torch.bfloat16
    flat = t(b * h * s * d + 8)
    misaligned = flat[1:1 + b * h * s * d].view(b, h, s, d)  # storage offset of one element
    Status = attnc.Status
    cases = [
        ("q float32", Status.INVALID_ARGUMENT, "q: dtype is f32",
         lambda: lib.forward(q.float(), k, v)),
        ("k other half type", Status.INVALID_ARGUMENT, "k: dtype is",
         lambda: lib.forward(q, k.to(other), v)),
        ("q int8", Status.INVALID_ARGUMENT, "q: dtype",
         lambda: lib.forward(q.to(torch.int8), k, v)),
        ("k head dim halved", Status.INVALID_ARGUMENT, "k: shape[3] (head dim)",
         lambda: lib.forward(q, t(b, h, s, d // 2), v)),
        ("v batch differs", Status.INVALID_ARGUMENT, "v: shape[0] (batch)",
         lambda: lib.forward(q, k, t(b + 1, h, s, d))),
        ("heads not grouped", Status.INVALID_ARGUMENT, "q: shape[1] (heads)",
         lambda: lib.forward(t(b, 6, s, d), t(b, 4, s, d), t(b, 4, s, d))),
        ("q 3-d", Status.INVALID_ARGUMENT, "q: expected 4 dimensions",
         lambda: lib.forward(q[0], k, v)),
        ("empty sequence", Status.INVALID_ARGUMENT, "q: shape[2] (sequence) is 0",
         lambda: lib.forward(t(b, h, 0, d), k, v)),
        ("q misaligned by one element", Status.INVALID_ARGUMENT, "q: data pointer",
         lambda: lib.forward(misaligned, k, v)),
        ("head dim not contiguous", Status.INVALID_ARGUMENT, "v: stride[3] (head dim)",
         lambda: lib.forward(q, k, t(b, h, s, 2 * d)[..., ::2])),
        ("out aliases q", Status.INVALID_ARGUMENT, "o: its memory overlaps q's",
         lambda: lib.forward(q, k, v, out=q)),
        ("lse float16", Status.INVALID_ARGUMENT, "lse: dtype is f16",
         lambda: lib.forward(q, k, v, lse=torch.empty(b, h, s, device=dev, dtype=torch.float16))),
        # Unregistered host memory: "not memory the CUDA driver knows" (or "host memory").
        ("cpu tensors", Status.DEVICE, "q: ",
         lambda: lib.forward(q.cpu(), k.cpu(), v.cpu())),
        ("bad layout", Status.INVALID_ARGUMENT, "layout",
         lambda: lib.forward(q, k, v, layout="sbhd")),
    ]
    if grid:
        cases.append(("sequence off the grid", Status.INVALID_ARGUMENT, "q: seqlen_q is",
                      lambda: lib.forward(t(b, h, s + 1, d), t(b, h, s + 1, d),
                                          t(b, h, s + 1, d))))
    if data is not None and data["tensors"]:
        name, tensor = next(iter(data["tensors"].items()))
        wrong_dtype = tensor.to(torch.float64)
        cases += [
            (f"tensor {name} float64", Status.INVALID_ARGUMENT, "tensors[",
             lambda: lib.forward(q, k, v, tensors={**data["tensors"], name: wrong_dtype})),
            (f"tensor {name} one longer", Status.INVALID_ARGUMENT, f"tensors[{name}]: shape",
             lambda: lib.forward(q, k, v, tensors={
                 **data["tensors"], name: torch.zeros(*tensor.shape[:-1], tensor.shape[-1] + 1,
                                                      dtype=tensor.dtype, device=dev)})),
            (f"tensor {name} missing", Status.INVALID_ARGUMENT, "tensors:",
             lambda: lib.forward(q, k, v, tensors={n: x for n, x in data["tensors"].items()
                                                   if n != name})),
        ]
    results = [_expect(lib, name, status, prefix, call) for name, status, prefix, call in cases]
    # The library must still work after all that, and the device must be healthy.
    try:
        out, lse = lib.forward(q, k, v)
        torch.cuda.synchronize()
        healthy = bool(torch.isfinite(out.float()).all() and not torch.isnan(lse).any())
        results.append({"name": "valid call afterwards", "ok": healthy,
                        "message": "" if healthy else "non-finite output"})
    except Exception as e:
        results.append({"name": "valid call afterwards", "ok": False,
                        "message": f"{type(e).__name__}: {e}"})
    return results
