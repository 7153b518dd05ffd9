// attn_forward_ex: the runtime data a spec declares is validated against the manifest before the
// driver is touched, with messages naming the tensor or parameter.
#include <string>

#include <gtest/gtest.h>

#include "RuntimeTestSupport.h"

namespace attn::test {
namespace {

// ForwardArgs' shapes (B = 2, Hq = 8, Sq = 100, Skv = 300) with the DocumentIds fixture's data.
struct ExtrasArgs : ForwardArgs {
  attn_tensor tensors[2];
  int64_t ints[1] = {64};
  float floats[1] = {0.5f};
  attn_forward_extras extras{};

  ExtrasArgs() {
    constexpr uintptr_t kGiB = uintptr_t(1) << 30;
    const int64_t idsShape[2] = {2, 300};
    const int64_t biasShape[2] = {8, 16};
    tensors[0] = denseTensor(6 * kGiB, ATTN_DTYPE_I32, 2, idsShape);
    tensors[1] = denseTensor(7 * kGiB, ATTN_DTYPE_F32, 2, biasShape);
    extras = {tensors, 2, ints, 1, floats, 1};
  }

  attn_status callEx(attn_library *lib) const {
    return attn_forward_ex(lib, &q, &k, &v, &o, withLse ? &lse : nullptr, scale, &extras, nullptr);
  }
};

class ForwardExtras : public ::testing::Test {
protected:
  void SetUp() override {
    std::string error;
    lib = openFixture("DocumentIds", &error);
    ASSERT_NE(lib, nullptr) << error;
  }

  // The call fails validation with a message starting `prefix` and containing `part`.
  void expectRejected(const ExtrasArgs &args, const std::string &prefix, const std::string &part) {
    EXPECT_EQ(args.callEx(lib.get()), ATTN_ERROR_INVALID_ARGUMENT);
    std::string message = attn_last_error();
    EXPECT_EQ(message.rfind(prefix, 0), 0u) << message;
    EXPECT_NE(message.find(part), std::string::npos) << message;
  }

  LibraryPtr lib;
};

TEST_F(ForwardExtras, ValidDataPassesValidation) {
  ExtrasArgs args;
  // Past validation, the fake pointers meet the driver (absent on CI) or its pointer checks.
  attn_status status = args.callEx(lib.get());
  EXPECT_NE(status, ATTN_ERROR_INVALID_ARGUMENT) << attn_last_error();
  EXPECT_NE(status, ATTN_OK);
}

TEST_F(ForwardExtras, PlainForwardLacksTheData) {
  ExtrasArgs args;
  EXPECT_EQ(args.call(lib.get()), ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(attn_last_error()).find("the spec declares 2"), std::string::npos)
      << attn_last_error();
}

TEST_F(ForwardExtras, RejectsAWrongDtype) {
  ExtrasArgs args;
  args.tensors[0].dtype = ATTN_DTYPE_F32;
  expectRejected(args, "tensors[ids]", "dtype is f32, the spec declares i32");
}

TEST_F(ForwardExtras, RejectsAShapeThatDoesNotMatchTheCall) {
  ExtrasArgs args;
  args.tensors[0].shape[1] = 100; // ids run over the keys: 300
  expectRejected(args, "tensors[ids]", "'skv' = 300");
  ExtrasArgs fixed;
  fixed.tensors[1].shape[1] = 17;
  expectRejected(fixed, "tensors[bias]", "'16' = 16");
}

TEST_F(ForwardExtras, RejectsARankMismatchAndANullPointer) {
  ExtrasArgs args;
  args.tensors[1].rank = 1;
  expectRejected(args, "tensors[bias]", "rank is 1");
  ExtrasArgs null;
  null.tensors[0].data = nullptr;
  expectRejected(null, "tensors[ids]", "data is null");
}

TEST_F(ForwardExtras, RejectsMisalignedAndNegativeStrides) {
  ExtrasArgs args;
  args.tensors[0].data = static_cast<char *>(args.tensors[0].data) + 2;
  expectRejected(args, "tensors[ids]", "aligned");
  ExtrasArgs negative;
  negative.tensors[0].strides[1] = -1;
  expectRejected(negative, "tensors[ids]", "non-negative");
}

TEST_F(ForwardExtras, RejectsWrongCounts) {
  ExtrasArgs args;
  args.extras.num_tensors = 1;
  expectRejected(args, "extras", "1 runtime tensors given, the spec declares 2");
  ExtrasArgs params;
  params.extras.num_float_params = 0;
  expectRejected(params, "extras", "0 float parameters given");
}

TEST_F(ForwardExtras, RequiresQueriesNoLongerThanKeys) {
  ExtrasArgs args;
  // Sq = 400 > Skv = 300, where the spec reads ids at query positions.
  for (attn_tensor *t : {&args.q, &args.o}) {
    t->shape[2] = 400;
    t->strides[1] = 400 * 128;
    t->strides[0] = 8 * 400 * 128;
  }
  args.lse.shape[2] = 400;
  args.lse.strides[1] = 400;
  args.lse.strides[0] = 8 * 400;
  expectRejected(args, "q: seqlen_q is 400", "seqlen_q <= seqlen_k");
}

// A routing list has one row per block of 128 queries: Sq = 100 takes ceil(100 / 128) = 1.
TEST(RoutedListExtras, SizesTheQueryBlockDimensionFromTheCall) {
  std::string error;
  LibraryPtr lib = openFixture("RoutedList", &error);
  ASSERT_NE(lib, nullptr) << error;
  constexpr uintptr_t kGiB = uintptr_t(1) << 30;
  ForwardArgs args;
  const int64_t listShape[3] = {8, 1, 4};
  attn_tensor list = denseTensor(6 * kGiB, ATTN_DTYPE_I32, 3, listShape);
  attn_forward_extras extras{&list, 1, nullptr, 0, nullptr, 0};
  auto call = [&] {
    return attn_forward_ex(lib.get(), &args.q, &args.k, &args.v, &args.o, &args.lse, args.scale,
                           &extras, nullptr);
  };
  attn_status status = call();
  EXPECT_NE(status, ATTN_ERROR_INVALID_ARGUMENT) << attn_last_error();
  list.shape[1] = 2;
  EXPECT_EQ(call(), ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(attn_last_error()).find("'sq/128' = 1 for this call"), std::string::npos)
      << attn_last_error();
}

} // namespace
} // namespace attn::test
