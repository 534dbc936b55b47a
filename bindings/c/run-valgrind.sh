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

valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible \
    "$target_dir/debug/clicksift_test_api" "$root/fixtures/cases/cases.jsonl"
valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
    "$target_dir/debug/clicksift_example_score"
echo "valgrind: no errors, no leaks"
