/**
 * Anyone can mail a rua address. The four classic attacks, generated here (nothing big is committed),
 * each against the built CLI as a child process: a clear one-line error, the good report beside it
 * still read, and the process's peak RSS well under 200 MB. Time is bounded by the test timeout, not
 * asserted (the machine is shared); README "DMARC reports" has the measured figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { billionLaughs, deflatedZeros, gzipOf, NOV_1, reportXml, runCli, sesRecord, xxe, zipOf } from "../helpers/dmarc";

const work = mkdtempSync(join(tmpdir(), "ses-domains-dmarc-hostile-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const GOOD = join(work, "good.xml");
/** Records in a report just under the 25 MB limit, each from its own address (anyone can send one). */
const MANY = 70_000;
const BOMB = "decompresses to more than 25 MB (--max-size): refused as a possible decompression bomb";
const HOSTILE: [string, string, string][] = [
  ["an XXE attempt", "xxe.xml", "refused: the XML has a <!DOCTYPE declaration, which DMARC reports never carry and XXE and entity-expansion attacks need"],
  [
    "a billion-laughs document",
    "laughs.xml",
    "refused: the XML has a <!DOCTYPE declaration, which DMARC reports never carry and XXE and entity-expansion attacks need",
  ],
  ["a gzip bomb (1 GiB of zeros in 1 MB)", "bomb.xml.gz", BOMB],
  [
    "a zip bomb whose header claims 1 KB (1 GiB inside)",
    "bomb.zip",
    'zip member "report.xml" inflates to more than the 1 KB its header declares: corrupt or hostile, refused',
  ],
  ["a zip bomb with honest headers", "honest-bomb.zip", BOMB],
];

beforeAll(async () => {
  writeFileSync(GOOD, reportXml({ id: "good", begin: NOV_1, records: [sesRecord("54.240.8.1", 10)] }));
  writeFileSync(join(work, "xxe.xml"), xxe());
  writeFileSync(join(work, "laughs.xml"), billionLaughs());
  const zeros = await deflatedZeros(1024);
  writeFileSync(join(work, "bomb.xml.gz"), gzipOf(zeros));
  writeFileSync(join(work, "bomb.zip"), zipOf([{ name: "report.xml", ...zeros, declaredSize: 1024 }]));
  writeFileSync(join(work, "honest-bomb.zip"), zipOf([{ name: "report.xml", ...zeros }]));
  const records = Array.from({ length: MANY }, (_, n) => ({
    ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
    count: 1,
    authDkim: [[`d${n}.example`, "pass"] as const],
  }));
  const many = reportXml({ id: "many", begin: NOV_1, records });
  if (many.length < 20 * 1024 * 1024 || many.length > 25 * 1024 * 1024)
    throw new Error(`the many-sources report is ${many.length} bytes, meant to be 20–25 MB`);
  writeFileSync(join(work, "many-sources.xml.gz"), gzipSync(many));
}, 120_000);

describe("hostile reports fail safely, within bounded memory", () => {
  test.each(HOSTILE)("%s: one clear line, the good report still read, peak RSS under 200 MB", async (_, file, message) => {
    const result = await runCli(["dmarc-report", join(work, file), GOOD, "--json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: ${join(work, file)}: ${message}\n`);
    const json = JSON.parse(result.stdout);
    expect(json.files.map((f: { ok: boolean }) => f.ok)).toEqual([false, true]);
    expect(json.domains[0]).toMatchObject({ domain: "example.com", messages: 10 });
    expect(result.stdout).not.toContain("root:x:0:0");
    expect(result.peakMb).toBeGreaterThan(0);
    expect(result.peakMb).toBeLessThan(150);
  });

  test("a report just under the limit with 70,000 distinct sources is read, sources capped, under 200 MB", async () => {
    const result = await runCli(["dmarc-report", join(work, "many-sources.xml.gz"), "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [d] = JSON.parse(result.stdout).domains;
    expect(d.messages).toBe(MANY);
    expect(d.sources).toHaveLength(10_001);
    expect(d.warnings[0]).toEqual({
      code: "sources-capped",
      message: `more than 10,000 distinct sources: ${(MANY - 10_000).toLocaleString("en-US")} messages from the rest are counted under "(other sources)".`,
    });
    expect(result.peakMb).toBeLessThan(200);
  });

  test("all of them together: one line each, in order, and still bounded", async () => {
    const result = await runCli(["dmarc-report", ...HOSTILE.map(([, file]) => join(work, file)), GOOD]);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split("\n")).toEqual(HOSTILE.map(([, file, message]) => `error: ${join(work, file)}: ${message}`));
    expect(result.stdout.split("\n")[0]).toBe("6 files: 1 read (1 report), 5 unreadable; 1 policy domain.");
    expect(result.peakMb).toBeLessThan(150);
  });
});
