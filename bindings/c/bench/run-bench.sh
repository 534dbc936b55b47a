#!/bin/sh
# Builds the C API in release mode, compiles bench.c against the static
# library with -O2 and runs it.
#
#   bindings/c/bench/run-bench.sh [CLICKS]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$root"

cargo build --release -q -p clicksift-capi
target_dir=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
exe="$target_dir/release/clicksift_bench"
${CC:-cc} -std=c11 -O2 -Wall -Wextra -I bindings/c/include "$here/bench.c" \
    "$target_dir/release/libclicksift_capi.a" -lpthread -ldl -lm -o "$exe"
"$exe" "$@"
