import { describe, expect, test } from "vitest";
import { DEFAULT_LIMITS } from "../../modules/reports/container";
import { parseReport } from "../../modules/reports/parse";
import { Warnings } from "../../modules/reports/problems";
import { localInputs, readInput } from "../../modules/reports/read";
import { ReportSummary, type DomainSummary, type SesIdentity } from "../../modules/reports/summary";
import type { AggregateReport } from "../../modules/reports/types";
import { DEFAULT_THRESHOLDS, nextStep, type Thresholds } from "../../modules/reports/verdict";
import { DAY, NOV_1, reportXml, sample, sesRecord, type RecordSpec, type ReportSpec } from "../helpers/dmarc";

const report = (spec: ReportSpec): AggregateReport => parseReport(Buffer.from(reportXml(spec)), new Warnings());

/** `days` daily Google reports for example.com, each with the same records. */
function daily(days: number, records: readonly RecordSpec[], extra: Partial<ReportSpec> = {}): AggregateReport[] {
  return Array.from({ length: days }, (_, i) => report({ id: `day-${i}`, begin: NOV_1 + i * DAY, records, ...extra }));
}

function summarise(reports: readonly AggregateReport[], thresholds: Thresholds = DEFAULT_THRESHOLDS, identities: SesIdentity[] = []): DomainSummary[] {
  const s = new ReportSummary(identities);
  for (const [i, r] of reports.entries()) s.add(r, `file-${i}`);
  return s.result(thresholds);
}

const SPOOFER: RecordSpec = { ip: "203.0.113.9", count: 5, authSpf: [["example.com", "fail"]] };
/** Every SES source passes aligned (custom MAIL FROM, Easy DKIM); a spoofer sends 0.3 % of the mail. */
const HEALTHY = [sesRecord("54.240.8.1", 1000), sesRecord("54.240.8.2", 500), SPOOFER];

