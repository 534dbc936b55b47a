#!/usr/bin/env python3
"""Cut the public IP-to-ASN data down to the rows the evaluation logs need.

A lookup in an ASN database depends only on the row whose range holds the
address, so the rows covering the addresses of the evaluation logs answer
every lookup the evaluation makes exactly as the whole data set would.

    python3 tools/simulate/asn_subset.py \
        --asn-dir tools/inputs/ip-location-db-asn/package \
        --logs fixtures/eval/dev.jsonl.gz fixtures/eval/heldout.jsonl.gz \
        --out fixtures/eval/asn-routing.csv
    cargo run --release -p clicksift-cli -- asn-db \
        --from fixtures/eval/asn-routing.csv --out fixtures/eval/asn-routing.mmdb

The data is @ip-location-db/asn (RouteViews, NRO and DB-IP; CC-BY-4.0),
pinned in tools/fetch-inputs.sh.
"""
import argparse
import bisect
import csv
import gzip
import ipaddress
import json


def addresses(paths):
    found = set()
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                ip = json.loads(line).get("ip")
                if ip:
                    found.add(ipaddress.ip_address(ip))
    return found


def covering_rows(path, wanted):
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            rows.append((int(ipaddress.ip_address(row[0])), int(ipaddress.ip_address(row[1])), row))
    rows.sort(key=lambda r: r[0])
    starts = [r[0] for r in rows]
    keep = {}
    for ip in wanted:
        i = bisect.bisect_right(starts, int(ip)) - 1
        if i >= 0 and rows[i][0] <= int(ip) <= rows[i][1]:
            keep[i] = rows[i][2]
    return [keep[i] for i in sorted(keep)]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--asn-dir", required=True)
    p.add_argument("--logs", nargs="+", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    wanted = addresses(a.logs)
    out = []
    for name, version in (("asn-ipv4.csv", 4), ("asn-ipv6.csv", 6)):
        subset = [ip for ip in wanted if ip.version == version]
        out += covering_rows(f"{a.asn_dir}/{name}", subset)
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(out)
    print(f"{len(wanted)} addresses, {len(out)} rows -> {a.out}")


if __name__ == "__main__":
    main()
