/*
 * Tests of the clicksift C API from C: the shared cases, scoring from
 * fields, and every kind of malformed input. Prints one line per failure
 * and a summary; exits 0 only when every check passed.
 *
 * Usage: test_api CASES.jsonl
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clicksift.h"

static int checks = 0;
static int failures = 0;

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        checks++;                                                             \
        if (!(cond)) {                                                        \
            failures++;                                                       \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                       \
            printf(__VA_ARGS__);                                              \
            printf("\n");                                                     \
        }                                                                     \
    } while (0)

#define TEXT(s) ((clicksift_text){(s), sizeof(s) - 1})

static int str_is(clicksift_str s, const char *expected) {
    return s.len == strlen(expected) && memcmp(s.ptr, expected, s.len) == 0;
}

/* ---- A scanner for the case file's flat objects ----------------------- */

/* Returns the end of the JSON value starting at p (a string, a number, a
 * literal or a nested object/array), or NULL if it is cut short. */
static const char *value_end(const char *p) {
    int depth = 0;
    int in_string = 0;
    for (; *p; p++) {
        if (in_string) {
            if (*p == '\\' && p[1]) {
                p++;
            } else if (*p == '"') {
                in_string = 0;
                if (depth == 0) return p + 1;
            }
        } else if (*p == '"') {
            in_string = 1;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth == 0) return p;
            if (--depth == 0) return p + 1;
        } else if (depth == 0 && *p == ',') {
            return p;
        }
    }
    return depth == 0 ? p : NULL;
}

/* Finds the top-level key in a flat JSON object and returns its value's
 * span. Keys in the case file need no escapes. */
static int field(const char *obj, const char *key, const char **start, size_t *len) {
    size_t key_len = strlen(key);
    const char *p = obj + 1;
    while (p && *p && *p != '}') {
        while (*p == ' ' || *p == ',') p++;
        if (*p != '"') return 0;
        const char *k = p + 1;
        const char *k_end = strchr(k, '"');
        if (!k_end) return 0;
        const char *v = k_end + 1;
        while (*v == ' ' || *v == ':') v++;
        const char *v_end = value_end(v);
        if (!v_end) return 0;
        if ((size_t)(k_end - k) == key_len && memcmp(k, key, key_len) == 0) {
            *start = v;
            *len = (size_t)(v_end - v);
            return 1;
        }
        p = v_end;
    }
    return 0;
}

/* The value of a string field without its quotes, copied into out. */
static int string_field(const char *obj, const char *key, char *out, size_t cap) {
    const char *v;
    size_t len;
    if (!field(obj, key, &v, &len) || len < 2 || len - 2 >= cap) return 0;
    memcpy(out, v + 1, len - 2);
    out[len - 2] = '\0';
    return 1;
}

static int number_field(const char *obj, const char *key, long *out) {
    const char *v;
    size_t len;
    if (!field(obj, key, &v, &len)) return 0;
    *out = strtol(v, NULL, 10);
    return 1;
}

/* ---- The shared cases ------------------------------------------------- */

static void check_case(const clicksift_engine *engine, clicksift_cache *cache,
                       const char *line, int line_no) {
    char name[256], verdict[32], source[32];
    const char *click;
    size_t click_len;
    int ok = string_field(line, "name", name, sizeof name) &&
             string_field(line, "verdict", verdict, sizeof verdict) &&
             string_field(line, "source", source, sizeof source) &&
             field(line, "click", &click, &click_len);
    CHECK(ok, "cases line %d: name, click, verdict or source missing", line_no);
    if (!ok) return;

    clicksift_result *result = NULL;
    clicksift_error *error = NULL;
    clicksift_status st =
        clicksift_score_json(engine, cache, click, click_len, (uint64_t)line_no, &result, &error);
    CHECK(st == CLICKSIFT_STATUS_OK, "%s: status %s", name, clicksift_status_name(st));
    if (st != CLICKSIFT_STATUS_OK) {
        clicksift_error_free(error);
        return;
    }
    uint8_t score;
    clicksift_verdict v;
    clicksift_source s;
    clicksift_result_score(result, &score);
    clicksift_result_verdict(result, &v);
    clicksift_result_source(result, &s);
    CHECK(strcmp(clicksift_verdict_name(v), verdict) == 0, "%s: verdict %s, expected %s", name,
          clicksift_verdict_name(v), verdict);
    CHECK(strcmp(clicksift_source_name(s), source) == 0, "%s: source %s, expected %s", name,
          clicksift_source_name(s), source);
    long bound;
    if (number_field(line, "min_score", &bound)) {
        CHECK(score >= bound, "%s: score %u below %ld", name, score, bound);
    }
    if (number_field(line, "max_score", &bound)) {
        CHECK(score <= bound, "%s: score %u above %ld", name, score, bound);
    }
    clicksift_result_free(result);
}

