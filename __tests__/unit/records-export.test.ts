/** `records`: which records, in which zone, for what purpose — read from the record model. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadConfig } from "../../modules/config/load";
import { resolveConfig } from "../../modules/config/resolve";
import { planDomains } from "../../modules/model/records";
import { listRecords, recordsByZone, type DomainRecords } from "../../modules/records/records";
import { ROOT } from "../helpers/cli";
import { testKey } from "../helpers/keys";

type Json = Record<string, unknown>;
const list = (config: Json, tokens?: Parameters<typeof listRecords>[1]) => listRecords(planDomains(resolveConfig(config)), tokens);
const zoneOfDomain = (domains: DomainRecords[], domain: string) => domains.find((d) => d.domain === domain)!.zone;
const route53 = (ref: Json) => ({ route53: ref });

describe("the zone of each domain", () => {
  test.each<[string, Record<string, Json>, string, string]>([
    ["zoneName names the zone", { "news.example.com": { dns: route53({ zoneName: "example.com" }) } }, "news.example.com", "example.com"],
    ["a zoneId alone: the domain is its own zone", { "shop.example.org": { dns: route53({ zoneId: "Z1" }) } }, "shop.example.org", "shop.example.org"],
    [
      "a zoneId shared with a configured parent: the parent's zone",
      { "example.com": { dns: route53({ zoneId: "Z1" }) }, "news.example.com": { dns: route53({ zoneId: "Z1" }) } },
      "news.example.com",
      "example.com",
    ],
    [
      "a zoneId shared with a grandparent, the parent not configured: the grandparent's zone",
      { "example.com": { dns: route53({ zoneId: "Z1" }) }, "a.news.example.com": { dns: route53({ zoneId: "Z1" }) } },
      "a.news.example.com",
      "example.com",
    ],
    [
      "the closest configured parent with the same zone ID decides, whatever its own parents use",
      {
        "example.com": { dns: route53({ zoneName: "example.com" }) },
        "eu.example.com": { dns: route53({ zoneId: "Z2" }) },
        "a.eu.example.com": { dns: route53({ zoneId: "Z2" }) },
      },
      "a.eu.example.com",
      "eu.example.com",
    ],
    [
      "another zoneId than the parent's: a delegated zone of its own",
      { "example.com": { dns: route53({ zoneId: "Z1" }) }, "news.example.com": { dns: route53({ zoneId: "Z2" }) } },
      "news.example.com",
      "news.example.com",
    ],
    [
      "a zone found by name and a zone ID are not assumed to be the same zone",
      { "example.com": { dns: route53({ zoneName: "example.com" }) }, "news.example.com": { dns: route53({ zoneId: "Z1" }) } },
      "news.example.com",
      "news.example.com",
    ],
    [
      "external beside an external parent: the parent's zone",
      { "example.com": { dns: { external: {} } }, "news.example.com": { dns: { external: {} } } },
      "news.example.com",
      "example.com",
    ],
    [
      "external under a Route 53 parent: a zone of its own at the other provider",
      { "example.com": { dns: route53({ zoneId: "Z1" }) }, "news.example.com": { dns: { external: {} } } },
      "news.example.com",
      "news.example.com",
    ],
  ])("%s", (_, domains, domain, zone) => {
    expect(zoneOfDomain(list({ defaults: { region: "us-east-1" }, domains }), domain)).toBe(zone);
  });

  test("every row carries its domain's zone, and rows group by zone, zones sorted", () => {
    const domains = list({
      defaults: { region: "us-east-1", dns: route53({ zoneId: "Z1" }) },
      domains: { "example.com": {}, "news.example.com": {}, "b.example.org": { dns: route53({ zoneId: "Z2" }) } },
    });
    expect(domains.flatMap((d) => d.rows.map((r) => r.zone === d.zone))).not.toContain(false);
    const zones = recordsByZone(domains);
    expect(zones.map((z) => z.zone)).toEqual(["b.example.org", "example.com"]);
    expect([...new Set(zones[1].rows.map((r) => r.domain))]).toEqual(["example.com", "news.example.com"]);
  });

  test("a DMARC report authorization goes in the report domain's zone", () => {
    const domains = list({
      defaults: { region: "us-east-1", dmarc: { p: "reject", rua: ["dmarc@example.com"] } },
      domains: { "example.com": { dns: route53({ zoneId: "Z1" }) }, "shop.example.org": { dns: route53({ zoneId: "Z2" }) } },
    });
    const row = domains.flatMap((d) => d.rows).find((r) => r.name === "shop.example.org._report._dmarc.example.com")!;
    expect(row).toMatchObject({
      domain: "example.com",
      zone: "example.com",
      type: "TXT",
      values: ["v=DMARC1"],
      purpose: "DMARC report authorization for shop.example.org",
    });
  });
});

describe("the purpose of each record, in words", () => {
  const easy = list({
    defaults: { region: "us-east-1", dns: route53({ zoneId: "Z1" }), dmarc: { p: "reject", rua: ["dmarc@example.com"] } },
    domains: {
      "example.com": { spf: { include: ["_spf.google.com"], extraTxt: ["google-site-verification=abc"] } },
      "dr.example.net": { regions: ["eu-west-1", "us-east-1"], spf: { ip4: ["192.0.2.1"] } },
    },
  });
  const purposes = (domain: string) => easy.find((d) => d.domain === domain)!.rows.map((r) => `${r.type} ${r.purpose}`);

  test("Easy DKIM names region and position; MAIL FROM, apex SPF with extraTxt, DMARC and report authorization", () => {
    expect(purposes("example.com")).toEqual([
      "CNAME DKIM (Easy DKIM, us-east-1, 1 of 3)",
      "CNAME DKIM (Easy DKIM, us-east-1, 2 of 3)",
      "CNAME DKIM (Easy DKIM, us-east-1, 3 of 3)",
      "MX MAIL FROM MX",
      "TXT MAIL FROM SPF",
      "TXT apex SPF, with 1 other TXT value (spf.extraTxt)",
      "TXT DMARC policy",
      "TXT DMARC report authorization for dr.example.net",
    ]);
  });

  test("several regions: three DKIM records per region, each naming its region", () => {
    expect(purposes("dr.example.net").filter((p) => p.startsWith("CNAME"))).toEqual(
      ["eu-west-1", "us-east-1"].flatMap((region) => [1, 2, 3].map((n) => `CNAME DKIM (Easy DKIM, ${region}, ${n} of 3)`)),
    );
    expect(purposes("dr.example.net")).toContain("TXT apex SPF");
  });

  test("BYODKIM: the signing, next and previous selectors", () => {
    const byo = list({
      defaults: { region: "us-east-1", dns: route53({ zoneId: "Z1" }) },
      domains: {
        "example.com": {
          dkim: {
            type: "byo",
            selector: "s2026a",
            publicKey: testKey().publicPem,
            privateKey: { variable: "K" },
            rotation: {
              next: { selector: "s2026b", publicKey: testKey(2048, 1).publicPem },
              previous: { selector: "s2025b", publicKey: testKey(2048, 2).publicPem },
            },
          },
        },
      },
    });
    expect(byo[0].rows.filter((r) => r.purpose.startsWith("DKIM")).map((r) => [r.name, r.purpose])).toEqual([
      ["s2026a._domainkey.example.com", "DKIM (BYODKIM, selector s2026a, signing)"],
      ["s2026b._domainkey.example.com", "DKIM (BYODKIM, selector s2026b, next key, not signing yet)"],
      ["s2025b._domainkey.example.com", "DKIM (BYODKIM, selector s2025b, previous key, still published)"],
    ]);
  });

  test.each(readdirSync(join(ROOT, "examples")).filter((f) => /\.ya?ml$/.test(f)))("every record of examples/%s has a purpose in words", (file) => {
    const config = loadConfig(join(ROOT, "examples", file));
    const rows = listRecords(planDomains(config.domains)).flatMap((d) => d.rows);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows)
      expect(row.purpose).toMatch(
        /^(DKIM \(|MAIL FROM (MX|SPF)$|apex SPF|DMARC policy$|DMARC report authorization for |open and click tracking|DMARC reports received by SES)/,
      );
  });
});

describe("Easy DKIM tokens", () => {
  const config = { defaults: { region: "us-east-1", dns: route53({ zoneId: "Z1" }) }, domains: { "dr.example.net": { regions: ["eu-west-1", "us-east-1"] } } };

  test("given tokens fill the names and values", () => {
    const [domain] = list(config, { "dr.example.net": { "eu-west-1": ["ta", "tb", "tc"], "us-east-1": ["ua", "ub", "uc"] } });
    const cnames = domain.rows.filter((r) => r.type === "CNAME");
    expect(cnames.map((r) => [r.name, r.values])).toEqual([
      ["ta._domainkey.dr.example.net", ["ta.dkim.amazonses.com"]],
      ["tb._domainkey.dr.example.net", ["tb.dkim.amazonses.com"]],
      ["tc._domainkey.dr.example.net", ["tc.dkim.amazonses.com"]],
      ["ua._domainkey.dr.example.net", ["ua.dkim.amazonses.com"]],
      ["ub._domainkey.dr.example.net", ["ub.dkim.amazonses.com"]],
      ["uc._domainkey.dr.example.net", ["uc.dkim.amazonses.com"]],
    ]);
    expect(cnames.filter((r) => r.pendingToken)).toEqual([]);
  });

  test("tokens missing for a region leave that region's records pending, with the record model's placeholders", () => {
    const [domain] = list(config, { "dr.example.net": { "us-east-1": ["ua", "ub", "uc"] } });
    const pending = domain.rows.filter((r) => r.pendingToken);
    expect(pending.map((r) => r.pendingToken)).toEqual([0, 1, 2].map((index) => ({ region: "eu-west-1", index })));
    expect(pending[0]).toMatchObject({
      name: "{{dkim-token:eu-west-1:1}}._domainkey.dr.example.net",
      values: ["{{dkim-token:eu-west-1:1}}.dkim.amazonses.com"],
    });
    expect(domain.rows.filter((r) => r.type === "CNAME" && !r.pendingToken)).toHaveLength(3);
  });

  test("without tokens every Easy DKIM record is pending and nothing else is", () => {
    const [domain] = list(config);
    expect(domain.rows.filter((r) => r.pendingToken)).toHaveLength(6);
    expect(domain.rows.filter((r) => !r.pendingToken).map((r) => r.type)).toEqual(["MX", "TXT"]);
  });
});
