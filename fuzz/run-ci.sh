#!/usr/bin/env bash
# Runs every fuzz target for a bounded time on the stable toolchain and
# fails if any target crashes. CI calls it from the repository root or from
# fuzz/; about 3.5 minutes of fuzzing plus the build.
#
#   fuzz/run-ci.sh            # every target, FUZZ_SECONDS (default 25) each
#   fuzz/run-ci.sh rules mmdb # only these
#
# Without a sanitizer (`-s none`): AddressSanitizer needs nightly, and the
# library has no unsafe code of its own. Debug assertions and overflow
# checks stay on (cargo-fuzz's default), so an overflow is a crash too.
# New inputs go to fuzz/corpus/<target> (not committed); the committed
# seeds in fuzz/seeds/<target> are only read. A crash is written to
# fuzz/artifacts/<target>/: minimise it with `cargo fuzz tmin -s none`,
# and keep it under tests/fuzz_regressions/<target>/.
set -euo pipefail

cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-25}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(rules click_json input mmdb engine campaign agent capi)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi

cargo fuzz build -s none
status=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    log="corpus/$target.log"
    echo "== $target: ${seconds}s"
    if cargo fuzz run -s none "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 >"$log" 2>&1; then
        grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' "$log" || true
    else
        grep -E -A12 'panicked|ERROR: libFuzzer|Test unit written' "$log" | head -40 >&2
        echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
        status=1
    fi
done
if [ "$status" -eq 0 ]; then
    echo "all fuzz targets ran without a crash"
fi
exit "$status"