static int run_cases(const clicksift_engine *engine, const char *path) {
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f) return 0;
    clicksift_cache *cache = NULL;
    clicksift_cache_new(&cache);
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] != '{') continue;
        n++;
        check_case(engine, cache, line, n);
    }
    fclose(f);
    clicksift_cache_free(cache);
    CHECK(n >= 20, "only %d cases in %s", n, path);
    return n;
}

/* ---- Scoring from fields, and reading reasons ------------------------- */

static void test_fields(const clicksift_engine *engine) {
    clicksift_cache *cache = NULL;
    CHECK(clicksift_cache_new(&cache) == CLICKSIFT_STATUS_OK, "cache_new");
    clicksift_header headers[] = {{TEXT("Accept"), TEXT("text/html")}};
    clicksift_click_fields f;
    memset(&f, 0, sizeof f);
    f.campaign = TEXT("spring-2026");
    f.recipient = TEXT("ana@example.com");
    f.at = TEXT("2026-03-02T09:12:30Z");
    f.delivered_at = TEXT("2026-03-02T09:00:00Z");
    f.ip = TEXT("81.2.69.142");
    f.user_agent = TEXT("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)");
    f.headers = headers;
    f.header_count = 1;

    clicksift_result *result = NULL;
    clicksift_status st = clicksift_score_fields(engine, cache, &f, 1, &result, NULL);
    CHECK(st == CLICKSIFT_STATUS_OK, "score_fields: %s", clicksift_status_name(st));
    clicksift_verdict v;
    clicksift_source s;
    size_t count = 0;
    clicksift_result_verdict(result, &v);
    clicksift_result_source(result, &s);
    clicksift_result_reason_count(result, &count);
    CHECK(v == CLICKSIFT_VERDICT_MACHINE, "Slackbot verdict %s", clicksift_verdict_name(v));
    CHECK(s == CLICKSIFT_SOURCE_LINK_PREVIEW, "Slackbot source %s", clicksift_source_name(s));
    CHECK(count >= 1, "Slackbot has no reasons");

    clicksift_reason reason;
    st = clicksift_result_reason(result, 0, &reason);
    CHECK(st == CLICKSIFT_STATUS_OK && str_is(reason.rule, "agent.link-preview") &&
              reason.weight > 0 && reason.detail.len > 0,
          "first reason is not agent.link-preview with a detail");
    st = clicksift_result_reason(result, count, &reason);
    CHECK(st == CLICKSIFT_STATUS_OUT_OF_RANGE, "reason past the end: %s",
          clicksift_status_name(st));
    clicksift_result_free(result);
    clicksift_cache_free(cache);
}

/* ---- Campaign heuristics: a batch and a stream ------------------------ */

/* A honeypot hit, then the real link from the same address a second later
 * (a gateway following every link), and another recipient's own click. */
static const char *const CAMPAIGN[] = {
    "{\"id\":\"hp\",\"campaign\":\"c1\",\"recipient\":\"ana@example.com\",\"link\":\"hidden\","
    "\"honeypot\":true,\"delivered_at\":\"2026-03-02T09:00:00Z\",\"at\":\"2026-03-02T09:12:30Z\","
    "\"ip\":\"81.2.69.142\",\"user_agent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36\"}",
    "{\"id\":\"main\",\"campaign\":\"c1\",\"recipient\":\"ana@example.com\",\"link\":\"main\","
    "\"delivered_at\":\"2026-03-02T09:00:00Z\",\"at\":\"2026-03-02T09:12:31Z\","
    "\"ip\":\"81.2.69.142\",\"user_agent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36\"}",
    "{\"id\":\"bob\",\"campaign\":\"c1\",\"recipient\":\"bob@example.com\",\"link\":\"main\","
    "\"delivered_at\":\"2026-03-02T09:00:00Z\",\"at\":\"2026-03-02T10:30:00Z\","
    "\"ip\":\"81.2.69.160\",\"user_agent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36\"}",
};

