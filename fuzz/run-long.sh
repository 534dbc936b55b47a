#!/usr/bin/env bash
# Long fuzzing runs that count towards each target's total executions.
# Runs each named target (default: all) for FUZZ_SECONDS (default 600)
# on the stable toolchain, pinned to the core FUZZ_CORE when it is set,
# and appends one row per run to fuzz/runs.tsv:
#
#   date  commit  target  seconds (wall)  executions  exec/s  result
#
# `fuzz/run-long.sh --totals` sums the executions per target from that file.
# The corpus grows in fuzz/corpus/<target> (not committed), as with
# run-ci.sh; a crash stops that target's run, is recorded as `crash`, and
# its input is left in fuzz/artifacts/<target>/.
set -euo pipefail

cd "$(dirname "$0")"
ledger=runs.tsv

if [ "${1:-}" = "--totals" ]; then
    printf '%-12s %5s %10s %14s %7s\n' target runs seconds executions crashes
    awk -F'\t' 'NR > 1 { runs[$3] += 1; execs[$3] += $5; secs[$3] += $4
                         if ($7 != "ok") bad[$3] += 1 }
        END { for (t in execs) printf "%-12s %5d %10d %14d %7d\n", t, runs[t], secs[t], execs[t], bad[t] }' \
        "$ledger" | sort
    exit 0
fi

seconds="${FUZZ_SECONDS:-600}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(rules click_json input mmdb engine campaign agent capi)
fi
pin=()
if [ -n "${FUZZ_CORE:-}" ]; then
    pin=(taskset -c "$FUZZ_CORE")
fi

[ -f "$ledger" ] || printf 'date\tcommit\ttarget\tseconds\texecutions\texec_per_s\tresult\n' >"$ledger"
commit=$(git rev-parse --short HEAD)
cargo fuzz build -s none
mkdir -p logs
# A final statistic of libFuzzer's from the log of the current run.
stat() { grep -E "stat::$1:" "$log" | awk '{print $2}' | tail -n 1; }
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    log="logs/$target-$(date -u +%Y%m%dT%H%M%S).log"
    result=ok
    started=$(date +%s)
    "${pin[@]}" cargo fuzz run -s none "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 >"$log" 2>&1 ||
        result=crash
    executions=$(stat number_of_executed_units)
    elapsed=$(($(date +%s) - started))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%d)" "$commit" "$target" \
        "$elapsed" "${executions:-0}" "$(stat average_exec_per_sec)" "$result" >>"$ledger"
    echo "== $target: ${executions:-0} executions, $result (log: fuzz/$log)"
done
