#!/usr/bin/env bash
# fuzz-csv.sh [SECONDS] — builds the libFuzzer target for the CSV reader io/csv_*.c (tests/fuzz/fuzz_csv.c),
# with clang, AddressSanitizer and UndefinedBehaviorSanitizer, and runs it for SECONDS (default 600) on the seed
# corpus in tests/fuzz/corpus/csv. No CMake needed: the target compiles io/csv_*.c, io/commit.c and model/status.c
# directly. New inputs go to build-fuzz/corpus-csv (the seeds stay untouched); crashes are written as
# build-fuzz/crash-* and make the script fail. Environment: CC (default clang, else clang-14),
# FUZZ_OUT (default build-fuzz).
set -euo pipefail
seconds=${1:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${FUZZ_OUT:-$root/build-fuzz}
cc=${CC:-$(command -v clang || command -v clang-14)}
mkdir -p "$out/corpus-csv"

"$cc" -std=c11 -g -O1 -fno-omit-frame-pointer -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/io" -I"$root/model" \
    "$root"/io/csv_*.c "$root/io/commit.c" "$root/model/status.c" "$root/tests/fuzz/fuzz_csv.c" -lm -o "$out/fuzz_csv"

cd "$out"
# -max_len 4096: records longer than the small limits the control bytes pick, and longer than the
# 16..79-byte read buffers, without slowing each run with megabyte inputs.
exec ./fuzz_csv -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 \
    "$out/corpus-csv" "$root/tests/fuzz/corpus/csv"
