import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROOT, runInProcess } from "../helpers/cli";
import { DAY, NOV_1, reportMail, reportXml, runCli, sesRecord, textMember, zipOf, type ChildRun, type RecordSpec } from "../helpers/dmarc";

const work = mkdtempSync(join(tmpdir(), "ses-domains-dmarc-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** In-process run with stderr as a terminal or not. */
const cli = (args: string[], tty = false) => runInProcess(args, { tty });

describe("ses-domains dmarc-report ../shared/dmarc-reports (the real samples, as a new user runs it)", () => {
  let table: ChildRun;
  let json: ChildRun;
  let json2: ChildRun;
  beforeAll(async () => {
    [table, json, json2] = await Promise.all([
      runCli(["dmarc-report", "../shared/dmarc-reports"]),
      runCli(["dmarc-report", "../shared/dmarc-reports", "--json"]),
      runCli(["dmarc-report", "../shared/dmarc-reports", "--format", "json"]),
    ]);
  });

  test("reads every readable sample, names the unreadable one with its reason on stderr, and exits 1", () => {
    expect(table.code).toBe(1);
    expect(table.stderr).toBe(
      "error: ../shared/dmarc-reports/parsedmarc/invalid_xml.xml: not well-formed XML (line 5, column 18: disallowed character in tag name)\n",
    );
    const files = JSON.parse(json.stdout).files as { file: string; ok: boolean }[];
    expect(files).toHaveLength(33);
    expect(files.filter((f) => !f.ok).map((f) => f.file)).toEqual(["../shared/dmarc-reports/parsedmarc/invalid_xml.xml"]);
  });

  test("prints a summary per policy domain with a verdict", () => {
    const lines = table.stdout.split("\n");
    expect(lines[0]).toBe("33 files: 32 read (32 reports), 1 unreadable; 1 skipped; 7 policy domains.");
    expect(lines.filter((l) => l.startsWith("  verdict: ")).length).toBe(7);
    expect(lines).toContain('skipped  ../shared/dmarc-reports/README.md: not a report (no XML, gzip, zip or mail; starts with "# DMARC aggregat…")');
    expect(table.stdout).toContain("  warning mail-from-not-aligned: 295 messages sent through SES had the SPF domain ap-southeast-1.amazonses.com");
  });

  test("--json and --format json print the same bytes, run to run, with no absolute path", () => {
    expect(json.stdout).toBe(json2.stdout);
    expect(json.stdout).not.toContain(ROOT);
    expect(JSON.parse(json.stdout).domains.map((d: { domain: string }) => d.domain)).toEqual([
      "ab.id.au",
      "borschow.com",
      "example.com",
      "example.de",
      "indemed.com",
      "test.net",
      "twlnet.com",
    ]);
  });

  test("reading them stays well under 200 MB", () => {
    expect(table.peakMb).toBeGreaterThan(0);
    expect(table.peakMb).toBeLessThan(200);
  });

  test("memory does not grow with the reports read: 150 copies of the 2,286-record sample fit a 64 MB heap", async () => {
    const large = "../shared/dmarc-reports/parsedmarc/!large-example.com!1711897200!1711983600.xml.gz";
    const result = await runCli(["dmarc-report", ...Array.from({ length: 150 }, () => large), "--json"], {}, ROOT, ["--max-old-space-size=64"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.files).toHaveLength(150);
    expect(json.domains[0]).toMatchObject({ domain: "example.com", reports: 1, messages: 2286 });
  });
});

describe("a healthy week of reports in every container", () => {
  const SPOOFER: RecordSpec = { ip: "203.0.113.9", count: 5, authSpf: [["example.com", "fail"]] };
  const dir = join(work, "week");
  beforeAll(() => {
    mkdirSync(dir);
    for (let i = 0; i < 7; i++) {
      const begin = NOV_1 + i * DAY;
      const xml = reportXml({ id: `d${i}`, begin, records: [sesRecord("54.240.8.1", 1000), sesRecord("54.240.8.2", 500), SPOOFER] });
      const name = `google.com!example.com!${begin}!${begin + DAY - 1}`;
      // containers by day: plain, gzip, zip, mail with zip, mail with gzip, gzip in gzip, no extension
      const bytes = [
        () => Buffer.from(xml),
        () => gzipSync(xml),
        () => zipOf([textMember(`${name}.xml`, xml)]),
        () => reportMail(zipOf([textMember(`${name}.xml`, xml)]), `${name}.zip`, "application/zip"),
        () => reportMail(gzipSync(xml), `${name}.xml.gz`, "application/gzip"),
        () => gzipSync(gzipSync(xml)),
        () => Buffer.from(xml),
      ][i]();
      writeFileSync(join(dir, `day-${i}`), bytes);
    }
  });

  test("every SES source passes aligned: ready for quarantine, with the config change, exit 0", async () => {
    const result = await runCli(["dmarc-report", dir]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("7 files: 7 read (7 reports), 0 unreadable; 1 policy domain.");
    expect(result.stdout).toContain("  verdict: ready for quarantine (now p=none)");
    expect(result.stdout).toContain("  next: dmarc: { p: quarantine, pct: 25 }   (or, under RFC 9989: dmarc: { p: quarantine, t: y })");
  });

  test("thresholds are flags: --min-days 8 says not yet, and why", async () => {
    const result = await cli(["dmarc-report", dir, "--min-days", "8", "--json"]);
    const [d] = JSON.parse(result.out).domains;
    expect(d.verdict).toMatchObject({ ready: false, next: null, reasons: ["7.0 days of reports (2026-11-01 to 2026-11-07), fewer than 8 (--min-days)"] });
  });

  test("Markdown for a pull request", async () => {
    const result = await cli(["dmarc-report", dir, "--format", "markdown"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("### example.com: ready for quarantine");
  });

  test("an unreadable file among them is one line; the rest are still read and the verdict stands", async () => {
    const result = await cli(["dmarc-report", dir, join(work, "missing.xml")]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(`error: ${join(work, "missing.xml")}: no such file or directory\n`);
    expect(result.out).toContain("  verdict: ready for quarantine (now p=none)");
  });
});

describe("--config recognises the config's SES identities", () => {
  test("a MAIL FROM domain from the config marks its sender as SES", async () => {
    const xml = reportXml({ id: "c1", begin: NOV_1, records: [{ ip: "54.240.9.2", count: 2, spf: "pass", authSpf: [["bounce.example.com", "pass"]] }] });
    writeFileSync(join(work, "c1.xml"), xml);
    writeFileSync(
      join(work, "config.json"),
      JSON.stringify({
        defaults: { region: "us-east-1", dns: { route53: { zoneId: "Z1" } } },
        domains: { "example.com": { mailFrom: { subdomain: "bounce" } } },
      }),
    );
    const kinds = async (args: string[]) =>
      JSON.parse((await cli(["dmarc-report", join(work, "c1.xml"), "--json", ...args])).out).domains[0].sources.map((s: { kind: string }) => s.kind);
    expect(await kinds(["--config", join(work, "config.json")])).toEqual(["ses"]);
    expect(await kinds([])).toEqual(["authorized"]);
  });

  test("a config with problems is exit 2 with its lines, and nothing on stdout", async () => {
    writeFileSync(join(work, "bad.json"), JSON.stringify({ domains: { "example.com": { dmarc: { pct: 150 } } } }));
    const result = await cli(["dmarc-report", join(work, "c1.xml"), "--config", join(work, "bad.json")]);
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toMatch(/^error: /);
  });
});

describe("usage", () => {
  test.each([
    [["dmarc-report"], "error: missing required argument 'inputs'"],
    [["dmarc-report", "x", "--min-pass-rate", "98"], 'error: --min-pass-rate must be a fraction 0–1, such as 0.98, got "98"'],
    [["dmarc-report", "x", "--high-volume", "-0.1"], 'error: --high-volume must be a fraction 0–1, such as 0.98, got "-0.1"'],
    [["dmarc-report", "x", "--max-size", "0"], 'error: --max-size must be a whole number 1–1024 MB, got "0"'],
    [["dmarc-report", "x", "--format", "xml"], "argument 'xml' is invalid. Allowed choices are table, markdown, json."],
    [
      ["dmarc-report", "x", "--endpoint", "ftp://host"],
      'error: --endpoint must be an http:// or https:// URL, such as http://127.0.0.1:4568, got "ftp://host"',
    ],
    [["dmarc-report", "s3://"], 'error: an S3 input must be s3://bucket or s3://bucket/prefix, got "s3://"'],
  ])("%j exits 2: %s", async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err.trimEnd().split("\n").at(-1)).toBe("usage: ses-domains dmarc-report [options] <inputs...>");
    expect(result.out).toBe("");
  });

  test("ses-domains --help lists the command", async () => {
    const result = await cli(["--help"]);
    expect(result.out).toMatch(/^ {2}dmarc-report \[options\] <inputs\.\.\.> +read DMARC aggregate reports/m);
  });

  test("--help names the inputs, every flag and the exit codes", async () => {
    const result = await cli(["dmarc-report", "--help"]);
    expect(result.code).toBe(0);
    for (const flag of [
      "--config <file>",
      "--max-size <MB>",
      "--min-pass-rate <fraction>",
      "--min-days <days>",
      "--high-volume <fraction>",
      "--top <n>",
      "--endpoint <url>",
      "--concurrency <n>",
      "--format <format>",
      "--json",
    ]) {
      expect(result.out).toContain(flag);
    }
    expect(result.out).toContain("Exit codes: 0 every input read, 1 any input unreadable (one line each on stderr), 2 usage or config errors.");
  });
});

describe("the progress line", () => {
  const many = join(work, "many");
  beforeAll(() => {
    mkdirSync(many);
    for (let i = 0; i < 201; i++)
      writeFileSync(join(many, `r${String(i).padStart(3, "0")}.xml`), reportXml({ id: `m${i}`, begin: NOV_1, records: [sesRecord("54.240.8.1", 1)] }));
  });

  test("is written to stderr on a terminal for large inputs, and cleared", async () => {
    const result = await cli(["dmarc-report", many], true);
    expect(result.code).toBe(0);
    expect(result.err).toContain("\rreading 201 of 201 inputs");
    expect(result.err.endsWith("\r\x1b[K")).toBe(true);
    expect(result.out).not.toContain("reading");
  });

  test("is never written when stderr is not a terminal", async () => {
    const result = await cli(["dmarc-report", many], false);
    expect(result.err).toBe("");
  });

  test("is not written for a few files even on a terminal", async () => {
    const result = await cli(["dmarc-report", join(work, "c1.xml")], true);
    expect(result.err).toBe("");
  });
});
