"""A stand-in for the few parts of torch that python/attnc touches, for testing the binding on a
machine without torch or a GPU. A tensor is an address, a shape and strides; "cuda" addresses
come from [1 GiB, 64 GiB), which the mock driver (mock/MockDriver.cpp) treats as device memory,
and "cpu" addresses from below 1 GiB, which it does not know."""
import contextlib


class dtype:
    def __init__(self, name, itemsize):
        self.name, self.itemsize = name, itemsize

    def __repr__(self):
        return "torch." + self.name


float16, bfloat16, float32, int8, int32 = (dtype("float16", 2), dtype("bfloat16", 2),
                                           dtype("float32", 4), dtype("int8", 1),
                                           dtype("int32", 4))


class device:
    def __init__(self, kind, index=None):
        if isinstance(kind, device):
            kind, index = kind.type, kind.index
        elif ":" in kind:
            kind, index = kind.split(":")[0], int(kind.split(":")[1])
        self.type = kind
        self.index = index if index is not None or kind != "cuda" else 0

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)


_next_address = {"cuda": 1 << 30, "cpu": 1 << 28}


def _allocate(kind, nbytes):
    address = _next_address[kind]
    _next_address[kind] += (nbytes + 511) // 512 * 512 + 512  # 512-byte aligned, with gaps
    return address


class Tensor:
    def __init__(self, address, shape, strides, dt, dev):
        self._address, self.shape, self._strides = address, tuple(shape), tuple(strides)
        self.dtype, self.device = dt, dev

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def dim(self):
        return len(self.shape)

    def stride(self):
        return self._strides

    def data_ptr(self):
        return self._address

    def transpose(self, a, b):
        shape, strides = list(self.shape), list(self._strides)
        shape[a], shape[b], strides[a], strides[b] = shape[b], shape[a], strides[b], strides[a]
        return Tensor(self._address, shape, strides, self.dtype, self.device)

    # Test helpers (not torch API).
    def offset(self, elements):
        return Tensor(self._address + elements * self.dtype.itemsize, self.shape, self._strides,
                      self.dtype, self.device)


def empty(*shape, dtype=float32, device="cuda"):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    dev = device if isinstance(device, globals()["device"]) else globals()["device"](device)
    strides, count = [], 1
    for n in reversed(shape):
        strides.insert(0, count)
        count *= n
    return Tensor(_allocate(dev.type, count * dtype.itemsize), shape, strides, dtype, dev)


class _Stream:
    cuda_stream = 0x5700


class _Cuda:
    synchronized = 0

    def __init__(self):
        self._current = 0

    def current_device(self):
        return self._current

    def current_stream(self, dev=None):
        return _Stream()

    @contextlib.contextmanager
    def device(self, dev):
        previous, self._current = self._current, dev.index
        try:
            yield
        finally:
            self._current = previous

    def synchronize(self, dev=None):
        _Cuda.synchronized += 1


cuda = _Cuda()
