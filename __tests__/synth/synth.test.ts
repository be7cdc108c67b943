import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { EXAMPLE_CONFIG } from "../../modules/config/load";
import { parse } from "yaml";
import type { SesDomainsConfig } from "../../modules/config/schema";
import { addressIndex } from "../../modules/model/addresses";
import { oneDomain, synthConfig, tempDir } from "../helpers/synth";

const ZONE = "Z0123456789ABCDEFGHIJ";
const tokenRef = (slug: string, i: number, identity = "identity") =>
  `\${element(aws_sesv2_email_identity.${slug}_${identity}.dkim_signing_attributes[0].tokens, ${i})}`;
const example = () => parse(readFileSync(EXAMPLE_CONFIG, "utf8")) as SesDomainsConfig;

describe("Terraform addresses", () => {
  test("pins the addresses of the example config", () => {
    expect(synthConfig(example()).addresses()).toEqual([
      "aws_cloudwatch_metric_alarm.example_com_configuration_set_bounce_rate_alarm",
      "aws_cloudwatch_metric_alarm.example_com_configuration_set_complaint_rate_alarm",
      "aws_cloudwatch_metric_alarm.news_example_com_configuration_set_bounce_rate_alarm",
      "aws_cloudwatch_metric_alarm.news_example_com_configuration_set_complaint_rate_alarm",
      "aws_route53_record.example_com_apex_txt",
      "aws_route53_record.example_com_dkim_1",
      "aws_route53_record.example_com_dkim_2",
      "aws_route53_record.example_com_dkim_3",
      "aws_route53_record.example_com_dmarc",
      "aws_route53_record.example_com_mail_from_mx",
      "aws_route53_record.example_com_mail_from_spf",
      "aws_route53_record.news_example_com_dkim_1",
      "aws_route53_record.news_example_com_dkim_2",
      "aws_route53_record.news_example_com_dkim_3",
      "aws_route53_record.news_example_com_dmarc",
      "aws_route53_record.news_example_com_mail_from_mx",
      "aws_route53_record.news_example_com_mail_from_spf",
      "aws_sesv2_configuration_set.example_com_configuration_set",
      "aws_sesv2_configuration_set.news_example_com_configuration_set",
      "aws_sesv2_email_identity.example_com_identity",
      "aws_sesv2_email_identity.news_example_com_identity",
      "aws_sesv2_email_identity_mail_from_attributes.example_com_mail_from",
      "aws_sesv2_email_identity_mail_from_attributes.news_example_com_mail_from",
      "data.aws_route53_zone.zone_example_com",
    ]);
  });

  test.each(["ses.config.yaml", "scenarios.yaml", "byodkim.yaml"])(
    "the record model names every managed resource the stack writes for examples/%s (plannedResources)",
    (file) => {
      const out = synthConfig(parse(readFileSync(join(EXAMPLE_CONFIG, "..", file), "utf8")) as SesDomainsConfig);
      const managed = out.addresses().filter((a) => !a.startsWith("data."));
      expect([...addressIndex(out.result.plans).keys()].sort()).toEqual(managed);
    },
  );

  test("addresses and bodies do not depend on the order of domains in the file", () => {
    const config = example();
    const reversed = { ...config, domains: Object.fromEntries(Object.entries(config.domains).reverse()) };
    expect(Object.keys(reversed.domains)).not.toEqual(Object.keys(config.domains));
    expect(synthConfig(reversed).text).toBe(synthConfig(config).text);
  });

  test("the same config gives byte-identical cdk.tf.json run to run", () => {
    const first = synthConfig(example());
    const second = synthConfig(example());
    expect(second.text).toBe(first.text);
  });
});

