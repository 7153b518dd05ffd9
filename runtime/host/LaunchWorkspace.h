// The scratch memory of one launch, allocated on its stream and freed there after the kernel:
// the summaries of a kernel's plan (attn/device/plan.h) and its kv plan (attn/device/
// kv_plan.h), each filled by its plan kernel, and the work counter of a kernel whose persistent
// CTAs take their tiles from one (attn/device/sm90/scheduler.cuh), zeroed. One allocation holds
// them all; kernels that need none get none.
#ifndef ATTN_RUNTIME_LAUNCHWORKSPACE_H
#define ATTN_RUNTIME_LAUNCHWORKSPACE_H

#include <cuda.h>

#include "Driver.h"
#include "Library.h"
#include "attn/abi.h"

namespace attn::runtime {

struct LaunchWorkspace {
  CUdeviceptr memory = 0; // 0: none was allocated
};

// Allocates what `ready` needs on `stream`, points params.summaries, params.kv_plan and
// params.work_counter at it, zeroes the counter and launches the plan kernels. Frees it again if
// a step fails.
attn_status prepareWorkspace(const DriverApi &api, const LoadedKernel &ready,
                             attn_forward_params &params, CUstream stream,
                             LaunchWorkspace &workspace);

// Frees the workspace on `stream`, after the work queued there that reads it.
attn_status releaseWorkspace(const DriverApi &api, LaunchWorkspace &workspace, CUstream stream);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_LAUNCHWORKSPACE_H
