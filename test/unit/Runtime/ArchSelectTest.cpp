// Which image runs on which compute capability (runtime/host/ArchSelect).
#include <gtest/gtest.h>

#include "ArchSelect.h"

namespace attn::runtime {
namespace {

std::vector<ManifestKernel> kernelsFor(std::initializer_list<const char *> archs,
                                       const char *mode = "forward") {
  std::vector<ManifestKernel> kernels;
  for (const char *arch : archs) {
    ManifestKernel kernel;
    kernel.mode = mode;
    kernel.arch = arch;
    kernel.symbol = std::string("k_") + arch;
    kernels.push_back(kernel);
  }
  return kernels;
}

std::string chosen(const std::vector<ManifestKernel> &kernels, int major, int minor,
                   const char *mode = "forward") {
  const ManifestKernel *kernel = selectKernel(kernels, mode, major, minor);
  return kernel ? kernel->arch : "none";
}

TEST(ParseArch, SplitsMajorMinorAndSuffix) {
  ArchName arch;
  ASSERT_TRUE(parseArch("sm_80", arch));
  EXPECT_EQ(arch.major, 8);
  EXPECT_EQ(arch.minor, 0);
  EXPECT_EQ(arch.suffix, "");
  ASSERT_TRUE(parseArch("sm_90a", arch));
  EXPECT_EQ(arch.major, 9);
  EXPECT_EQ(arch.suffix, "a");
  ASSERT_TRUE(parseArch("sm_100a", arch));
  EXPECT_EQ(arch.major, 10);
  EXPECT_EQ(arch.minor, 0);
  ASSERT_TRUE(parseArch("sm_86", arch));
  EXPECT_EQ(arch.minor, 6);
}

TEST(ParseArch, RejectsOtherSpellings) {
  ArchName arch;
  for (const char *bad : {"", "sm_", "sm_8", "compute_80", "SM_80", "sm_90a1", "sm_x0"})
    EXPECT_FALSE(parseArch(bad, arch)) << bad;
}

TEST(SelectKernel, HopperPrefersItsArchSpecificImage) {
  auto kernels = kernelsFor({"sm_80", "sm_90a"});
  EXPECT_EQ(chosen(kernels, 9, 0), "sm_90a");
  EXPECT_EQ(chosen(kernelsFor({"sm_90a", "sm_80"}), 9, 0), "sm_90a");
}

TEST(SelectKernel, AmpereAndAdaUseSm80) {
  auto kernels = kernelsFor({"sm_80", "sm_90a"});
  EXPECT_EQ(chosen(kernels, 8, 0), "sm_80");
  EXPECT_EQ(chosen(kernels, 8, 6), "sm_80");
  EXPECT_EQ(chosen(kernels, 8, 9), "sm_80");
}

TEST(SelectKernel, PrefersTheClosestMinorOfTheSameMajor) {
  auto kernels = kernelsFor({"sm_80", "sm_86"});
  EXPECT_EQ(chosen(kernels, 8, 9), "sm_86");
  EXPECT_EQ(chosen(kernels, 8, 6), "sm_86");
  EXPECT_EQ(chosen(kernels, 8, 0), "sm_80");
  EXPECT_EQ(chosen(kernelsFor({"sm_86"}), 8, 0), "none") << "no running on an older minor";
}

TEST(SelectKernel, HopperFallsBackToSm80) {
  EXPECT_EQ(chosen(kernelsFor({"sm_80"}), 9, 0), "sm_80");
}

TEST(SelectKernel, ArchSpecificImagesRunOnlyOnTheirDevice) {
  auto kernels = kernelsFor({"sm_90a"});
  EXPECT_EQ(chosen(kernels, 8, 0), "none");
  EXPECT_EQ(chosen(kernels, 10, 0), "none");
}

TEST(SelectKernel, NoImageForOtherMajors) {
  auto kernels = kernelsFor({"sm_80", "sm_90a"});
  EXPECT_EQ(chosen(kernels, 7, 5), "none");
  EXPECT_EQ(chosen(kernels, 10, 0), "none");
  EXPECT_EQ(chosen(kernels, 12, 0), "none");
}

TEST(SelectKernel, MatchesTheMode) {
  auto kernels = kernelsFor({"sm_80"}, "backward");
  EXPECT_EQ(chosen(kernels, 8, 0), "none");
  EXPECT_EQ(chosen(kernels, 8, 0, "backward"), "sm_80");
}

TEST(ListArchs, NamesTheModesArchs) {
  EXPECT_EQ(listArchs(kernelsFor({"sm_80", "sm_90a"}), "forward"), "sm_80, sm_90a");
  EXPECT_EQ(listArchs(kernelsFor({"sm_80"}, "backward"), "forward"), "none");
}

} // namespace
} // namespace attn::runtime
