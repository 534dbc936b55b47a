/* Scores one click from its JSON and prints the verdict with its reasons.
 * Build: see bindings/c/README.md. */
#include <stdio.h>
#include <string.h>

#include "clicksift.h"

int main(void) {
    const char *click = "{\"campaign\":\"spring-2026\",\"recipient\":\"ana@example.com\","
                        "\"at\":\"2026-03-02T09:12:30Z\",\"ip\":\"81.2.69.142\","
                        "\"user_agent\":\"Slackbot-LinkExpanding 1.0\"}";
    clicksift_engine *engine = NULL;
    clicksift_cache *cache = NULL;
    clicksift_result *result = NULL;
    clicksift_error *error = NULL;
    if (clicksift_engine_new_default(&engine, &error) != CLICKSIFT_STATUS_OK ||
        clicksift_cache_new(&cache) != CLICKSIFT_STATUS_OK ||
        clicksift_score_json(engine, cache, click, strlen(click), 1, &result, &error) !=
            CLICKSIFT_STATUS_OK) {
        clicksift_str message = {"unknown error", 13};
        clicksift_error_message(error, &message);
        fprintf(stderr, "clicksift: %.*s\n", (int)message.len, message.ptr);
        clicksift_error_free(error);
        clicksift_cache_free(cache);
        clicksift_engine_free(engine);
        return 1;
    }

    uint8_t score = 0;
    clicksift_verdict verdict;
    clicksift_source source;
    size_t count = 0;
    clicksift_result_score(result, &score);
    clicksift_result_verdict(result, &verdict);
    clicksift_result_source(result, &source);
    clicksift_result_reason_count(result, &count);
    printf("%s (%s), score %u\n", clicksift_verdict_name(verdict), clicksift_source_name(source),
           score);
    for (size_t i = 0; i < count; i++) {
        clicksift_reason r;
        clicksift_result_reason(result, i, &r);
        printf("  %+4d %.*s: %.*s\n", r.weight, (int)r.rule.len, r.rule.ptr, (int)r.detail.len,
               r.detail.ptr);
    }

    clicksift_result_free(result);
    clicksift_cache_free(cache);
    clicksift_engine_free(engine);
    return 0;
}
