// Manifest parsing (runtime/host/Manifest): every field the runtime reads is checked for
// presence, type and range, and the error names the field by its path.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "Manifest.h"

namespace attn::runtime {
namespace {

using Json = nlohmann::json;

Json validManifest() {
  return Json::parse(R"({
    "abi_version": 1, "attnc_version": "0.1.0", "name": "causal", "spec": {"mask": "x"},
    "head_dim": 128, "dtype": "bf16", "mask": "causal", "archs": ["sm_80", "sm_90a"],
    "kernels": [
      {"mode": "forward", "arch": "sm_80", "sm": 80, "symbol": "causal_forward_sm80",
       "threads": 128, "smem_bytes": 49152, "block_m": 128, "block_n": 64},
      {"mode": "forward", "arch": "sm_90a", "sm": 90, "symbol": "causal_forward_sm90a",
       "threads": 256, "smem_bytes": 114688, "block_m": 128, "block_n": 128}]})");
}

// Parses `manifest`; returns "" on success, else the error.
std::string parseError(const Json &manifest, Manifest *out = nullptr) {
  Manifest parsed;
  std::string error;
  bool ok = parseManifest(manifest.dump().c_str(), parsed, error);
  if (out)
    *out = parsed;
  return ok ? std::string() : error;
}

TEST(Manifest, ParsesEveryField) {
  Manifest m;
  ASSERT_EQ(parseError(validManifest(), &m), "");
  EXPECT_EQ(m.abiVersion, 1u);
  EXPECT_EQ(m.name, "causal");
  EXPECT_EQ(m.dtype, ATTN_DTYPE_BF16);
  EXPECT_EQ(m.headDim, 128);
  EXPECT_EQ(m.mask, "causal");
  ASSERT_EQ(m.kernels.size(), 2u);
  const ManifestKernel &k = m.kernels[1];
  EXPECT_EQ(k.mode, "forward");
  EXPECT_EQ(k.arch, "sm_90a");
  EXPECT_EQ(k.symbol, "causal_forward_sm90a");
  EXPECT_EQ(k.threads, 256);
  EXPECT_EQ(k.smemBytes, 114688);
  EXPECT_EQ(k.blockM, 128);
  EXPECT_EQ(k.blockN, 128);
}

TEST(Manifest, LaunchFieldsDefaultToTheMmaSyncKernel) {
  Manifest m;
  ASSERT_EQ(parseError(validManifest(), &m), "");
  for (const ManifestKernel &k : m.kernels) {
    EXPECT_EQ(k.grid, LaunchGrid::QTileHeadBatch);
    EXPECT_FALSE(k.tensorMaps);
  }
}

TEST(Manifest, ParsesTheWarpSpecializedLaunch) {
  const struct {
    const char *name;
    LaunchGrid grid;
  } grids[] = {{"q_tile_head_batch", LaunchGrid::QTileHeadBatch},
               {"work_tiles", LaunchGrid::WorkTiles},
               {"persistent", LaunchGrid::Persistent},
               {"dynamic", LaunchGrid::Dynamic}};
  for (const auto &grid : grids) {
    Json manifest = validManifest();
    manifest["kernels"][1]["grid"] = grid.name;
    manifest["kernels"][1]["tensor_maps"] = true;
    Manifest m;
    ASSERT_EQ(parseError(manifest, &m), "") << grid.name;
    EXPECT_EQ(m.kernels[1].grid, grid.grid) << grid.name;
    EXPECT_TRUE(m.kernels[1].tensorMaps);
  }
}

TEST(Manifest, ChecksTheLaunchFields) {
  Json manifest = validManifest();
  manifest["kernels"][1]["grid"] = "1d";
  EXPECT_EQ(parseError(manifest), "kernels[1].grid: \"1d\" is not one of \"q_tile_head_batch\", "
                                  "\"work_tiles\", \"persistent\", \"dynamic\"");

  manifest = validManifest();
  manifest["kernels"][1]["tensor_maps"] = 1;
  EXPECT_EQ(parseError(manifest), "kernels[1].tensor_maps: expected a boolean, found an integer");

  // A tensor map's box is at most 256 rows, and 64 elements of D wide.
  manifest = validManifest();
  manifest["kernels"][1]["tensor_maps"] = true;
  manifest["kernels"][1]["block_n"] = 512;
  EXPECT_EQ(parseError(manifest), "kernels[1]: a kernel with tensor maps needs block_m and "
                                  "block_n <= 256, got 128 and 512");

  manifest = validManifest();
  manifest["kernels"][1]["tensor_maps"] = true;
  manifest["head_dim"] = 96;
  EXPECT_EQ(parseError(manifest), "kernels[1].tensor_maps: head_dim 96 is not a multiple of 64");
}

// The plan kernels a kernel runs first: summaries of id tensors, then its kv tiles.
TEST(Manifest, ParsesThePlanKernels) {
  Json manifest = validManifest();
  manifest["kernels"][1]["plan"] = Json::parse(R"({
    "summaries": {"symbol": "s_plan", "threads": 128,
                  "tensors": [{"slot": 2, "length": "skv", "batched": true}]},
    "kv_tiles": {"symbol": "s_kv_plan", "threads": 128, "per_head": true}})");
  Manifest m;
  ASSERT_EQ(parseError(manifest, &m), "");
  const ManifestPlan &plan = m.kernels[1].plan;
  EXPECT_EQ(plan.summary.symbol, "s_plan");
  ASSERT_EQ(plan.summaries.size(), 1u);
  EXPECT_EQ(plan.summaries[0].slot, 2);
  EXPECT_FALSE(plan.summaries[0].alongQueries);
  EXPECT_TRUE(plan.summaries[0].batched);
  EXPECT_EQ(plan.kvTiles.symbol, "s_kv_plan");
  EXPECT_EQ(plan.kvTiles.threads, 128);
  EXPECT_TRUE(plan.kvTilesPerHead);
  // Either part alone; none at all.
  manifest["kernels"][1]["plan"].erase("summaries");
  ASSERT_EQ(parseError(manifest, &m), "");
  EXPECT_TRUE(m.kernels[1].plan.summary.symbol.empty());
  EXPECT_EQ(m.kernels[1].plan.kvTiles.symbol, "s_kv_plan");
  manifest["kernels"][1]["plan"] = nullptr;
  ASSERT_EQ(parseError(manifest, &m), "");
  EXPECT_TRUE(m.kernels[1].plan.kvTiles.symbol.empty());
}

