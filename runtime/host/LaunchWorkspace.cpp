#include "LaunchWorkspace.h"

#include <algorithm>

#include "attn/device/plan.h"

namespace attn::runtime {
namespace {

// Where each part lies in the one allocation.
struct WorkspaceLayout {
  bool plan = false;    // the plan's summaries: per summarised tensor, rows x runs x {min, max}
  bool counter = false; // a work counter, after the summaries
  size_t offsets[ATTN_MAX_TENSORS] = {};
  size_t counterOffset = 0; // 8-byte aligned: the summaries are whole int32 pairs
  size_t bytes = 0;
  int64_t mostRuns = 0, mostRows = 1; // the plan kernel's grid
};

WorkspaceLayout layOut(const LoadedKernel &ready, const attn_forward_params &params) {
  WorkspaceLayout layout;
  const ManifestPlan &plan = ready.kernel->plan;
  layout.plan = !plan.summaries.empty() && ready.planFunction != nullptr;
  layout.counter = ready.kernel->grid == LaunchGrid::Dynamic;
  for (size_t i = 0; layout.plan && i < plan.summaries.size(); ++i) {
    const ManifestSummary &summary = plan.summaries[i];
    const int64_t runs =
        attn::device::summary_runs(summary.alongQueries ? params.seqlen_q : params.seqlen_k);
    const int64_t rows = summary.batched ? params.batch : 1;
    layout.offsets[i] = layout.bytes;
    layout.bytes += static_cast<size_t>(rows * runs * 2) * sizeof(int32_t);
    layout.mostRuns = std::max(layout.mostRuns, runs);
    layout.mostRows = std::max(layout.mostRows, rows);
  }
  layout.counterOffset = layout.bytes;
  if (layout.counter)
    layout.bytes += sizeof(unsigned long long);
  return layout;
}

attn_status launchPlan(const DriverApi &api, const LoadedKernel &ready,
                       const WorkspaceLayout &layout, const attn_forward_params &params,
                       CUstream stream) {
  const ManifestPlan &plan = ready.kernel->plan;
  const unsigned threads = static_cast<unsigned>(plan.threads);
  const unsigned blocks = static_cast<unsigned>((layout.mostRuns + threads - 1) / threads);
  attn_forward_params copy = params;
  void *args[] = {&copy};
  return checkCuda(api,
                   api.launchKernel(ready.planFunction, blocks,
                                    static_cast<unsigned>(layout.mostRows),
                                    static_cast<unsigned>(plan.summaries.size()), threads, 1, 1,
                                    0, stream, args, nullptr),
                   "cuLaunchKernel (plan)");
}

// Points the parameters into `memory`, zeroes the counter and runs the plan, in stream order.
attn_status fill(const DriverApi &api, const LoadedKernel &ready, const WorkspaceLayout &layout,
                 CUdeviceptr memory, attn_forward_params &params, CUstream stream) {
  const ManifestPlan &plan = ready.kernel->plan;
  if (layout.plan)
    for (size_t i = 0; i < plan.summaries.size(); ++i)
      params.summaries[plan.summaries[i].slot] =
          reinterpret_cast<const int32_t *>(memory + layout.offsets[i]);
  if (layout.counter) {
    const CUdeviceptr counter = memory + layout.counterOffset;
    params.work_counter = reinterpret_cast<unsigned long long *>(counter);
    constexpr size_t kWords = sizeof(unsigned long long) / sizeof(uint32_t);
    if (attn_status status = checkCuda(api, api.memsetD32Async(counter, 0, kWords, stream),
                                       "cuMemsetD32Async (work counter)");
        status != ATTN_OK)
      return status;
  }
  return layout.plan ? launchPlan(api, ready, layout, params, stream) : ATTN_OK;
}

} // namespace

attn_status prepareWorkspace(const DriverApi &api, const LoadedKernel &ready,
                             attn_forward_params &params, CUstream stream,
                             LaunchWorkspace &workspace) {
  const WorkspaceLayout layout = layOut(ready, params);
  if (layout.bytes == 0)
    return ATTN_OK;
  if (attn_status status = checkCuda(api, api.memAllocAsync(&workspace.memory, layout.bytes, stream),
                                     "cuMemAllocAsync");
      status != ATTN_OK)
    return status;
  attn_status filled = fill(api, ready, layout, workspace.memory, params, stream);
  if (filled != ATTN_OK)
    releaseWorkspace(api, workspace, stream);
  return filled;
}

attn_status releaseWorkspace(const DriverApi &api, LaunchWorkspace &workspace, CUstream stream) {
  if (workspace.memory == 0)
    return ATTN_OK;
  CUdeviceptr memory = workspace.memory;
  workspace.memory = 0;
  return checkCuda(api, api.memFreeAsync(memory, stream), "cuMemFreeAsync");
}

} // namespace attn::runtime
