// attn_forward argument validation: every rule fails with ATTN_ERROR_INVALID_ARGUMENT and a
// message naming the argument, before the driver is touched (there is none on CI: a rule checked
// too late would show up as ATTN_ERROR_DEVICE instead).
#include <cmath>
#include <functional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "RuntimeTestSupport.h"

namespace attn::test {
namespace {

// Re-derives row-major strides after a test changed a shape.
void restride(attn_tensor &t) {
  int64_t stride = 1;
  for (int i = t.rank - 1; i >= 0; --i) {
    t.strides[i] = stride;
    stride *= t.shape[i];
  }
}

void *offsetBytes(const attn_tensor &t, int64_t bytes) {
  return static_cast<char *>(t.data) + bytes;
}

struct InvalidCase {
  const char *name;
  std::function<void(ForwardArgs &)> breakIt;
  std::vector<std::string> expected; // substrings of the message; the first names the argument
};

// gtest prints parameters in failure reports; the default dumps their bytes.
void PrintTo(const InvalidCase &c, std::ostream *out) { *out << c.name; }

class ForwardRejects : public ::testing::TestWithParam<InvalidCase> {
protected:
  void SetUp() override {
    std::string error;
    lib = openFixture("GoodBf16Causal", &error);
    ASSERT_NE(lib, nullptr) << error;
  }
  LibraryPtr lib;
};

TEST_P(ForwardRejects, WithAMessageNamingTheArgument) {
  const InvalidCase &c = GetParam();
  ForwardArgs args;
  ASSERT_EQ(args.call(nullptr), ATTN_ERROR_INVALID_ARGUMENT) << "sanity: lib null";
  c.breakIt(args);
  EXPECT_EQ(args.call(lib.get()), ATTN_ERROR_INVALID_ARGUMENT) << attn_last_error();
  std::string message = attn_last_error();
  ASSERT_FALSE(c.expected.empty());
  EXPECT_EQ(message.rfind(c.expected[0], 0), 0u) << "should start with the argument: " << message;
  for (const std::string &part : c.expected)
    EXPECT_NE(message.find(part), std::string::npos) << "missing \"" << part << "\" in: " << message;
}

const InvalidCase kInvalidCases[] = {
    // Null data.
    {"QDataNull", [](ForwardArgs &a) { a.q.data = nullptr; }, {"q: data is null"}},
    {"OutDataNull", [](ForwardArgs &a) { a.o.data = nullptr; }, {"o: data is null"}},
    {"LseDataNull", [](ForwardArgs &a) { a.lse.data = nullptr; }, {"lse: data is null"}},
    // Ranks.
    {"QRank3", [](ForwardArgs &a) { a.q.rank = 3; }, {"q: rank is 3, expected 4"}},
    {"VRank5", [](ForwardArgs &a) { a.v.rank = 5; }, {"v: rank is 5, expected 4"}},
    {"LseRank4", [](ForwardArgs &a) { a.lse.rank = 4; }, {"lse: rank is 4, expected 3"}},
    // Dtypes.
    {"KDtypeF16", [](ForwardArgs &a) { a.k.dtype = ATTN_DTYPE_F16; },
     {"k: dtype is f16, the library was built for bf16"}},
    {"OutDtypeF32", [](ForwardArgs &a) { a.o.dtype = ATTN_DTYPE_F32; },
     {"o: dtype is f32, the library was built for bf16"}},
    {"LseDtypeBf16", [](ForwardArgs &a) { a.lse.dtype = ATTN_DTYPE_BF16; },
     {"lse: dtype is bf16, expected f32"}},
    {"QDtypeOutOfEnum", [](ForwardArgs &a) { a.q.dtype = static_cast<attn_dtype>(9); },
     {"q: dtype 9 is not an attn_dtype"}},
    // Head dim against the manifest.
    {"KHeadDim64", [](ForwardArgs &a) { a.k.shape[3] = 64; },
     {"k: shape[3] (head dim) is 64, the library was built for 128"}},
    {"QHeadDim256",
     [](ForwardArgs &a) {
       a.q.shape[3] = 256;
       restride(a.q);
     },
     {"q: shape[3] (head dim) is 256, the library was built for 128"}},
    // Shapes against each other.
    {"VBatch", [](ForwardArgs &a) { a.v.shape[0] = 3; }, {"v: shape[0] (batch) is 3, q has 2"}},
    {"KBatch", [](ForwardArgs &a) { a.k.shape[0] = 1; }, {"k: shape[0] (batch) is 1, q has 2"}},
    {"VHeads", [](ForwardArgs &a) { a.v.shape[1] = 4; }, {"v: shape[1] (heads) is 4, k has 2"}},
    {"HeadsNotGrouped",
     [](ForwardArgs &a) {
       a.k.shape[1] = 3;
       a.v.shape[1] = 3;
     },
     {"q: shape[1] (heads) is 8, not a multiple of k's 3"}},
    {"VSeqlen", [](ForwardArgs &a) { a.v.shape[2] = 301; },
     {"v: shape[2] (sequence) is 301, k has 300"}},
    {"OutSeqlen", [](ForwardArgs &a) { a.o.shape[2] = 99; },
     {"o: shape[2] (sequence) is 99, q has 100"}},
    {"OutHeads", [](ForwardArgs &a) { a.o.shape[1] = 4; }, {"o: shape[1] (heads) is 4, q has 8"}},
    {"OutBatch", [](ForwardArgs &a) { a.o.shape[0] = 1; }, {"o: shape[0] (batch) is 1, q has 2"}},
    {"LseHeads", [](ForwardArgs &a) { a.lse.shape[1] = 4; },
     {"lse: shape[1] (heads) is 4, q has 8"}},
    {"LseSeqlen",
     [](ForwardArgs &a) {
       a.lse.shape[2] = 300;
       restride(a.lse);
     },
     {"lse: shape[2] (sequence) is 300, q has 100"}},
    // Sizes.
    {"EmptyBatch", [](ForwardArgs &a) { a.q.shape[0] = 0; },
     {"q: shape[0] (batch) is 0", "at least 1"}},
    {"EmptyKeys", [](ForwardArgs &a) { a.k.shape[2] = 0; },
     {"k: shape[2] (sequence) is 0", "at least 1"}},
    {"EmptyWithNullData",
     [](ForwardArgs &a) {
       a.q.shape[2] = 0; // what a framework hands over for an empty tensor
       a.q.data = nullptr;
     },
     {"q: shape[2] (sequence) is 0"}},
    {"NegativeSize", [](ForwardArgs &a) { a.v.shape[2] = -1; }, {"v: shape[2] (sequence) is -1"}},
    {"SeqlenOverInt32", [](ForwardArgs &a) { a.q.shape[2] = int64_t(1) << 31; },
     {"q: shape[2] (sequence) is 2147483648", "32-bit"}},
    {"SeqlenOverTheIndexLimit", [](ForwardArgs &a) { a.k.shape[2] = ATTN_MAX_SEQLEN + 1; },
     {"k: shape[2] (sequence) is 1073741569", "longer than the 1073741568 tokens"}},
    {"HeadsOverGridLimit",
     [](ForwardArgs &a) {
       for (attn_tensor *t : {&a.q, &a.o, &a.lse}) {
         t->shape[1] = 65536;
         restride(*t);
       }
     },
     {"q: shape[1] (heads) is 65536", "65535"}},
    {"BatchOverGridLimit",
     [](ForwardArgs &a) {
       for (attn_tensor *t : {&a.q, &a.k, &a.v, &a.o, &a.lse}) {
         t->shape[0] = 70000;
         restride(*t);
       }
       // Spread the (now large) tensors apart so that no overlap check fires first.
       for (int i = 0; i < 5; ++i) {
         attn_tensor *t = std::vector<attn_tensor *>{&a.q, &a.k, &a.v, &a.o, &a.lse}[i];
         t->data = reinterpret_cast<void *>((uintptr_t(i) + 1) << 40);
       }
     },
     {"q: shape[0] (batch) is 70000", "65535"}},
    // Strides.
    {"NegativeStride", [](ForwardArgs &a) { a.k.strides[1] = -300 * 128; },
     {"k: stride[1] (heads) is -38400", "non-negative"}},
    {"HeadDimNotContiguous", [](ForwardArgs &a) { a.v.strides[3] = 2; },
     {"v: stride[3] (head dim) is 2", "stride 1"}},
    {"LseSeqNotContiguous", [](ForwardArgs &a) { a.lse.strides[2] = 2; },
     {"lse: stride[2] (sequence) is 2", "stride 1"}},
    // Alignment.
    {"QMisalignedByOneElement", [](ForwardArgs &a) { a.q.data = offsetBytes(a.q, 2); },
     {"q: data pointer 0x", "not 16-byte aligned"}},
    {"OutMisaligned", [](ForwardArgs &a) { a.o.data = offsetBytes(a.o, 8); },
     {"o: data pointer", "not 16-byte aligned"}},
    {"LseMisaligned", [](ForwardArgs &a) { a.lse.data = offsetBytes(a.lse, 2); },
     {"lse: data pointer", "not 4-byte aligned"}},
    {"QRowStrideMisaligned", [](ForwardArgs &a) { a.q.strides[2] = 132; },
     {"q: stride[2] (sequence) is 132 elements = 264 bytes, not a multiple of 16"}},
    {"KHeadStrideMisaligned", [](ForwardArgs &a) { a.k.strides[1] = 300 * 128 + 4; },
     {"k: stride[1] (heads)", "not a multiple of 16"}},
    // Aliasing.
    {"OutIsQ", [](ForwardArgs &a) { a.o.data = a.q.data; }, {"o: its memory overlaps q's"}},
    {"OutOverlapsVTail",
     [](ForwardArgs &a) { a.o.data = offsetBytes(a.v, 2 * 2 * 300 * 128 * 2 - 1024); },
     {"o: its memory overlaps v's"}},
    {"LseInsideOut", [](ForwardArgs &a) { a.lse.data = offsetBytes(a.o, 4096); },
     {"lse: its memory overlaps o's"}},
    {"LseInsideK", [](ForwardArgs &a) { a.lse.data = a.k.data; }, {"lse: its memory overlaps k's"}},
    {"OutHeadsShareMemory", [](ForwardArgs &a) { a.o.strides[1] = 0; },
     {"o: stride[1] (heads) is 0", "overlap"}},
    {"OutRowsOverlap", [](ForwardArgs &a) { a.o.strides[2] = 64; },
     {"o: stride[2] (sequence) is 64", "overlap"}},
    {"LseRowsShareMemory", [](ForwardArgs &a) { a.lse.strides[1] = 0; },
     {"lse: stride[1] (heads) is 0", "overlap"}},
    // Scale.
    {"InfiniteScale", [](ForwardArgs &a) { a.scale = INFINITY; }, {"scale: is infinite"}},
};

INSTANTIATE_TEST_SUITE_P(Rules, ForwardRejects, ::testing::ValuesIn(kInvalidCases),
                         [](const ::testing::TestParamInfo<InvalidCase> &info) {
                           return std::string(info.param.name);
                         });

TEST(ForwardRejects, NullTensors) {
  LibraryPtr lib = openFixture("GoodBf16Causal");
  ASSERT_NE(lib, nullptr);
  ForwardArgs a;
  struct Case {
    const attn_tensor *q, *k, *v, *o;
    const char *expected;
  } cases[] = {
      {nullptr, &a.k, &a.v, &a.o, "q: the tensor is null"},
      {&a.q, nullptr, &a.v, &a.o, "k: the tensor is null"},
      {&a.q, &a.k, nullptr, &a.o, "v: the tensor is null"},
      {&a.q, &a.k, &a.v, nullptr, "o: the tensor is null"},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(attn_forward(lib.get(), c.q, c.k, c.v, c.o, &a.lse, 0.0f, nullptr),
              ATTN_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(std::string(attn_last_error()), c.expected);
  }
}

TEST(ForwardRejects, NullLibrary) {
  ForwardArgs a;
  EXPECT_EQ(a.call(nullptr), ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(attn_last_error()), "lib: null");
}

TEST(ForwardRejects, DtypeOfAnF16Library) {
  LibraryPtr lib = openFixture("GoodF16None");
  ASSERT_NE(lib, nullptr);
  ForwardArgs a; // bf16 tensors
  EXPECT_EQ(a.call(lib.get()), ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(attn_last_error()), "q: dtype is bf16, the library was built for f16");
}

TEST(ForwardRejects, ArgumentsBeforeAMissingForwardKernel) {
  LibraryPtr lib = openFixture("NoForward");
  ASSERT_NE(lib, nullptr);
  ForwardArgs a;
  a.k.shape[3] = 64;
  EXPECT_EQ(a.call(lib.get()), ATTN_ERROR_INVALID_ARGUMENT);
}

TEST(ForwardRejects, ConcurrentFailuresKeepTheirOwnMessages) {
  LibraryPtr lib = openFixture("GoodBf16Causal");
  ASSERT_NE(lib, nullptr);
  std::vector<std::string> seen(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      for (int round = 0; round < 200; ++round) {
        ForwardArgs a;
        a.v.shape[2] = 1000 + i; // a different message per thread
        a.call(lib.get());
      }
      seen[i] = attn_last_error();
    });
  for (std::thread &t : threads)
    t.join();
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(seen[i], "v: shape[2] (sequence) is " + std::to_string(1000 + i) + ", k has 300");
}

// Layouts that must pass validation (and then fail only for want of a device).
struct ValidCase {
  const char *name;
  std::function<void(ForwardArgs &)> change;
};

void PrintTo(const ValidCase &c, std::ostream *out) { *out << c.name; }

class ForwardAccepts : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ForwardAccepts, PassesValidation) {
  LibraryPtr lib = openFixture("GoodBf16Causal");
  ASSERT_NE(lib, nullptr);
  ForwardArgs args;
  GetParam().change(args);
  attn_status status = args.call(lib.get());
  EXPECT_NE(status, ATTN_ERROR_INVALID_ARGUMENT) << attn_last_error();
  EXPECT_EQ(status, ATTN_ERROR_DEVICE) << attn_last_error();
}

const ValidCase kValidCases[] = {
    {"Dense", [](ForwardArgs &) {}},
    {"WithoutLse", [](ForwardArgs &a) { a.withLse = false; }},
    {"NanScaleMeansDefault", [](ForwardArgs &a) { a.scale = NAN; }},
    {"NegativeScaleMeansDefault", [](ForwardArgs &a) { a.scale = -1.0f; }},
    {"BshdStrides",
     [](ForwardArgs &a) {
       // [B, S, H, D] storage seen as [B, H, S, D]: head stride D, row stride H·D.
       for (attn_tensor *t : {&a.q, &a.o}) {
         t->strides[1] = 128;
         t->strides[2] = 8 * 128;
       }
       for (attn_tensor *t : {&a.k, &a.v}) {
         t->strides[1] = 128;
         t->strides[2] = 2 * 128;
       }
     }},
    {"PackedQkvSlices",
     [](ForwardArgs &a) {
       // q, k, v as slices of one [B, S, Hq + 2·Hkv, D] buffer (Sq == Skv == 300 here).
       const int64_t heads = 8 + 2 + 2, s = 300;
       for (attn_tensor *t : {&a.q, &a.k, &a.v, &a.o}) {
         t->shape[2] = s;
         t->strides[0] = s * heads * 128;
         t->strides[1] = 128;
         t->strides[2] = heads * 128;
       }
       a.lse.shape[2] = s;
       restride(a.lse);
       a.k.data = offsetBytes(a.q, 8 * 128 * 2);
       a.v.data = offsetBytes(a.q, 10 * 128 * 2);
       restride(a.o);
     }},
    {"BroadcastKvOverBatch",
     [](ForwardArgs &a) {
       a.k.strides[0] = 0;
       a.v.strides[0] = 0;
     }},
    {"ArbitraryStrideOnSizeOneDims",
     [](ForwardArgs &a) {
       for (attn_tensor *t : {&a.q, &a.k, &a.v, &a.o, &a.lse})
         t->shape[0] = 1;
       a.q.strides[0] = 3; // never multiplied by a non-zero index
       a.o.strides[0] = 1;
     }},
    {"SingleQueryRow",
     [](ForwardArgs &a) {
       for (attn_tensor *t : {&a.q, &a.o, &a.lse}) {
         t->shape[2] = 1;
         restride(*t);
       }
       a.lse.strides[2] = 7; // size 1: the stride cannot matter
     }},
    {"InputsMayOverlapEachOther", [](ForwardArgs &a) { a.v.data = a.k.data; }},
};

INSTANTIATE_TEST_SUITE_P(Layouts, ForwardAccepts, ::testing::ValuesIn(kValidCases),
                         [](const ::testing::TestParamInfo<ValidCase> &info) {
                           return std::string(info.param.name);
                         });

} // namespace
} // namespace attn::test