static int has_reason(const clicksift_result *result, const char *rule) {
    size_t count = 0;
    clicksift_result_reason_count(result, &count);
    for (size_t i = 0; i < count; i++) {
        clicksift_reason r;
        if (clicksift_result_reason(result, i, &r) == CLICKSIFT_STATUS_OK && str_is(r.rule, rule))
            return 1;
    }
    return 0;
}

static void check_campaign_result(const clicksift_result *result, const char *id) {
    clicksift_verdict v;
    clicksift_source s;
    clicksift_result_verdict(result, &v);
    clicksift_result_source(result, &s);
    if (strcmp(id, "bob") == 0) {
        CHECK(v == CLICKSIFT_VERDICT_HUMAN, "bob: verdict %s", clicksift_verdict_name(v));
    } else {
        CHECK(v == CLICKSIFT_VERDICT_MACHINE && s == CLICKSIFT_SOURCE_MAIL_GATEWAY,
              "%s: %s/%s, expected machine/mail_gateway", id, clicksift_verdict_name(v),
              clicksift_source_name(s));
    }
    if (strcmp(id, "main") == 0) {
        CHECK(has_reason(result, "campaign.honeypot-near"), "main: no campaign.honeypot-near");
    }
}

static void test_batch(const clicksift_engine *engine) {
    clicksift_cache *cache = NULL;
    clicksift_batch *batch = NULL;
    clicksift_cache_new(&cache);
    CHECK(clicksift_batch_new(&batch) == CLICKSIFT_STATUS_OK, "batch_new");

    /* Out of time order on purpose: the batch sorts. */
    const int order[] = {2, 1, 0};
    const char *ids[] = {"bob", "main", "hp"};
    for (int i = 0; i < 3; i++) {
        const char *json = CAMPAIGN[order[i]];
        CHECK(clicksift_batch_add_json(batch, json, strlen(json), (uint64_t)i + 1, NULL) ==
                  CLICKSIFT_STATUS_OK, "batch_add_json %d", i);
    }
    clicksift_error *error = NULL;
    CHECK(clicksift_batch_add_json(batch, "{}", 2, 4, &error) == CLICKSIFT_STATUS_INVALID_INPUT,
          "a malformed click is refused");
    clicksift_error_free(error);
    size_t count = 0;
    clicksift_batch_count(batch, &count);
    CHECK(count == 3, "batch holds %zu clicks, expected 3", count);

    const clicksift_result *result = NULL;
    CHECK(clicksift_batch_result(batch, 0, &result) == CLICKSIFT_STATUS_INVALID_STATE,
          "results before assessing");
    CHECK(clicksift_batch_assess(engine, cache, batch) == CLICKSIFT_STATUS_OK, "batch_assess");
    for (size_t i = 0; i < count; i++) {
        CHECK(clicksift_batch_result(batch, i, &result) == CLICKSIFT_STATUS_OK, "result %zu", i);
        check_campaign_result(result, ids[i]);
    }
    CHECK(clicksift_batch_result(batch, count, &result) == CLICKSIFT_STATUS_OUT_OF_RANGE,
          "batch result past the end");
    CHECK(clicksift_batch_assess(engine, NULL, batch) == CLICKSIFT_STATUS_NULL_ARGUMENT,
          "batch_assess with a NULL cache");

    /* On its own the main click looks like the recipient's. */
    clicksift_result *alone = NULL;
    clicksift_score_json(engine, cache, CAMPAIGN[1], strlen(CAMPAIGN[1]), 1, &alone, NULL);
    clicksift_verdict v;
    clicksift_result_verdict(alone, &v);
    CHECK(v == CLICKSIFT_VERDICT_HUMAN, "main alone: %s", clicksift_verdict_name(v));
    clicksift_result_free(alone);
    clicksift_batch_free(batch);
    clicksift_cache_free(cache);
}

static int collect(clicksift_judged *judged, const char **seen, int n) {
    size_t count = 0;
    clicksift_judged_count(judged, &count);
    for (size_t i = 0; i < count; i++) {
        uint64_t seq;
        clicksift_str id;
        const clicksift_result *result;
        CHECK(clicksift_judged_at(judged, i, &seq, &id, &result) == CLICKSIFT_STATUS_OK,
              "judged_at %zu", i);
        CHECK(seq < 3 && n < 3, "unexpected sequence number %llu", (unsigned long long)seq);
        if (seq >= 3 || n >= 3) continue;
        seen[n++] = seq == 0 ? "hp" : seq == 1 ? "main" : "bob";
        CHECK(str_is(id, seen[n - 1]), "judgement %llu has the wrong id",
              (unsigned long long)seq);
        check_campaign_result(result, seen[n - 1]);
    }
    clicksift_judged_free(judged);
    return n;
}

