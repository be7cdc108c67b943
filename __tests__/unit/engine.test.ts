import { describe, expect, test } from "vitest";
import { resolveConfig } from "../../modules/config/resolve";
import { planDomains, txtAnswerOctets } from "../../modules/model/records";
import { configProblems, oneDomain } from "../helpers/synth";
import type { SesDomainsConfig } from "../../modules/config/schema";

const plan = (config: SesDomainsConfig) => planDomains(resolveConfig(config));
const warningCodes = (config: SesDomainsConfig) => plan(config).flatMap((p) => p.warnings.map((w) => `${w.code} ${w.path.slice(2).join(".")}`));
const ZONE = { route53: { zoneId: "Z1" } };

describe("apex SPF in config", () => {
  test("a raw record is published as given", () => {
    const [p] = plan(oneDomain({ spf: { record: "v=spf1 include:_spf.google.com -all", extraTxt: ["site-verification=x"] } }));
    expect(p.records.find((r) => r.id === "apex_txt")?.values).toEqual(["v=spf1 include:_spf.google.com -all", "site-verification=x"]);
  });

  test.each<[string, unknown, string]>([
    [
      "record and structured fields together",
      oneDomain({ spf: { record: "v=spf1 -all", include: ["a.example.com"] } }),
      'domains["example.com"].spf.record: set record or the structured fields (include, ip4, ip6, a, mx, all), not both; also set: include',
    ],
    [
      "a record that is not SPF",
      oneDomain({ spf: { record: "include:a.example.com -all" } }),
      'domains["example.com"].spf.record: must be an SPF record starting "v=spf1 ", got "include:a.example.com -all"',
    ],
    [
      "ptr in a raw record",
      oneDomain({ spf: { record: "v=spf1 ptr -all" } }),
      'domains["example.com"].spf.record: "ptr": ptr must not be used: it is slow and unreliable (RFC 7208 §5.5)',
    ],
    [
      "+all in a raw record",
      oneDomain({ spf: { record: "v=spf1 +all" } }),
      'domains["example.com"].spf.record: "+all" authorizes every host on the internet; use -all, ~all or ?all',
    ],
    [
      "no all or redirect",
      oneDomain({ spf: { record: "v=spf1 include:a.example.com" } }),
      'domains["example.com"].spf.record: must end with -all, ~all or ?all (or a redirect=), so receivers know what to do with other senders',
    ],
    [
      "a macro without allowMacros",
      oneDomain({ spf: { include: ["%{d}.spf.example.com"] } }),
      'domains["example.com"].spf.include[0]: uses SPF macros (RFC 7208 §7), which are refused unless spf.allowMacros is true, got "%{d}.spf.example.com"',
    ],
    [
      "a bad include domain",
      oneDomain({ spf: { include: ["not a domain"] } }),
      'domains["example.com"].spf.include[0]: must be a domain name such as _spf.google.com, got "not a domain"',
    ],
    ["all outside -all ~all ?all", oneDomain({ spf: { all: "+all" } }), 'domains["example.com"].spf.all: must be "-all", "~all" or "?all", got "+all"'],
    [
      "eleven lookups",
      oneDomain({ spf: { a: [""], include: Array.from({ length: 10 }, (_, i) => `s${i}.example.com`) } }),
      `domains["example.com"].spf.include: spends 11 DNS lookups; receivers fail SPF (permerror) past 10 (RFC 7208 §4.6.4): a ${Array.from({ length: 10 }, (_, i) => `include:s${i}.example.com`).join(" ")}`,
    ],
    [
      "a second SPF record in extraTxt",
      oneDomain({ spf: { extraTxt: ["v=spf1 include:b.example.com -all"] } }),
      'domains["example.com"].spf.extraTxt[0]: is a second SPF record; a name may hold only one (RFC 7208 §3.2): put its terms in spf instead',
    ],
    [
      "a TXT value over 4000 characters",
      oneDomain({ spf: { extraTxt: ["x".repeat(4001)] } }),
      'domains["example.com"].spf: a TXT value at example.com is 4001 characters; Route 53 accepts at most 4000',
    ],
  ])("%s fails naming the field and the rule", (_, config, line) => {
    expect(configProblems(config)).toEqual([line]);
  });

  test("macros pass when allowMacros is true", () => {
    expect(configProblems(oneDomain({ spf: { allowMacros: true, include: ["%{d}.spf.example.com"] } }))).toEqual([]);
  });

  test("warns that nested includes are not counted offline", () => {
    const [p] = plan(oneDomain({ dmarc: { p: "reject", rua: ["d@example.com"] }, spf: { include: ["_spf.google.com"], ip4: ["192.0.2.0/24"] } }));
    expect(p.warnings).toEqual([
      {
        code: "spf-nested-lookups",
        path: ["domains", "example.com", "spf"],
        message:
          "the apex SPF spends 1 of 10 DNS lookups itself; include:_spf.google.com spends more inside the records they name, which cannot be counted offline: check the live total with verify",
      },
    ]);
  });
});