describe("the readiness verdict", () => {
  test("a week of reports where every SES source passes aligned is ready for quarantine, with the config change", () => {
    const [d] = summarise(daily(7, HEALTHY));
    expect(d.domain).toBe("example.com");
    expect(d.reports).toBe(7);
    expect(d.messages).toBe(7 * 1505);
    expect(d.passRate).toBeCloseTo(1500 / 1505, 10);
    expect(d.days).toBe(7);
    expect(d.period).toEqual({ begin: "2026-11-01T00:00:00Z", end: "2026-11-07T23:59:59Z" });
    expect(d.kinds).toEqual({
      ses: { sources: 2, messages: 10500, aligned: 10500 },
      authorized: { sources: 0, messages: 0, aligned: 0 },
      forwarder: { sources: 0, messages: 0, aligned: 0 },
      failing: { sources: 1, messages: 35, aligned: 0 },
    });
    expect(d.warnings).toEqual([]);
    expect(d.verdict).toEqual({
      ready: true,
      current: "p=none",
      target: "quarantine",
      label: "ready for quarantine",
      next: "dmarc: { p: quarantine, pct: 25 }",
      alternative: "dmarc: { p: quarantine, t: y }",
      reasons: [
        "7.0 days of reports (2026-11-01 to 2026-11-07), at least 7 (--min-days)",
        "DMARC pass rate 99.6 % of 10,535 messages, at least 98 % (--min-pass-rate)",
        "every SES source passes aligned (2 sources, 10,500 messages)",
        "every high-volume source (1 % of messages or more, --high-volume) passes aligned, forwarders aside",
      ],
    });
  });

  test("six days of the same reports are not enough", () => {
    const [d] = summarise(daily(6, HEALTHY));
    expect(d.verdict).toMatchObject({ ready: false, label: "not yet ready for quarantine", next: null, alternative: null });
    expect(d.verdict.reasons).toEqual(["6.0 days of reports (2026-11-01 to 2026-11-06), fewer than 7 (--min-days)"]);
  });

  test("an SES source whose DKIM fails blocks the verdict and is named, with a warning", () => {
    const broken: RecordSpec = {
      ...sesRecord("54.240.8.3", 100),
      dkim: "fail",
      spf: "fail",
      authDkim: [["amazonses.com", "pass"]],
      authSpf: [["amazonses.com", "pass"]],
    };
    const [d] = summarise(daily(7, [...HEALTHY, broken]));
    expect(d.verdict.ready).toBe(false);
    expect(d.verdict.reasons).toContain("SES source 54.240.8.3 passes aligned for 0.0 % of 700 messages, below 98 %: fix SES's DKIM or MAIL FROM for it first");
    expect(d.warnings.map((w) => w.code)).toEqual(["mail-from-not-aligned", "ses-not-aligned"]);
    expect(d.warnings[1].message).toMatch(/^700 messages sent through SES failed DMARC \(from 54\.240\.8\.3\): neither DKIM nor SPF aligned/);
  });

  test("a failing source above the high-volume share blocks the verdict and is named with its reporter", () => {
    const [d] = summarise(daily(7, [...HEALTHY, { ip: "198.51.100.7", count: 30, authSpf: [["example.com", "fail"]] }]));
    expect(d.verdict.ready).toBe(false);
    expect(d.verdict.reasons).toEqual([
      "DMARC pass rate 97.7 % of 10,745 messages, below 98 % (--min-pass-rate)",
      "failing source 198.51.100.7 (google.com) sent 1.9 % of messages and passes aligned for 0.0 %: if it sends your mail, make it pass aligned SPF or DKIM; if not, it is what enforcement will stop",
    ]);
  });

  test("thresholds are flags: a stricter pass rate or a lower high-volume share turns the same set down", () => {
    expect(summarise(daily(7, HEALTHY), { ...DEFAULT_THRESHOLDS, minPassRate: 0.999 })[0].verdict.reasons).toEqual([
      "DMARC pass rate 99.6 % of 10,535 messages, below 99.9 % (--min-pass-rate)",
    ]);
    expect(summarise(daily(7, HEALTHY), { ...DEFAULT_THRESHOLDS, highVolume: 0.001 })[0].verdict.reasons[0]).toMatch(
      /^failing source 203\.0\.113\.9 \(google\.com\) sent 0\.3 % of messages/,
    );
    expect(summarise(daily(3, HEALTHY), { ...DEFAULT_THRESHOLDS, minDays: 3 })[0].verdict.ready).toBe(true);
  });

  test("reports that count no messages are never ready", () => {
    const [d] = summarise(daily(7, []));
    expect(d.verdict.reasons).toEqual(["the reports count no messages"]);
  });

  test("at quarantine with pct 100 the next step is reject, from the latest report's policy", () => {
    const reports = [
      ...daily(7, HEALTHY, { p: "quarantine", pct: 50 }),
      report({ id: "latest", begin: NOV_1 + 7 * DAY, p: "quarantine", pct: 100, records: HEALTHY }),
    ];
    const [d] = summarise(reports);
    expect(d.verdict).toMatchObject({
      ready: true,
      current: "p=quarantine",
      label: "ready for reject",
      next: "dmarc: { p: reject, pct: 25 }",
      alternative: "dmarc: { p: reject, t: y }",
    });
    expect(d.warnings).toEqual([
      {
        code: "policy-changed",
        message:
          "the published policy changed during the period: p=quarantine in 1 report, p=quarantine pct=50 in 7 reports; the latest is used for the verdict.",
      },
    ]);
  });

  test("at full reject there is nothing to tighten", () => {
    const [d] = summarise(daily(7, HEALTHY, { p: "reject" }));
    expect(d.verdict).toMatchObject({
      ready: true,
      current: "p=reject",
      target: null,
      label: "at p=reject, the strictest policy: keep reading reports",
      next: null,
    });
  });

  test.each([
    [{ p: "none" }, "quarantine", "dmarc: { p: quarantine, pct: 25 }", "dmarc: { p: quarantine, t: y }"],
    [{}, "quarantine", "dmarc: { p: quarantine, pct: 25 }", "dmarc: { p: quarantine, t: y }"],
    [{ p: "quarantine", pct: 5 }, "quarantine", "dmarc: { p: quarantine, pct: 25 }", null],
    [{ p: "quarantine", pct: 25 }, "quarantine", "dmarc: { p: quarantine, pct: 50 }", null],
    [{ p: "quarantine", pct: 50 }, "quarantine", "dmarc: { p: quarantine, pct: 100 }", null],
    [{ p: "quarantine", testing: "y" }, "quarantine", "dmarc: { p: quarantine, t: n }", null],
    [{ p: "quarantine", pct: 100 }, "reject", "dmarc: { p: reject, pct: 25 }", "dmarc: { p: reject, t: y }"],
    [{ p: "reject", pct: 25 }, "reject", "dmarc: { p: reject, pct: 50 }", null],
    [{ p: "reject", testing: "y" }, "reject", "dmarc: { p: reject, t: n }", null],
  ] as const)("the ramp from %j leads to %s with %s", (policy, target, next, alternative) => {
    expect(nextStep({ domain: "example.com", ...policy })).toMatchObject({ target, next, alternative });
  });

  test("the ramp ends at full reject", () => {
    expect(nextStep({ domain: "example.com", p: "reject" })).toBeUndefined();
  });
});

