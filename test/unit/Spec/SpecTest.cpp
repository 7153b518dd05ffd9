//===- SpecTest.cpp - Reading and validating spec documents ---------------===//
//
// Errors are compared in their formatted form, which pins the JSON pointer,
// the line:column, the message and the expression column all at once.
//
//===----------------------------------------------------------------------===//

#include "compiler/Spec/Spec.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace attnc::spec;

namespace {

using Errors = std::vector<std::string>;

/// Every error formatted for a file called spec.json; {"ok"} if none.
Errors errorsOf(std::string_view text) {
  SpecResult result = parseSpec(text);
  EXPECT_NE(result.spec.has_value(), !result.errors.empty())
      << "exactly one must be set";
  if (result.spec)
    return {"ok"};
  Errors out;
  for (const SpecError &error : result.errors)
    out.push_back(error.format("spec.json"));
  return out;
}

/// A valid spec on several lines with `members` added on line 5, column 3.
std::string withMembers(const std::string &members) {
  std::string text = R"({
  "name": "t",
  "head_dim": 64,
  "dtype": "f16")";
  if (!members.empty())
    text += ",\n  " + members;
  return text + "\n}\n";
}

/// A spec on several lines whose mask is `mask` (JSON-escaped by the
/// caller); the mask value starts at line 5, column 11.
std::string withMask(const std::string &mask) {
  return R"({
  "name": "t",
  "head_dim": 64,
  "dtype": "f16",
  "mask": ")" +
         mask + "\"\n}\n";
}

TEST(Spec, MinimalSpecGetsDefaults) {
  SpecResult result =
      parseSpec(R"({"name": "t", "head_dim": 64, "dtype": "f16"})");
  ASSERT_TRUE(result.spec);
  EXPECT_TRUE(result.errors.empty());
  const Spec &spec = *result.spec;
  EXPECT_EQ(spec.name, "t");
  EXPECT_EQ(spec.headDim, 64);
  EXPECT_EQ(spec.elementType, ElementType::F16);
  EXPECT_EQ(spec.modes, std::vector<Mode>{Mode::Forward});
  EXPECT_EQ(spec.maskSource, "none");
  ASSERT_TRUE(spec.mask);
  EXPECT_EQ(printExpr(*spec.mask), "none");
  EXPECT_EQ(spec.scoreSource, "s");
  EXPECT_EQ(spec.score, nullptr);
  EXPECT_EQ(spec.json, R"({"name":"t","head_dim":64,"dtype":"f16"})");
}

TEST(Spec, FullSpec) {
  SpecResult result = parseSpec(R"({
    "$schema": "./attnc.schema.json",
    "description": "sliding window, written out",
    "name": "window_256",
    "dtype": "bf16",
    "head_dim": 128,
    "mask": "causal && q + skv - sq - k < 256",
    "modes": ["forward"]
  })");
  ASSERT_TRUE(result.spec) << result.errors.front().format("spec.json");
  const Spec &spec = *result.spec;
  EXPECT_EQ(spec.name, "window_256");
  EXPECT_EQ(spec.headDim, 128);
  EXPECT_EQ(spec.elementType, ElementType::BF16);
  EXPECT_EQ(elementTypeName(spec.elementType), "bf16");
  EXPECT_EQ(modeName(spec.modes.at(0)), "forward");
  EXPECT_EQ(spec.maskSource, "causal && q + skv - sq - k < 256");
  EXPECT_EQ(printExpr(*spec.mask),
            "(causal && ((((q + skv) - sq) - k) < 256))");
  EXPECT_EQ(spec.mask->type, ExprType::Bool);
  // Compact, in the order written.
  EXPECT_EQ(
      spec.json,
      R"({"$schema":"./attnc.schema.json","description":"sliding window, written out",)"
      R"("name":"window_256","dtype":"bf16","head_dim":128,)"
      R"("mask":"causal && q + skv - sq - k < 256","modes":["forward"]})");
}

TEST(Spec, MaskWithJsonEscapes) {
  SpecResult result = parseSpec(withMask(R"(k <= q \u0026\u0026 true)"));
  ASSERT_TRUE(result.spec);
  EXPECT_EQ(result.spec->maskSource, "k <= q && true");
  // Expression columns count the decoded text: "\u0071 +" is "q +".
  EXPECT_EQ(errorsOf(withMask(R"(\u0071 +)")),
            Errors{"spec.json:5:11: error: at /mask: expected an expression "
                   "after '+' (expression column 4)"});
}

