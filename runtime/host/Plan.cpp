#include "Plan.h"

#include <algorithm>

#include "attn/device/plan.h"

namespace attn::runtime {

attn_status runPlan(const DriverApi &api, const LoadedKernel &ready, attn_forward_params &params,
                    CUstream stream, PlanWorkspace &workspace) {
  const ManifestPlan &plan = ready.kernel->plan;
  if (plan.summaries.empty() || ready.planFunction == nullptr)
    return ATTN_OK;
  // One region per summarised tensor: rows x runs x {min, max} int32.
  size_t bytes = 0, offsets[ATTN_MAX_TENSORS] = {};
  int64_t mostRuns = 0, mostRows = 1;
  for (size_t i = 0; i < plan.summaries.size(); ++i) {
    const ManifestSummary &summary = plan.summaries[i];
    const int64_t runs = attn::device::summary_runs(summary.alongQueries ? params.seqlen_q : params.seqlen_k);
    const int64_t rows = summary.batched ? params.batch : 1;
    offsets[i] = bytes;
    bytes += static_cast<size_t>(rows * runs * 2) * sizeof(int32_t);
    mostRuns = std::max(mostRuns, runs);
    mostRows = std::max(mostRows, rows);
  }
  if (attn_status status =
          checkCuda(api, api.memAllocAsync(&workspace.memory, bytes, stream), "cuMemAllocAsync");
      status != ATTN_OK)
    return status;
  for (size_t i = 0; i < plan.summaries.size(); ++i)
    params.summaries[plan.summaries[i].slot] =
        reinterpret_cast<const int32_t *>(workspace.memory + offsets[i]);

  const unsigned threads = static_cast<unsigned>(plan.threads);
  const unsigned blocks = static_cast<unsigned>((mostRuns + threads - 1) / threads);
  attn_forward_params copy = params;
  void *args[] = {&copy};
  attn_status launched = checkCuda(
      api,
      api.launchKernel(ready.planFunction, blocks, static_cast<unsigned>(mostRows),
                       static_cast<unsigned>(plan.summaries.size()), threads, 1, 1, 0, stream,
                       args, nullptr),
      "cuLaunchKernel (plan)");
  if (launched != ATTN_OK)
    releasePlan(api, workspace, stream);
  return launched;
}

attn_status releasePlan(const DriverApi &api, PlanWorkspace &workspace, CUstream stream) {
  if (workspace.memory == 0)
    return ATTN_OK;
  CUdeviceptr memory = workspace.memory;
  workspace.memory = 0;
  return checkCuda(api, api.memFreeAsync(memory, stream), "cuMemFreeAsync");
}

} // namespace attn::runtime