static void test_stream(const clicksift_engine *engine) {
    clicksift_cache *cache = NULL;
    clicksift_stream *stream = NULL;
    clicksift_cache_new(&cache);
    CHECK(clicksift_stream_new(engine, &stream) == CLICKSIFT_STATUS_OK, "stream_new");
    const char *seen[3];
    int n = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t seq = 99;
        CHECK(clicksift_stream_push_json(stream, CAMPAIGN[i], strlen(CAMPAIGN[i]),
                                         (uint64_t)i + 1, &seq, NULL) == CLICKSIFT_STATUS_OK &&
                  seq == (uint64_t)i, "push %d gave sequence %llu", i, (unsigned long long)seq);
        clicksift_judged *judged = NULL;
        CHECK(clicksift_stream_ready(stream, engine, cache, &judged) == CLICKSIFT_STATUS_OK,
              "stream_ready");
        n = collect(judged, seen, n);
    }

    /* An event older than the last one is refused, naming `at`. */
    clicksift_error *error = NULL;
    CHECK(clicksift_stream_push_json(stream, CAMPAIGN[0], strlen(CAMPAIGN[0]), 9, NULL, &error) ==
              CLICKSIFT_STATUS_INVALID_INPUT, "out-of-order push");
    uint64_t line = 0;
    clicksift_str field_view = {NULL, 0};
    clicksift_error_record(error, &line, &field_view);
    CHECK(line == 9 && str_is(field_view, "at"), "out-of-order error names line 9, field at");
    clicksift_error_free(error);

    /* Another engine is refused. */
    clicksift_engine *other = NULL;
    clicksift_judged *judged = NULL;
    clicksift_engine_new_default(&other, NULL);
    CHECK(clicksift_stream_ready(stream, other, cache, &judged) == CLICKSIFT_STATUS_INVALID_STATE,
          "a stream used with another engine");
    clicksift_engine_free(other);

    CHECK(clicksift_stream_finish(stream, engine, cache, &judged) == CLICKSIFT_STATUS_OK,
          "stream_finish");
    n = collect(judged, seen, n);
    CHECK(n == 3, "the stream judged %d events, expected 3", n);
    clicksift_stream_free(stream);
    clicksift_cache_free(cache);
}

/* ---- Malformed input: an error status every time, never a crash -------- */

static void expect_record_error(const clicksift_engine *engine, clicksift_cache *cache,
                                const char *json, size_t len, clicksift_status expected,
                                const char *field_name) {
    clicksift_result *result = NULL;
    clicksift_error *error = NULL;
    clicksift_status st = clicksift_score_json(engine, cache, json, len, 7, &result, &error);
    CHECK(st == expected, "%.40s: status %s, expected %s", json, clicksift_status_name(st),
          clicksift_status_name(expected));
    CHECK(result == NULL, "%.40s: a result was written on failure", json);
    CHECK(error != NULL, "%.40s: no error object", json);
    clicksift_status inner;
    clicksift_error_status(error, &inner);
    CHECK(inner == st, "error object's status differs from the returned one");
    clicksift_str message = {NULL, 0};
    CHECK(clicksift_error_message(error, &message) == CLICKSIFT_STATUS_OK && message.len > 0,
          "%.40s: no message", json);
    if (field_name) {
        uint64_t line = 0;
        clicksift_str field_view = {NULL, 0};
        clicksift_error_record(error, &line, &field_view);
        CHECK(line == 7, "record error line %llu, expected 7", (unsigned long long)line);
        CHECK(str_is(field_view, field_name), "record error field %.*s, expected %s",
              (int)field_view.len, field_view.ptr ? field_view.ptr : "", field_name);
    }
    clicksift_error_free(error);
}