TEST(Spec, InvalidJson) {
  EXPECT_EQ(
      errorsOf("{\n  \"name\": \"t\",\n  \"head_dim\": ,\n}"),
      Errors{"spec.json:3:15: error: invalid JSON: syntax error while parsing "
             "value - unexpected ','; expected '[', '{', or a literal"});
  EXPECT_EQ(errorsOf("{\"name\": \"t\""),
            Errors{"spec.json:1:13: error: invalid JSON: syntax error while "
                   "parsing object - unexpected end of input; expected '}'"});
  EXPECT_EQ(
      errorsOf(""),
      Errors{
          "spec.json:1:1: error: invalid JSON: syntax error while parsing "
          "value - unexpected end of input; expected '[', '{', or a literal"});
  // At the start of the offending token; columns count characters, so the
  // two-byte 'é' is one column.
  EXPECT_EQ(errorsOf("{\"description\": \"\xC3\xA9\" \"x\\\"\\\\\"}"),
            Errors{"spec.json:1:21: error: invalid JSON: syntax error while "
                   "parsing object - unexpected string literal; expected '}'"});
  EXPECT_EQ(errorsOf("{\"head_dim\": 64 128}"),
            Errors{"spec.json:1:17: error: invalid JSON: syntax error while "
                   "parsing object - unexpected number literal; expected '}'"});
  EXPECT_EQ(errorsOf("{\"name\": \"t\",\n}"),
            Errors{"spec.json:2:1: error: invalid JSON: syntax error while "
                   "parsing object key - unexpected '}'; expected string "
                   "literal (JSON does not allow a comma before '}')"});
  EXPECT_EQ(errorsOf("{\"modes\": [\"forward\", ]}"),
            Errors{"spec.json:1:23: error: invalid JSON: syntax error while "
                   "parsing value - unexpected ']'; expected '[', '{', or a "
                   "literal (JSON does not allow a comma before ']')"});
  // An error inside a token stays where the lexer stopped: the '}' after "tru".
  EXPECT_EQ(
      errorsOf("{\"head_dim\": 64, \"dtype\": tru}"),
      Errors{"spec.json:1:30: error: invalid JSON: syntax error while parsing "
             "value - invalid literal; last read: '\"dtype\": tru}'"});
}

TEST(Spec, RootMustBeAnObject) {
  EXPECT_EQ(
      errorsOf("[1, 2]"),
      Errors{
          "spec.json:1:1: error: a spec must be a JSON object, got an array"});
  EXPECT_EQ(errorsOf("\n  42"), Errors{"spec.json:2:3: error: a spec must be a "
                                       "JSON object, got the number 42"});
  EXPECT_EQ(
      errorsOf("null"),
      Errors{"spec.json:1:1: error: a spec must be a JSON object, got null"});
}

TEST(Spec, MissingRequiredKeys) {
  EXPECT_EQ(errorsOf(" {}"),
            (Errors{"spec.json:1:2: error: missing required key 'name'",
                    "spec.json:1:2: error: missing required key 'head_dim'",
                    "spec.json:1:2: error: missing required key 'dtype'"}));
}

TEST(Spec, UnknownKeys) {
  EXPECT_EQ(errorsOf(withMembers(R"("maks": "causal")")),
            Errors{"spec.json:5:3: error: at /maks: unknown key 'maks'; did "
                   "you mean 'mask'?"});
  EXPECT_EQ(errorsOf(withMembers(R"("foo": 1)")),
            Errors{"spec.json:5:3: error: at /foo: unknown key 'foo'"});
  EXPECT_EQ(errorsOf(withMembers(R"("a/b": 1)")),
            Errors{"spec.json:5:3: error: at /a~1b: unknown key 'a/b'"});
  // A misspelt required key is one error, not also a missing key.
  EXPECT_EQ(errorsOf(R"({"name": "t", "headDim": 64, "dtype": "f16"})"),
            Errors{"spec.json:1:15: error: at /headDim: unknown key 'headDim'; "
                   "did you mean 'head_dim'?"});
  // No suggestion of a key that is already there.
  EXPECT_EQ(errorsOf(withMembers(R"("mask": "causal", "maks": "none")")),
            Errors{"spec.json:5:21: error: at /maks: unknown key 'maks'"});
}

