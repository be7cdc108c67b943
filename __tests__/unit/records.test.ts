import { describe, expect, test } from "vitest";
import { ConfigError } from "../../modules/errors";
import { dmarcRecord } from "../../modules/model/dmarc";
import { hostnameProblem } from "../../modules/model/domain-name";
import { dkimTokenPlaceholder, domainSlug, fillDkimTokens, planDomain, planDomains, type DnsRecord } from "../../modules/model/records";
import { apexSpfRecord } from "../../modules/model/spf";
import { route53TxtValue } from "../../modules/model/txt";
import type { DomainSpec } from "../../modules/model/types";

const spec = (over: Partial<DomainSpec> = {}): DomainSpec => ({
  domain: "example.com",
  regions: ["us-east-1"],
  ttl: 600,
  dkim: { type: "easy", keyLength: 2048 },
  mailFrom: { subdomain: "mail", onMxFailure: "useDefault", all: "~all" },
  dmarc: { p: "quarantine", rua: ["mailto:dmarc@example.com"] },
  tags: {},
  zone: { zoneId: "Z1" },
  stack: "ses-domains",
  ...over,
});

const byId = (records: readonly DnsRecord[], id: string) => {
  const found = records.find((r) => r.id === id);
  if (!found) throw new Error(`no record ${id}; have ${records.map((r) => r.id).join(", ")}`);
  return found;
};

describe("record model: Easy DKIM", () => {
  test("publishes three DKIM CNAMEs under the identity domain", () => {
    const { records } = planDomain(spec());
    const dkim = records.filter((r) => r.id.startsWith("dkim_"));
    expect(dkim.map((r) => [r.id, r.type, r.name, r.values])).toEqual(
      ([1, 2, 3] as const).map((n) => [
        `dkim_${n}`,
        "CNAME",
        `${dkimTokenPlaceholder("us-east-1", n)}._domainkey.example.com`,
        [`${dkimTokenPlaceholder("us-east-1", n)}.dkim.amazonses.com`],
      ]),
    );
  });

  test("points DKIM at the regional DKIM domain in af-south-1", () => {
    const { records } = planDomain(spec({ regions: ["af-south-1"] }));
    expect(byId(records, "dkim_1").values).toEqual([`${dkimTokenPlaceholder("af-south-1", 1)}.dkim.af-south-1.amazonses.com`]);
  });

  test("fills token placeholders with real tokens", () => {
    const { records } = planDomain(spec());
    const tokens = ["aaa", "bbb", "ccc"];
    const filled = records
      .filter((r) => r.type === "CNAME")
      .map((r) => [fillDkimTokens(r.name, (_, i) => tokens[i]), fillDkimTokens(r.values[0], (_, i) => tokens[i])]);
    expect(filled).toEqual([
      ["aaa._domainkey.example.com", "aaa.dkim.amazonses.com"],
      ["bbb._domainkey.example.com", "bbb.dkim.amazonses.com"],
      ["ccc._domainkey.example.com", "ccc.dkim.amazonses.com"],
    ]);
  });

  test("asks SES for the configured key length", () => {
    expect(planDomain(spec()).identities[0].dkim).toEqual({ type: "easy", keyLength: "RSA_2048_BIT" });
    expect(planDomain(spec({ dkim: { type: "easy", keyLength: 1024 } })).identities[0].dkim).toEqual({ type: "easy", keyLength: "RSA_1024_BIT" });
  });
});

