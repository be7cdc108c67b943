import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_LIMITS } from "../../modules/reports/container";
import { localInputs, readInput, type InputResult } from "../../modules/reports/read";
import type { AggregateReport } from "../../modules/reports/types";
import { sample, SAMPLES } from "../helpers/dmarc";

/** Every sample file, relative to the samples directory, as the directory walk finds them. */
function sampleFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(SAMPLES, path));
    }
  };
  walk(SAMPLES);
  return out;
}

const results = new Map<string, InputResult>();
beforeAll(async () => {
  for (const input of localInputs([SAMPLES])) results.set(relative(SAMPLES, input.name), await readInput(input, DEFAULT_LIMITS));
});

function readOk(file: string): { reports: AggregateReport[]; warnings: { code: string; message: string }[] } {
  const r = results.get(file);
  if (!r || !("ok" in r) || !r.ok) throw new Error(`${file} was not read: ${JSON.stringify(r)}`);
  return r;
}
const only = (file: string) => {
  const { reports } = readOk(file);
  expect(reports).toHaveLength(1);
  return reports[0];
};

// [file, schema, policy domain, reporter, records, messages, warning codes]
const READABLE: [string, string, string, string, number, number, string[]][] = [
  ["derived/google.com!borschow.com!1549929600!1550015999.zip", "rfc7489", "borschow.com", "google.com", 1, 1, []],
  ["derived/google.com!twlnet.com!1549756800!1549843199.zip", "rfc7489", "twlnet.com", "google.com", 1, 1, []],
  [
    "derived/mimecast.org!ab.id.au!1693353600!1693439999!157a5fe30ec76f4bc0d8bccfc96c118a167a1280fee7c7465af5115e73082e5e.xml.gz",
    "rfc7489",
    "ab.id.au",
    "Mimecast",
    1,
    1,
    ["gzip-trailing-data"],
  ],
  ["mailweave/amazonses.com!example.com!1747180800!1747267200.xml", "rfc7489", "example.com", "AMAZON-SES", 3, 14, ["version"]],
  ["mailweave/cisco.com!example.com!1745884803!1745971203.xml", "rfc7489", "example.com", "cisco.com", 1, 1, []],
  ["mailweave/enterprise.protection.outlook.com!example.com!1747180800!1747267200.xml", "rfc7489", "example.com", "Enterprise Outlook", 167, 994, []],
  // Google's 2025 report carries <np>, an RFC 9990 element; like parsedmarc, that classes it as RFC 9990
  ["mailweave/google.com!example.com!1747008000!1747094399", "rfc9990", "example.com", "google.com", 16, 115, []],
  ["mailweave/zoho.com!example.com!1746860400!1746946800.xml", "rfc7489", "example.com", "zoho.com", 1, 1, []],
  ["parsedmarc/!example.com!1538204542!1538463818.xml", "rfc7489", "example.com", "accurateplastics.com", 1, 1, ["org-name-missing"]],
  ["parsedmarc/!large-example.com!1711897200!1711983600.xml.gz", "rfc7489", "example.com", "accurateplastics.com", 2286, 2286, ["org-name-missing"]],
  ["parsedmarc/addisonfoods.com!example.com!1536105600!1536191999.xml", "rfc7489", "example.com", "addisonfoods.com", 1, 1, []],
  ["parsedmarc/empty_reason.xml", "rfc7489", "example.com", "example.org", 1, 2, []],
  ["parsedmarc/estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip", "rfc7489", "example.com", "XYZ Corporation", 1, 1, []],
  ["parsedmarc/example.net!example.com!1529366400!1529452799.xml", "rfc7489", "example.com", "example.net", 1, 1, ["stray-text"]],
  ["parsedmarc/fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz", "rfc7489", "indemed.com", "FastMail Pty Ltd", 1, 1, []],
  ["parsedmarc/google-borschow.com-report.eml", "rfc7489", "borschow.com", "google.com", 1, 1, []],
  ["parsedmarc/ikea.com!example.de!1538690400!1538776800.xml", "rfc7489", "example.de", "ikea.com", 1, 1, ["stray-markup"]],
  ["parsedmarc/invalid_utf_8.xml", "rfc7489", "example.com", "accurateplastics.com", 1, 1, ["invalid-utf8", "org-name-missing"]],
  ["parsedmarc/mimecast-weird-gzip.eml", "rfc7489", "ab.id.au", "Mimecast", 1, 1, ["gzip-trailing-data"]],
  ["parsedmarc/old_draft_from_wiki.xml", "rfc7489", "example.com", "acme.com", 1, 2, []],
  ["parsedmarc/protection.outlook.com!example.com!1711756800!1711843200.xml", "rfc7489", "example.com", "Outlook.com", 1, 1, []],
  [
    "parsedmarc/report_with_upper_cased_pass.xml",
    "rfc7489",
    "example.com",
    "example.com",
    1,
    1,
    ["value-case", "value-case", "value-case", "value-case", "value-case"],
  ],
  ["parsedmarc/rfc9990-example.net!example.com!1700000000!1700086399.xml", "rfc9990", "example.com", "example.net", 2, 7, ["version"]],
  ["parsedmarc/rfc9990-sample.xml", "rfc9990", "example.com", "Sample Reporter", 1, 123, []],
  ["parsedmarc/twilight.eml", "rfc7489", "twlnet.com", "google.com", 1, 1, []],
  ["parsedmarc/usssa.com!example.com!1538784000!1538870399.xml", "rfc7489", "example.com", "usssa.com", 2, 2, []],
  ["parsedmarc/veeam.com!example.com!1530133200!1530219600.xml", "rfc7489", "example.com", "veeam.com", 1, 1, []],
  ["tierpod/test.xml", "rfc7489", "test.net", "Test Inc.", 2, 7, []],
  ["tierpod/test.xml.gz", "rfc7489", "test.net", "Test Inc.", 2, 7, []],
  ["tierpod/test.xml.gz.gz", "rfc7489", "test.net", "Test Inc.", 2, 7, ["nested-gzip"]],
  ["tierpod/test.xml.zip", "rfc7489", "test.net", "Test Inc.", 2, 7, []],
  ["tierpod/test_empty.xml", "rfc7489", "test.net", "Test Inc.", 0, 0, ["record-skipped"]],
];

