// attn_forward once arguments are valid: with no driver it must fail with ATTN_ERROR_DEVICE (not
// crash, not launch), and a library with no forward kernel with ATTN_ERROR_NO_KERNEL.
#include <dlfcn.h>

#include <string>

#include <gtest/gtest.h>

#include "RuntimeTestSupport.h"

namespace attn::test {
namespace {

bool driverInstalled() {
  void *driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (driver == nullptr)
    return false;
  dlclose(driver);
  return true;
}

TEST(ForwardWithoutDriver, ValidArgumentsFailWithDevice) {
  if (driverInstalled())
    GTEST_SKIP() << "a CUDA driver is installed here";
  LibraryPtr lib = openFixture("GoodBf16Causal");
  ASSERT_NE(lib, nullptr);
  ForwardArgs args;
  EXPECT_EQ(args.call(lib.get()), ATTN_ERROR_DEVICE);
  std::string message = attn_last_error();
  EXPECT_NE(message.find("libcuda.so.1"), std::string::npos) << message;

  // The failure is remembered, and reported again, not retried into a crash.
  args.withLse = false;
  EXPECT_EQ(args.call(lib.get()), ATTN_ERROR_DEVICE);
  EXPECT_EQ(std::string(attn_last_error()), message);

  // Validation still comes first after the driver failed.
  args.q.shape[3] = 64;
  EXPECT_EQ(args.call(lib.get()), ATTN_ERROR_INVALID_ARGUMENT);
}

TEST(ForwardWithoutDriver, ClosingAfterAFailedLaunchIsSafe) {
  LibraryPtr lib = openFixture("GoodBf16Causal");
  ASSERT_NE(lib, nullptr);
  ForwardArgs args;
  EXPECT_NE(args.call(lib.get()), ATTN_OK); // fake pointers: never OK, driver or not
  lib.reset();
}

TEST(Forward, LibraryWithoutForwardKernelIsNoKernel) {
  LibraryPtr lib = openFixture("NoForward");
  ASSERT_NE(lib, nullptr);
  ForwardArgs args;
  EXPECT_EQ(args.call(lib.get()), ATTN_ERROR_NO_KERNEL);
  EXPECT_NE(std::string(attn_last_error()).find("no forward kernel"), std::string::npos)
      << attn_last_error();
}

} // namespace
} // namespace attn::test