describe("record model: MAIL FROM", () => {
  test("publishes MX 10 feedback-smtp.<region> and SPF at the MAIL FROM domain", () => {
    const { records, identities } = planDomain(spec({ regions: ["eu-west-1"] }));
    expect(byId(records, "mail_from_mx")).toMatchObject({
      name: "mail.example.com",
      type: "MX",
      ttl: 600,
      values: ["10 feedback-smtp.eu-west-1.amazonses.com"],
    });
    expect(byId(records, "mail_from_spf")).toMatchObject({ name: "mail.example.com", type: "TXT", values: ["v=spf1 include:amazonses.com ~all"] });
    expect(identities[0].mailFrom).toEqual({ id: "mail_from", domain: "mail.example.com", behaviorOnMxFailure: "USE_DEFAULT_VALUE" });
  });

  test("uses -all and REJECT_MESSAGE when asked", () => {
    const { records, identities } = planDomain(spec({ mailFrom: { subdomain: "bounce", onMxFailure: "reject", all: "-all" } }));
    expect(byId(records, "mail_from_spf")).toMatchObject({ name: "bounce.example.com", values: ["v=spf1 include:amazonses.com -all"] });
    expect(identities[0].mailFrom?.behaviorOnMxFailure).toBe("REJECT_MESSAGE");
  });

  test("leaves MAIL FROM out when mailFrom is false", () => {
    const { records, identities } = planDomain(spec({ mailFrom: false }));
    expect(records.map((r) => r.id)).toEqual(["dkim_1", "dkim_2", "dkim_3", "dmarc"]);
    expect(identities[0].mailFrom).toBeUndefined();
  });

  test("a subdomain identity gets full record names", () => {
    const { records } = planDomain(spec({ domain: "news.example.com", zone: { zoneName: "example.com" } }));
    expect(records.map((r) => r.name.replace(/\{\{[^}]+\}\}/, "<t>"))).toEqual([
      "<t>._domainkey.news.example.com",
      "<t>._domainkey.news.example.com",
      "<t>._domainkey.news.example.com",
      "mail.news.example.com",
      "mail.news.example.com",
      "_dmarc.news.example.com",
    ]);
  });
});

describe("record model: multi-region", () => {
  test("an identity and three DKIM CNAMEs per region, one MX to the first region", () => {
    const { records, identities } = planDomain(spec({ regions: ["eu-west-1", "us-east-1"] }));
    expect(identities.map((i) => [i.id, i.region, i.mailFrom?.id])).toEqual([
      ["eu_west_1_identity", "eu-west-1", "eu_west_1_mail_from"],
      ["us_east_1_identity", "us-east-1", "us_east_1_mail_from"],
    ]);
    expect(records.filter((r) => r.type === "CNAME")).toHaveLength(6);
    expect(records.filter((r) => r.type === "MX").map((r) => r.values)).toEqual([["10 feedback-smtp.eu-west-1.amazonses.com"]]);
  });
});

describe("record model: DMARC", () => {
  test("writes v=DMARC1; p= first, then the other tags in a fixed order", () => {
    expect(
      dmarcRecord({
        psd: "n",
        t: "n",
        ruf: ["mailto:f@example.com"],
        rua: ["mailto:a@example.com", "mailto:b@example.net"],
        ri: 3600,
        rf: "afrf",
        fo: "1",
        pct: 50,
        aspf: "r",
        adkim: "r",
        np: "reject",
        sp: "none",
        p: "quarantine",
      }),
    ).toBe(
      "v=DMARC1; p=quarantine; sp=none; np=reject; adkim=r; aspf=r; pct=50; fo=1; rf=afrf; ri=3600; rua=mailto:a@example.com,mailto:b@example.net; ruf=mailto:f@example.com; t=n; psd=n",
    );
  });

  test("publishes DMARC at _dmarc.<domain>", () => {
    expect(byId(planDomain(spec()).records, "dmarc")).toMatchObject({
      name: "_dmarc.example.com",
      type: "TXT",
      values: ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"],
    });
  });

  test("warns, and writes no record, when DMARC is not configured", () => {
    const plan = planDomain(spec({ dmarc: undefined }));
    expect(plan.records.some((r) => r.id === "dmarc")).toBe(false);
    expect(plan.warnings).toEqual([expect.objectContaining({ code: "dmarc-missing", path: ["domains", "example.com", "dmarc"] })]);
  });
});

