import { describe, expect, test } from "vitest";
import { apexSpfRecord, checkSpf, parseSpf, type SpfMechanism } from "../../modules/model/spf";

const problems = (text: string, allowMacros = false) => checkSpf(text, { allowMacros }).problems;

describe("SPF parser", () => {
  test("splits a record into qualified mechanisms and modifiers", () => {
    const parsed = parseSpf(
      "v=spf1 a mx:mail.example.com/24//64 -ip4:192.0.2.0/24 ~ip6:2001:db8::/32 include:_spf.google.com ?exists:x.example.com redirect=_spf.example.com",
    );
    expect(
      "terms" in parsed && parsed.terms.map((t) => (t.kind === "mechanism" ? [t.qualifier, t.name, t.value, t.cidr4, t.cidr6] : [t.name, t.value])),
    ).toEqual([
      ["+", "a", undefined, undefined, undefined],
      ["+", "mx", "mail.example.com", 24, 64],
      ["-", "ip4", "192.0.2.0", 24, undefined],
      ["~", "ip6", "2001:db8::", undefined, 32],
      ["+", "include", "_spf.google.com", undefined, undefined],
      ["?", "exists", "x.example.com", undefined, undefined],
      ["redirect", "_spf.example.com"],
    ]);
  });

  test("reads the version case-insensitively and tolerates repeated spaces", () => {
    const parsed = parseSpf("V=SPF1  include:a.example.com   ~ALL");
    expect("terms" in parsed && parsed.terms.map((t) => t.text)).toEqual(["include:a.example.com", "~ALL"]);
    expect("terms" in parsed && (parsed.terms[1] as SpfMechanism).name).toBe("all");
  });

  test.each([
    ["v=spf10 -all", /must start with "v=spf1"/],
    ["spf1 -all", /must start with "v=spf1"/],
    ["v=spf1 foo -all", /"foo" is not an SPF mechanism/],
    ["v=spf1 include -all", /"include": include needs a domain/],
    ["v=spf1 all:example.com", /all takes no argument/],
    ["v=spf1 ip4:300.1.1.1 -all", /"ip4:300.1.1.1": must be an IPv4 address/],
    ["v=spf1 ip4:192.0.2.0/33 -all", /prefix length must be 0–32/],
    ["v=spf1 ip4:192.0.2.0/024 -all", /prefix length must be 0–32/],
    ["v=spf1 ip6:2001:db8::/129 -all", /prefix length must be 0–128/],
    ["v=spf1 ip6:192.0.2.1 -all", /must be an IPv6 address/],
    ["v=spf1 a/40 -all", /IPv4 prefix length must be 0–32/],
    ["v=spf1 mx//200 -all", /IPv6 prefix length must be 0–128/],
    ["v=spf1 include:b\u00fccher.example -all", /printable 7-bit ASCII/],
  ])("%j is a syntax error", (text, message) => {
    expect(problems(text)).toEqual([expect.stringMatching(message)]);
  });
});

describe("SPF rules", () => {
  test.each([
    "v=spf1 -all",
    "v=spf1 include:amazonses.com ~all",
    "v=spf1 a mx ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.google.com ?all",
    "v=spf1 redirect=_spf.example.com",
    "v=spf1 include:a.example.com -all exp=explain.example.com",
    "v=spf1 unknown-mod=kept -all",
  ])("accepts %j", (text) => {
    expect(problems(text)).toEqual([]);
  });

  test.each([
    ["v=spf1 ptr -all", /ptr must not be used.*RFC 7208 §5\.5/],
    ["v=spf1 include:_spf.google.com", /must end with -all, ~all or \?all \(or a redirect=\)/],
    ["v=spf1 +all", /"\+all" authorizes every host/],
    ["v=spf1 all", /"all" authorizes every host/],
    ["v=spf1 -all ~all", /has 2 "all" terms/],
    ["v=spf1 -all include:a.example.com", /"include:a\.example\.com" comes after "-all", which must end the record/],
    ["v=spf1 -all redirect=a.example.com", /has both "all" and "redirect=a\.example\.com"/],
    ["v=spf1 redirect=a.example.com redirect=b.example.com", /redirect= may appear only once/],
    ["v=spf1 include:%{d}.example.com -all", /uses SPF macros \(RFC 7208 §7\), which are refused unless spf\.allowMacros is true/],
    ["v=spf1 include:example -all", /domain must be a domain name such as _spf\.google\.com, got "example"/],
    ["v=spf1 include:a..example.com -all", /domain must be a domain name/],
  ])("refuses %j naming the rule", (text, message) => {
    expect(problems(text)).toContainEqual(expect.stringMatching(message));
  });

  test("allows macros when asked", () => {
    expect(problems("v=spf1 exists:%{i}._spf.example.com -all", true)).toEqual([]);
  });

  test("counts the lookups the record itself spends: include, a, mx, ptr, exists, redirect", () => {
    expect(checkSpf("v=spf1 a mx ip4:192.0.2.1 ip6:2001:db8::1 include:a.example.com exists:b.example.com redirect=c.example.com").lookups).toEqual([
      "a",
      "mx",
      "include:a.example.com",
      "exists:b.example.com",
      "redirect=c.example.com",
    ]);
  });

  test("ten lookups pass; eleven fail with the count and the terms that spend them", () => {
    const includes = (n: number) => Array.from({ length: n }, (_, i) => `include:s${i}.example.com`).join(" ");
    expect(problems(`v=spf1 ${includes(10)} -all`)).toEqual([]);
    expect(problems(`v=spf1 a ${includes(10)} -all`)).toEqual([
      `spends 11 DNS lookups; receivers fail SPF (permerror) past 10 (RFC 7208 §4.6.4): a ${includes(10)}`,
    ]);
  });
});

describe("SPF from structured intent", () => {
  test("builds mechanisms in a fixed order, then all", () => {
    expect(
      apexSpfRecord({
        allowMacros: false,
        include: ["i.example.com"],
        ip4: ["192.0.2.1"],
        ip6: ["2001:db8::/32"],
        a: ["a.example.com"],
        mx: [""],
        all: "~all",
        extraTxt: [],
      }),
    ).toBe("v=spf1 a:a.example.com mx ip4:192.0.2.1 ip6:2001:db8::/32 include:i.example.com ~all");
  });

  test("passes a raw record through with its spacing normalized", () => {
    expect(
      apexSpfRecord({
        record: "  v=spf1   include:a.example.com  -all ",
        allowMacros: false,
        include: [],
        ip4: [],
        ip6: [],
        a: [],
        mx: [],
        all: "~all",
        extraTxt: [],
      }),
    ).toBe("v=spf1 include:a.example.com -all");
  });
});