describe("DMARC warnings", () => {
  test("p=none, no rua, pct < 100 and adkim=s are warnings, not errors", () => {
    expect(warningCodes(oneDomain({ dmarc: { p: "none", pct: 50, adkim: "s" } }))).toEqual([
      "dmarc-policy-none dmarc.p",
      "dmarc-no-rua dmarc.rua",
      "dmarc-pct dmarc.pct",
      "dmarc-adkim-strict dmarc.adkim",
    ]);
  });

  test("a complete policy warns about nothing", () => {
    expect(warningCodes(oneDomain({ dmarc: { p: "reject", rua: ["d@example.com"] } }))).toEqual([]);
  });
});

describe("external report authorization (RFC 7489 §7.1)", () => {
  const config = (rua: string[], more: Record<string, unknown> = {}): SesDomainsConfig => ({
    defaults: { region: "us-east-1", dns: ZONE },
    domains: { "example.com": { dmarc: { p: "reject", rua } }, ...more },
  });

  test("publishes the authorization in the report domain's zone when it is in this config", () => {
    const plans = plan(
      config(["dmarc@reports.example.net"], { "example.net": { dns: { route53: { zoneId: "Z2" } }, dmarc: { p: "reject", rua: ["dmarc@example.net"] } } }),
    );
    const net = plans.find((p) => p.domain === "example.net")!;
    expect(net.records.find((r) => r.id === "dmarc_report_example_com")).toMatchObject({
      name: "example.com._report._dmarc.reports.example.net",
      type: "TXT",
      values: ["v=DMARC1"],
    });
    expect(plans.flatMap((p) => p.warnings)).toEqual([]);
  });

  test("warns with the exact record when the report domain is elsewhere", () => {
    const [p] = plan(config(["dmarc@example.com", "mailto:reports@dmarc-service.example.org"]));
    expect(p.warnings).toEqual([
      {
        code: "dmarc-report-authorization",
        path: ["domains", "example.com", "dmarc", "rua"],
        message:
          "dmarc-service.example.org is outside example.com's organization and not in this config: it must publish TXT example.com._report._dmarc.dmarc-service.example.org \"v=DMARC1\", or receivers will not send it example.com's reports (RFC 7489 §7.1)",
      },
    ]);
  });

  test("needs nothing for an address in the same organizational domain (public suffix aware)", () => {
    expect(plan(config(["dmarc@reports.example.com"])).flatMap((p) => p.warnings)).toEqual([]);
    const couk = plan({ defaults: { region: "us-east-1", dns: ZONE }, domains: { "shop.example.co.uk": { dmarc: { p: "reject", rua: ["d@other.co.uk"] } } } });
    expect(couk[0].warnings.map((w) => w.code)).toEqual(["dmarc-report-authorization"]);
  });
});

describe("one record set per name and type", () => {
  test("a second record set at one name fails naming both fields", () => {
    expect(
      configProblems({
        defaults: { region: "us-east-1", dns: ZONE },
        domains: { "example.com": {}, "mail.example.com": { spf: { include: ["a.example.com"] } } },
      }),
    ).toEqual([
      'domains["mail.example.com"].spf: would write a second TXT record set at mail.example.com, which domains["example.com"].mailFrom already writes; Route 53 holds one record set per name and type',
    ]);
  });
});

describe("TXT answer size (RFC 7208 §3.4)", () => {
  test("counts a length octet per 255-character string", () => {
    expect(txtAnswerOctets(["a".repeat(255)])).toBe(256);
    expect(txtAnswerOctets(["a".repeat(256), "b"])).toBe(256 + 2 + 2);
  });

  test.each([
    [400, []],
    [460, ["txt-answer-over-450 spf"]],
    [600, ["txt-answer-over-512 spf"]],
  ])("a %i-character verification token at the apex warns: %j", (length, codes) => {
    const config = oneDomain({ dmarc: { p: "reject", rua: ["d@example.com"] }, spf: { ip4: ["192.0.2.1"], extraTxt: ["t".repeat(length)] } });
    expect(warningCodes(config)).toEqual(codes);
  });
});