static void test_malformed_records(const clicksift_engine *engine) {
    clicksift_cache *cache = NULL;
    clicksift_cache_new(&cache);
    const char good[] = "{\"campaign\":\"c\",\"recipient\":\"r\",\"at\":\"2026-03-02T09:00:00Z\","
                        "\"ip\":\"81.2.69.142\"}";
    const char bad_utf8[] = "{\"campaign\":\"\xff\xfe\"}";
    const char not_json[] = "{\"campaign\": ";
    const char no_ip[] = "{\"campaign\":\"c\",\"recipient\":\"r\",\"at\":\"2026-03-02T09:00:00Z\"}";
    const char bad_time[] = "{\"campaign\":\"c\",\"recipient\":\"r\",\"at\":\"yesterday\","
                            "\"ip\":\"81.2.69.142\"}";
    const char bad_ip[] = "{\"campaign\":\"c\",\"recipient\":\"r\",\"at\":\"2026-03-02T09:00:00Z\","
                          "\"ip\":\"999.1.1.1\"}";
    expect_record_error(engine, cache, bad_utf8, sizeof bad_utf8 - 1,
                        CLICKSIFT_STATUS_INVALID_UTF8, NULL);
    expect_record_error(engine, cache, not_json, sizeof not_json - 1,
                        CLICKSIFT_STATUS_INVALID_INPUT, NULL);
    expect_record_error(engine, cache, no_ip, sizeof no_ip - 1, CLICKSIFT_STATUS_INVALID_INPUT,
                        "ip");
    expect_record_error(engine, cache, bad_time, sizeof bad_time - 1,
                        CLICKSIFT_STATUS_INVALID_INPUT, "at");
    expect_record_error(engine, cache, bad_ip, sizeof bad_ip - 1, CLICKSIFT_STATUS_INVALID_INPUT,
                        "ip");
    /* The length is what counts: a prefix of a good record is not JSON. */
    expect_record_error(engine, cache, good, 20, CLICKSIFT_STATUS_INVALID_INPUT, NULL);

    /* NULL everywhere it can be. */
    clicksift_result *result = NULL;
    size_t n = sizeof good - 1;
    CHECK(clicksift_score_json(NULL, cache, good, n, 1, &result, NULL) ==
              CLICKSIFT_STATUS_NULL_ARGUMENT, "NULL engine");
    CHECK(clicksift_score_json(engine, NULL, good, n, 1, &result, NULL) ==
              CLICKSIFT_STATUS_NULL_ARGUMENT, "NULL cache");
    CHECK(clicksift_score_json(engine, cache, NULL, n, 1, &result, NULL) ==
              CLICKSIFT_STATUS_NULL_ARGUMENT, "NULL json");
    CHECK(clicksift_score_json(engine, cache, good, n, 1, NULL, NULL) ==
              CLICKSIFT_STATUS_NULL_ARGUMENT, "NULL result_out");
    CHECK(clicksift_score_fields(engine, cache, NULL, 1, &result, NULL) ==
              CLICKSIFT_STATUS_NULL_ARGUMENT, "NULL fields");
    CHECK(result == NULL, "a result was written on failure");

    /* Fields: a NULL pointer with a length, bad UTF-8, missing headers. */
    clicksift_click_fields f;
    memset(&f, 0, sizeof f);
    f.campaign = (clicksift_text){NULL, 3};
    CHECK(clicksift_score_fields(engine, cache, &f, 1, &result, NULL) ==
              CLICKSIFT_STATUS_NULL_ARGUMENT, "NULL field with a length");
    f.campaign = TEXT("c");
    f.recipient = TEXT("\xc3\x28");
    CHECK(clicksift_score_fields(engine, cache, &f, 1, &result, NULL) ==
              CLICKSIFT_STATUS_INVALID_UTF8, "bad UTF-8 in a field");
    f.recipient = TEXT("r");
    f.at = TEXT("2026-03-02T09:00:00Z");
    f.ip = TEXT("81.2.69.142");
    f.header_count = 2;
    CHECK(clicksift_score_fields(engine, cache, &f, 1, &result, NULL) ==
              CLICKSIFT_STATUS_NULL_ARGUMENT, "NULL headers with a count");
    f.header_count = 0;
    f.kind = TEXT("bounce");
    clicksift_error *error = NULL;
    CHECK(clicksift_score_fields(engine, cache, &f, 4, &result, &error) ==
              CLICKSIFT_STATUS_INVALID_INPUT, "unknown kind");
    clicksift_str field_view;
    uint64_t line;
    clicksift_error_record(error, &line, &field_view);
    CHECK(line == 4 && str_is(field_view, "kind"), "unknown kind names line 4, field kind");
    clicksift_error_free(error);
    CHECK(result == NULL, "a result was written on failure");
    clicksift_cache_free(cache);
}

