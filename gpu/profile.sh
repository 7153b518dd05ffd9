#!/usr/bin/env bash
# Profiles attnc kernels with Nsight Compute on the GPU machine, one kernel launch per library at
# a given shape, for the explanations in bench/README.md (where the time goes against the matmul
# ceiling: tensor-pipe activity, issue, the transcendental pipe, cycles per issued instruction).
#
#   bash gpu/profile.sh [--build DIR] LIB:B:H:S [LIB:B:H:S ...]
#
# LIB is a library name (libNAME.so in DIR/examples, default .gpu-stage/build as gpu/run.sh) or a
# path. Only forward kernels are profiled (a plan kernel is skipped); clocks are left as they run
# (--clock-control none), like the benchmark's. Each report is $OUT/ncu_NAME_sS.txt (default OUT
# ./out); a one-line digest of each is printed last and kept in $OUT/ncu_digest.txt.
set -u -o pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD=""
if [ "${1:-}" = --build ]; then BUILD="$2"; shift 2; fi
if [ -z "$BUILD" ]; then
  if [ -f .gpu-stage/build/lib/libattnrt.so ]; then BUILD=.gpu-stage/build; else BUILD=build; fi
fi
[ $# -gt 0 ] || { sed -n '2,11p' "$0"; exit 2; }
OUT="${OUT:-$ROOT/out}"
mkdir -p "$OUT"
export ATTNC_RUNTIME="$BUILD/lib/libattnrt.so"

METRICS=sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active
METRICS+=,sm__inst_executed_pipe_xu.avg.pct_of_peak_sustained_active
METRICS+=,sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_active
METRICS+=,sm__pipe_alu_cycles_active.avg.pct_of_peak_sustained_active
METRICS+=,smsp__issue_active.avg.pct_of_peak_sustained_active
METRICS+=,gpu__time_duration.sum
SECTIONS=(SpeedOfLight ComputeWorkloadAnalysis WarpStateStats SchedulerStats InstructionStats
          LaunchStats Occupancy)

status=0
DIGESTS=()
for item in "$@"; do
  IFS=: read -r lib b h s <<<"$item"
  path="$lib"
  [ -f "$path" ] || path="$BUILD/examples/lib$lib.so"
  name="$(basename "$path" .so)"
  name="${name#lib}"
  report="$OUT/ncu_${name}_s${s}.txt"
  echo "== $name B=$b H=$h S=$s -> $report"
  args=()
  for section in "${SECTIONS[@]}"; do args+=(--section "$section"); done
  timeout 300 ncu --clock-control none -k "regex:forward_sm(80|90a)$" --launch-skip 2 --launch-count 1 \
    "${args[@]}" --metrics "$METRICS" \
    python3 gpu/time_library.py "$path" --b "$b" --h "$h" --s "$s" >"$report" 2>&1
  code=$?
  [ $code -ne 0 ] && { echo "ncu exit $code (see $report)"; status=$code; }
  DIGESTS+=("$(python3 - "$report" "$name" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
def metric(key):
    m = re.search(re.escape(key) + r"\s+\S+\s+([\d.,]+)", text)
    return m.group(1) if m else "?"
print(f"{sys.argv[2]:28s} time {metric('gpu__time_duration.sum')} "
      f"tensor {metric('sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active')}% "
      f"xu {metric('sm__inst_executed_pipe_xu.avg.pct_of_peak_sustained_active')}% "
      f"fma {metric('sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_active')}% "
      f"alu {metric('sm__pipe_alu_cycles_active.avg.pct_of_peak_sustained_active')}% "
      f"issue {metric('smsp__issue_active.avg.pct_of_peak_sustained_active')}%")
EOF
)")
done
echo
echo "== digest (pct of peak sustained, active cycles)"
printf '%s\n' "${DIGESTS[@]}" | tee "$OUT/ncu_digest.txt"
exit $status