describe("record model: apex SPF", () => {
  test("keeps SPF and other apex TXT values in one record set", () => {
    const { records } = planDomain(
      spec({
        spf: {
          allowMacros: false,
          include: ["_spf.google.com"],
          ip4: ["192.0.2.0/24"],
          ip6: [],
          a: [""],
          mx: [],
          all: "-all",
          extraTxt: ["google-site-verification=abc"],
        },
      }),
    );
    const apex = records.filter((r) => r.name === "example.com");
    expect(apex).toHaveLength(1);
    expect(apex[0]).toMatchObject({
      id: "apex_txt",
      type: "TXT",
      values: ["v=spf1 a ip4:192.0.2.0/24 include:_spf.google.com -all", "google-site-verification=abc"],
    });
  });

  test("renders mechanisms in a fixed order", () => {
    expect(
      apexSpfRecord({
        allowMacros: false,
        include: ["i.example"],
        ip4: ["192.0.2.1"],
        ip6: ["2001:db8::/32"],
        a: ["a.example"],
        mx: [""],
        all: "~all",
        extraTxt: [],
      }),
    ).toBe("v=spf1 a:a.example mx ip4:192.0.2.1 ip6:2001:db8::/32 include:i.example ~all");
  });
});

describe("record model: across domains", () => {
  test("sorts plans by domain so the file's order does not matter", () => {
    const a = planDomains([spec({ domain: "b.example" }), spec({ domain: "a.example" })]);
    const b = planDomains([spec({ domain: "a.example" }), spec({ domain: "b.example" })]);
    expect(a).toEqual(b);
    expect(a.map((p) => p.domain)).toEqual(["a.example", "b.example"]);
  });

  test("fails when two domains would write one record set", () => {
    // example.com's MAIL FROM is mail.example.com; a mail.example.com identity with an apex SPF writes TXT there too.
    const apexSpf = { allowMacros: false, include: [], ip4: [], ip6: [], a: [], mx: [], all: "~all" as const, extraTxt: [] };
    const run = () => planDomains([spec(), spec({ domain: "mail.example.com", spf: apexSpf })]);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      'domains["mail.example.com"].spf: would write a second TXT record set at mail.example.com, which domains["example.com"].mailFrom already writes; Route 53 holds one record set per name and type',
    );
  });

  test.each([
    ["example.com", "example_com"],
    ["my-shop.example", "my-shop_example"],
    ["123.example", "_123_example"],
    ["xn--bcher-kva.example", "xn--bcher-kva_example"],
  ])("names %s's resources %s_*", (domain, slug) => {
    expect(domainSlug(domain)).toBe(slug);
  });
});

describe("domain names", () => {
  test.each([
    ["a..b", "must not contain an empty label (two dots in a row, or a leading dot)"],
    ["-a.com", 'label "-a" may contain only letters, digits and hyphens, and not start or end with a hyphen'],
    ["a_b.com", 'label "a_b" may contain only letters, digits and hyphens, and not start or end with a hyphen'],
    [`${"a".repeat(64)}.com`, `label "${"a".repeat(64)}" is 64 characters; the limit is 63`],
    [`${"a.".repeat(127)}com`, "must be at most 253 characters, got 257"],
    ["bücher.example", 'internationalized names must be written as punycode A-labels: use "xn--bcher-kva.example"'],
    ["xn--a.com", "contains an xn-- label that is not valid punycode"],
  ])("rejects %j: %s", (name, problem) => {
    expect(hostnameProblem(name, 2)).toBe(problem);
  });

  test.each(["example.com", "xn--bcher-kva.example", "a-b.c-d.example", `${"a".repeat(63)}.com`, "123.example"])("accepts %s", (name) => {
    expect(hostnameProblem(name, 2)).toBeUndefined();
  });
});

describe("TXT encoding for Route 53", () => {
  test.each([
    [1, 1],
    [255, 1],
    [256, 2],
    [510, 2],
    [511, 3],
  ])("a %i-character value becomes %i string(s) of at most 255", (length, strings) => {
    const value = "x".repeat(length);
    const encoded = route53TxtValue(value);
    const parts = encoded.split('""');
    expect(parts).toHaveLength(strings);
    expect(parts.every((p) => p.length <= 255)).toBe(true);
    expect(parts.join("")).toBe(value);
  });
});