TEST(Manifest, ChecksThePlanKernels) {
  Json manifest = validManifest();
  manifest["kernels"][1]["plan"] = Json::object();
  EXPECT_EQ(parseError(manifest), "kernels[1].plan: expected an object with \"summaries\" or "
                                  "\"kv_tiles\", or null, found an object");
  manifest["kernels"][1]["plan"] = {{"kv_tiles", {{"symbol", "p"}, {"threads", 100}}}};
  EXPECT_EQ(parseError(manifest),
            "kernels[1].plan.kv_tiles.threads: 100 is not a multiple of 32 (the plan takes whole "
            "warps)");
  manifest["kernels"][1]["plan"] = {{"kv_tiles", {{"symbol", "p"}, {"threads", 128},
                                                  {"per_head", "yes"}}}};
  EXPECT_EQ(parseError(manifest),
            "kernels[1].plan.kv_tiles.per_head: expected a boolean, found a string");
  manifest["kernels"][1]["plan"] = {
      {"summaries", {{"symbol", "p"}, {"threads", 128}, {"tensors", Json::array()}}}};
  EXPECT_EQ(parseError(manifest), "kernels[1].plan.summaries.tensors: expected an array of 1 to 8 "
                                  "entries, found an array");
  // Entries are per q tile of the sequence: a kernel tiling a token grid has none.
  manifest["kernels"][1]["plan"] = {{"kv_tiles", {{"symbol", "p"}, {"threads", 128}}}};
  manifest["kernels"][1]["q_box"] = {8, 16};
  manifest["kernels"][1]["kv_box"] = {8, 16};
  EXPECT_EQ(parseError(manifest), "kernels[1].plan.kv_tiles: a kernel that tiles a token grid in "
                                  "N-d has no kv plan");
}

TEST(Manifest, AcceptsF16SpelledEitherWay) {
  for (const char *spelling : {"f16", "fp16"}) {
    Json manifest = validManifest();
    manifest["dtype"] = spelling;
    Manifest m;
    ASSERT_EQ(parseError(manifest, &m), "") << spelling;
    EXPECT_EQ(m.dtype, ATTN_DTYPE_F16);
  }
}