static void test_malformed_rules(void) {
    const char rules[] = "[[rule]]\n"
                         "id = \"broken\"\n"
                         "when = 'agent.class == '\n"
                         "weight = 50\n";
    clicksift_engine *engine = NULL;
    clicksift_error *error = NULL;
    clicksift_status st = clicksift_engine_new(rules, sizeof rules - 1, true, &engine, &error);
    CHECK(st == CLICKSIFT_STATUS_BUILD_FAILED, "bad rules: %s", clicksift_status_name(st));
    CHECK(engine == NULL, "an engine was written on failure");
    size_t count = 0;
    clicksift_error_diagnostic_count(error, &count);
    CHECK(count >= 1, "bad rules gave no diagnostics");
    clicksift_diagnostic d;
    CHECK(clicksift_error_diagnostic(error, 0, &d) == CLICKSIFT_STATUS_OK, "diagnostic 0");
    CHECK(str_is(d.file, "rules") && d.line == 3 && d.column > 0 && d.message.len > 0,
          "diagnostic at %.*s:%zu:%zu, expected rules:3", (int)d.file.len, d.file.ptr, d.line,
          d.column);
    CHECK(clicksift_error_diagnostic(error, count, &d) == CLICKSIFT_STATUS_OUT_OF_RANGE,
          "diagnostic past the end");
    clicksift_error_free(error);

    const char bad_utf8[] = "\xff";
    CHECK(clicksift_engine_new(bad_utf8, 1, true, &engine, NULL) == CLICKSIFT_STATUS_INVALID_UTF8,
          "rules that are not UTF-8");
    CHECK(clicksift_engine_new(NULL, 5, true, &engine, NULL) == CLICKSIFT_STATUS_NULL_ARGUMENT,
          "NULL rules with a length");
    CHECK(clicksift_engine_new(NULL, 0, true, NULL, NULL) == CLICKSIFT_STATUS_NULL_ARGUMENT,
          "NULL engine_out");
    CHECK(engine == NULL, "an engine was written on failure");

    /* Own rules alone: one rule that fires on every request. */
    const char own[] = "[[rule]]\n"
                       "id = \"everything\"\n"
                       "description = \"fires on every request\"\n"
                       "when = 'method == \"GET\"'\n"
                       "weight = 100\n"
                       "source = \"crawler\"\n";
    st = clicksift_engine_new(own, sizeof own - 1, false, &engine, &error);
    CHECK(st == CLICKSIFT_STATUS_OK && error == NULL, "own rules: %s", clicksift_status_name(st));
    clicksift_engine_free(engine);
}

static void test_accessors_with_null(void) {
    uint8_t score;
    size_t count;
    clicksift_reason reason;
    clicksift_str s;
    CHECK(clicksift_result_score(NULL, &score) == CLICKSIFT_STATUS_NULL_ARGUMENT, "score NULL");
    CHECK(clicksift_result_reason_count(NULL, &count) == CLICKSIFT_STATUS_NULL_ARGUMENT,
          "count NULL");
    CHECK(clicksift_result_reason(NULL, 0, &reason) == CLICKSIFT_STATUS_NULL_ARGUMENT,
          "reason NULL");
    CHECK(clicksift_error_message(NULL, &s) == CLICKSIFT_STATUS_NULL_ARGUMENT, "message NULL");
    CHECK(clicksift_cache_new(NULL) == CLICKSIFT_STATUS_NULL_ARGUMENT, "cache_new NULL");
    CHECK(clicksift_engine_new_default(NULL, NULL) == CLICKSIFT_STATUS_NULL_ARGUMENT,
          "engine_new_default NULL");
    CHECK(clicksift_status_name(99) == NULL, "unknown status has a name");
    clicksift_engine_free(NULL);
    clicksift_cache_free(NULL);
    clicksift_result_free(NULL);
    clicksift_error_free(NULL);
    clicksift_batch_free(NULL);
    clicksift_stream_free(NULL);
    clicksift_judged_free(NULL);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CASES.jsonl\n", argv[0]);
        return 2;
    }
    clicksift_engine *engine = NULL;
    clicksift_status st = clicksift_engine_new_default(&engine, NULL);
    CHECK(st == CLICKSIFT_STATUS_OK, "engine_new_default: %s", clicksift_status_name(st));
    if (st != CLICKSIFT_STATUS_OK) return 1;

    int cases = run_cases(engine, argv[1]);
    test_fields(engine);
    test_batch(engine);
    test_stream(engine);
    test_malformed_records(engine);
    test_malformed_rules();
    test_accessors_with_null();
    clicksift_engine_free(engine);

    printf("clicksift %s: %d cases, %d checks, %d failed\n", clicksift_version(), cases, checks,
           failures);
    return failures == 0 ? 0 : 1;
}
