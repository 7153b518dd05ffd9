"""An attnc library opened through libattnrt.so, called with torch tensors."""
import ctypes
import json
import math

from . import _native
from .errors import AttnError, Status

_LAYOUTS = ("bhsd", "bshd")
# For each layout, the permutation taking the tensor as given to the runtime's logical [B, H, S, D].
_TO_LOGICAL = {"bhsd": (0, 1, 2, 3), "bshd": (0, 2, 1, 3)}


def _invalid(message):
    return AttnError(Status.INVALID_ARGUMENT, message)


def _dtype_code(name, tensor):
    import torch
    codes = {torch.float16: _native.DTYPE_F16, torch.bfloat16: _native.DTYPE_BF16,
             torch.float32: _native.DTYPE_F32, torch.int32: _native.DTYPE_I32}
    code = codes.get(tensor.dtype)
    if code is None:
        raise _invalid(f"{name}: dtype {tensor.dtype} is not one of float16, bfloat16, float32, "
                       f"int32")
    return code


def _describe(name, tensor, order):
    """An attn_tensor for `tensor` seen in `order` (a permutation of its dims): a view, no copy."""
    if tensor.dim() != len(order):
        raise _invalid(f"{name}: expected {len(order)} dimensions, got {tensor.dim()} "
                       f"(shape {tuple(tensor.shape)})")
    t = _native.AttnTensor()
    t.data = tensor.data_ptr() or None
    t.dtype = _dtype_code(name, tensor)
    t.rank = len(order)
    shape, strides = tensor.shape, tensor.stride()
    for i, d in enumerate(order):
        t.shape[i] = shape[d]
        t.strides[i] = strides[d]
    return t


class Library:
    """One lib<name>.so. Use `forward(q, k, v)`; `manifest` is its manifest as a dict."""

    def __init__(self, path):
        self.path = str(path)
        self._rt = _native.runtime()
        handle = ctypes.c_void_p()
        _native.check(self._rt.attn_library_open(self.path.encode(), ctypes.byref(handle)))
        self._handle = handle
        self.manifest = json.loads(self._rt.attn_library_manifest(handle).decode())
        info = _native.AttnLibraryInfo()
        _native.check(self._rt.attn_library_get_info(handle, ctypes.byref(info)))
        self.name = info.name.decode()
        self.dtype = _native.DTYPE_NAMES[info.dtype]
        self.head_dim = info.head_dim
        self.mask = info.mask.decode()

    def close(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            self._rt.attn_library_close(handle)

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: ctypes may already be half torn down
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"attnc.Library({self.path!r}: {self.dtype} d{self.head_dim} mask={self.mask})"

    def _extras(self, tensors, params):
        """The attn_forward_extras for the spec's declared runtime data, from dicts keyed by the
        declared names, and the ctypes objects it points into (kept alive by the caller)."""
        tensors, params = dict(tensors or {}), dict(params or {})
        declared_t = [t["name"] for t in self.manifest.get("tensors", [])]
        declared_p = self.manifest.get("params", [])
        for given, declared, what in ((tensors, declared_t, "tensors"),
                                      (params, [d["name"] for d in declared_p], "params")):
            unknown = sorted(set(given) - set(declared))
            missing = [n for n in declared if n not in given]
            if unknown or missing:
                raise _invalid(f"{what}: the spec declares {declared}; "
                               f"missing {missing}, unknown {unknown}")
        described = (_native.AttnTensor * max(1, len(declared_t)))()
        for i, name in enumerate(declared_t):
            t = tensors[name]
            described[i] = _describe(f"tensors[{name}]", t, tuple(range(t.dim())))
        ints = [int(params[d["name"]]) for d in declared_p if d["type"] == "int"]
        floats = [float(params[d["name"]]) for d in declared_p if d["type"] == "float"]
        int_array = (ctypes.c_int64 * max(1, len(ints)))(*ints)
        float_array = (ctypes.c_float * max(1, len(floats)))(*floats)
        extras = _native.AttnForwardExtras(ctypes.cast(described, ctypes.c_void_p), len(declared_t),
                                           int_array, len(ints), float_array, len(floats))
        return extras, (described, int_array, float_array)

    def forward(self, q, k, v, scale=None, layout="bhsd", out=None, lse=None, need_lse=True,
                tensors=None, params=None):
        """Attention forward on torch CUDA tensors, on torch's current stream. No copies.

        layout "bhsd": q [B, Hq, Sq, D], k/v [B, Hkv, Skv, D]; "bshd": q [B, Sq, Hq, D], k/v
        [B, Skv, Hkv, D]. Any strides the runtime accepts work (slices of a packed qkv buffer).
        Returns (out, lse): out in q's layout and dtype, lse float32 [B, Hq, Sq] (natural log), or
        None if need_lse is False and no lse was given. `out`/`lse` may be passed pre-allocated.
        scale None (or <= 0) means 1/sqrt(D). `tensors` and `params` map the names of the runtime
        tensors (CUDA tensors of the declared dtype and shape) and parameters the spec declares to
        their values. Raises AttnError on any failure."""
        import torch
        if self._handle is None:
            raise AttnError(Status.INVALID_ARGUMENT, f"{self.path}: library is closed")
        if layout not in _LAYOUTS:
            raise _invalid(f"layout: {layout!r} is not one of {_LAYOUTS}")
        order = _TO_LOGICAL[layout]
        if q.dim() != 4:
            raise _invalid(f"q: expected 4 dimensions, got {q.dim()} (shape {tuple(q.shape)})")
        if out is None:
            out = torch.empty(q.shape, dtype=q.dtype, device=q.device)
        if lse is None and need_lse:
            b, hq, sq = (q.shape[d] for d in order[:3])
            lse = torch.empty((b, hq, sq), dtype=torch.float32, device=q.device)
        tq, tk, tv, to = (_describe(n, t, order) for n, t in (("q", q), ("k", k), ("v", v), ("o", out)))
        tlse = _describe("lse", lse, (0, 1, 2)) if lse is not None else None
        if scale is None or (isinstance(scale, float) and math.isnan(scale)):
            scale = 0.0  # the runtime's "default": 1/sqrt(D)

        extras, _keep_alive = self._extras(tensors, params)

        device = q.device if q.is_cuda else torch.device("cuda", torch.cuda.current_device())
        stream = torch.cuda.current_stream(device).cuda_stream
        args = (self._handle, ctypes.byref(tq), ctypes.byref(tk), ctypes.byref(tv), ctypes.byref(to),
                ctypes.byref(tlse) if tlse is not None else None, float(scale),
                ctypes.byref(extras), stream or None)
        if device.index != torch.cuda.current_device():
            # The runtime launches in the current context: make the tensors' device current.
            with torch.cuda.device(device):
                self._call(args, device)
        else:
            self._call(args, device)
        return out, lse

    def _call(self, args, device):
        status = self._rt.attn_forward_ex(*args)
        if status == Status.DEVICE and self._rt.attn_last_error().startswith(b"no current CUDA context"):
            # This thread has not used CUDA yet, so torch has not made its context current here.
            # Any runtime call that needs the device binds the primary context: do one, retry.
            import torch
            torch.cuda.synchronize(device)
            status = self._rt.attn_forward_ex(*args)
        _native.check(status)


def load(path):
    """Opens an attnc library (lib<name>.so). Raises AttnError (LOAD, ABI_MISMATCH) on failure,
    FileNotFoundError if libattnrt.so itself cannot be found."""
    return Library(path)
