#!/usr/bin/env bash
# The one script run on the GPU machine: correctness suite, compute-sanitizer, benchmark.
#
#   bash gpu/run.sh [--build DIR] [--only check,check80,sanitize,bench] [--max-cases N]
#                   [--bench-only NAME,...] [--time-budget SECONDS]
#
# DIR holds a prebuilt tree: DIR/lib/libattnrt.so, DIR/examples/lib*.so, and DIR/COMMIT when
# there is no .git (gpu/stage.sh makes one in .gpu-stage/build, the default when it exists, else
# build/). peers.py comes from ../shared/bench or .shared_bench/. Logs and JSON go to $OUT
# (default ./out): check.log check.json check80.log check80.json sanitize.log bench.log bench.json
# summary.txt. check80 runs the suite over DIR/examples-sm80 where it exists: the same specs built
# for sm_80 only, as PTX (attnc --arch=sm_80 --embed=ptx), which the driver compiles for the GPU
# at hand, so a Hopper machine also checks the Ampere kernels.
# Every stage runs even if an earlier one failed; the exit status is non-zero if any failed.
set -u -o pipefail
export PYTHONUNBUFFERED=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD=""
STAGES="check,check80,sanitize,bench"
CHECK_ARGS=()
BENCH_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD="$2"; shift 2 ;;
    --only) STAGES="$2"; shift 2 ;;
    --max-cases) CHECK_ARGS+=(--max-cases "$2"); shift 2 ;;
    --time-budget) CHECK_ARGS+=(--time-budget "$2"); shift 2 ;;
    --bench-only) BENCH_ARGS+=(--only "$2"); shift 2 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$BUILD" ]; then
  if [ -f .gpu-stage/build/lib/libattnrt.so ]; then BUILD=.gpu-stage/build; else BUILD=build; fi
fi
BUILD="$(cd "$BUILD" && pwd)" || { echo "run.sh: no build folder $BUILD" >&2; exit 2; }
OUT="${OUT:-$ROOT/out}"
mkdir -p "$OUT"

export ATTNC_RUNTIME="$BUILD/lib/libattnrt.so"
LIBS=("$BUILD"/examples/lib*.so)
# The staged build's own record comes first: it names the commit the libraries were built from,
# which a copied tree's git metadata need not.
if [ -f "$BUILD/COMMIT" ]; then
  ATTNC_COMMIT="$(head -n1 "$BUILD/COMMIT")"
elif [ -n "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)" ]; then
  ATTNC_COMMIT="$(git -C "$ROOT" rev-parse --short HEAD)"
else
  ATTNC_COMMIT=unknown
fi
export ATTNC_COMMIT

echo "== device"
nvidia-smi -L || echo "nvidia-smi failed"
echo "commit: $ATTNC_COMMIT"
echo "runtime: $ATTNC_RUNTIME"
echo "libraries: ${LIBS[*]}"
python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)' || true
[ -f "$ATTNC_RUNTIME" ] || echo "WARNING: $ATTNC_RUNTIME is missing"
[ -e "${LIBS[0]}" ] || echo "WARNING: no libraries in $BUILD/examples"

declare -A RESULT
wants() { [[ ",$STAGES," == *",$1,"* ]]; }
record() { # stage, exit status
  if [ "$2" -eq 0 ]; then RESULT[$1]=pass; else RESULT[$1]="FAIL (exit $2)"; fi
  echo "== $1: ${RESULT[$1]}"
}

if wants check; then
  echo "== check"
  python3 gpu/check.py --libs-dir "$BUILD/examples" --json "$OUT/check.json" "${CHECK_ARGS[@]}" \
    2>&1 | tee "$OUT/check.log"
  record check $?
fi

if wants check80 && [ -d "$BUILD/examples-sm80" ]; then
  echo "== check80 (the sm_80 kernels, from PTX)"
  python3 gpu/check.py --libs-dir "$BUILD/examples-sm80" --json "$OUT/check80.json" \
    "${CHECK_ARGS[@]}" 2>&1 | tee "$OUT/check80.log"
  record check80 $?
fi