describe("example.com in us-east-1", () => {
  const out = synthConfig(oneDomain({ dmarc: { p: "quarantine", rua: ["dmarc@example.com"] } }));

  test("creates one SESv2 identity with Easy DKIM RSA_2048_BIT", () => {
    expect(Object.keys(out.resources("aws_sesv2_email_identity"))).toEqual(["example_com_identity"]);
    const identity = out.resource("aws_sesv2_email_identity", "example_com_identity");
    expect(identity.email_identity).toBe("example.com");
    expect(identity.dkim_signing_attributes).toEqual({ next_signing_key_length: "RSA_2048_BIT" });
    expect(identity.provider).toBeUndefined();
    expect(identity.tags).toBeUndefined();
  });

  test.each([1, 2, 3])("publishes DKIM CNAME %i under _domainkey.example.com pointing at dkim.amazonses.com", (n) => {
    expect(out.resource("aws_route53_record", `example_com_dkim_${n}`)).toMatchObject({
      zone_id: ZONE,
      type: "CNAME",
      ttl: 600,
      name: `${tokenRef("example_com", n - 1)}._domainkey.example.com`,
      records: [`${tokenRef("example_com", n - 1)}.dkim.amazonses.com`],
    });
  });

  test("sets the MAIL FROM domain with its behaviour on MX failure", () => {
    expect(out.resource("aws_sesv2_email_identity_mail_from_attributes", "example_com_mail_from")).toMatchObject({
      email_identity: "${aws_sesv2_email_identity.example_com_identity.email_identity}",
      mail_from_domain: "mail.example.com",
      behavior_on_mx_failure: "USE_DEFAULT_VALUE",
    });
  });

  test("publishes the MAIL FROM MX and SPF at mail.example.com", () => {
    expect(out.resource("aws_route53_record", "example_com_mail_from_mx")).toMatchObject({
      zone_id: ZONE,
      name: "mail.example.com",
      type: "MX",
      ttl: 600,
      records: ["10 feedback-smtp.us-east-1.amazonses.com"],
    });
    expect(out.resource("aws_route53_record", "example_com_mail_from_spf")).toMatchObject({
      zone_id: ZONE,
      name: "mail.example.com",
      type: "TXT",
      records: ["v=spf1 include:amazonses.com ~all"],
    });
  });

  test("publishes DMARC at _dmarc.example.com with mailto: URIs", () => {
    expect(out.resource("aws_route53_record", "example_com_dmarc")).toMatchObject({
      zone_id: ZONE,
      name: "_dmarc.example.com",
      type: "TXT",
      ttl: 600,
      records: ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"],
    });
  });

  test("writes eleven resources, no data sources, one provider in us-east-1", () => {
    // identity, MAIL FROM, 3 DKIM, MX, SPF, DMARC; configuration set and its 2 alarms
    expect(out.addresses()).toHaveLength(11);
    expect(out.json.data).toBeUndefined();
    expect(out.json.provider.aws).toEqual([{ region: "us-east-1" }]);
    expect(out.json.terraform.required_providers.aws).toEqual({ source: "aws", version: "5.100.0" });
  });

  test("writes no apex TXT record when spf is not configured", () => {
    expect(Object.values(out.resources("aws_route53_record")).some((r) => r.name === "example.com")).toBe(false);
  });
});

describe("regions", () => {
  test("points DKIM at dkim.af-south-1.amazonses.com for a domain in af-south-1", () => {
    const out = synthConfig(oneDomain({ region: "af-south-1" }));
    expect(out.resource("aws_route53_record", "example_com_dkim_1").records).toEqual([`${tokenRef("example_com", 0)}.dkim.af-south-1.amazonses.com`]);
    expect(out.resource("aws_route53_record", "example_com_mail_from_mx").records).toEqual(["10 feedback-smtp.af-south-1.amazonses.com"]);
  });

  test("sends an identity outside us-east-1 through a provider alias for its region; Route 53 through the default", () => {
    const out = synthConfig(oneDomain({ region: "eu-west-1" }));
    expect(out.json.provider.aws).toEqual([{ region: "us-east-1" }, { alias: "eu-west-1", region: "eu-west-1" }]);
    expect(out.resource("aws_sesv2_email_identity", "example_com_identity").provider).toBe("aws.eu-west-1");
    expect(out.resource("aws_sesv2_email_identity_mail_from_attributes", "example_com_mail_from").provider).toBe("aws.eu-west-1");
    expect(out.resource("aws_route53_record", "example_com_dkim_1").provider).toBeUndefined();
  });

  test("a two-region domain gets two identities, six DKIM CNAMEs and one MX to the first region", () => {
    const out = synthConfig(oneDomain({ regions: ["eu-west-1", "us-east-1"] }));
    expect(Object.keys(out.resources("aws_sesv2_email_identity")).sort()).toEqual(["example_com_eu_west_1_identity", "example_com_us_east_1_identity"]);
    const records = Object.values(out.resources("aws_route53_record"));
    expect(records.filter((r) => r.type === "CNAME")).toHaveLength(6);
    expect(out.resource("aws_route53_record", "example_com_eu_west_1_dkim_2").name).toBe(
      `${tokenRef("example_com", 1, "eu_west_1_identity")}._domainkey.example.com`,
    );
    expect(records.filter((r) => r.type === "MX").map((r) => r.records)).toEqual([["10 feedback-smtp.eu-west-1.amazonses.com"]]);
  });
});

