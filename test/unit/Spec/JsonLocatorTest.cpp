//===- JsonLocatorTest.cpp - Positions of JSON values by pointer ----------===//

#include "compiler/Spec/JsonLocator.h"

#include <gtest/gtest.h>

#include <string>

using namespace attnc::spec;

namespace {

/// "line:column" of a value, or "none".
std::string valueAt(const JsonLocator &locator, std::string_view pointer) {
  std::optional<SourceLocation> location = locator.value(pointer);
  if (!location)
    return "none";
  return std::to_string(location->line) + ":" +
         std::to_string(location->column);
}

std::string keyAt(const JsonLocator &locator, std::string_view pointer) {
  std::optional<SourceLocation> location = locator.key(pointer);
  if (!location)
    return "none";
  return std::to_string(location->line) + ":" +
         std::to_string(location->column);
}

TEST(JsonLocator, TopLevelMembers) {
  // clang-format off
  std::string text = "{\n"
                     "  \"name\": \"x\",\n"
                     "  \"head_dim\":\t128\n"
                     "}\n";
  // clang-format on
  JsonLocator locator(text);
  EXPECT_EQ(valueAt(locator, ""), "1:1");
  EXPECT_EQ(keyAt(locator, "/name"), "2:3");
  EXPECT_EQ(valueAt(locator, "/name"), "2:11");
  EXPECT_EQ(keyAt(locator, "/head_dim"), "3:3");
  EXPECT_EQ(valueAt(locator, "/head_dim"), "3:15");
  EXPECT_EQ(valueAt(locator, "/missing"), "none");
  EXPECT_EQ(keyAt(locator, ""), "none");
}

TEST(JsonLocator, NestedArraysAndObjects) {
  std::string text = R"({"a": [1, {"b": [true, null, "x"]}, [ ]], "c": {}})";
  JsonLocator locator(text);
  EXPECT_EQ(valueAt(locator, "/a"), "1:7");
  EXPECT_EQ(valueAt(locator, "/a/0"), "1:8");
  EXPECT_EQ(valueAt(locator, "/a/1"), "1:11");
  EXPECT_EQ(keyAt(locator, "/a/1/b"), "1:12");
  EXPECT_EQ(valueAt(locator, "/a/1/b"), "1:17");
  EXPECT_EQ(valueAt(locator, "/a/1/b/0"), "1:18");
  EXPECT_EQ(valueAt(locator, "/a/1/b/1"), "1:24");
  EXPECT_EQ(valueAt(locator, "/a/1/b/2"), "1:30");
  EXPECT_EQ(valueAt(locator, "/a/2"), "1:37");
  EXPECT_EQ(valueAt(locator, "/a/2/0"), "none"); // empty array
  EXPECT_EQ(valueAt(locator, "/a/3"), "none");
  EXPECT_EQ(valueAt(locator, "/c"), "1:48");
  // Array elements have no key.
  EXPECT_EQ(keyAt(locator, "/a/0"), "none");
}

TEST(JsonLocator, NumbersAndLiterals) {
  std::string text = R"([-1.5e+3, 0, true, false, null, 12E-1])";
  JsonLocator locator(text);
  EXPECT_EQ(valueAt(locator, "/0"), "1:2");
  EXPECT_EQ(valueAt(locator, "/1"), "1:11");
  EXPECT_EQ(valueAt(locator, "/2"), "1:14");
  EXPECT_EQ(valueAt(locator, "/3"), "1:20");
  EXPECT_EQ(valueAt(locator, "/4"), "1:27");
  EXPECT_EQ(valueAt(locator, "/5"), "1:33");
}

TEST(JsonLocator, StringsWithStructuralCharactersAndEscapes) {
  // Quotes, brackets, commas and backslashes inside strings must not be
  // taken for structure.
  std::string text = R"({"s": "a \"}\" ] , { \\", "t\"k": "\\\"", "after": 4})";
  JsonLocator locator(text);
  EXPECT_EQ(valueAt(locator, "/s"), "1:7");
  EXPECT_EQ(keyAt(locator, "/t\"k"), "1:27");
  EXPECT_EQ(valueAt(locator, "/t\"k"), "1:35");
  EXPECT_EQ(keyAt(locator, "/after"), "1:43");
  EXPECT_EQ(valueAt(locator, "/after"), "1:52");
}

TEST(JsonLocator, EscapedKeysAreDecoded) {
  std::string text =
      R"({"\u006dask": 1, "\u00e9t\u00e9": 2, "\ud83d\ude00": 3, "tab\there": 4})";
  JsonLocator locator(text);
  EXPECT_EQ(valueAt(locator, "/mask"), "1:15");
  EXPECT_EQ(valueAt(locator, "/\xC3\xA9t\xC3\xA9"), "1:35"); // "été"
  EXPECT_EQ(valueAt(locator, "/\xF0\x9F\x98\x80"),
            "1:54"); // U+1F600 from a surrogate pair
  EXPECT_EQ(valueAt(locator, "/tab\there"), "1:70");
}

