"""Times clicksift from Python: score_many on many clicks (the GIL
released while scoring), one score() call at a time, and score_log with
the campaign heuristics. The clicks mix 1,000 distinct user agents and
50,000 addresses, like the C benchmark (bindings/c/bench/bench.c).

Run after building the extension (bindings/python/run-tests.sh):
    bindings/python/.venv/bin/python bindings/python/bench/bench_score_many.py [CLICKS]
"""

import sys
import time

import clicksift

ROBOTS = [
    "python-requests/2.31.0",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Go-http-client/1.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1)",
]


def agent(i: int) -> str:
    if i % 10 == 9:
        return ROBOTS[(i // 10) % 4]
    return (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
        f"Gecko) Chrome/{100 + i % 46}.0.{i}.0 Safari/537.36"
    )


def click(i: int) -> dict:
    a = i % 50000
    return {
        "campaign": "c1",
        "recipient": f"user{i}@example.com",
        "link": "main",
        "delivered_at": "2026-03-02T09:00:00Z",
        "at": f"2026-03-02T09:{12 + (i // 1000) % 40:02d}:{i % 60:02d}Z",
        "ip": f"81.{2 + (a // 65536) % 200}.{(a // 256) % 256}.{a % 256}",
        "user_agent": agent(i % 1000),
    }


def best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    start = time.perf_counter()
    engine = clicksift.Engine()
    print(f"engine built in {(time.perf_counter() - start) * 1e3:.0f} ms; {n} clicks")
    clicks = [click(i) for i in range(n)]
    engine.score_many(clicks)  # warm the caches

    secs = best_of(3, lambda: engine.score_many(clicks))
    print(f"score_many: {n / secs:9.0f} clicks/s  ({secs / n * 1e9:.0f} ns/click)")
    few = clicks[:20_000]
    secs = best_of(3, lambda: [engine.score(c) for c in few])
    print(f"score:      {len(few) / secs:9.0f} clicks/s  ({secs / len(few) * 1e9:.0f} ns/call)")
    secs = best_of(3, lambda: engine.score_log(clicks))
    print(f"score_log:  {n / secs:9.0f} clicks/s  ({secs / n * 1e9:.0f} ns/click)")


if __name__ == "__main__":
    main()
