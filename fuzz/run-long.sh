#!/usr/bin/env bash
# Long fuzzing runs that count towards each target's total executions.
# Runs each named target (default: all) for FUZZ_SECONDS (default 600)
# on the stable toolchain, pinned to the core FUZZ_CORE when it is set,
# and appends one row per run to fuzz/runs.tsv:
#
#   date  commit  target  seconds (wall)  executions  exec/s  result  compares
#
# `compares` is `traced` for cargo-fuzz's default build, whose feedback
# includes the operands of comparisons. With FUZZ_NO_TRACE_COMPARES=1 the
# targets are built without that (`--no-trace-compares`, in their own
# target directory) and the row says `untraced`: edge coverage still
# guides the run, and targets whose time goes to the regular expressions
# of the agent parser run two to three times as many inputs a second.
# Such runs suit a corpus that traced runs have already grown.
#
# `fuzz/run-long.sh --totals` sums the executions per target from that file.
# The corpus grows in fuzz/corpus/<target> (not committed), as with
# run-ci.sh; a crash stops that target's run, is recorded as `crash`, and
# its input is left in fuzz/artifacts/<target>/.
set -euo pipefail

cd "$(dirname "$0")"
ledger=runs.tsv

if [ "${1:-}" = "--totals" ]; then
    printf '%-12s %5s %10s %14s %14s %7s\n' target runs seconds executions untraced crashes
    awk -F'\t' 'NR > 1 { runs[$3] += 1; execs[$3] += $5; secs[$3] += $4
                         if ($8 == "untraced") untraced[$3] += $5
                         if ($7 != "ok") bad[$3] += 1 }
        END { for (t in execs) printf "%-12s %5d %10d %14d %14d %7d\n", t, runs[t], secs[t], execs[t], untraced[t], bad[t] }' \
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

compares=traced
build=(-s none)
if [ "${FUZZ_NO_TRACE_COMPARES:-0}" = 1 ]; then
    compares=untraced
    build+=(--no-trace-compares --target-dir target-untraced)
fi

[ -f "$ledger" ] || printf 'date\tcommit\ttarget\tseconds\texecutions\texec_per_s\tresult\tcompares\n' >"$ledger"
commit=$(git rev-parse --short HEAD)
cargo fuzz build "${build[@]}"
mkdir -p logs
# A final statistic of libFuzzer's from the log of the current run.
stat() { grep -E "stat::$1:" "$log" | awk '{print $2}' | tail -n 1; }
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    log="logs/$target-$(date -u +%Y%m%dT%H%M%S).log"
    result=ok
    started=$(date +%s)
    "${pin[@]}" cargo fuzz run "${build[@]}" "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 >"$log" 2>&1 ||
        result=crash
    executions=$(stat number_of_executed_units)
    elapsed=$(($(date +%s) - started))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%d)" "$commit" "$target" \
        "$elapsed" "${executions:-0}" "$(stat average_exec_per_sec)" "$result" "$compares" >>"$ledger"
    echo "== $target: ${executions:-0} executions, $result (log: fuzz/$log)"
done