TEST(JsonLocator, PointerTokensAreEscaped) {
  std::string text = R"({"a/b": 1, "c~d": {"e": 2}})";
  JsonLocator locator(text);
  EXPECT_EQ(valueAt(locator, "/a~1b"), "1:9");
  EXPECT_EQ(valueAt(locator, "/c~0d/e"), "1:25");
  EXPECT_EQ(appendPointer("", "a/b~c"), "/a~1b~0c");
  EXPECT_EQ(appendPointer("/modes", "1"), "/modes/1");
  EXPECT_EQ(appendPointer("", ""), "/");
}

TEST(JsonLocator, ColumnsCountCharactersNotBytes) {
  // é, 日 and 本 take 2-3 bytes each but one column.
  std::string text = "{\"\xC3\xA9\": \"\xE6\x97\xA5\xE6\x9C\xAC\", \"k\": 1}";
  JsonLocator locator(text);
  EXPECT_EQ(valueAt(locator, "/\xC3\xA9"), "1:7");
  EXPECT_EQ(keyAt(locator, "/k"), "1:13");
  EXPECT_EQ(valueAt(locator, "/k"), "1:18");
}

TEST(JsonLocator, ByteOrderMarkAndCrLf) {
  std::string text = "\xEF\xBB\xBF{\r\n  \"a\": 1\r\n}";
  JsonLocator locator(text);
  EXPECT_EQ(valueAt(locator, ""), "1:1");
  EXPECT_EQ(keyAt(locator, "/a"), "2:3");
  EXPECT_EQ(valueAt(locator, "/a"), "2:8");
}

TEST(JsonLocator, DuplicateKeysAreListedAndTheLastOneWins) {
  std::string text = R"({"a": 1, "b": {"x": 0, "x": 1}, "a": 2})";
  JsonLocator locator(text);
  ASSERT_EQ(locator.duplicateKeys().size(), 2u);
  EXPECT_EQ(locator.duplicateKeys()[0].key, "x");
  EXPECT_EQ(locator.duplicateKeys()[0].pointer, "/b/x");
  EXPECT_EQ(locator.duplicateKeys()[0].location.column, 24);
  EXPECT_EQ(locator.duplicateKeys()[1].pointer, "/a");
  EXPECT_EQ(locator.duplicateKeys()[1].location.column, 33);
  // nlohmann keeps the last value of a repeated key; so do positions.
  EXPECT_EQ(valueAt(locator, "/a"), "1:38");
  EXPECT_EQ(valueAt(locator, "/b/x"), "1:29");
}

TEST(JsonLocator, DeepNestingDoesNotRecurse) {
  constexpr int kDepth = 200000;
  std::string text = std::string(kDepth, '[') + std::string(kDepth, ']');
  JsonLocator locator(text);
  EXPECT_EQ(valueAt(locator, "/0/0/0"), "1:4");
  std::string deep;
  for (int i = 0; i < 64; ++i)
    deep += "/0";
  EXPECT_EQ(valueAt(locator, deep), "1:65"); // the deepest recorded value
  EXPECT_EQ(valueAt(locator, deep + "/0"), "none");
}

TEST(JsonLocator, ValuesAfterDeepNestingAreStillFound) {
  std::string text = R"({"deep": )" + std::string(100, '[') +
                     std::string(100, ']') + R"(, "after": 1})";
  JsonLocator locator(text);
  EXPECT_EQ(valueAt(locator, "/after"), "1:221");
}

TEST(JsonLocator, MalformedTextKeepsWhatCameBefore) {
  std::string text = R"({"a": 1, "b": [2, )";
  JsonLocator locator(text);
  EXPECT_EQ(valueAt(locator, "/a"), "1:7");
  EXPECT_EQ(valueAt(locator, "/b/0"), "1:16");
  EXPECT_EQ(valueAt(locator, "/b/1"), "none");
}

TEST(JsonLocator, LocateClampsToTheEnd) {
  std::string text = "{\n}\n";
  JsonLocator locator(text);
  EXPECT_EQ(locator.locate(0).line, 1);
  EXPECT_EQ(locator.locate(2).line, 2);
  EXPECT_EQ(locator.locate(3).line, 2);
  EXPECT_EQ(locator.locate(3).column, 2);
  EXPECT_EQ(locator.locate(4).line, 3);
  EXPECT_EQ(locator.locate(4).column, 1);
  EXPECT_EQ(locator.locate(1000).line, 3);
}

} // namespace
