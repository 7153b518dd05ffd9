//===- Manifest.cpp - The JSON manifest embedded in every library ---------===//

#include "compiler/Codegen/Manifest.h"

#include "attn/abi.h"

#include <nlohmann/json.hpp>

namespace attnc::codegen {

const char *const kAttncVersion = "0.1.0";

using nlohmann::json;

static json forwardArguments(const std::string &dtype) {
  auto tensor = [](const char *name, const std::string &type, json shape, bool output) {
    json arg = {{"name", name}, {"dtype", type}, {"shape", std::move(shape)}};
    if (output)
      arg["output"] = true;
    return arg;
  };
  return json::array({
      tensor("q", dtype, {"B", "Hq", "Sq", "D"}, false),
      tensor("k", dtype, {"B", "Hkv", "Skv", "D"}, false),
      tensor("v", dtype, {"B", "Hkv", "Skv", "D"}, false),
      tensor("o", dtype, {"B", "Hq", "Sq", "D"}, true),
      tensor("lse", "f32", {"B", "Hq", "Sq"}, true),
      {{"name", "scale"}, {"dtype", "f32"}, {"default", "1/sqrt(D)"}},
  });
}

/// How the runtime runs a kernel's plan kernels first, in this order: the summaries of its id
/// tensors, then its kv tiles. Null when it has neither.
json planEntry(const KernelInfo &info) {
  if (info.summarySymbol.empty() && info.kvPlanSymbol.empty())
    return nullptr;
  json plan = json::object();
  if (!info.summarySymbol.empty()) {
    json tensors = json::array();
    for (const PlanSummary &summary : info.summaries)
      tensors.push_back(
          {{"slot", summary.slot}, {"length", summary.length}, {"batched", summary.batched}});
    plan["summaries"] = {
        {"symbol", info.summarySymbol}, {"threads", kPlanThreads}, {"tensors", tensors}};
  }
  if (!info.kvPlanSymbol.empty())
    plan["kv_tiles"] = {
        {"symbol", info.kvPlanSymbol}, {"threads", kPlanThreads}, {"per_head", info.kvPlanPerHead}};
  return plan;
}

/// How the runtime sizes the grid (docs/architecture.md, "Library and manifest").
static const char *gridName(const KernelInfo &info) {
  if (!info.warpSpecialized())
    return "q_tile_head_batch";
  switch (info.launch) {
  case target::Launch::Grid:
    return "work_tiles";
  case target::Launch::Persistent:
    return "persistent";
  case target::Launch::Dynamic:
    return "dynamic";
  }
  return "work_tiles";
}

std::string buildManifest(const spec::Spec &spec, const std::vector<CompiledKernel> &kernels) {
  const std::string dtype(spec::elementTypeName(spec.elementType));
  json archs = json::array();
  json kernelList = json::array();
  for (const CompiledKernel &kernel : kernels) {
    const KernelInfo &info = kernel.info;
    if (std::find(archs.begin(), archs.end(), info.arch) == archs.end())
      archs.push_back(info.arch);
    kernelList.push_back({{"mode", info.mode},
                          {"arch", info.arch},
                          {"sm", info.sm},
                          {"symbol", info.symbol},
                          {"threads", info.threads},
                          {"smem_bytes", info.smemBytes},
                          {"block_m", info.blockM},
                          {"block_n", info.blockN},
                          {"num_warps", info.numWarps},
                          {"stages", info.stages},
                          {"warpgroups", info.warpgroups},
                          {"tensor_maps", info.warpSpecialized()},
                          {"grid", gridName(info)},
                          {"registers", kernel.usage.registers},
                          {"spill_bytes", kernel.usage.spillStoreBytes},
                          {"plan", planEntry(info)}});
    if (!info.packedHeadsSymbol.empty())
      kernelList.back()["packed_heads_symbol"] = info.packedHeadsSymbol;
    if (!info.qBox.empty()) {
      kernelList.back()["q_box"] = info.qBox;
      kernelList.back()["kv_box"] = info.kvBox;
    }
  }
  json tensors = json::array();
  for (const spec::TensorDecl &tensor : spec.decls.tensors) {
    json shape = json::array();
    for (const spec::Dim &dim : tensor.dims)
      shape.push_back(dim.kind == spec::DimKind::Fixed ? json(dim.size) : json(spec::dimName(dim)));
    tensors.push_back({{"name", tensor.name},
                       {"dtype", std::string(spec::dataTypeName(tensor.dtype))},
                       {"shape", shape}});
  }
  json params = json::array();
  for (const spec::ParamDecl &param : spec.decls.params)
    params.push_back(
        {{"name", param.name}, {"type", param.type == spec::ExprType::Float ? "float" : "int"}});
  json manifest = {
      {"abi_version", ATTN_ABI_VERSION},
      {"attnc_version", kAttncVersion},
      {"name", spec.name},
      {"spec", json::parse(spec.json, nullptr, /*allow_exceptions=*/false)},
      {"head_dim", spec.headDim},
      {"dtype", dtype},
      {"mask", spec.maskSource},
      {"score", spec.score ? spec.scoreSource : std::string("s")},
      {"archs", archs},
      {"kernels", kernelList},
      {"arguments", {{"forward", forwardArguments(dtype)}}},
      {"tensors", tensors},
      {"params", params},
      {"requires_sq_le_skv", spec.requiresQueryNotLonger},
  };
  if (!spec.decls.grid.empty())
    manifest["token_grid"] = spec.decls.grid;
  // The sink logit, only when the spec has one (the GPU suite's reference adds it).
  if (spec.sink)
    manifest["sink"] = spec.sinkSource;
  // Routed attention: the list tensor and its block (the reference ANDs the list into the mask).
  if (spec.routing)
    manifest["routing"] = {{"tensor", spec.decls.tensors[spec.routing->slot].name},
                           {"block", spec.routing->block}};
  return manifest.dump(1);
}

} // namespace attnc::codegen
