import { beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_LIMITS } from "../../modules/reports/container";
import { formatMarkdown, formatTable } from "../../modules/reports/format";
import type { Input } from "../../modules/reports/read";
import { dmarcReport, type DmarcReportResult } from "../../modules/reports/report";
import { DEFAULT_THRESHOLDS } from "../../modules/reports/verdict";
import { DAY, NOV_1, reportXml, sesRecord } from "../helpers/dmarc";

const memory = (name: string, text: string, listed = false): Input => ({ name, listed, read: async () => Buffer.from(text) });

let result: DmarcReportResult;
beforeAll(async () => {
  const week = Array.from({ length: 7 }, (_, i) =>
    memory(
      `week/day-${i}.xml`,
      reportXml({
        id: `d${i}`,
        begin: NOV_1 + i * DAY,
        records: [sesRecord("54.240.8.1", 1000), sesRecord("54.240.8.2", 500), { ip: "203.0.113.9", count: 5, authSpf: [["example.com|x", "fail"]] }],
      }),
    ),
  );
  result = await dmarcReport(
    [
      ...week,
      memory("week/day-0-again.xml", reportXml({ id: "d0", begin: NOV_1, records: [sesRecord("54.240.8.1", 1000)] })),
      memory("week/broken.xml", "<feedback><report_metadata>"),
      memory("week/notes.txt", "just notes", true),
    ],
    { limits: DEFAULT_LIMITS, thresholds: DEFAULT_THRESHOLDS, concurrency: 3 },
  );
});

describe("dmarc-report output", () => {
  test("files keep input order whatever order reads finish in; duplicates, failures and skips are said", () => {
    expect(result.files.map((f) => [f.file, f.ok, f.reports])).toEqual([
      ...Array.from({ length: 7 }, (_, i) => [`week/day-${i}.xml`, true, 1]),
      ["week/day-0-again.xml", true, 1],
      ["week/broken.xml", false, 0],
    ]);
    expect(result.files[7].warnings).toEqual([
      { code: "duplicate", message: 'report "d0" from google.com for example.com was already read from week/day-0.xml: counted once' },
    ]);
    expect(result.files[8].error).toMatch(/^not well-formed XML \(line 1, column \d+: unclosed tag: report_metadata\)$/);
    expect(result.skipped).toEqual([{ file: "week/notes.txt", reason: 'not a report (no XML, gzip, zip or mail; starts with "just notes")' }]);
  });

  test("JSON carries at least the documented shape, with passRate a 0–1 fraction", () => {
    const json = JSON.parse(JSON.stringify(result));
    expect(Object.keys(json)).toEqual(["files", "skipped", "thresholds", "domains"]);
    expect(json.files[8]).toEqual({ file: "week/broken.xml", ok: false, error: expect.any(String), warnings: [], reports: 0 });
    const [d] = json.domains;
    expect(d).toMatchObject({ domain: "example.com", reports: 7, messages: 10535, passRate: 10500 / 10535 });
    expect(d.sources[0]).toEqual({
      ip: "54.240.8.1",
      kind: "ses",
      messages: 7000,
      aligned: 7000,
      reporters: ["google.com"],
      dkim: expect.any(Array),
      spf: ["mail.example.com pass"],
      overrides: [],
    });
    expect(d.warnings).toEqual([]);
    expect(d.verdict).toMatchObject({ ready: true, next: "dmarc: { p: quarantine, pct: 25 }", reasons: expect.any(Array) });
    expect(json.thresholds).toEqual({ minPassRate: 0.98, minDays: 7, highVolume: 0.01 });
  });

  test("the table: tally, kinds, sources biggest first, verdict and next step", () => {
    const lines = formatTable(result, { top: 10 }).split("\n");
    expect(lines[0]).toBe("9 files: 8 read (8 reports), 1 unreadable; 1 skipped; 1 policy domain.");
    expect(lines).toContain("example.com: 7 reports from 1 reporter, 2026-11-01 to 2026-11-07 (7.0 days), published p=none");
    expect(lines).toContain("  ses               2    10,500  100.0 %");
    expect(lines).toContain("  failing           1        35    0.0 %");
    expect(lines.filter((l) => /^ {2}\d+\.\d+\.\d+\.\d+ /.test(l)).map((l) => l.trim().split(/\s+/)[0])).toEqual(["54.240.8.1", "54.240.8.2", "203.0.113.9"]);
    expect(lines).toContain("  verdict: ready for quarantine (now p=none)");
    expect(lines).toContain("  next: dmarc: { p: quarantine, pct: 25 }   (or, under RFC 9989: dmarc: { p: quarantine, t: y })");
    expect(lines).toContain('skipped  week/notes.txt: not a report (no XML, gzip, zip or mail; starts with "just notes")');
    expect(lines.some((l) => l.includes("broken.xml"))).toBe(false); // unreadable files go to stderr, from the command
  });

  test("--top limits the sources listed and says how many more there are", () => {
    const table = formatTable(result, { top: 1 });
    expect(table).toContain("  … 2 more sources (--top 0 lists all)");
    expect(table).not.toContain("54.240.8.2 ");
  });

  test("Markdown for a pull request: headings, tables, escaped cells, the failure listed", () => {
    const md = formatMarkdown(result, { top: 0 });
    expect(md.startsWith("## DMARC reports\n\n9 files: 8 read (8 reports), 1 unreadable; 1 skipped; 1 policy domain.\n")).toBe(true);
    expect(md).toContain("### example.com: ready for quarantine");
    expect(md).toContain("| kind | sources | messages | aligned |\n|---|---:|---:|---:|\n| ses | 2 | 10,500 | 100.0 % |");
    expect(md).toContain("| 203.0.113.9 | failing | 35 | 0.0 % | google.com | spf example.com\\|x fail |");
    expect(md).toMatch(/- `week\/broken\.xml`: not well-formed XML/);
    expect(md).toContain("Next: `dmarc: { p: quarantine, pct: 25 }` (or, under RFC 9989: `dmarc: { p: quarantine, t: y }`)");
  });

  test("output is byte-identical run to run", async () => {
    const again = await dmarcReport([memory("a.xml", reportXml({ id: "x", begin: NOV_1, records: [sesRecord("54.240.8.1", 3)] }))], {
      limits: DEFAULT_LIMITS,
      thresholds: DEFAULT_THRESHOLDS,
      concurrency: 2,
    });
    const once = await dmarcReport([memory("a.xml", reportXml({ id: "x", begin: NOV_1, records: [sesRecord("54.240.8.1", 3)] }))], {
      limits: DEFAULT_LIMITS,
      thresholds: DEFAULT_THRESHOLDS,
      concurrency: 2,
    });
    expect(JSON.stringify(again)).toBe(JSON.stringify(once));
    expect(formatTable(again, { top: 10 })).toBe(formatTable(once, { top: 10 }));
  });
});
