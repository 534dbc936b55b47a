// Prints the comparison and writes RESULTS.md.
// Usage: node report.mjs CLICKSIFT_JSON ISBOT_JSON RESULTS_MD COMMAND
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { execSync } from "node:child_process";

const [csPath, ibPath, out, command] = process.argv.slice(2);
const cs = JSON.parse(readFileSync(csPath, "utf8"));
const ib = JSON.parse(readFileSync(ibPath, "utf8"));

const pct = (n, d) => ((100 * n) / d).toFixed(2);
const rate = (r) => `${(r / 1e6).toFixed(2)} M/s`;
const row = (name, r, warm, cold) =>
  `| ${name} | ${pct(r.bots_flagged, r.bots_total)}% (${r.bots_flagged}/${r.bots_total}) | ` +
  `${pct(r.browsers_total - r.browsers_flagged, r.browsers_total)}% ` +
  `(${r.browsers_total - r.browsers_flagged}/${r.browsers_total}) | ${warm} | ${cold} |`;

const csMissed = new Set(cs.missed_bots);
const ibMissed = new Set(ib.missed_bots);
const onlyIsbot = cs.missed_bots.filter((ua) => !ibMissed.has(ua));
const onlyClicksift = ib.missed_bots.filter((ua) => !csMissed.has(ua));
const speedup = cs.warm_per_s / ib.warm_per_s;
const speedupCached = cs.warm_per_s / ib.cached_per_s;
const recallOk = cs.bots_flagged >= ib.bots_flagged;
const precisionOk = cs.browsers_flagged <= ib.browsers_flagged;

const table = [
  "| classifier | bots flagged | browsers not flagged | warm, agents/s | other mode, agents/s |",
  "|---|---|---|---|---|",
  row(
    "clicksift (agent.class != browser)",
    cs,
    rate(cs.warm_per_s),
    `${rate(cs.cold_per_s)} uncached, catalogue only ` +
      `(bots ${rate(cs.cold_bots_per_s)}, browsers ${rate(cs.cold_browsers_per_s)})`,
  ),
  row(ib.name, ib, rate(ib.warm_per_s), `${rate(ib.cached_per_s)} with a Map cache`),
].join("\n");

const list = (xs) => (xs.length ? xs.map((x) => `- \`${x}\``).join("\n") : "- none");
const verdict = [
  `clicksift warm is ${speedup.toFixed(1)}x isbot (target: 5x)` +
    ` and ${speedupCached.toFixed(1)}x isbot behind the same cache;` +
    ` uncached (every agent new) it is ${(cs.cold_per_s / ib.warm_per_s).toFixed(2)}x isbot.`,
  `Bots: clicksift ${recallOk ? "at least matches" : "falls short of"} isbot;` +
    ` browsers: clicksift ${precisionOk ? "flags no more than" : "flags more than"} isbot.`,
].join("\n");

const shell = (cmd) => {
  try {
    return execSync(cmd, { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
};
const machine = `${shell("nproc")} cores (nproc), ${cpus()[0]?.model ?? "unknown CPU"}`;
const date = new Date().toISOString().slice(0, 10);

console.log(table);
console.log();
console.log(verdict);
console.log(`bots only isbot catches: ${onlyIsbot.length}; bots only clicksift catches: ${onlyClicksift.length}`);
console.log(`browsers clicksift flags: ${cs.flagged_browsers.length}; isbot flags: ${ib.flagged_browsers.length}`);

writeFileSync(
  out,
  `# clicksift against isbot on user agents

Written by \`benches/compare/run.sh\`; the last run replaces this file.

- Date: ${date}
- Machine: ${machine}; ${shell("rustc --version")}; Node ${process.version}
- Command: \`${command}\`
- Corpus: every \`instances\` entry of npm crawler-user-agents 1.60.0 as
  bots (${cs.bots_total}); the distinct agents of npm user-agents 2.1.198
  (\`dist/user-agents.json\`) as browsers (${cs.browsers_total}).
- Single thread each. "Warm": after one pass over the corpus (caches
  filled, JIT compiled), whole passes for a fixed time. clicksift warm
  answers from its per-thread agent cache, as the engine does; its
  uncached figure runs the catalogue match (the decision's only input; the
  engine's parse of browser versions is not part of it) on every
  agent. isbot has no cache of its own; its second figure puts a \`Map\` in
  front of it, the same help clicksift gets.
- clicksift built its analyzer in ${cs.load_ms.toFixed(0)} ms.

${table}

${verdict}

Caveat: clicksift's agent catalogue is generated from crawler-user-agents
1.60.0 itself (data/agents.csv), so its bot recall here measures the
catalogue and its precedence, not how it generalises to unseen bots.

## Bots isbot flags and clicksift does not (${onlyIsbot.length})

${list(onlyIsbot)}

## Bots clicksift flags and isbot does not (${onlyClicksift.length})

${list(onlyClicksift)}

## Browsers flagged as bots

clicksift (${cs.flagged_browsers.length}):

${list(cs.flagged_browsers)}

${ib.name} (${ib.flagged_browsers.length}):

${list(ib.flagged_browsers)}
`,
);
