// The driver half of attn_forward: context, device checks, lazy module load, launch.
#ifndef ATTN_RUNTIME_LAUNCH_H
#define ATTN_RUNTIME_LAUNCH_H

#include "Library.h"
#include "attn/abi.h"

namespace attn::runtime {

// Launches `mode`'s kernel of `lib` with `params` (already validated) on `stream` in the calling
// thread's current context. Opens the driver on first use; checks that every tensor lives in
// device memory of the context's device; picks the image for the device's compute capability;
// loads it once per context. Fails with ATTN_ERROR_DEVICE, ATTN_ERROR_NO_KERNEL or
// ATTN_ERROR_CUDA before launching anything if a check fails.
attn_status launchForward(attn_library &lib, const attn_forward_params &params, void *stream);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_LAUNCH_H
