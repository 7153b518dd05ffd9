//===- ExampleSpecsTest.cpp - The specs shipped in specs/ -----------------===//

#include "compiler/Spec/Spec.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

using namespace attnc::spec;

namespace {

const std::filesystem::path kSpecsDir = ATTNC_SPECS_DIR;
constexpr const char *kSchemaFile = "attnc.schema.json";

TEST(ExampleSpecs, EveryExampleIsValidAndNamedAfterItsFile) {
  int count = 0;
  for (const auto &entry : std::filesystem::directory_iterator(kSpecsDir)) {
    const std::filesystem::path &path = entry.path();
    if (path.extension() != ".json" || path.filename() == kSchemaFile)
      continue;
    SCOPED_TRACE(path.string());
    SpecResult result = parseSpecFile(path.string());
    for (const SpecError &error : result.errors)
      ADD_FAILURE() << error.format(path.string());
    ASSERT_TRUE(result.spec);
    EXPECT_EQ(result.spec->name, path.stem().string());
    ++count;
  }
  EXPECT_GE(count, 4);
}

TEST(ExampleSpecs, SchemaDescribesTheSameKeys) {
  std::ifstream in(kSpecsDir / kSchemaFile);
  nlohmann::json schema = nlohmann::json::parse(in);
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema["additionalProperties"], false);

  std::set<std::string> keys;
  for (const auto &[key, value] : schema["properties"].items())
    keys.insert(key);
  EXPECT_EQ(keys,
            (std::set<std::string>{"$schema", "description", "name", "head_dim",
                                   "dtype", "mask", "score", "sink", "tensors",
                                   "params", "routing", "grid", "modes"}));
  EXPECT_EQ(schema["required"], (nlohmann::json{"name", "head_dim", "dtype"}));
  EXPECT_EQ(schema["properties"]["head_dim"]["enum"],
            (nlohmann::json{64, 128, 256}));
  EXPECT_EQ(schema["properties"]["dtype"]["enum"],
            (nlohmann::json{"f16", "bf16"}));
  EXPECT_EQ(schema["properties"]["modes"]["items"]["enum"],
            (nlohmann::json{"forward"}));
  EXPECT_EQ(schema["properties"]["name"]["maxLength"], 64);

  // What the schema gives as defaults is what the parser assumes.
  SpecResult result =
      parseSpec(R"({"name": "t", "head_dim": 64, "dtype": "f16"})");
  ASSERT_TRUE(result.spec);
  EXPECT_EQ(schema["properties"]["mask"]["default"], result.spec->maskSource);
  EXPECT_EQ(schema["properties"]["score"]["type"], "string");
  EXPECT_EQ(schema["properties"]["score"]["maxLength"],
            schema["properties"]["mask"]["maxLength"]);
  EXPECT_EQ(schema["properties"]["modes"]["default"],
            (nlohmann::json{"forward"}));
}

TEST(ExampleSpecs, ScoreModifications) {
  SpecResult softcap =
      parseSpecFile((kSpecsDir / "softcap_causal_bf16_d128.json").string());
  ASSERT_TRUE(softcap.spec);
  EXPECT_EQ(softcap.spec->scoreSource, "softcap(s, 50.0)");
  ASSERT_TRUE(softcap.spec->score);
  EXPECT_EQ(softcap.spec->score->type, ExprType::Float);
  EXPECT_EQ(softcap.spec->maskSource, "causal");

  SpecResult alibi =
      parseSpecFile((kSpecsDir / "alibi_causal_bf16_d128.json").string());
  ASSERT_TRUE(alibi.spec);
  ASSERT_TRUE(alibi.spec->score);
  EXPECT_EQ(printExpr(*alibi.spec->score),
            "(s - (exp2((((-8.0) * (h + 1)) / hq)) * abs((q - k))))");
}

} // namespace
