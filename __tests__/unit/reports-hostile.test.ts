import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, test } from "vitest";
import { Budget, DEFAULT_LIMITS, sniff, unwrap, type ReadLimits } from "../../modules/reports/container";
import { parseReport } from "../../modules/reports/parse";
import { ReportError, Warnings } from "../../modules/reports/problems";
import { readInput, type Input } from "../../modules/reports/read";
import { billionLaughs, deflatedZeros, gzipOf, NOV_1, reportXml, textMember, xxe, zipOf } from "../helpers/dmarc";

const MB = 1024 * 1024;
const LIMITS: ReadLimits = { ...DEFAULT_LIMITS, maxBytes: 4 * MB };
const GOOD = reportXml({ id: "r1", begin: NOV_1, records: [{ ip: "192.0.2.1", count: 3, dkim: "pass", spf: "pass" }] });

/** What reading `bytes` as a named file says. */
async function read(bytes: Uint8Array | string, limits = LIMITS) {
  const input: Input = { name: "in", listed: false, read: async () => (typeof bytes === "string" ? Buffer.from(bytes) : bytes) };
  return readInput(input, limits);
}

async function error(bytes: Uint8Array | string, limits = LIMITS): Promise<string> {
  const result = await read(bytes, limits);
  if (!("ok" in result) || result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result).slice(0, 200)}`);
  return result.error;
}

describe("XML attacks are refused before parsing", () => {
  test("an XXE attempt (external entity on /etc/passwd) is refused, and nothing of the file is read", async () => {
    const result = await read(xxe());
    expect(result).toEqual({
      file: "in",
      ok: false,
      error: "refused: the XML has a <!DOCTYPE declaration, which DMARC reports never carry and XXE and entity-expansion attacks need",
      warnings: [],
    });
    expect(JSON.stringify(result)).not.toContain("root:");
  });

  test("a billion-laughs document is refused", async () => {
    expect(await error(billionLaughs())).toBe(
      "refused: the XML has a <!DOCTYPE declaration, which DMARC reports never carry and XXE and entity-expansion attacks need",
    );
  });

  test.each([
    ["an ENTITY declaration without a DOCTYPE", `<?xml version="1.0"?><!ENTITY x "y"><feedback/>`, "refused: the XML has a <!ENTITY declaration"],
    ["a lowercase doctype", `<!doctype feedback><feedback/>`, "refused: the XML has a <!DOCTYPE declaration"],
    [
      "a DOCTYPE in UTF-16",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><feedback/>', "utf16le")]),
      "refused: the XML has a <!DOCTYPE declaration",
    ],
  ])("%s is refused", async (_, doc, message) => {
    expect(await error(doc)).toContain(message);
  });

  test("an entity reference with no declaration is not well-formed, not expanded", async () => {
    expect(await error(GOOD.replace("<org_name>google.com", "<org_name>&xxe;"))).toBe("not well-formed XML (line 2, column 64: undefined entity)");
  });

  test("a megabyte of unclosed <? before the report is judged in linear time: not well-formed", async () => {
    expect(await error(`${"<?".repeat(500_000)}${GOOD}`)).toMatch(/^not well-formed XML \(line 1, column \d+: /);
  });

  test("a wrapper's end tag after </feedback> is dropped with a warning, like its start tag before", async () => {
    const result = await read(
      GOOD.replace("<feedback>", '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n<feedback>').replace(
        "</feedback>",
        "</feedback></xs:schema><!-- end -->",
      ),
    );
    expect(result).toMatchObject({ ok: true });
    expect("warnings" in result && result.warnings).toEqual([
      { code: "stray-markup", message: 'stray markup before <feedback> ignored: "<xs:schema xmlns:xs=\\"http://www.w3.org/2001/XMLSchema\\">"' },
      { code: "stray-markup", message: 'stray markup after </feedback> ignored: "</xs:schema><!-- end -->"' },
    ]);
  });

  test("elements nested thousands deep are refused", async () => {
    expect(await error(`<feedback>${"<a>".repeat(5000)}${"</a>".repeat(5000)}</feedback>`)).toBe("refused: elements nest more than 32 deep");
  });
});

describe("decompression is bounded by --max-size, whatever the headers say", () => {
  let zeros64: Awaited<ReturnType<typeof deflatedZeros>>;
  beforeAll(async () => {
    zeros64 = await deflatedZeros(64);
  });
  const bomb = (limit: number) => `decompresses to more than ${limit} MB (--max-size): refused as a possible decompression bomb`;

  test("a gzip bomb (64 MB of zeros in 64 KB) stops at the limit", async () => {
    const gz = gzipOf(zeros64);
    expect(gz.length).toBeLessThan(100 * 1024);
    expect(await error(gz)).toBe(bomb(4));
  });

  test("a multi-member gzip bomb (many small members) stops at the limit too", async () => {
    const member = gzipSync(Buffer.alloc(MB));
    expect(await error(Buffer.concat(Array.from({ length: 64 }, () => member)))).toBe(bomb(4));
  });

  test("a zip bomb whose header declares the truth is refused before inflating", async () => {
    expect(await error(zipOf([{ name: "report.xml", ...zeros64 }]))).toBe(bomb(4));
  });

  test("a zip bomb whose header claims 1 KB is caught while it inflates", async () => {
    expect(await error(zipOf([{ name: "report.xml", ...zeros64, declaredSize: 1024 }]))).toBe(
      'zip member "report.xml" inflates to more than the 1 KB its header declares: corrupt or hostile, refused',
    );
  });

  test("a zip with more members than the cap is refused unopened", async () => {
    const members = Array.from({ length: 1000 }, (_, i) => textMember(`r${i}.xml`, GOOD));
    expect(await error(zipOf(members))).toBe("zip holds 1000 members, more than the 16 read (a report zip holds one): refused");
  });

  test("gzip in gzip in gzip … beyond the nesting cap is refused", async () => {
    let bytes: Buffer = Buffer.from(GOOD);
    for (let i = 0; i < 6; i++) bytes = gzipSync(bytes);
    expect(await error(bytes)).toBe("containers nested more than 4 deep (gzip, zip or mail inside each other): refused");
  });

  test("the budget counts every stage: a zip of gzipped 1.5 MB reports stops at the third", async () => {
    const gz = gzipSync(GOOD + " ".repeat(1.5 * MB));
    const { crc32, deflateRawSync } = await import("node:zlib");
    const members = [0, 1, 2].map((i) => ({ name: `r${i}.xml.gz`, raw: deflateRawSync(gz), crc: crc32(gz), size: gz.length }));
    expect(await error(zipOf(members))).toBe(bomb(4));
  });

  test("an input over the limit is refused before it is read", async () => {
    const input: Input = {
      name: "big",
      listed: false,
      read: async (max) => (max < 5 * MB ? Promise.reject(new ReportError("the file is 5 MB, over the 4 MB limit (--max-size)")) : Buffer.alloc(0)),
    };
    expect(await readInput(input, LIMITS)).toMatchObject({ ok: false, error: "the file is 5 MB, over the 4 MB limit (--max-size)" });
  });
});

describe("broken containers are one clear line", () => {
  const gz = gzipSync(GOOD);
  test.each([
    ["a truncated gzip", gz.subarray(0, gz.length - 20), /^gzip data is corrupt or truncated \(unexpected end of file\)$/],
    [
      "a gzip whose CRC does not match",
      Buffer.concat([gz.subarray(0, gz.length - 8), Buffer.from([0, 0, 0, 0]), gz.subarray(gz.length - 4)]),
      /^gzip checksum \(CRC-32\) does not match the data: the file is corrupt$/,
    ],
    ["a gzip with only a header", gz.subarray(0, 6), /^gzip header is truncated$/],
    ["a zip cut in half", zipOf([textMember("r.xml", GOOD)]).subarray(0, 60), /^zip is corrupt: /],
    ["an empty file", Buffer.alloc(0), /^the file is empty$/],
    ["plain text", "unused\n", /^not a DMARC report: not XML, gzip, zip or mail \(starts with "unused"\)$/],
    ["a gzip of plain text (Yahoo, May 2023)", gzipSync("unused"), /^not a DMARC report: not XML, gzip, zip or mail \(starts with "unused"\)$/],
    ["XML that is not a report", "<html><body>hi</body></html>", /^not a DMARC aggregate report: the root element is <html>, not <feedback>$/],
    ["a report with no policy domain", GOOD.replace("<domain>example.com</domain>", ""), /^policy_published\/domain is missing: the report names no domain$/],
    [
      "a report whose date range is not numbers",
      GOOD.replace(`<begin>${NOV_1}</begin>`, "<begin>yesterday</begin>"),
      /^report_metadata\/date_range\/begin is not a time in seconds: got "yesterday"$/,
    ],
    ["a truncated report", GOOD.slice(0, 300), /^not well-formed XML \(line 2, column \d+: unclosed tag: /],
    [
      "a mail with no report",
      "From: a@b.example\r\nSubject: hi\r\nContent-Type: text/plain\r\n\r\nhello\r\n",
      /^the message holds no report: no XML, gzip or zip part \(parts: none\)$/,
    ],
  ])("%s", async (_, bytes, message) => {
    expect(await error(bytes as Buffer | string)).toMatch(message);
  });
});

describe("container sniffing by magic bytes, never by name", () => {
  test.each([
    ["gzip", gzipSync("x")],
    ["zip", zipOf([textMember("a", "b")])],
    ["xml", Buffer.from("\ufeff  <?xml version='1.0'?><feedback/>")],
    ["mail", Buffer.from("Return-Path: <a@b.example>\r\nFrom: a@b.example\r\n\r\nbody")],
    ["unknown", Buffer.from("# notes: not a report")],
    ["unknown", Buffer.from("Note: a header-like first line without mail headers\n\nbody")],
  ])("%s", (kind, bytes) => {
    expect(sniff(bytes)).toBe(kind);
  });

  test("a report declared in ISO-8859-1 is decoded as such", () => {
    const latin = Buffer.from(GOOD.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("<org_name>google.com", "<org_name>Müller"), "latin1");
    expect(parseReport(latin, new Warnings()).reporter.orgName).toBe("Müller");
  });

  test("a zip member that is not a report is skipped with a warning; the report beside it is read", async () => {
    const result = await read(zipOf([textMember("README.txt", "about this report"), textMember("report.xml", GOOD)]));
    expect(result).toMatchObject({
      ok: true,
      warnings: [
        { code: "zip-members", message: "zip holds 2 members (a report zip holds one): each read" },
        { code: "zip-member-skipped", message: 'zip member "README.txt" is not a report (no XML, gzip, zip or mail): skipped' },
      ],
    });
    expect("reports" in result && result.reports).toHaveLength(1);
  });

  test("a zip with two reports gives both, with a warning", async () => {
    const warnings = new Warnings();
    const docs = await unwrap(zipOf([textMember("a.xml", GOOD), textMember("b.xml", GOOD.replace("r1", "r2"))]), new Budget(LIMITS), warnings, async () => ({
      parts: [],
    }));
    expect(docs).toHaveLength(2);
    expect(warnings.list()).toEqual([{ code: "zip-members", message: "zip holds 2 members (a report zip holds one): each read" }]);
  });
});
