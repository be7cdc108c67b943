import { describe, expect, test } from "vitest";
import { dmarcRecord, parseDmarc, reportHost, reportUri } from "../../modules/model/dmarc";

describe("DMARC report URIs", () => {
  test.each([
    ["dmarc@example.com", "mailto:dmarc@example.com"],
    ["mailto:dmarc@example.com", "mailto:dmarc@example.com"],
    ["MAILTO:dmarc@example.com", "mailto:dmarc@example.com"],
    ["a,b!c@example.com", "mailto:a%2Cb%21c@example.com"],
    ["dmarc@Example.COM", "mailto:dmarc@example.com"],
    ["mailto:dmarc@example.com!10m", "mailto:dmarc@example.com"],
  ])("%j becomes %j", (input, uri) => {
    expect(reportUri(input)).toEqual({ uri });
  });

  test.each(["https://example.com/dmarc", "mailto:", "not-an-address", "a@b", "@example.com", "a b@example.com"])("refuses %j", (input) => {
    expect(reportUri(input)).toHaveProperty("problem");
  });

  test("the report host is the address's domain, decoded and lowercased", () => {
    expect(reportHost("mailto:a%2Cb@Reports.Example.NET")).toBe("reports.example.net");
  });
});

describe("DMARC parser", () => {
  test("reads every tag back into intent", () => {
    expect(
      parseDmarc(
        "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; pct=50; fo=d:s; rf=afrf; ri=3600; rua=mailto:a@example.com,mailto:b@example.net; ruf=mailto:f@example.com; t=y; psd=n",
      ),
    ).toEqual({
      spec: {
        p: "reject",
        sp: "quarantine",
        np: "reject",
        adkim: "s",
        aspf: "r",
        pct: 50,
        fo: "d:s",
        rf: "afrf",
        ri: 3600,
        rua: ["mailto:a@example.com", "mailto:b@example.net"],
        ruf: ["mailto:f@example.com"],
        t: "y",
        psd: "n",
      },
    });
  });

  test("tolerates a trailing semicolon and spaces", () => {
    expect(parseDmarc("v=DMARC1;p=none ;")).toEqual({ spec: { p: "none" } });
  });

  test.each([
    ["p=reject; v=DMARC1", /must start with "v=DMARC1"/],
    ["v=DMARC1; rua=mailto:a@example.com; p=none", /p must be the second tag/],
    ["v=DMARC1; p=none; foo=bar", /unknown tag "foo"/],
    ["v=DMARC1; p=none; p=reject", /tag "p" appears twice/],
    ["v=DMARC1; p=block", /p=block: must be none \| quarantine \| reject/],
    ["v=DMARC1; p=none; pct=101", /pct=101: must be an integer 0–100/],
    ["v=DMARC1; p=none; rua=mailto:a@example.com!10m", /size suffix "!10m" is obsolete/],
    ["v=DMARC1; p=none; fo=0:1", /fo: 0 and 1 cannot be combined/],
  ])("refuses %j", (text, message) => {
    const parsed = parseDmarc(text);
    expect("problems" in parsed && parsed.problems).toContainEqual(expect.stringMatching(message));
  });

  test("a built record parses back to the same intent", () => {
    const spec = { p: "quarantine" as const, sp: "reject" as const, pct: 100, rua: ["mailto:d@example.com"], adkim: "r" as const };
    expect(parseDmarc(dmarcRecord(spec))).toEqual({ spec });
  });
});
