// npm run bench: synthesizes N domains with the project (npm run synth: node dist/ses-domains.cjs) and with the hand-written
// baseline app (bench/handwritten.ts), interleaved, RUNS times each; prints median wall time and peak
// RSS of each and the ratio project / baseline. Sizes: BENCH_SIZES (default 1,10,100).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const sizes = (process.env.BENCH_SIZES ?? "1,10,100,1000").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS ?? "5");
const work = mkdtempSync(join(tmpdir(), "ses-domains-bench-"));

function configFor(n) {
  const lines = [
    "defaults:",
    "  region: us-east-1",
    "  dmarc: { p: quarantine, rua: [dmarc@example.com] }",
    "  dns: { route53: { zoneId: Z0123456789ABCDEFGHIJ } }",
    "  alarms: { notify: { topicArn: 'arn:aws:sns:us-east-1:111111111111:ops' } }",
    "domains:",
  ];
  for (let i = 0; i < n; i++) lines.push(`  d${i}.example.com: {}`);
  const file = join(work, `domains-${n}.yaml`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

function measure(script, env) {
  const outdir = mkdtempSync(join(work, "out-"));
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ["-r", join(root, "bench", "peak-rss.cjs"), script], {
    cwd: work,
    env: { ...process.env, ...env, CDKTF_OUTDIR: outdir },
    stdio: ["ignore", "ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(outdir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`${script} failed: ${run.stderr}`);
  return { seconds, rssMb: Number(run.output[3].trim()) / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const n of sizes) {
  const config = configFor(n);
  const project = [];
  const baseline = [];
  for (let i = 0; i < runs; i++) {
    project.push(measure(join(root, "dist", "ses-domains.cjs"), { SES_CONFIG: config }));
    baseline.push(measure(join(root, "dist", "bench", "handwritten.js"), { BENCH_DOMAINS: String(n) }));
    process.stderr.write(`\r${n} domains: run ${i + 1}/${runs}`);
  }
  process.stderr.write("\n");
  const p = { s: median(project.map((r) => r.seconds)), mb: median(project.map((r) => r.rssMb)) };
  const b = { s: median(baseline.map((r) => r.seconds)), mb: median(baseline.map((r) => r.rssMb)) };
  rows.push([n, p.s.toFixed(2), b.s.toFixed(2), (p.s / b.s).toFixed(2), p.mb.toFixed(0), b.mb.toFixed(0), (p.mb / b.mb).toFixed(2)]);
}
rmSync(work, { recursive: true, force: true });

console.log(`\nmedian of ${runs} interleaved runs, node ${process.version}`);
console.log("| domains | project s | hand-written s | time ratio | project MB | hand-written MB | memory ratio |");
console.log("|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
