// Runs the test tiers in order (unit, synth, terraform, e2e, package), prints how long each took and how many tests
// passed and failed, and exits non-zero if any failed. Every tier runs even when an earlier one fails.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const tiers = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["unit", "synth", "terraform", "e2e", "package"];
const reports = mkdtempSync(join(tmpdir(), "ses-domains-tiers-"));
const results = [];
for (const tier of tiers) {
  const report = join(reports, `${tier}.json`);
  const started = process.hrtime.bigint();
  process.stdout.write(`\n=== tier: ${tier} ===\n`);
  const run = spawnSync("npx", ["vitest", "run", "--project", tier, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], {
    stdio: "inherit",
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let passed = 0;
  let failed = 0;
  try {
    const json = JSON.parse(readFileSync(report, "utf8"));
    passed = json.numPassedTests;
    failed = json.numFailedTests;
  } catch {
    failed = 1; // no report: the tier did not run to the end
  }
  results.push({ tier, ok: run.status === 0 && failed === 0 && passed > 0, seconds, passed, failed });
}
rmSync(reports, { recursive: true, force: true });

process.stdout.write("\n=== test tiers ===\n");
for (const r of results) {
  process.stdout.write(`${r.ok ? "pass" : "FAIL"}  ${r.tier.padEnd(10)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.passed} passed, ${r.failed} failed\n`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