describe("zones", () => {
  test("looks a zone up by name once, and a subdomain identity gets full record names in it", () => {
    const out = synthConfig({
      defaults: { region: "us-east-1", dns: { route53: { zoneName: "example.com" } } },
      domains: { "example.com": {}, "news.example.com": {} },
    });
    expect(out.json.data.aws_route53_zone).toEqual({
      zone_example_com: expect.objectContaining({ name: "example.com", private_zone: false }),
    });
    const zoneRef = "${data.aws_route53_zone.zone_example_com.zone_id}";
    const news = Object.entries(out.resources("aws_route53_record")).filter(([name]) => name.startsWith("news_"));
    expect(news.map(([, r]) => r.zone_id)).toEqual(Array(5).fill(zoneRef));
    expect(out.resource("aws_route53_record", "news_example_com_mail_from_mx").name).toBe("mail.news.example.com");
    expect(out.resource("aws_route53_record", "news_example_com_dkim_3").name).toBe(`${tokenRef("news_example_com", 2)}._domainkey.news.example.com`);
  });
});

describe("options", () => {
  test("mailFrom: false leaves MAIL FROM out", () => {
    const out = synthConfig(oneDomain({ mailFrom: false }));
    expect(out.resources("aws_sesv2_email_identity_mail_from_attributes")).toEqual({});
    expect(Object.values(out.resources("aws_route53_record")).map((r) => r.type)).toEqual(["CNAME", "CNAME", "CNAME"]);
  });

  test("keyLength 1024, onMxFailure reject, -all, custom subdomain, TTL and tags", () => {
    const out = synthConfig(
      oneDomain(
        { dkim: { type: "easy", keyLength: 1024 }, mailFrom: { subdomain: "bounce", onMxFailure: "reject", all: "-all" }, ttl: 300, tags: { app: "shop" } },
        { tags: { team: "platform" } },
      ),
    );
    const identity = out.resource("aws_sesv2_email_identity", "example_com_identity");
    expect(identity.dkim_signing_attributes.next_signing_key_length).toBe("RSA_1024_BIT");
    expect(identity.tags).toEqual({ team: "platform", app: "shop" });
    expect(out.resource("aws_sesv2_email_identity_mail_from_attributes", "example_com_mail_from").behavior_on_mx_failure).toBe("REJECT_MESSAGE");
    expect(out.resource("aws_route53_record", "example_com_mail_from_spf")).toMatchObject({
      name: "bounce.example.com",
      records: ["v=spf1 include:amazonses.com -all"],
    });
    expect(Object.values(out.resources("aws_route53_record")).map((r) => r.ttl)).toEqual(Array(5).fill(300));
  });

  test("apex SPF and a site-verification token share one TXT record set", () => {
    const out = synthConfig(oneDomain({ spf: { include: ["_spf.google.com"], ip4: ["192.0.2.0/24"], extraTxt: ["google-site-verification=abc"] } }));
    const apex = Object.values(out.resources("aws_route53_record")).filter((r) => r.name === "example.com");
    expect(apex).toEqual([
      expect.objectContaining({ type: "TXT", records: ["v=spf1 ip4:192.0.2.0/24 include:_spf.google.com ~all", "google-site-verification=abc"] }),
    ]);
  });

  test("splits a TXT value over 255 characters into 255-character strings", () => {
    const long = `verification=${"x".repeat(300)}`;
    const out = synthConfig(oneDomain({ spf: { extraTxt: [long] } }));
    const [, value] = out.resource("aws_route53_record", "example_com_apex_txt").records as string[];
    expect(value.split('""').map((s) => s.length)).toEqual([255, long.length - 255]);
    expect(value.split('""').join("")).toBe(long);
  });
});

