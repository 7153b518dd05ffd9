"""Finding and loading libattnrt.so, and its C API declared for ctypes (runtime/include/attn/attn.h).

Nothing here imports torch: the binding's torch-facing half is in library.py.
"""
import ctypes
import os
import threading

from .errors import AttnError, Status

# Must match attn.h: `attn_dtype` and `attn_tensor` (enums are int-sized).
DTYPE_F16, DTYPE_BF16, DTYPE_F32, DTYPE_I32 = 0, 1, 2, 3
DTYPE_NAMES = {DTYPE_F16: "f16", DTYPE_BF16: "bf16", DTYPE_F32: "f32", DTYPE_I32: "i32"}


class AttnTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.c_int64 * 4), ("strides", ctypes.c_int64 * 4)]


class AttnForwardExtras(ctypes.Structure):
    _fields_ = [("tensors", ctypes.c_void_p), ("num_tensors", ctypes.c_int32),
                ("int_params", ctypes.POINTER(ctypes.c_int64)), ("num_int_params", ctypes.c_int32),
                ("float_params", ctypes.POINTER(ctypes.c_float)), ("num_float_params", ctypes.c_int32)]


class AttnLibraryInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int), ("head_dim", ctypes.c_int32),
                ("mask", ctypes.c_char_p)]


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_RUNTIME_NAME = "libattnrt.so"


def runtime_candidates():
    """Where libattnrt.so is looked for, in order: $ATTNC_RUNTIME (the file, or a folder holding
    it), the build tree of this checkout (python/attnc -> build/lib), then next to the package."""
    found = []
    env = os.environ.get("ATTNC_RUNTIME")
    if env:
        found.append(os.path.join(env, _RUNTIME_NAME) if os.path.isdir(env) else env)
    found.append(os.path.normpath(os.path.join(_PACKAGE_DIR, "..", "..", "build", "lib", _RUNTIME_NAME)))
    found.append(os.path.join(_PACKAGE_DIR, _RUNTIME_NAME))
    found.append(os.path.normpath(os.path.join(_PACKAGE_DIR, "..", _RUNTIME_NAME)))
    return found


_lock = threading.Lock()
_runtime = None


def runtime():
    """The loaded libattnrt.so with its prototypes declared; loaded on first use."""
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = _load()
        return _runtime


def _load():
    candidates = runtime_candidates()
    env = os.environ.get("ATTNC_RUNTIME")
    # An explicit ATTNC_RUNTIME that does not exist is an error, not a hint to look elsewhere.
    if env and not os.path.exists(candidates[0]):
        raise FileNotFoundError(f"ATTNC_RUNTIME={env!r}: no {_RUNTIME_NAME} there")
    for path in candidates:
        if os.path.isfile(path):
            return _declare(ctypes.CDLL(path, mode=ctypes.RTLD_LOCAL))
    raise FileNotFoundError(
        f"attnc: cannot find {_RUNTIME_NAME}; build it (ninja attnrt) or set ATTNC_RUNTIME. "
        f"Looked in: {', '.join(candidates)}")


def _declare(lib):
    p = ctypes.POINTER
    lib.attn_library_open.argtypes = [ctypes.c_char_p, p(ctypes.c_void_p)]
    lib.attn_library_open.restype = ctypes.c_int
    lib.attn_library_close.argtypes = [ctypes.c_void_p]
    lib.attn_library_close.restype = None
    lib.attn_library_manifest.argtypes = [ctypes.c_void_p]
    lib.attn_library_manifest.restype = ctypes.c_char_p
    lib.attn_library_get_info.argtypes = [ctypes.c_void_p, p(AttnLibraryInfo)]
    lib.attn_library_get_info.restype = ctypes.c_int
    lib.attn_forward.argtypes = [ctypes.c_void_p] + [p(AttnTensor)] * 5 + [ctypes.c_float, ctypes.c_void_p]
    lib.attn_forward.restype = ctypes.c_int
    lib.attn_forward_ex.argtypes = ([ctypes.c_void_p] + [p(AttnTensor)] * 5 +
                                    [ctypes.c_float, p(AttnForwardExtras), ctypes.c_void_p])
    lib.attn_forward_ex.restype = ctypes.c_int
    lib.attn_last_error.argtypes = []
    lib.attn_last_error.restype = ctypes.c_char_p
    lib.attn_status_name.argtypes = [ctypes.c_int]
    lib.attn_status_name.restype = ctypes.c_char_p
    return lib


def check(status):
    """Raises AttnError with the calling thread's message unless `status` is ATTN_OK.

    ctypes runs the C call and this check on the same thread, so the thread-local message read
    here is the one the failing call left."""
    if status != Status.OK:
        message = runtime().attn_last_error().decode("utf-8", "replace")
        raise AttnError(status, message)