const REFUSED: [string, string][] = [["parsedmarc/invalid_xml.xml", "not well-formed XML (line 5, column 18: disallowed character in tag name)"]];
const SKIPPED = ["README.md"];

describe("the real report samples in ../shared/dmarc-reports", () => {
  test("every sample file is accounted for below: read, refused or skipped", () => {
    const listed = [...READABLE.map((r) => r[0]), ...REFUSED.map((r) => r[0]), ...SKIPPED].sort();
    expect(sampleFiles()).toEqual(listed);
    expect(listed).toHaveLength(34);
  });

  test.each(READABLE)("reads %s (%s, %s from %s: %i records, %i messages) with warnings %j", (file, schema, domain, reporter, records, messages, codes) => {
    const report = only(file);
    expect(report.schema).toBe(schema);
    expect(report.policy.domain).toBe(domain);
    expect(report.reporter.orgName).toBe(reporter);
    expect(report.records).toHaveLength(records);
    expect(report.records.reduce((n, r) => n + r.count, 0)).toBe(messages);
    expect(readOk(file).warnings.map((w) => w.code)).toEqual(codes);
  });

  test.each(REFUSED)("refuses %s: %s", (file, error) => {
    expect(results.get(file)).toEqual({ file: join(SAMPLES, file), ok: false, error, warnings: [] });
  });

  test("skips README.md when walking the directory, saying what it is", () => {
    expect(results.get("README.md")).toEqual({
      file: join(SAMPLES, "README.md"),
      skipped: 'not a report (no XML, gzip, zip or mail; starts with "# DMARC aggregat…")',
    });
  });

  test("a file named on the command line that is not a report is an error, not a skip", async () => {
    const [input] = localInputs([sample("README.md")]);
    const result = await readInput(input, DEFAULT_LIMITS);
    expect(result).toMatchObject({ ok: false, error: 'not a DMARC report: not XML, gzip, zip or mail (starts with "# DMARC aggregate report…")' });
  });
});