TEST(Spec, DuplicateKeys) {
  EXPECT_EQ(errorsOf(withMembers(R"("dtype": "bf16")")),
            Errors{"spec.json:5:3: error: at /dtype: duplicate key 'dtype'"});
}

TEST(Spec, WrongTypes) {
  EXPECT_EQ(
      errorsOf(R"({"name": 5, "head_dim": "128", "dtype": null})"),
      (Errors{
          "spec.json:1:10: error: at /name: expected a string, got the number "
          "5",
          "spec.json:1:25: error: at /head_dim: expected an integer, got a "
          "string",
          "spec.json:1:41: error: at /dtype: expected a string, got null"}));
  EXPECT_EQ(
      errorsOf(withMembers(R"("mask": true)")),
      Errors{"spec.json:5:11: error: at /mask: expected a string, got true"});
  EXPECT_EQ(errorsOf(withMembers(R"("modes": "forward")")),
            Errors{"spec.json:5:12: error: at /modes: expected an array of "
                   "strings, got a string"});
  EXPECT_EQ(errorsOf(withMembers(R"("modes": [1])")),
            Errors{"spec.json:5:13: error: at /modes/0: expected a string, got "
                   "the number 1"});
  EXPECT_EQ(errorsOf(withMembers(R"("description": {})")),
            Errors{"spec.json:5:18: error: at /description: expected a string, "
                   "got an object"});
  EXPECT_EQ(errorsOf(withMembers(R"("$schema": [])")),
            Errors{"spec.json:5:14: error: at /$schema: expected a string, got "
                   "an array"});
}

TEST(Spec, Names) {
  auto named = [](const std::string &name) {
    return errorsOf(R"({"head_dim": 64, "dtype": "f16", "name": ")" + name +
                    "\"}");
  };
  EXPECT_EQ(named("_ok9"), Errors{"ok"});
  EXPECT_EQ(named(std::string(64, 'a')), Errors{"ok"});
  EXPECT_EQ(named(std::string(65, 'a')),
            Errors{"spec.json:1:42: error: at /name: name is 65 characters "
                   "long; at most 64 are allowed"});
  EXPECT_EQ(named("my-spec"),
            Errors{"spec.json:1:42: error: at /name: invalid name 'my-spec': a "
                   "name must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)"});
  EXPECT_EQ(named("9lives"),
            Errors{"spec.json:1:42: error: at /name: invalid name '9lives': a "
                   "name must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)"});
  EXPECT_EQ(named(""),
            Errors{"spec.json:1:42: error: at /name: name must not be empty"});
  EXPECT_EQ(named("a\\nb"),
            Errors{"spec.json:1:42: error: at /name: invalid name 'a\\nb': a "
                   "name must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)"});
}

TEST(Spec, HeadDim) {
  auto withHeadDim = [](const std::string &value) {
    return errorsOf(R"({"name": "t", "dtype": "f16", "head_dim": )" + value +
                    "}");
  };
  EXPECT_EQ(withHeadDim("128"), Errors{"ok"});
  EXPECT_EQ(withHeadDim("96"),
            Errors{"spec.json:1:43: error: at /head_dim: unsupported head_dim "
                   "96: supported are 64, 128, 256"});
  EXPECT_EQ(withHeadDim("-64"),
            Errors{"spec.json:1:43: error: at /head_dim: unsupported head_dim "
                   "-64: supported are 64, 128, 256"});
  EXPECT_EQ(withHeadDim("18446744073709551680"),
            Errors{"spec.json:1:43: error: at /head_dim: expected an integer, "
                   "got the number 1.8446744073709552e+19"});
  EXPECT_EQ(withHeadDim("18446744073709551615"),
            Errors{"spec.json:1:43: error: at /head_dim: unsupported head_dim "
                   "18446744073709551615: supported are 64, 128, 256"});
  EXPECT_EQ(withHeadDim("128.0"),
            Errors{"spec.json:1:43: error: at /head_dim: expected an integer, "
                   "got the number 128.0"});
}

TEST(Spec, Dtype) {
  EXPECT_EQ(errorsOf(R"({"name": "t", "head_dim": 64, "dtype": "fp16"})"),
            Errors{"spec.json:1:40: error: at /dtype: unsupported dtype "
                   "'fp16': supported are 'f16', 'bf16'"});
}

