// Runs the test tiers in order (unit, synth, terraform), prints how long each took, and exits
// non-zero if any failed. Every tier runs even when an earlier one fails, so one run shows all.
import { spawnSync } from "node:child_process";

const tiers = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["unit", "synth", "terraform"];
const results = [];
for (const tier of tiers) {
  const started = process.hrtime.bigint();
  process.stdout.write(`\n=== tier: ${tier} ===\n`);
  const run = spawnSync("npx", ["vitest", "run", "--project", tier], { stdio: "inherit" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  results.push({ tier, ok: run.status === 0, seconds });
}
process.stdout.write("\n=== test tiers ===\n");
for (const r of results) process.stdout.write(`${r.ok ? "pass" : "FAIL"}  ${r.tier.padEnd(10)} ${r.seconds.toFixed(1)} s\n`);
const failed = results.filter((r) => !r.ok).length;
process.stdout.write(`tiers: ${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