if wants sanitize; then
  echo "== sanitize" | tee "$OUT/sanitize.log"
  BIN=/tmp/attn-sanitize
  status=0
  if command -v nvcc >/dev/null; then
    nvcc -O2 -o "$BIN" gpu/sanitize.c -I runtime/include -L "$BUILD/lib" -lattnrt -lcuda -lm \
      -Xlinker -rpath -Xlinker "$BUILD/lib" 2>&1 | tee -a "$OUT/sanitize.log"
  else
    CUDA_HOME="${CUDA_HOME:-/usr/local/cuda}"
    cc -std=c11 -O2 -o "$BIN" gpu/sanitize.c -I runtime/include -I "$CUDA_HOME/include" \
      -L "$BUILD/lib" -lattnrt -L "$CUDA_HOME/lib64/stubs" -lcuda -lm -Wl,-rpath,"$BUILD/lib" \
      2>&1 | tee -a "$OUT/sanitize.log"
  fi
  status=$?
  # The C program calls plain attn_forward on its own odd shapes; libraries that read runtime
  # tensors and parameters (their manifest declares them), or whose token grid fixes the lengths,
  # go through gpu/check.py, which builds that data and those shapes.
  PLAIN_LIBS=() DATA_LIBS=()
  for lib in "${LIBS[@]}"; do
    if python3 -c 'import sys; sys.path.insert(0, "python"); import attnc
m = attnc.load(sys.argv[1]).manifest
sys.exit(0 if m.get("tensors") or m.get("params") or m.get("token_grid") else 1)' \
        "$lib"; then DATA_LIBS+=("$lib"); else PLAIN_LIBS+=("$lib"); fi
  done
  if [ $status -eq 0 ]; then
    echo "-- memcheck: every library without runtime data, odd shapes" | tee -a "$OUT/sanitize.log"
    timeout 300 compute-sanitizer --tool memcheck --error-exitcode 9 "$BIN" "${PLAIN_LIBS[@]}" \
      2>&1 | tee -a "$OUT/sanitize.log"
    memcheck=$?
    for lib in "${DATA_LIBS[@]}"; do
      echo "-- memcheck: $(basename "$lib") through gpu/check.py (runtime data)" \
        | tee -a "$OUT/sanitize.log"
      # The suite's negative cases make API calls fail on purpose (host pointers, say): only
      # memory errors count here.
      timeout 300 compute-sanitizer --tool memcheck --report-api-errors no --error-exitcode 9 \
        python3 gpu/check.py --lib "$lib" --max-cases 12 2>&1 | tail -n 25 \
        | tee -a "$OUT/sanitize.log"
      code=${PIPESTATUS[0]}
      [ $code -ne 0 ] && memcheck=$code
    done
    echo "-- racecheck: one small case per library" | tee -a "$OUT/sanitize.log"
    timeout 240 compute-sanitizer --tool racecheck --error-exitcode 9 "$BIN" --quick \
      "${PLAIN_LIBS[@]}" 2>&1 | tee -a "$OUT/sanitize.log"
    racecheck=$?
    echo "memcheck exit $memcheck, racecheck exit $racecheck" | tee -a "$OUT/sanitize.log"
    [ $memcheck -ne 0 ] && status=$memcheck
    [ $racecheck -ne 0 ] && [ $status -eq 0 ] && status=$racecheck
  fi
  record sanitize $status
fi

if wants bench; then
  echo "== bench"
  python3 bench/bench.py --libs-dir "$BUILD/examples" --json "$OUT/bench.json" "${BENCH_ARGS[@]}" \
    2>&1 | tee "$OUT/bench.log"
  record bench $?
fi

echo
STAGE_RESULTS=""
for stage in check check80 sanitize bench; do
  STAGE_RESULTS+="$stage=${RESULT[$stage]:-skipped};"
done
python3 gpu/summary.py "$OUT" "$STAGE_RESULTS" 2>&1 | tee "$OUT/summary.txt"
for stage in "${!RESULT[@]}"; do
  [ "${RESULT[$stage]}" = pass ] || exit 1
done
exit 0