TEST(Spec, Modes) {
  EXPECT_EQ(
      errorsOf(withMembers(R"("modes": [])")),
      Errors{"spec.json:5:12: error: at /modes: modes must not be empty"});
  EXPECT_EQ(
      errorsOf(withMembers(R"("modes": ["forward", "forward"])")),
      Errors{"spec.json:5:24: error: at /modes/1: duplicate mode 'forward'"});
  EXPECT_EQ(errorsOf(withMembers(R"("modes": ["forward", "backward"])")),
            Errors{"spec.json:5:24: error: at /modes/1: unknown mode "
                   "'backward': supported are 'forward'"});
}

TEST(Spec, MaskErrors) {
  auto maskError = [](const std::string &message, int column) {
    return Errors{"spec.json:5:11: error: at /mask: " + message +
                  " (expression column " + std::to_string(column) + ")"};
  };
  EXPECT_EQ(errorsOf(withMask("min(q, k")),
            maskError("expected ')' after arguments to 'min'", 9));
  EXPECT_EQ(errorsOf(withMask("(k <= q")),
            maskError("expected ')' to match '(' at expression column 1, got "
                      "end of expression",
                      8));
  EXPECT_EQ(errorsOf(withMask("k <= q)")), maskError("unmatched ')'", 7));
  EXPECT_EQ(
      errorsOf(withMask("k <= x")),
      maskError("unknown identifier 'x'; the variables are b, h, q, k, sq, skv",
                6));
  EXPECT_EQ(errorsOf(withMask("foo(q) < k")),
            maskError("unknown function 'foo'; the built-in functions are "
                      "none, causal, causal_top_left, window, sink, prefix, "
                      "chunk, block_diagonal, strided, radial, min, max, abs",
                      1));
  EXPECT_EQ(errorsOf(withMask("chunk(0) && causal")),
            maskError("chunk size must be positive, got 0", 7));
  EXPECT_EQ(errorsOf(withMask("min(q) < k")),
            maskError("'min' takes 2 arguments, got 1", 1));
  EXPECT_EQ(
      errorsOf(withMask("q + (k < 3)")),
      (Errors{"spec.json:5:11: error: at /mask: right operand of '+' must be "
              "int, but '(k < 3)' is bool (expression column 5)"}));
  EXPECT_EQ(errorsOf(withMask("causal causal")),
            maskError("unexpected 'causal' after a complete expression", 8));
  EXPECT_EQ(errorsOf(withMask("q - k")),
            maskError("the mask must be bool, but 'q - k' is int", 1));
  EXPECT_EQ(errorsOf(withMask("")), maskError("empty expression", 1));
}

/// A spec on several lines whose score is `score`; the score value starts at
/// line 5, column 12.
std::string withScore(const std::string &score) {
  return R"({
  "name": "t",
  "head_dim": 64,
  "dtype": "f16",
  "score": ")" +
         score + "\"\n}\n";
}

TEST(Spec, Score) {
  SpecResult result = parseSpec(R"json({
    "name": "gemma",
    "head_dim": 128,
    "dtype": "bf16",
    "mask": "causal",
    "score": "softcap(s, 50.0)"
  })json");
  ASSERT_TRUE(result.spec);
  const Spec &spec = *result.spec;
  EXPECT_EQ(spec.scoreSource, "softcap(s, 50.0)");
  ASSERT_TRUE(spec.score);
  EXPECT_EQ(spec.score->type, ExprType::Float);
  EXPECT_EQ(printExpr(*spec.score), "softcap(s, 50.0)");
  EXPECT_EQ(spec.maskSource, "causal");
  EXPECT_NE(spec.json.find(R"json("score":"softcap(s, 50.0)")json"),
            std::string::npos);

  // Written out, the identity is a tree like any other.
  SpecResult identity = parseSpec(withScore("s"));
  ASSERT_TRUE(identity.spec);
  ASSERT_TRUE(identity.spec->score);
  EXPECT_EQ(printExpr(*identity.spec->score), "s");

  // An int score is accepted; the root's type says it is converted.
  SpecResult bias = parseSpec(withScore("q - k"));
  ASSERT_TRUE(bias.spec);
  ASSERT_TRUE(bias.spec->score);
  EXPECT_EQ(bias.spec->score->type, ExprType::Int);
}

