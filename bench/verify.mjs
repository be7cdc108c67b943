// npm run bench:verify: `ses-domains verify` over a fleet (BENCH_DOMAINS, default 1000: Easy DKIM, MAIL
// FROM, apex SPF, DMARC) against a loopback DNS server that holds every answer back BENCH_DELAY_MS
// (default 20). The built CLI runs as a child process, once per concurrency in BENCH_CONCURRENCY
// (default 32). Prints the questions the server answered, the most it had open at once, the elapsed
// wall time, and its ratio to the floor: questions × delay ÷ concurrency. Target: within 2× of it.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import dns2 from "dns2";

const root = resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const { resolveConfig } = require(join(root, "dist", "modules", "config", "resolve.js"));
const { fillDkimTokens, planDomains } = require(join(root, "dist", "modules", "model", "records.js"));

const domains = Number(process.env.BENCH_DOMAINS ?? "1000");
const delayMs = Number(process.env.BENCH_DELAY_MS ?? "20");
const concurrencies = (process.env.BENCH_CONCURRENCY ?? "32").split(",").map(Number);
const work = mkdtempSync(join(tmpdir(), "ses-domains-bench-verify-"));

const names = Array.from({ length: domains }, (_, i) => `d${i}.example.com`);
const config = {
  defaults: {
    region: "us-east-1",
    dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } },
    spf: { ip4: ["192.0.2.0/24"] },
    dmarc: { p: "reject", rua: ["dmarc@example.com"] },
  },
  domains: Object.fromEntries(names.map((d) => [d, {}])),
};
const tokensFor = (domain) => [1, 2, 3].map((n) => `${domain.split(".")[0]}t${n}`);
const configFile = join(work, "fleet.json");
const tokensFile = join(work, "tokens.json");
writeFileSync(configFile, JSON.stringify(config));
writeFileSync(tokensFile, JSON.stringify(Object.fromEntries(names.map((d) => [d, { "us-east-1": tokensFor(d) }]))));

// The zone the fleet needs, complete, so every check is answered `ok` (no answer here is over 512 octets: UDP only).
const { Packet } = dns2;
const zone = new Map();
for (const plan of planDomains(resolveConfig(config))) {
  for (const record of plan.records) {
    const fill = (text) => fillDkimTokens(text, (_, i) => tokensFor(plan.domain)[i]);
    const name = fill(record.name);
    const rdata = record.values.map((value) => {
      if (record.type === "TXT") return { type: Packet.TYPE.TXT, data: [value] };
      if (record.type === "MX") {
        const [priority, exchange] = value.split(" ");
        return { type: Packet.TYPE.MX, priority: Number(priority), exchange };
      }
      return { type: Packet.TYPE.CNAME, domain: fill(value) };
    });
    zone.set(
      `${name}|${rdata[0].type}`,
      rdata.map((r) => ({ name, class: Packet.CLASS.IN, ttl: record.ttl, ...r })),
    );
  }
}

let questions = 0;
let inFlight = 0;
let maxInFlight = 0;
const server = dns2.createUDPServer({ type: "udp4" });
server.on("request", (request, send) => {
  const [question] = request.questions;
  questions++;
  maxInFlight = Math.max(maxInFlight, ++inFlight);
  const response = Packet.createResponseFromRequest(request);
  response.header.aa = 1;
  const answers = question && zone.get(`${question.name.toLowerCase()}|${question.type}`);
  if (answers) response.answers = answers;
  else response.header.rcode = Packet.RCODE.NXDOMAIN;
  setTimeout(() => {
    inFlight--;
    send(response);
  }, delayMs);
});
await new Promise((done) => server.bind(0, "127.0.0.1", done));
const resolver = `127.0.0.1:${server.address().port}`;

const bin = join(root, "dist", "modules", "cli", "ses-domains.js");
const rows = [];
for (const concurrency of concurrencies) {
  questions = 0;
  maxInFlight = 0;
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [bin, "verify", "--config", configFile, "--tokens", tokensFile, "--resolver", resolver, "--concurrency", String(concurrency)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  const [code] = await once(child, "close");
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0)
    throw new Error(
      `verify exited ${code}: ${out
        .split("\n")
        .filter((l) => !l.startsWith("ok"))
        .slice(0, 5)
        .join("\n")}`,
    );
  const floor = (questions * delayMs) / 1000 / concurrency;
  rows.push({ concurrency, questions, maxInFlight, seconds, floor });
}
server.close();
rmSync(work, { recursive: true, force: true });

process.stdout.write(`verify: ${domains} domains, answers held back ${delayMs} ms each (Node ${process.versions.node})\n\n`);
process.stdout.write("| concurrency | queries | most in flight | elapsed s | floor s (queries × delay ÷ concurrency) | ratio |\n");
process.stdout.write("|---:|---:|---:|---:|---:|---:|\n");
for (const r of rows) {
  process.stdout.write(
    `| ${r.concurrency} | ${r.questions} | ${r.maxInFlight} | ${r.seconds.toFixed(2)} | ${r.floor.toFixed(2)} | ${(r.seconds / r.floor).toFixed(2)} |\n`,
  );
}
process.stdout.write("\nTarget: ratio at most 2.\n");