TEST(Manifest, MaskIsOptional) {
  Json manifest = validManifest();
  manifest.erase("mask");
  Manifest m;
  ASSERT_EQ(parseError(manifest, &m), "");
  EXPECT_EQ(m.mask, "");
}

TEST(Manifest, NamesEachMissingTopLevelField) {
  for (const char *field : {"abi_version", "name", "dtype", "head_dim", "kernels"}) {
    Json manifest = validManifest();
    manifest.erase(field);
    EXPECT_EQ(parseError(manifest), std::string(field) + ": missing");
  }
}

TEST(Manifest, NamesEachMissingKernelField) {
  for (const char *field :
       {"mode", "arch", "symbol", "threads", "smem_bytes", "block_m", "block_n"}) {
    Json manifest = validManifest();
    manifest["kernels"][1].erase(field);
    EXPECT_EQ(parseError(manifest), std::string("kernels[1].") + field + ": missing");
  }
}

TEST(Manifest, NamesWronglyTypedFields) {
  Json manifest = validManifest();
  manifest["head_dim"] = "128";
  EXPECT_EQ(parseError(manifest), "head_dim: expected an integer, found a string");

  manifest = validManifest();
  manifest["head_dim"] = 128.5;
  EXPECT_EQ(parseError(manifest), "head_dim: expected an integer, found a number");

  manifest = validManifest();
  manifest["name"] = 3;
  EXPECT_EQ(parseError(manifest), "name: expected a string, found an integer");

  manifest = validManifest();
  manifest["mask"] = Json::object();
  EXPECT_EQ(parseError(manifest), "mask: expected a string, found an object");

  manifest = validManifest();
  manifest["kernels"] = Json::object();
  EXPECT_EQ(parseError(manifest), "kernels: expected an array, found an object");

  manifest = validManifest();
  manifest["kernels"][0] = "sm_80";
  EXPECT_EQ(parseError(manifest), "kernels[0]: expected an object, found a string");

  manifest = validManifest();
  manifest["kernels"][0]["arch"] = nullptr;
  EXPECT_EQ(parseError(manifest), "kernels[0].arch: expected a string, found null");
}

TEST(Manifest, ChecksRanges) {
  Json manifest = validManifest();
  manifest["kernels"][0]["threads"] = 0;
  EXPECT_EQ(parseError(manifest), "kernels[0].threads: 0 is out of range [1, 1024]");

  manifest = validManifest();
  manifest["kernels"][0]["threads"] = 2048;
  EXPECT_EQ(parseError(manifest), "kernels[0].threads: 2048 is out of range [1, 1024]");

  manifest = validManifest();
  manifest["kernels"][0]["smem_bytes"] = -1;
  EXPECT_NE(parseError(manifest).find("kernels[0].smem_bytes: -1 is out of range"),
            std::string::npos);

  manifest = validManifest();
  manifest["abi_version"] = 18446744073709551615ull;
  EXPECT_NE(parseError(manifest).find("abi_version: 18446744073709551615 is out of range"),
            std::string::npos);

  manifest = validManifest();
  manifest["head_dim"] = 0;
  EXPECT_NE(parseError(manifest).find("head_dim: 0 is out of range"), std::string::npos);
}

TEST(Manifest, RejectsUnknownDtypes) {
  Json manifest = validManifest();
  manifest["dtype"] = "f32";
  EXPECT_EQ(parseError(manifest), "dtype: \"f32\" is not one of \"bf16\", \"f16\"");
}

TEST(Manifest, RejectsTextThatIsNotAJsonObject) {
  Manifest m;
  std::string error;
  EXPECT_FALSE(parseManifest("{\"abi_version\": 1,", m, error));
  EXPECT_EQ(error, "not valid JSON");
  EXPECT_FALSE(parseManifest("[1, 2]", m, error));
  EXPECT_EQ(error, "(root): expected an object, found an array");
  EXPECT_FALSE(parseManifest(nullptr, m, error));
  EXPECT_NE(error.find("null"), std::string::npos);
}

TEST(Manifest, AnEmptyKernelListIsValid) {
  Json manifest = validManifest();
  manifest["kernels"] = Json::array();
  Manifest m;
  ASSERT_EQ(parseError(manifest, &m), "");
  EXPECT_TRUE(m.kernels.empty());
}

} // namespace
} // namespace attn::runtime