TEST(Spec, ScoreErrors) {
  auto scoreError = [](const std::string &message, int column) {
    return Errors{"spec.json:5:12: error: at /score: " + message +
                  " (expression column " + std::to_string(column) + ")"};
  };
  EXPECT_EQ(errorsOf(withScore("softcap(s, 50.0")),
            scoreError("expected ')' after arguments to 'softcap'", 16));
  EXPECT_EQ(errorsOf(withScore("s % 2")),
            scoreError("left operand of '%' must be int, but 's' is float", 1));
  EXPECT_EQ(errorsOf(withScore("s > 0.0")),
            scoreError("the score must be float, but 's > 0.0' is bool", 1));
  EXPECT_EQ(errorsOf(withScore("softcap(s, 0.0)")),
            scoreError("softcap cap must be positive, got 0.0", 12));
  EXPECT_EQ(errorsOf(withScore("causal ? s : 0.0")),
            scoreError("'causal' is only available in masks", 1));
  EXPECT_EQ(errorsOf(withScore("s * 1.0f")),
            scoreError("invalid float literal '1.0f'", 5));
  EXPECT_EQ(errorsOf(withScore("")), scoreError("empty expression", 1));
  EXPECT_EQ(errorsOf(withMembers(R"("score": 50.0)")),
            Errors{"spec.json:5:12: error: at /score: expected a string, got "
                   "the number "
                   "50.0"});
  // s and hq belong to scores: the same text as a mask is an error there.
  EXPECT_EQ(errorsOf(withMask("s > 0")),
            Errors{"spec.json:5:11: error: at /mask: 's' is only available in "
                   "score expressions (expression column 1)"});
  EXPECT_EQ(errorsOf(withMembers(R"("scroe": "s")")),
            Errors{"spec.json:5:3: error: at /scroe: unknown key 'scroe'; did "
                   "you mean 'score'?"});
  // Mask and score errors are independent, and both reported.
  EXPECT_EQ(errorsOf(withMembers(R"("mask": "q", "score": "true")")),
            (Errors{"spec.json:5:11: error: at /mask: the mask must be bool, "
                    "but 'q' is int (expression column 1)",
                    "spec.json:5:25: error: at /score: the score must be "
                    "float, but 'true' is bool (expression column 1)"}));
}

TEST(Spec, IndependentErrorsAreAllReportedInFileOrder) {
  std::string text = R"({
  "dtype": "f32",
  "maks": "causal",
  "name": "t",
  "head_dim": 96,
  "modes": ["forward", 3]
}
)";
  EXPECT_EQ(errorsOf(text),
            (Errors{"spec.json:2:12: error: at /dtype: unsupported dtype "
                    "'f32': supported are 'f16', 'bf16'",
                    "spec.json:3:3: error: at /maks: unknown key 'maks'; did "
                    "you mean 'mask'?",
                    "spec.json:5:15: error: at /head_dim: unsupported head_dim "
                    "96: supported are 64, 128, 256",
                    "spec.json:6:24: error: at /modes/1: expected a string, "
                    "got the number 3"}));
}

TEST(Spec, Files) {
  std::filesystem::path directory =
      std::filesystem::temp_directory_path() / "attnc-spec-test";
  std::filesystem::create_directories(directory);
  std::filesystem::path good = directory / "good.json";
  std::ofstream(good)
      << R"({"name": "t", "head_dim": 64, "dtype": "f16", "mask": "causal"})";
  SpecResult result = parseSpecFile(good.string());
  ASSERT_TRUE(result.spec);
  EXPECT_EQ(result.spec->maskSource, "causal");

  std::string missing = (directory / "missing.json").string();
  result = parseSpecFile(missing);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].line, 0);
  EXPECT_EQ(result.errors[0].pointer, "");
  EXPECT_EQ(result.errors[0].format(missing),
            missing + ": error: cannot read '" + missing +
                "': No such file or directory");

  result = parseSpecFile(directory.string());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].message,
            "cannot read '" + directory.string() + "': Is a directory");
  std::filesystem::remove_all(directory);
}

TEST(SpecError, Format) {
  SpecError error{"/mask", 3, 11, "expected ')' after arguments to 'min'", 9};
  EXPECT_EQ(error.format("causal.json"),
            "causal.json:3:11: error: at /mask: expected ')' after arguments "
            "to 'min' (expression column 9)");
  EXPECT_EQ(
      (SpecError{"", 1, 1, "missing required key 'name'"}.format("a.json")),
      "a.json:1:1: error: missing required key 'name'");
  EXPECT_EQ(
      (SpecError{"", 0, 0, "cannot read 'a.json': No such file or directory"}
           .format("a.json")),
      "a.json: error: cannot read 'a.json': No such file or directory");
}

} // namespace
