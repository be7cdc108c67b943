// npm run bench:dmarc: how fast dmarc-report reads, and that its memory stays flat as inputs grow.
// Each measurement runs in its own process (peak RSS is per process): the 2,286-record sample read
// 20 and 100 times, then N generated reports (DMARC_BENCH_SIZES, default 100,1000,5000; 20 records
// each, gzipped as receivers send them) read as a directory, then the hostile inputs through the CLI.
// Prints reports/s, records/s, wall time, peak RSS, and the heap still reachable after a full GC (V8
// grows its heap lazily, so peak RSS rises with the work done even when nothing is kept; the live heap
// shows what is). Targets: >= 200 reports/s, >= 100,000 records/s. DMARC_BENCH_NODE_FLAGS passes flags
// to the measured processes (e.g. --max-old-space-size=24 to see the peak with a small heap).
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { crc32, createDeflateRaw, gzipSync } from "node:zlib";

const root = resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const LARGE = resolve(root, "..", "shared", "dmarc-reports", "parsedmarc", "!large-example.com!1711897200!1711983600.xml.gz");

if (process.argv[2] === "measure") {
  // child: read the inputs with the library, as the command does, and report figures as JSON
  const { localInputs } = require(join(root, "dist", "modules", "reports", "read.js"));
  const { dmarcReport } = require(join(root, "dist", "modules", "reports", "report.js"));
  const { DEFAULT_LIMITS } = require(join(root, "dist", "modules", "reports", "container.js"));
  const { DEFAULT_THRESHOLDS } = require(join(root, "dist", "modules", "reports", "verdict.js"));
  const [path, repeat] = [process.argv[3], Number(process.argv[4] ?? 1)];
  const inputs = [];
  for (let i = 0; i < repeat; i++) inputs.push(...localInputs([path]));
  const started = process.hrtime.bigint();
  const result = await dmarcReport(inputs, { limits: DEFAULT_LIMITS, thresholds: DEFAULT_THRESHOLDS, concurrency: 4 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const reports = result.files.reduce((n, f) => n + f.reports, 0);
  const failed = result.files.filter((f) => !f.ok).length;
  // the summary counts each report once; records are counted from what was read
  const records = Number(process.env.BENCH_RECORDS_PER_INPUT) * inputs.length;
  // what is still reachable once garbage is collected: flat when nothing is kept per report
  globalThis.gc();
  const liveMb = process.memoryUsage().heapUsed / 1024 / 1024;
  process.stdout.write(JSON.stringify({ seconds, reports, records, failed, rssMb: process.resourceUsage().maxRSS / 1024, liveMb }));
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), "ses-domains-bench-dmarc-"));
const sizes = (process.env.DMARC_BENCH_SIZES ?? "100,1000,5000").split(",").map(Number);
const RECORDS_PER_REPORT = 20;
const DAY = 86400;
const NOV_1 = 1793491200;

