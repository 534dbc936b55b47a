"""Builds a large click log for timing `clicksift clean`.

Repeats a labelled evaluation log (fixtures/eval/dev.jsonl.gz, made by
tools/simulate/simulate.py) under renamed campaigns and recipients until it
holds the number of records asked for. Times stay as they are, so every
copy keeps the catalogue facts of its dates; the output is therefore not in
time order across copies and suits the batch mode of clean.

    python3 cli/bench/make_log.py --records 1000000 --out /tmp/clicks-1m.jsonl
"""

import argparse
import gzip
import json


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--source", default="fixtures/eval/dev.jsonl.gz")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with gzip.open(args.source, "rt") as f:
        base = [json.loads(line) for line in f if line.strip()]
    written = 0
    copy = 0
    with open(args.out, "w") as out:
        while written < args.records:
            for record in base:
                if written == args.records:
                    break
                record = dict(record)
                record["campaign"] = f"{record['campaign']}-{copy}"
                record["recipient"] = f"{copy}.{record['recipient']}"
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
                written += 1
            copy += 1


if __name__ == "__main__":
    main()
