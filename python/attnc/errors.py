"""The binding's error type and the runtime's status codes (attn.h's attn_status)."""
import enum


class Status(enum.IntEnum):
    OK = 0
    INVALID_ARGUMENT = 1  # a null pointer, shape, stride, dtype or alignment problem
    LOAD = 2              # the file is missing or is not an attnc library
    ABI_MISMATCH = 3      # built by an attnc with another ABI version
    NO_KERNEL = 4         # no kernel for this mode, or none for the device's arch
    DEVICE = 5            # no driver, no context, or a tensor on another device
    CUDA = 6              # the driver failed a call; the message names it


class AttnError(RuntimeError):
    """A failed runtime call: `status` (a Status) and the runtime's `message`."""

    def __init__(self, status, message):
        try:
            status = Status(status)
            name = f"ATTN_ERROR_{status.name}"
        except ValueError:
            name = f"status {status}"
        super().__init__(f"{name}: {message}")
        self.status = status
        self.message = message
