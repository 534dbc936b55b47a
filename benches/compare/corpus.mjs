// Builds the comparison corpus: every `instances` entry of
// crawler-user-agents as bots, and the distinct real browser agents of the
// user-agents package as browsers.
// Usage: node corpus.mjs CRAWLER_JSON USER_AGENTS_JSON OUT_JSON
import { readFileSync, writeFileSync } from "node:fs";

const [crawlerPath, browsersPath, out] = process.argv.slice(2);
const crawlers = JSON.parse(readFileSync(crawlerPath, "utf8"));
const bots = crawlers.flatMap((entry) => entry.instances ?? []);
const browsers = [
  ...new Set(JSON.parse(readFileSync(browsersPath, "utf8")).map((e) => e.userAgent)),
];
writeFileSync(out, JSON.stringify({ bots, browsers }));
console.error(`corpus: ${bots.length} bot agents, ${browsers.length} browser agents`);
