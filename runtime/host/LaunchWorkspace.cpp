#include "LaunchWorkspace.h"

#include <algorithm>

#include "attn/device/kv_plan.h"
#include "attn/device/plan.h"

namespace attn::runtime {
namespace {

// Where each part lies in the one allocation.
struct WorkspaceLayout {
  bool summaries = false; // per summarised tensor, rows x runs x {min, max}
  bool kvPlan = false;    // the kv plan's entries, after the summaries
  bool counter = false;   // a work counter, last
  size_t offsets[ATTN_MAX_TENSORS] = {};
  size_t kvPlanOffset = 0, counterOffset = 0;
  size_t bytes = 0;
  int64_t mostRuns = 0, mostRows = 1; // the summary kernel's grid
  attn::device::KvPlanLayout kvPlanLayout{};
};

WorkspaceLayout layOut(const LoadedKernel &ready, const attn_forward_params &params) {
  WorkspaceLayout layout;
  const ManifestKernel &kernel = *ready.kernel;
  const ManifestPlan &plan = kernel.plan;
  layout.summaries = !plan.summaries.empty() && ready.summaryFunction != nullptr;
  layout.kvPlan = ready.kvPlanFunction != nullptr;
  layout.counter = kernel.grid == LaunchGrid::Dynamic;
  for (size_t i = 0; layout.summaries && i < plan.summaries.size(); ++i) {
    const ManifestSummary &summary = plan.summaries[i];
    const int64_t runs =
        attn::device::summary_runs(summary.alongQueries ? params.seqlen_q : params.seqlen_k);
    const int64_t rows = summary.batched ? params.batch : 1;
    layout.offsets[i] = layout.bytes;
    layout.bytes += static_cast<size_t>(rows * runs * 2) * sizeof(int32_t);
    layout.mostRuns = std::max(layout.mostRuns, runs);
    layout.mostRows = std::max(layout.mostRows, rows);
  }
  layout.kvPlanOffset = layout.bytes;
  if (layout.kvPlan) {
    layout.kvPlanLayout = attn::device::kv_plan_layout(params, kernel.blockM, kernel.blockN,
                                                       plan.kvTilesPerHead);
    layout.bytes +=
        static_cast<size_t>(layout.kvPlanLayout.total_words(params.batch)) * sizeof(uint32_t);
  }
  // 8-byte aligned: everything before it is whole 32-bit words.
  layout.counterOffset = (layout.bytes + 7) / 8 * 8;
  if (layout.counter)
    layout.bytes = layout.counterOffset + sizeof(unsigned long long);
  return layout;
}

// A plan launch; `params` is copied, as the driver reads the arguments at the launch.
attn_status launchPlanKernel(const DriverApi &api, CUfunction function, const unsigned (&grid)[3],
                             int32_t threads, const attn_forward_params &params, CUstream stream,
                             const char *what) {
  attn_forward_params copy = params;
  void *args[] = {&copy};
  return checkCuda(api,
                   api.launchKernel(function, grid[0], grid[1], grid[2],
                                    static_cast<unsigned>(threads), 1, 1, 0, stream, args,
                                    nullptr),
                   what);
}

// The summaries (grid: runs, rows, tensors), then the kv plan (grid: q tiles, heads or 1,
// batch), which reads them.
attn_status launchPlans(const DriverApi &api, const LoadedKernel &ready,
                        const WorkspaceLayout &layout, const attn_forward_params &params,
                        CUstream stream) {
  const ManifestPlan &plan = ready.kernel->plan;
  if (layout.summaries) {
    const int64_t threads = plan.summary.threads;
    const unsigned grid[3] = {static_cast<unsigned>((layout.mostRuns + threads - 1) / threads),
                              static_cast<unsigned>(layout.mostRows),
                              static_cast<unsigned>(plan.summaries.size())};
    if (attn_status status = launchPlanKernel(api, ready.summaryFunction, grid, plan.summary.threads,
                                              params, stream, "cuLaunchKernel (plan)");
        status != ATTN_OK)
      return status;
  }
  if (!layout.kvPlan)
    return ATTN_OK;
  const attn::device::KvPlanLayout &kv = layout.kvPlanLayout;
  const unsigned grid[3] = {static_cast<unsigned>(kv.q_tiles),
                            static_cast<unsigned>(kv.per_head ? params.heads_q : 1),
                            static_cast<unsigned>(params.batch)};
  return launchPlanKernel(api, ready.kvPlanFunction, grid, plan.kvTiles.threads, params, stream,
                          "cuLaunchKernel (kv plan)");
}

// Points the parameters into `memory`, zeroes the counter and runs the plans, in stream order.
attn_status fill(const DriverApi &api, const LoadedKernel &ready, const WorkspaceLayout &layout,
                 CUdeviceptr memory, attn_forward_params &params, CUstream stream) {
  const ManifestPlan &plan = ready.kernel->plan;
  if (layout.summaries)
    for (size_t i = 0; i < plan.summaries.size(); ++i)
      params.summaries[plan.summaries[i].slot] =
          reinterpret_cast<const int32_t *>(memory + layout.offsets[i]);
  if (layout.kvPlan)
    params.kv_plan = reinterpret_cast<const uint32_t *>(memory + layout.kvPlanOffset);
  if (layout.counter) {
    const CUdeviceptr counter = memory + layout.counterOffset;
    params.work_counter = reinterpret_cast<unsigned long long *>(counter);
    constexpr size_t kWords = sizeof(unsigned long long) / sizeof(uint32_t);
    if (attn_status status = checkCuda(api, api.memsetD32Async(counter, 0, kWords, stream),
                                       "cuMemsetD32Async (work counter)");
        status != ATTN_OK)
      return status;
  }
  return launchPlans(api, ready, layout, params, stream);
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
