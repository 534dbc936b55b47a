/*
 * Times the clicksift C API: the cost of one call (score a click from JSON
 * or from fields, then free the result) and the throughput of a batch
 * judged with the campaign heuristics. The clicks mix 1,000 distinct user
 * agents (browsers of many versions and some robots) and 50,000
 * addresses, as a large campaign would; times come from clock_gettime.
 *
 * Usage: bench [CLICKS]   (default 100000)
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clicksift.h"

#define AGENT_COUNT 1000

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void agent(int i, char *out, size_t cap) {
    static const char *const robots[] = {
        "python-requests/2.31.0", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Go-http-client/1.1", "Mozilla/5.0 (compatible; Googlebot/2.1)"};
    if (i % 10 == 9) {
        snprintf(out, cap, "%s", robots[(i / 10) % 4]);
    } else {
        snprintf(out, cap,
                 "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                 "Gecko) Chrome/%d.0.%d.0 Safari/537.36",
                 100 + i % 46, i);
    }
}

static void address(int i, char *out, size_t cap) {
    snprintf(out, cap, "81.%d.%d.%d", 2 + (i / 65536) % 200, (i / 256) % 256, i % 256);
}

/* One click as JSON; the caller frees it. */
static char *click_json(int i) {
    char ua[256], ip[32];
    agent(i % AGENT_COUNT, ua, sizeof ua);
    address(i % 50000, ip, sizeof ip);
    int minute = 12 + (i / 1000) % 40;
    char *out = malloc(512);
    snprintf(out, 512,
             "{\"campaign\":\"c1\",\"recipient\":\"user%d@example.com\",\"link\":\"main\","
             "\"delivered_at\":\"2026-03-02T09:00:00Z\",\"at\":\"2026-03-02T09:%02d:%02dZ\","
             "\"ip\":\"%s\",\"user_agent\":\"%s\"}",
             i, minute, i % 60, ip, ua);
    return out;
}

static void fail(const char *what, clicksift_status st) {
    fprintf(stderr, "%s: %s\n", what, clicksift_status_name(st));
    exit(1);
}

static void bench_json(const clicksift_engine *engine, char **clicks, int n) {
    clicksift_cache *cache = NULL;
    clicksift_cache_new(&cache);
    double start = now();
    unsigned long machine = 0;
    for (int i = 0; i < n; i++) {
        clicksift_result *result = NULL;
        clicksift_status st =
            clicksift_score_json(engine, cache, clicks[i], strlen(clicks[i]), 1, &result, NULL);
        if (st != CLICKSIFT_STATUS_OK) fail("score_json", st);
        clicksift_verdict v;
        clicksift_result_verdict(result, &v);
        machine += v == CLICKSIFT_VERDICT_MACHINE;
        clicksift_result_free(result);
    }
    double secs = now() - start;
    printf("score_json:   %7.0f ns/call  %9.0f clicks/s  (%lu machine)\n", secs / n * 1e9,
           n / secs, machine);
    clicksift_cache_free(cache);
}

static void bench_fields(const clicksift_engine *engine, int n) {
    clicksift_cache *cache = NULL;
    clicksift_cache_new(&cache);
    char ua[AGENT_COUNT][256];
    for (int i = 0; i < AGENT_COUNT; i++) agent(i, ua[i], sizeof ua[i]);
    double start = now();
    for (int i = 0; i < n; i++) {
        char ip[32], at[32];
        address(i % 50000, ip, sizeof ip);
        snprintf(at, sizeof at, "2026-03-02T09:%02d:%02dZ", 12 + (i / 1000) % 40, i % 60);
        clicksift_click_fields f;
        memset(&f, 0, sizeof f);
        f.campaign = (clicksift_text){"c1", 2};
        f.recipient = (clicksift_text){"user@example.com", 16};
        f.delivered_at = (clicksift_text){"2026-03-02T09:00:00Z", 20};
        f.at = (clicksift_text){at, strlen(at)};
        f.ip = (clicksift_text){ip, strlen(ip)};
        f.user_agent = (clicksift_text){ua[i % AGENT_COUNT], strlen(ua[i % AGENT_COUNT])};
        clicksift_result *result = NULL;
        clicksift_status st = clicksift_score_fields(engine, cache, &f, 1, &result, NULL);
        if (st != CLICKSIFT_STATUS_OK) fail("score_fields", st);
        clicksift_result_free(result);
    }
    double secs = now() - start;
    printf("score_fields: %7.0f ns/call  %9.0f clicks/s\n", secs / n * 1e9, n / secs);
    clicksift_cache_free(cache);
}

static void bench_batch(const clicksift_engine *engine, char **clicks, int n) {
    clicksift_cache *cache = NULL;
    clicksift_batch *batch = NULL;
    clicksift_cache_new(&cache);
    clicksift_batch_new(&batch);
    double start = now();
    for (int i = 0; i < n; i++) {
        clicksift_status st =
            clicksift_batch_add_json(batch, clicks[i], strlen(clicks[i]), (uint64_t)i + 1, NULL);
        if (st != CLICKSIFT_STATUS_OK) fail("batch_add_json", st);
    }
    double added = now();
    clicksift_status st = clicksift_batch_assess(engine, cache, batch);
    if (st != CLICKSIFT_STATUS_OK) fail("batch_assess", st);
    double done = now();
    printf("batch:        %9.0f clicks/s overall (add %.0f ns/click, assess %.0f ns/click)\n",
           n / (done - start), (added - start) / n * 1e9, (done - added) / n * 1e9);
    clicksift_batch_free(batch);
    clicksift_cache_free(cache);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100000;
    if (n <= 0) return 2;
    clicksift_engine *engine = NULL;
    double start = now();
    clicksift_status st = clicksift_engine_new_default(&engine, NULL);
    if (st != CLICKSIFT_STATUS_OK) fail("engine_new_default", st);
    printf("engine built in %.0f ms; %d clicks, %d distinct agents\n", (now() - start) * 1e3, n,
           AGENT_COUNT);

    char **clicks = malloc(sizeof *clicks * (size_t)n);
    for (int i = 0; i < n; i++) clicks[i] = click_json(i);

    bench_json(engine, clicks, n); /* cold: the cache fills */
    bench_json(engine, clicks, n);
    bench_fields(engine, n);
    bench_batch(engine, clicks, n);

    for (int i = 0; i < n; i++) free(clicks[i]);
    free(clicks);
    clicksift_engine_free(engine);
    return 0;
}
