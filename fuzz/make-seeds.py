#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the repository's own
fixtures and rules (fuzz/seeds/mmdb is kept by hand: see its README).

Run from the repository root: python3 fuzz/make-seeds.py
Every seed is derived from files in this repository, so the seeds carry the
provenance and licences of those files (fixtures/*/README.md). The random
seeds of the structured targets come from a fixed PRNG seed.
"""

import csv
import gzip
import json
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"

# The first byte of an `input` seed picks the format (see
# fuzz_targets/input.rs), the second the reader's buffer size.
JSONL, CSV, CSV_MAPPED, GOPHISH_EVENTS, TIMELINE, COMBINED, COMBINED_U, DETECT = range(8)


def fresh(target):
    d = SEEDS / target
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    return d


def write(d, name, data):
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)


def eval_lines(n):
    with gzip.open(ROOT / "fixtures/eval/dev.jsonl.gz", "rt") as f:
        lines = [next(f).rstrip("\n") for _ in range(400)]
    # Spread over the log so that different cases appear.
    return lines[:: max(1, len(lines) // n)][:n]


def rules_seeds():
    d = fresh("rules")
    default = (ROOT / "rules/default.toml").read_text()
    write(d, "default.toml", default)
    write(d, "override.toml", """#defaults
#set instant_window=5
[thresholds]
machine = 80
human = 20

[campaign]
sweep_window = 60.0
max_tracked_keys = 100

[[rule]]
id = "agent.library"
weight = 70

[[rule]]
id = "request.head"
enabled = false
""")
    write(d, "new-rules.toml", """[constants]
trusted = ["10.0.0.0/8", "192.168.1.7"]
words = ["scan", "probe"]

[[rule]]
id = "local.trusted"
description = "Office network"
when = 'ip in $trusted and not agent.class == "crawler"'
weight = -60
source = "recipient"

[[rule]]
id = "local.words"
description = "Scanner words in the path"
when = 'url contains $words or (delay < 2 and agent.major <= 100) or reverse_dns matches "^scan[0-9]+\\\\."'
weight = 40
source = "sandbox"
""")
    networks = "\n".join((ROOT / "data/networks.csv").read_text().splitlines()[:12])
    write(d, "networks.toml", "[[rule]]\nid = \"n\"\nwhen = 'network.kind == \"cloud\"'\n"
          "weight = 10\nsource = \"sandbox\"\n#networks\n" + networks + "\n")
    write(d, "broken.toml", "[[rule]]\nid = \"x\"\nwhen = 'delay <'\nweight = 500\n[thresholds]\nmachine = 10\nhuman = 90\n")


def click_json_seeds():
    d = fresh("click_json")
    demo = (ROOT / "fixtures/demo.jsonl").read_text().splitlines()
    for i, line in enumerate(demo[:20]):
        write(d, f"demo-{i:02}.json", line)
    for i, line in enumerate(eval_lines(30)):
        write(d, f"eval-{i:02}.json", line)
    write(d, "report.json", json.dumps({"kind": "report", "campaign": "c", "recipient": "r",
                                        "at": "2026-03-02T09:00:00+01:00"}))
    write(d, "headers.json", json.dumps({"campaign": "c", "recipient": "r", "ip": "::1",
                                         "at": "2026-03-02T09:00:00Z", "method": "head",
                                         "headers": {"Purpose": "prefetch", "Referer": "x"}}))


def input_seeds():
    d = fresh("input")
    fx = ROOT / "fixtures/input"
    demo = "\n".join((ROOT / "fixtures/demo.jsonl").read_text().splitlines()[:6]) + "\n"
    events = (fx / "gophish-raw-events.csv").read_bytes()
    timeline = (fx / "gophish-campaign.json").read_bytes()
    access = (fx / "access.log").read_bytes()
    clicks = (b"campaign,recipient,at,ip,user_agent,method\r\n"
           b"c1,ann@example.com,2026-03-02T09:00:05Z,40.92.17.33,curl/8.5.0,GET\r\n"
           b"c1,\"bob@example.com\",2026-03-02T09:01:00Z,86.12.44.9,\"Mozilla/5.0 (X11; Linux x86_64)\",HEAD\r\n")
    mapped = (b"recipient=Email,at=Time,ip=Address,header:referer=Ref\n"
              b"Email,Time,Address,Ref\nann@example.com,2026-03-02T09:00:05Z,203.0.113.9,-\n")
    for sel, name, body in [
        (JSONL, "demo.jsonl", demo.encode()),
        (CSV, "clicks.csv", clicks),
        (CSV_MAPPED, "mapped.csv", mapped),
        (GOPHISH_EVENTS, "gophish-raw-events.csv", events),
        (TIMELINE, "gophish-campaign.json", timeline),
        (COMBINED, "access.log", access),
        (COMBINED_U, "access-u.log", access.replace(b"rid=", b"u=")),
        (DETECT, "detect-jsonl", demo.encode()),
        (DETECT, "detect-events", events),
        (DETECT, "detect-timeline", timeline),
        (DETECT, "detect-access", access),
    ]:
        write(d, name, bytes([sel, 7]) + body)


def mmdb_seeds():
    d = SEEDS / "mmdb"
    for f in (ROOT / "fixtures/mmdb").glob("*.mmdb"):
        shutil.copy(f, d / f"valid--{f.name}")


def table(path):
    lines = [l for l in path.read_text().splitlines() if l and not l.startswith("#")]
    return csv.DictReader(lines)


def agent_seeds():
    d = fresh("agent")
    browsers = list(table(ROOT / "fixtures/eval/user-agents.csv"))
    for i, row in enumerate(browsers[::12]):
        write(d, f"browser-{i:02}", row["user_agent"])
    literals = [r["pattern"] for r in table(ROOT / "data/agents.csv") if r["match"] == "literal"]
    for i, p in enumerate(literals[::40]):
        write(d, f"catalogue-{i:02}", f"Mozilla/5.0 (compatible; {p}; +https://example.com/bot)")
    for i, a in enumerate(["", "-", "curl/8.5.0", "Microsoft Office Existence Discovery",
                           "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)"]):
        write(d, f"plain-{i}", a)


def structured_seeds(target, count):
    d = fresh(target)
    rng = random.Random(target)
    for i in range(count):
        write(d, f"random-{i:02}", bytes(rng.randrange(256) for _ in range(rng.randrange(64, 2048))))


def main():
    rules_seeds()
    click_json_seeds()
    input_seeds()
    mmdb_seeds()
    agent_seeds()
    structured_seeds("engine", 32)
    structured_seeds("campaign", 32)
    structured_seeds("capi", 32)


if __name__ == "__main__":
    main()