describe("examples/scenarios.yaml (the README's scenarios)", () => {
  const out = synthConfig(parse(readFileSync(join(EXAMPLE_CONFIG, "..", "scenarios.yaml"), "utf8")) as SesDomainsConfig);
  const records = (prefix: string) =>
    Object.entries(out.resources("aws_route53_record"))
      .filter(([name]) => name.startsWith(prefix))
      .map(([, r]) => r);

  test("dr.example.net: two identities, six DKIM CNAMEs, no MAIL FROM", () => {
    expect(Object.keys(out.resources("aws_sesv2_email_identity")).filter((n) => n.startsWith("dr_"))).toEqual([
      "dr_example_net_eu_west_1_identity",
      "dr_example_net_us_east_1_identity",
    ]);
    expect(
      records("dr_")
        .map((r) => r.type)
        .sort(),
    ).toEqual(["CNAME", "CNAME", "CNAME", "CNAME", "CNAME", "CNAME", "TXT"]);
  });

  test("shop.example.org in af-south-1 uses the regional DKIM domain and its own provider", () => {
    expect(
      records("shop_")
        .filter((r) => r.type === "CNAME")
        .every((r) => r.records[0].endsWith(".dkim.af-south-1.amazonses.com")),
    ).toBe(true);
    expect(out.resource("aws_sesv2_email_identity", "shop_example_org_identity").provider).toBe("aws.af-south-1");
  });

  test("domains in other organizations authorize example.com to receive their reports", () => {
    expect(Object.keys(out.resources("aws_route53_record")).filter((n) => n.includes("dmarc_report"))).toEqual([
      "example_com_dmarc_report_dr_example_net",
      "example_com_dmarc_report_shop_example_org",
    ]);
    expect(out.resource("aws_route53_record", "example_com_dmarc_report_shop_example_org")).toMatchObject({
      zone_id: "Z0123456789ABCDEFGHIJ",
      name: "shop.example.org._report._dmarc.example.com",
      records: ["v=DMARC1"],
    });
  });

  test("example.com's DMARC keeps the default rua under its own p", () => {
    expect(out.resource("aws_route53_record", "example_com_dmarc").records).toEqual(["v=DMARC1; p=reject; rua=mailto:dmarc@example.com"]);
  });

  test("news.example.com uses bounce.news.example.com with -all and REJECT_MESSAGE", () => {
    expect(out.resource("aws_route53_record", "news_example_com_mail_from_spf")).toMatchObject({
      name: "bounce.news.example.com",
      records: ["v=spf1 include:amazonses.com -all"],
    });
    expect(out.resource("aws_sesv2_email_identity_mail_from_attributes", "news_example_com_mail_from").behavior_on_mx_failure).toBe("REJECT_MESSAGE");
  });
});

describe("record engine in the synthesized JSON", () => {
  test("a rua at another domain in the config gets its authorization record in that domain's zone", () => {
    const out = synthConfig({
      defaults: { region: "us-east-1" },
      domains: {
        "example.com": { dns: { route53: { zoneId: "ZCOM" } }, dmarc: { p: "reject", rua: ["dmarc@example.net"] } },
        "example.net": { dns: { route53: { zoneId: "ZNET" } }, dmarc: { p: "reject", rua: ["dmarc@example.net"] } },
      },
    });
    expect(out.resource("aws_route53_record", "example_net_dmarc_report_example_com")).toMatchObject({
      zone_id: "ZNET",
      name: "example.com._report._dmarc.example.net",
      type: "TXT",
      ttl: 600,
      records: ["v=DMARC1"],
    });
    expect(out.result.warnings).toEqual([]);
  });

  test("a raw SPF record and a token share the apex record set", () => {
    const out = synthConfig(oneDomain({ spf: { record: "v=spf1 include:_spf.google.com ip4:192.0.2.0/24 -all", extraTxt: ["google-site-verification=abc"] } }));
    expect(out.resource("aws_route53_record", "example_com_apex_txt").records).toEqual([
      "v=spf1 include:_spf.google.com ip4:192.0.2.0/24 -all",
      "google-site-verification=abc",
    ]);
  });

  test("no TXT string in any synthesized file exceeds 255 characters", () => {
    const outs = [
      synthConfig(example()),
      synthConfig(parse(readFileSync(join(EXAMPLE_CONFIG, "..", "scenarios.yaml"), "utf8")) as SesDomainsConfig),
      synthConfig(oneDomain({ spf: { extraTxt: ["x".repeat(1000), `v=verify ${"y".repeat(3990)}`] } })),
    ];
    const strings = outs.flatMap((out) =>
      Object.values(out.resources("aws_route53_record"))
        .filter((r) => r.type === "TXT")
        .flatMap((r) => (r.records as string[]).flatMap((v) => v.split('""'))),
    );
    expect(strings.length).toBeGreaterThan(20);
    expect(strings.filter((s) => s.length > 255)).toEqual([]);
    expect(Math.max(...strings.map((s) => s.length))).toBe(255);
  });
});

describe("what users synthesize", () => {
  test("holds no absolute path: the local state path is relative to the stack directory", () => {
    const outdir = join(tempDir(), "cdktf.out");
    const out = synthConfig(example(), outdir);
    expect(out.json.terraform.backend).toEqual({ local: { path: "../../../terraform.ses-domains.tfstate" } });
    expect(out.text).not.toContain(outdir);
    expect(out.text).not.toContain(process.cwd());
    expect(out.text).not.toMatch(/"\/(tmp|home|root|work)\//);
  });

  test("holds no credentials or test-only provider settings", () => {
    expect(synthConfig(example()).text).not.toMatch(/"(access_key|secret_key|token|profile|skip_[a-z_]+)"\s*:/);
  });

  test("returns the record model's warnings, e.g. a domain without DMARC", () => {
    const out = synthConfig(oneDomain());
    expect(out.result.warnings).toEqual([expect.objectContaining({ code: "dmarc-missing", path: ["domains", "example.com", "dmarc"] })]);
  });
});
