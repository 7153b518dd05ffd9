// attn_library_open / close / manifest / get_info on the fixture libraries. No CUDA call is
// involved: these run on a machine with no GPU.
#include <dlfcn.h>
#include <unistd.h>

#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "RuntimeTestSupport.h"

namespace attn::test {
namespace {

// Opens a fixture that must fail; returns the status and leaves the message in `message`.
attn_status openFailing(const std::string &name, std::string &message) {
  attn_library *lib = reinterpret_cast<attn_library *>(0x1); // must be reset to null
  attn_status status = attn_library_open(fixturePath(name).c_str(), &lib);
  EXPECT_EQ(lib, nullptr) << "a failed open must leave *out null";
  message = attn_last_error();
  return status;
}

TEST(LibraryOpen, OpensAValidLibraryAndExposesItsManifest) {
  std::string error;
  LibraryPtr lib = openFixture("GoodBf16Causal", &error);
  ASSERT_NE(lib, nullptr) << error;
  std::string manifest = attn_library_manifest(lib.get());
  EXPECT_NE(manifest.find("\"causal_forward_sm90a\""), std::string::npos) << manifest;

  attn_library_info info{};
  ASSERT_EQ(attn_library_get_info(lib.get(), &info), ATTN_OK);
  EXPECT_STREQ(info.name, "causal");
  EXPECT_EQ(info.dtype, ATTN_DTYPE_BF16);
  EXPECT_EQ(info.head_dim, 128);
  EXPECT_STREQ(info.mask, "causal");
  EXPECT_STREQ(info.score, "s") << "a manifest without a score is unmodified";
}

TEST(LibraryOpen, ReadsF16Libraries) {
  LibraryPtr lib = openFixture("GoodF16None");
  ASSERT_NE(lib, nullptr);
  attn_library_info info{};
  ASSERT_EQ(attn_library_get_info(lib.get(), &info), ATTN_OK);
  EXPECT_EQ(info.dtype, ATTN_DTYPE_F16);
  EXPECT_EQ(info.head_dim, 64);
  EXPECT_STREQ(info.mask, "none");
}

TEST(LibraryOpen, OpeningTwiceGivesIndependentHandles) {
  LibraryPtr a = openFixture("GoodBf16Causal");
  LibraryPtr b = openFixture("GoodBf16Causal");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a.get(), b.get());
  a.reset(); // closing one leaves the other usable
  EXPECT_NE(std::string(attn_library_manifest(b.get())).find("causal"), std::string::npos);
}

TEST(LibraryOpen, ABareFileNameMeansTheWorkingDirectory) {
  // dlopen alone would search the library path for "libGoodBf16Causal.so" and not find it.
  char previous[4096];
  ASSERT_NE(getcwd(previous, sizeof previous), nullptr);
  ASSERT_EQ(chdir(ATTN_FIXTURE_DIR), 0);
  attn_library *lib = nullptr;
  attn_status status = attn_library_open("libGoodBf16Causal.so", &lib);
  std::string message = attn_last_error();
  attn_library_close(lib);
  ASSERT_EQ(chdir(previous), 0);
  EXPECT_EQ(status, ATTN_OK) << message;
}

TEST(LibraryOpen, DoesNotOpenTheDriver) {
  // Only meaningful if nothing in this process opened the driver before.
  if (void *driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD)) {
    dlclose(driver);
    GTEST_SKIP() << "the driver is already loaded in this process";
  }
  LibraryPtr lib = openFixture("GoodBf16Causal");
  ASSERT_NE(lib, nullptr);
  lib.reset();
  void *driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
  EXPECT_EQ(driver, nullptr) << "open/close must not load libcuda";
  if (driver)
    dlclose(driver);
}

