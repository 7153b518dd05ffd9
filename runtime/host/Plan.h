// Running a kernel's plan (attn/device/plan.h) before it: a stream-ordered workspace for the
// summaries, the plan kernel that fills it, and its release after the forward kernel.
#ifndef ATTN_RUNTIME_PLAN_H
#define ATTN_RUNTIME_PLAN_H

#include <cuda.h>

#include "Driver.h"
#include "Library.h"
#include "attn/abi.h"

namespace attn::runtime {

struct PlanWorkspace {
  CUdeviceptr memory = 0; // 0: none was allocated
};

// If `ready` has a plan: allocates its summaries on `stream`, points params.summaries at them and
// launches the plan kernel. Does nothing for kernels without one.
attn_status runPlan(const DriverApi &api, const LoadedKernel &ready, attn_forward_params &params,
                    CUstream stream, PlanWorkspace &workspace);

// Frees the workspace on `stream`, after the work queued there that reads it.
attn_status releasePlan(const DriverApi &api, PlanWorkspace &workspace, CUstream stream);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_PLAN_H
