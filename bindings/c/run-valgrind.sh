#!/bin/sh
# Builds the C test against the static library and runs it under valgrind,
# failing on any memory error or leak.
#
#   bindings/c/run-valgrind.sh        (from anywhere in the repository)
#
# Needs: cargo, a C compiler (cc) and valgrind.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

# The C test binary is built by the crate's own test, so that it is compiled
# exactly as `cargo test` compiles it.
cargo test -q -p clicksift-capi --test c_api
target_dir=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

# A leak of a handle shows as definitely lost, with what it held as
# indirectly lost. The agent analyzer and the built-in network table are
# built once per process and kept until it exits; their hash tables and
# regex caches are reached through pointers into their blocks, which
# valgrind calls "possibly lost", so those are listed but not errors.
leaks="--leak-check=full --show-leak-kinds=definite,indirect,possible"
leaks="$leaks --errors-for-leak-kinds=definite,indirect"
# shellcheck disable=SC2086
valgrind --error-exitcode=1 $leaks \
    "$target_dir/debug/clicksift_test_api" "$root/fixtures/cases/cases.jsonl"
# shellcheck disable=SC2086
valgrind --error-exitcode=1 $leaks "$target_dir/debug/clicksift_example_score"
echo "valgrind: no memory errors, no handle leaks"
