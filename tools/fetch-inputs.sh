#!/bin/sh
# Fetches the pinned public inputs of the catalogue generator into
# tools/inputs/, checks each tarball against the sha256 recorded below and
# unpacks it as tools/inputs/<dir>/package/. Needs npm, sha256sum and tar.
#
# The versions must agree with data/sources/inputs.toml. After a bump:
# update both, run this script, regenerate, and commit the new data files:
#   tools/fetch-inputs.sh
#   cargo run -p clicksift-catalog -- --inputs tools/inputs --out data
set -eu

cd "$(dirname "$0")"
mkdir -p inputs
cd inputs

# dir  package@version  sha256 of the npm tarball
fetch() {
    dir=$1 spec=$2 sum=$3
    if [ -f "$dir/.sha256" ] && [ "$(cat "$dir/.sha256")" = "$sum" ]; then
        echo "$spec: already present"
        return
    fi
    tarball=$(npm pack --silent "$spec" | tail -n 1)
    echo "$sum  $tarball" | sha256sum -c --quiet - || {
        echo "$spec: checksum mismatch for $tarball" >&2
        exit 1
    }
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -xzf "$tarball" -C "$dir"
    rm -f "$tarball"
    echo "$sum" > "$dir/.sha256"
    echo "$spec: ok"
}

fetch ip-location-db-asn @ip-location-db/asn@2.3.2026061719 \
    b9425daf2f011c28f8586685d4f89166e77627e2c15fd93c6262c3e2dead6153
fetch crawler-user-agents crawler-user-agents@1.60.0 \
    355ff319e17919f1738122752c8036d605d0e1bcba81de31e84377d12b286d79
fetch caniuse-lite caniuse-lite@1.0.30001829 \
    8c5c6446279201c2be75054f7c7d962abc7a84af4154690db9b8cfa6353a3c61
fetch user-agents user-agents@2.1.198 \
    581c4f5074669b6f125263b8ddf302d221a26a06842488c6cc8d50dc5c5c0851