function generatedReport(i) {
  const begin = NOV_1 + (i % 30) * DAY;
  const records = [];
  for (let r = 0; r < RECORDS_PER_REPORT; r++) {
    const kind = r % 10;
    // the same senders day after day, as in real reports: 30 SES addresses, 20 others, and spoofers
    const ip = kind < 6 ? `54.240.8.${(i + r) % 30}` : kind < 8 ? `209.85.220.${(i + r) % 20}` : `203.0.113.${(i * 7 + r) % 250}`;
    const pass = kind < 8;
    const auth =
      kind < 6
        ? `<dkim><domain>example.com</domain><selector>wga44lpul4p7rva52ovzl5csydgwelke</selector><result>pass</result></dkim><dkim><domain>amazonses.com</domain><selector>iowwo7fd7wqffpmrry5t52h55zq2wg7s</selector><result>pass</result></dkim><spf><domain>mail.example.com</domain><result>pass</result></spf>`
        : pass
          ? `<dkim><domain>example.com</domain><selector>google</selector><result>pass</result></dkim><spf><domain>example.com</domain><result>pass</result></spf>`
          : `<spf><domain>example.com</domain><result>fail</result></spf>`;
    records.push(
      `<record><row><source_ip>${ip}</source_ip><count>${1 + ((i + r) % 40)}</count><policy_evaluated><disposition>none</disposition><dkim>${pass ? "pass" : "fail"}</dkim><spf>${pass ? "pass" : "fail"}</spf></policy_evaluated></row>` +
        `<identifiers><header_from>example.com</header_from></identifiers><auth_results>${auth}</auth_results></record>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8" ?><feedback><version>1.0</version><report_metadata><org_name>google.com</org_name><email>noreply-dmarc-support@google.com</email>` +
    `<report_id>bench-${i}</report_id><date_range><begin>${begin}</begin><end>${begin + DAY - 1}</end></date_range></report_metadata>` +
    `<policy_published><domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><pct>100</pct></policy_published>${records.join("")}</feedback>`
  );
}

function measure(path, repeat, recordsPerInput) {
  const flags = (process.env.DMARC_BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean);
  const run = spawnSync(process.execPath, [...flags, "--expose-gc", join(root, "bench", "dmarc.mjs"), "measure", path, String(repeat)], {
    env: { ...process.env, BENCH_RECORDS_PER_INPUT: String(recordsPerInput) },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`measure ${path} failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

function cli(args) {
  const started = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    ["-r", join(root, "bench", "peak-rss.cjs"), join(root, "dist", "modules", "cli", "ses-domains.js"), "dmarc-report", ...args],
    {
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      encoding: "utf8",
    },
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, stderr: run.stderr.trim(), rssMb: Number(run.output[3].trim()) / 1024 };
}

const rows = [];
const row = (input, m) =>
  rows.push([
    input,
    m.reports.toLocaleString("en-US"),
    m.records.toLocaleString("en-US"),
    m.seconds.toFixed(2),
    Math.round(m.reports / m.seconds).toLocaleString("en-US"),
    Math.round(m.records / m.seconds).toLocaleString("en-US"),
    m.rssMb.toFixed(0),
    m.liveMb.toFixed(1),
  ]);

// the large real sample, read again and again (the summary counts it once; every read parses it in full)
for (const repeat of [20, 100]) row(`2,286-record sample × ${repeat}`, measure(LARGE, repeat, 2286));

for (const n of sizes) {
  const dir = join(work, `reports-${n}`);
  mkdirSync(dir);
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `google.com!example.com!${i}.xml.gz`), gzipSync(generatedReport(i)));
  const m = measure(dir, 1, RECORDS_PER_REPORT);
  if (m.failed > 0) throw new Error(`${m.failed} generated reports failed`);
  row(`${n.toLocaleString("en-US")} generated reports`, m);
}

// hostile inputs: 1 GiB of zeros behind a gzip, a lying zip header and an honest one; XXE; billion laughs
const zeros = Buffer.alloc(1024 * 1024);
let crc = 0;
for (let i = 0; i < 1024; i++) crc = crc32(zeros, crc);
const deflate = createDeflateRaw({ level: 9 });
const parts = [];
deflate.on("data", (b) => parts.push(b));
const ended = once(deflate, "end");
Readable.from(
  (function* () {
    for (let i = 0; i < 1024; i++) yield zeros;
  })(),
).pipe(deflate);
await ended;
const bombRaw = Buffer.concat(parts);
const trailer = Buffer.alloc(8);
trailer.writeUInt32LE(crc >>> 0, 0);
trailer.writeUInt32LE(0, 4); // 1 GiB mod 2^32
writeFileSync(join(work, "bomb.xml.gz"), Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), bombRaw, trailer]));
function zip(declared) {
  const name = Buffer.from("report.xml");
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(bombRaw.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(bombRaw.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + bombRaw.length, 16);
  return Buffer.concat([local, name, bombRaw, central, name, end]);
}
writeFileSync(join(work, "bomb.zip"), zip(1024));
writeFileSync(join(work, "honest-bomb.zip"), zip(0xffffffff));
writeFileSync(join(work, "xxe.xml"), '<?xml version="1.0"?><!DOCTYPE feedback [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]><feedback>&xxe;</feedback>');
let laughs = '<?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY lol0 "lol">';
for (let i = 1; i <= 9; i++) laughs += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
writeFileSync(join(work, "laughs.xml"), `${laughs}]><feedback>&lol9;</feedback>`);
// not hostile in form, but anyone can send it: a report just under the limit, every record its own address
const many = [];
for (let n = 0; n < 70_000; n++) {
  many.push(
    `<record><row><source_ip>10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>` +
      `<identifiers><header_from>example.com</header_from></identifiers><auth_results><dkim><domain>d${n}.example</domain><result>pass</result></dkim></auth_results></record>`,
  );
}
const manyXml = `<feedback><report_metadata><org_name>x</org_name><email>a@x.example</email><report_id>many</report_id><date_range><begin>${NOV_1}</begin><end>${NOV_1 + DAY - 1}</end></date_range></report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published>${many.join("")}</feedback>`;
writeFileSync(join(work, "many-sources.xml.gz"), gzipSync(manyXml));
const hostile = [
  ["XXE", "xxe.xml"],
  ["billion laughs", "laughs.xml"],
  [`gzip bomb (1 GiB in ${Math.round(bombRaw.length / 1024)} KB)`, "bomb.xml.gz"],
  ["zip bomb, header claims 1 KB", "bomb.zip"],
  ["zip bomb, header claims 4 GB", "honest-bomb.zip"],
  [`a ${(manyXml.length / 1024 / 1024).toFixed(1)} MB report of 70,000 distinct sources (read)`, "many-sources.xml.gz"],
].map(([label, file]) => {
  const r = cli([join(work, file)]);
  return [label, r.seconds.toFixed(2), r.rssMb.toFixed(0), r.stderr.replace(`error: ${join(work, file)}: `, "") || "(none)"];
});
const baseline = cli([join(root, "..", "shared", "dmarc-reports", "tierpod", "test.xml")]);
rmSync(work, { recursive: true, force: true });

console.log(`\nnode ${process.version}; each row its own process; reading only (start-up excluded)`);
console.log("| input | reports | records | seconds | reports/s | records/s | peak RSS MB | live heap after GC MB |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
console.log(
  `\nhostile inputs through the CLI (whole process, start-up included; one small report: ${baseline.seconds.toFixed(2)} s, ${baseline.rssMb.toFixed(0)} MB)`,
);
console.log("| input | seconds | peak RSS MB | error |");
console.log("|---|---:|---:|---|");
for (const h of hostile) console.log(`| ${h.join(" | ")} |`);