describe("sources grouped by what they are", () => {
  test("the 2025 Google sample: SES sent with SPF domain ap-southeast-1.amazonses.com gets mail-from-not-aligned", async () => {
    const [input] = localInputs([sample("mailweave/google.com!example.com!1747008000!1747094399")]);
    const read = await readInput(input, DEFAULT_LIMITS);
    if (!("ok" in read) || !read.ok) throw new Error("not read");
    const [d] = summarise(read.reports);
    const warning = d.warnings.find((w) => w.code === "mail-from-not-aligned");
    expect(warning?.message).toBe(
      "34 messages sent through SES had the SPF domain ap-southeast-1.amazonses.com: the custom MAIL FROM domain is missing or not working, so SPF does not align and DMARC rests on DKIM alone. " +
        "Set mailFrom (e.g. mailFrom: { subdomain: mail }) and check its MX and SPF records with ses-domains verify before tightening aspf.",
    );
    expect(d.sources.filter((s) => s.kind === "ses").map((s) => s.ip)).toEqual([
      "23.251.232.5",
      "23.251.232.3",
      "23.251.232.6",
      "23.251.232.1",
      "23.251.232.2",
      "23.251.232.4",
    ]);
    expect(d.sources.find((s) => s.ip === "23.251.232.4")).toEqual({
      ip: "23.251.232.4",
      kind: "ses",
      messages: 3,
      aligned: 3,
      reporters: ["google.com"],
      dkim: ["amazonses.com pass", "example.com pass"],
      spf: ["ap-southeast-1.amazonses.com pass"],
      overrides: [],
    });
  });

  test("SES with a working custom MAIL FROM gets no MAIL FROM warning", () => {
    expect(summarise(daily(1, [sesRecord("54.240.8.1", 10)]))[0].warnings).toEqual([]);
  });

  test("SES mail relayed by a forwarder (SES's signature passes, SPF fails) is not an SES source", () => {
    const relayed: RecordSpec = {
      ip: "209.85.220.41",
      count: 4,
      dkim: "pass",
      authDkim: [
        ["example.com", "pass", "wga44lpul4p7rva52ovzl5csydgwelke"],
        ["amazonses.com", "pass"],
      ],
      authSpf: [["amazonses.com", "fail"]],
    };
    const [d] = summarise(daily(1, [relayed]));
    expect(d.sources.map((s) => [s.ip, s.kind])).toEqual([["209.85.220.41", "authorized"]]);
    expect(d.warnings).toEqual([]);
  });

  test("failing mail with a forwarder or mailing-list override is a forwarder, and does not block the verdict", () => {
    const forwarded: RecordSpec = { ip: "192.0.2.44", count: 40, reasons: ["forwarded"], authSpf: [["example.com", "fail"]] };
    const listed: RecordSpec = { ip: "192.0.2.45", count: 10, reasons: ["mailing_list"] };
    const [d] = summarise(daily(7, [...HEALTHY, forwarded, listed]), { ...DEFAULT_THRESHOLDS, minPassRate: 0.95 });
    expect(d.sources.filter((s) => s.kind === "forwarder").map((s) => [s.ip, s.messages, s.overrides])).toEqual([
      ["192.0.2.44", 280, ["forwarded"]],
      ["192.0.2.45", 70, ["mailing_list"]],
    ]);
    expect(d.warnings).toEqual([
      {
        code: "forwarded",
        message:
          "350 messages failed DMARC after forwarding or a mailing list (reported override: forwarded, mailing_list); receivers applied local policy instead of yours.",
      },
    ]);
    expect(d.verdict.ready).toBe(true);
  });

  test("another sender passing aligned DKIM is authorized, not SES", () => {
    const [d] = summarise(
      daily(1, [{ ip: "159.183.224.100", count: 4, dkim: "pass", authDkim: [["example.com", "pass", "s1"]], authSpf: [["em9546.example.com", "pass"]] }]),
    );
    expect(d.sources[0]).toMatchObject({ ip: "159.183.224.100", kind: "authorized", aligned: 4 });
  });

  test("with the config, a BYODKIM selector and the MAIL FROM domain mark SES without an amazonses.com signature", () => {
    const byo: RecordSpec = { ip: "54.240.9.1", count: 8, dkim: "pass", authDkim: [["example.com", "pass", "s2026a"]] };
    const mailFrom: RecordSpec = { ip: "54.240.9.2", count: 2, spf: "pass", authSpf: [["bounce.example.com", "pass"]] };
    const identity: SesIdentity = { domain: "example.com", easyDkim: false, selectors: ["s2026a", "s2025b"], mailFromDomain: "bounce.example.com" };
    expect(summarise(daily(1, [byo, mailFrom]), DEFAULT_THRESHOLDS, [identity])[0].sources.map((s) => [s.ip, s.kind])).toEqual([
      ["54.240.9.1", "ses"],
      ["54.240.9.2", "ses"],
    ]);
    expect(summarise(daily(1, [byo, mailFrom]))[0].sources.map((s) => [s.ip, s.kind])).toEqual([
      ["54.240.9.1", "authorized"],
      ["54.240.9.2", "authorized"],
    ]);
  });

  test("without a config, an Easy DKIM token selector on the policy domain marks SES", () => {
    const easy: RecordSpec = { ip: "54.240.9.3", count: 1, dkim: "pass", authDkim: [["example.com", "pass", "6gbrjpgwjskckoa6a5zn6fwqkn67xbtw"]] };
    expect(summarise(daily(1, [easy]))[0].sources[0].kind).toBe("ses");
  });

  test("a report read twice (a resend, or .xml and .gz of the same) is counted once", () => {
    const s = new ReportSummary();
    const [r] = daily(1, HEALTHY);
    expect(s.add(r, "a.xml")).toBeUndefined();
    expect(s.add(r, "a.xml.gz")).toBe("a.xml");
    expect(s.result()[0]).toMatchObject({ reports: 1, messages: 1505 });
  });

  test("domains come out sorted by name, each with its own sources", () => {
    const names = summarise([
      report({ id: "b", begin: NOV_1, domain: "b.example", records: HEALTHY }),
      report({ id: "a", begin: NOV_1, domain: "a.example", records: [SPOOFER] }),
    ]).map((d) => [d.domain, d.messages]);
    expect(names).toEqual([
      ["a.example", 5],
      ["b.example", 1505],
    ]);
  });
});
