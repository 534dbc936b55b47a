// Classifies the comparison corpus with isbot and prints accuracy and
// single-thread throughput as one JSON object, in the shape the Rust
// classifier prints.
// Usage: node isbot.mjs CORPUS_JSON [SECONDS]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { isbot } = require("isbot");
const version = require("isbot/package.json").version;

const [corpusPath, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 2);
const { bots, browsers } = JSON.parse(readFileSync(corpusPath, "utf8"));
const all = bots.concat(browsers);

// Agents classified per second: one warm-up pass (JIT and regex
// compilation), then whole passes until the budget has passed.
function rate(classify) {
  let sink = 0;
  for (const ua of all) sink += classify(ua) ? 1 : 0;
  const budget = seconds * 1e9;
  const start = process.hrtime.bigint();
  let done = 0;
  let elapsed = 0;
  while (elapsed < budget) {
    for (const ua of all) sink += classify(ua) ? 1 : 0;
    done += all.length;
    elapsed = Number(process.hrtime.bigint() - start);
  }
  globalThis.sink = sink;
  return done / (elapsed / 1e9);
}

const plain = rate(isbot);
// The same cache clicksift's engine keeps: the answer per agent text.
const memo = new Map();
const cached = rate((ua) => {
  let answer = memo.get(ua);
  if (answer === undefined) {
    answer = isbot(ua);
    memo.set(ua, answer);
  }
  return answer;
});

const missed = bots.filter((ua) => !isbot(ua));
const flagged = browsers.filter((ua) => isbot(ua));
console.log(
  JSON.stringify({
    name: `isbot ${version}`,
    bots_total: bots.length,
    bots_flagged: bots.length - missed.length,
    browsers_total: browsers.length,
    browsers_flagged: flagged.length,
    missed_bots: missed,
    flagged_browsers: flagged,
    warm_per_s: plain,
    cached_per_s: cached,
  }),
);