TEST(LibraryOpen, RejectsNullArguments) {
  attn_library *lib = nullptr;
  EXPECT_EQ(attn_library_open(nullptr, &lib), ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(attn_last_error()).find("path"), std::string::npos);
  EXPECT_EQ(attn_library_open("", &lib), ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(attn_library_open(fixturePath("GoodBf16Causal").c_str(), nullptr),
            ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(attn_last_error()).find("out"), std::string::npos);
  attn_library_info info{};
  EXPECT_EQ(attn_library_get_info(nullptr, &info), ATTN_ERROR_INVALID_ARGUMENT);
}

TEST(LibraryOpen, MissingFileIsALoadError) {
  std::string message;
  EXPECT_EQ(openFailing("DoesNotExist", message), ATTN_ERROR_LOAD);
  EXPECT_NE(message.find("libDoesNotExist.so"), std::string::npos) << message;
}

TEST(LibraryOpen, LibraryWithoutDescriptorIsALoadError) {
  std::string message;
  EXPECT_EQ(openFailing("NoSymbol", message), ATTN_ERROR_LOAD);
  EXPECT_NE(message.find("not an attnc library"), std::string::npos) << message;
  EXPECT_NE(message.find(ATTN_LIBRARY_SYMBOL), std::string::npos) << message;
}

TEST(LibraryOpen, OtherAbiVersionIsAnAbiMismatchNamingBothVersions) {
  std::string message;
  EXPECT_EQ(openFailing("WrongAbi", message), ATTN_ERROR_ABI_MISMATCH);
  EXPECT_NE(message.find("version " + std::to_string(ATTN_ABI_VERSION + 1)), std::string::npos)
      << message;
  EXPECT_NE(message.find("version " + std::to_string(ATTN_ABI_VERSION)), std::string::npos)
      << message;
}

TEST(LibraryOpen, MalformedManifestIsALoadError) {
  std::string message;
  EXPECT_EQ(openFailing("Malformed", message), ATTN_ERROR_LOAD);
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
}

TEST(LibraryOpen, MissingManifestFieldIsNamed) {
  std::string message;
  EXPECT_EQ(openFailing("MissingField", message), ATTN_ERROR_LOAD);
  EXPECT_NE(message.find("head_dim: missing"), std::string::npos) << message;
}

TEST(LibraryOpen, WronglyTypedManifestFieldIsNamedWithItsPath) {
  std::string message;
  EXPECT_EQ(openFailing("WrongType", message), ATTN_ERROR_LOAD);
  EXPECT_NE(message.find("kernels[0].threads: expected an integer, found a string"),
            std::string::npos)
      << message;
}

TEST(LibraryOpen, ManifestAbiMustMatchTheDescriptor) {
  std::string message;
  EXPECT_EQ(openFailing("ManifestAbiMismatch", message), ATTN_ERROR_LOAD);
  EXPECT_NE(message.find("abi_version is 7"), std::string::npos) << message;
}

TEST(LibraryOpen, EveryKernelNeedsAnImage) {
  std::string message;
  EXPECT_EQ(openFailing("MissingImage", message), ATTN_ERROR_LOAD);
  EXPECT_NE(message.find("kernels[1].arch: \"sm_90a\" has no image"), std::string::npos)
      << message;
}

TEST(LibraryClose, NullIsANoOp) { attn_library_close(nullptr); }

TEST(LastError, IsPerThread) {
  std::string message;
  ASSERT_EQ(openFailing("Malformed", message), ATTN_ERROR_LOAD);
  std::string seenByOther = "unset";
  std::thread other([&seenByOther] { seenByOther = attn_last_error(); });
  other.join();
  EXPECT_EQ(seenByOther, "");
  EXPECT_EQ(std::string(attn_last_error()), message) << "the failing thread keeps its message";
}

TEST(StatusName, NamesEveryStatus) {
  EXPECT_STREQ(attn_status_name(ATTN_OK), "ATTN_OK");
  EXPECT_STREQ(attn_status_name(ATTN_ERROR_INVALID_ARGUMENT), "ATTN_ERROR_INVALID_ARGUMENT");
  EXPECT_STREQ(attn_status_name(ATTN_ERROR_LOAD), "ATTN_ERROR_LOAD");
  EXPECT_STREQ(attn_status_name(ATTN_ERROR_ABI_MISMATCH), "ATTN_ERROR_ABI_MISMATCH");
  EXPECT_STREQ(attn_status_name(ATTN_ERROR_NO_KERNEL), "ATTN_ERROR_NO_KERNEL");
  EXPECT_STREQ(attn_status_name(ATTN_ERROR_DEVICE), "ATTN_ERROR_DEVICE");
  EXPECT_STREQ(attn_status_name(ATTN_ERROR_CUDA), "ATTN_ERROR_CUDA");
  EXPECT_STREQ(attn_status_name(static_cast<attn_status>(42)), "ATTN_ERROR_UNKNOWN");
}

} // namespace
} // namespace attn::test