describe("what the model keeps from each schema", () => {
  test("RFC 9990 appendix sample: namespace, generator, np, testing, discovery_method, disposition pass, selector", () => {
    const r = only("parsedmarc/rfc9990-sample.xml");
    expect(r.version).toBe("1.0");
    expect(r.reporter).toEqual({
      orgName: "Sample Reporter",
      email: "report_sender@example-reporter.com",
      extraContactInfo: "...",
      generator: "Example DMARC Aggregate Reporter v1.2",
    });
    expect(r.policy).toEqual({ domain: "example.com", p: "quarantine", sp: "none", np: "none", testing: "n", discoveryMethod: "treewalk" });
    expect(r.period).toEqual({ begin: 302832000, end: 302918399 });
    expect(r.records[0]).toEqual({
      sourceIp: "192.0.2.123",
      count: 123,
      disposition: "pass",
      dkim: "pass",
      spf: "fail",
      reasons: [],
      headerFrom: "example.com",
      envelopeFrom: "example.com",
      authResults: { dkim: [{ domain: "example.com", selector: "abc123", result: "pass" }], spf: [{ domain: "example.com", result: "fail" }] },
    });
  });

  test("RFC 9990 fields without the namespace: testing y, a reason of type other with its comment", () => {
    const r = only("parsedmarc/rfc9990-example.net!example.com!1700000000!1700086399.xml");
    expect(r.policy).toMatchObject({ np: "reject", testing: "y", discoveryMethod: "treewalk" });
    expect(r.records.flatMap((x) => x.reasons)).toEqual([{ type: "other", comment: "sender not authorized" }]);
    expect(readOk("parsedmarc/rfc9990-example.net!example.com!1700000000!1700086399.xml").warnings[0].message).toBe(
      '<version> is "2.0", not 1.0: read as an RFC 9990 report',
    );
  });

  test("a DKIM pass for an unrelated domain stays raw: policy_evaluated dkim fail, auth_results pass", () => {
    const [record] = only("parsedmarc/addisonfoods.com!example.com!1536105600!1536191999.xml").records;
    expect(record.dkim).toBe("fail");
    expect(record.authResults.dkim).toEqual([{ domain: "toptierhighticket.club", selector: expect.any(String), result: "pass" }]);
  });

  test("two DKIM results in one record, result before selector, a trailing space in <end>", () => {
    const r = only("tierpod/test.xml");
    expect(r.period.end).toBe(1524268799);
    expect(r.records[0].authResults.dkim).toEqual([
      { domain: "test1.net", selector: "selector1", result: "fail" },
      { domain: "test2.net", selector: "selector2", result: "pass" },
    ]);
    expect(r.records[0].authResults.spf).toEqual([{ domain: "test.net", scope: "mfrom", result: "pass" }]);
  });

  test.each(["tierpod/test.xml.gz", "tierpod/test.xml.gz.gz", "tierpod/test.xml.zip"])("%s holds exactly what test.xml holds", (file) => {
    expect(only(file)).toEqual(only("tierpod/test.xml"));
  });

  test("the 2025 Google report: SES's second signature (d=amazonses.com) and SPF domain ap-southeast-1.amazonses.com", () => {
    const r = only("mailweave/google.com!example.com!1747008000!1747094399");
    // the file has 38 <dkim> elements: 16 DMARC-aligned verdicts in policy_evaluated, 22 raw results
    expect(r.records.reduce((n, x) => n + x.authResults.dkim.length, 0)).toBe(22);
    const ses = r.records.find((x) => x.sourceIp === "23.251.232.4")!;
    expect(ses.authResults.dkim.map((d) => d.domain)).toEqual(["example.com", "amazonses.com"]);
    expect(ses.authResults.spf).toEqual([{ domain: "ap-southeast-1.amazonses.com", result: "pass" }]);
    expect(r.policy).toMatchObject({ p: "reject", np: "reject", pct: 100 });
  });

  test("capitalised values are read in lowercase and each one said once", () => {
    const file = "parsedmarc/report_with_upper_cased_pass.xml";
    const [record] = only(file).records;
    expect([record.disposition, record.dkim, record.spf]).toEqual(["none", "pass", "pass"]);
    expect(only(file).reporter.orgName).toBe("example.com");
    expect(readOk(file).warnings.map((w) => w.message)).toEqual([
      'policy_evaluated/disposition "None" read as "none"',
      'policy_evaluated/dkim "Pass" read as "pass"',
      'policy_evaluated/spf "Pass" read as "pass"',
      'auth_results/dkim/result "Pass" read as "pass"',
      'auth_results/spf/result "Pass" read as "pass"',
    ]);
  });

  test("invalid UTF-8 is replaced, with the byte and its offset named", () => {
    const file = "parsedmarc/invalid_utf_8.xml";
    expect(only(file).records[0].headerFrom).toBe("bad_byte\ufffd");
    expect(readOk(file).warnings[0].message).toBe("1 byte sequence that is not UTF-8 (the first at byte 706, 0x91) replaced with U+FFFD");
  });

  test("IKEA's unclosed <xs:schema> before <feedback> is dropped with a warning", () => {
    const file = "parsedmarc/ikea.com!example.de!1538690400!1538776800.xml";
    expect(only(file).records[0].authResults.spf).toEqual([{ domain: "mailrelay.com", scope: "helo", result: "none" }]);
    expect(readOk(file).warnings[0].message).toMatch(/^stray markup before <feedback> ignored: "<xs:schema xmlns:xs=/);
  });

  test("stray text in policy_published is ignored with a warning, the policy still read", () => {
    const file = "parsedmarc/example.net!example.com!1529366400!1529452799.xml";
    expect(only(file).policy).toEqual({ domain: "example.com", p: "none", sp: "none", adkim: "r", aspf: "r", pct: 100, fo: "0" });
    expect(readOk(file).warnings).toEqual([{ code: "stray-text", message: 'stray text "11" inside <policy_published> ignored' }]);
  });

  test("self-closing empty elements: the record without a source IP is skipped and said", () => {
    expect(readOk("tierpod/test_empty.xml").warnings).toEqual([{ code: "record-skipped", message: "a record has no source_ip: skipped (0 count)" }]);
  });

  test("an empty org_name falls back to the email's domain", () => {
    expect(only("parsedmarc/!example.com!1538204542!1538463818.xml").reporter).toEqual({
      orgName: "accurateplastics.com",
      email: "administrator@accurateplastics.com",
    });
  });

  test("an empty <reason> with empty type and comment is no reason; envelope_to and human_result are kept", () => {
    const [record] = only("parsedmarc/empty_reason.xml").records;
    expect(record.reasons).toEqual([]);
    expect(record.envelopeTo).toBe("example.net");
    expect(record.authResults.dkim[0].humanResult).toBe("2048-bit key");
  });

  test("an empty envelope_from is absent, not an empty string", () => {
    expect(only("parsedmarc/usssa.com!example.com!1538784000!1538870399.xml").records.map((r) => r.envelopeFrom)).toEqual([undefined, undefined]);
  });

  test("Microsoft's xsd/xsi namespace declarations are not the RFC 9990 namespace", () => {
    const r = only("parsedmarc/protection.outlook.com!example.com!1711756800!1711843200.xml");
    expect(r.schema).toBe("rfc7489");
    expect(r.records[0].envelopeTo).toBe("hotmail.com");
  });

  test("Amazon SES as a reporter: version 0.1 and fo 1:0 are read as written", () => {
    const r = only("mailweave/amazonses.com!example.com!1747180800!1747267200.xml");
    expect(r.version).toBe("0.1");
    expect(r.policy.fo).toBe("1:0");
  });

  test("report ids keep $ and =; a report id out of schema order is still read", () => {
    expect(only("mailweave/cisco.com!example.com!1745884803!1745971203.xml").reportId).toBe("1bbdd6$aada01a=576ec7deeb58e253@cisco.com");
    expect(only("parsedmarc/estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip").reportId).toBe("2940");
  });

  test("a whole mail: the zip attachment of google-borschow is the derived zip's report", () => {
    expect(only("parsedmarc/google-borschow.com-report.eml")).toEqual(only("derived/google.com!borschow.com!1549929600!1550015999.zip"));
    expect(only("parsedmarc/google-borschow.com-report.eml").records[0].disposition).toBe("reject");
    expect(only("parsedmarc/twilight.eml")).toEqual(only("derived/google.com!twlnet.com!1549756800!1549843199.zip"));
  });

  test("the policy domain of the FastMail report differs from its header_from", () => {
    const r = only("parsedmarc/fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz");
    expect(r.policy.domain).toBe("indemed.com");
    expect(r.records[0].headerFrom).toBe("example.com");
    expect(r.records[0].authResults.spf[0].result).toBe("softfail");
  });
});
