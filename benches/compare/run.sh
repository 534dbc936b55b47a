#!/usr/bin/env bash
# Compares clicksift's user-agent decision with isbot's on the same corpus,
# on this machine, in one go; prints the table and rewrites RESULTS.md.
#
#   benches/compare/run.sh [SECONDS]    # seconds of timing per mode, default 2
#
# Needs cargo, node and npm. Fetches with npm (into benches/compare/.data
# and node_modules, both ignored by git): crawler-user-agents 1.60.0 and
# user-agents 2.1.198 unless NPMDATA points at their unpacked packages
# (default /tmp/npmdata, as `npm pack` + `tar` leave them), and isbot 5.2.4.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
seconds="${1:-2}"
data="${NPMDATA:-/tmp/npmdata}"
mkdir -p .data out

# The unpacked package NAME@VERSION: from $data if there, else npm pack.
package() {
    local name="$1" version="$2" dir
    dir="$data/$name-$version/package"
    if [ -d "$dir" ]; then
        echo "$dir"
        return
    fi
    dir="$here/.data/$name-$version"
    if [ ! -d "$dir/package" ]; then
        mkdir -p "$dir"
        (cd "$dir" && npm pack --silent "$name@$version" >/dev/null && tar xzf ./*.tgz)
    fi
    echo "$dir/package"
}

crawlers="$(package crawler-user-agents 1.60.0)/crawler-user-agents.json"
browsers="$(package user-agents 2.1.198)/dist/user-agents.json"
node corpus.mjs "$crawlers" "$browsers" out/corpus.json

if [ ! -f node_modules/isbot/package.json ]; then
    npm install --silent --no-package-lock --no-audit --no-fund >/dev/null
fi

cargo build --quiet --release --manifest-path classify/Cargo.toml
classify/target/release/clicksift-compare out/corpus.json "$seconds" >out/clicksift.json
node isbot.mjs out/corpus.json "$seconds" >out/isbot.json
node report.mjs out/clicksift.json out/isbot.json RESULTS.md "benches/compare/run.sh $*"
