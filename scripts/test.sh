#!/usr/bin/env bash
# Builds attnc and runs every CPU test: unit, lit + FileCheck, host execution, spec builds.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/CMakeCache.txt ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
ctest --test-dir build --output-on-failure -j "$(nproc)"
