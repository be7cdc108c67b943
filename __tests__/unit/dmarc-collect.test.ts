import { describe, expect, test } from "vitest";
import { resolveConfig, resolveProject } from "../../modules/config/resolve";
import { planAccount } from "../../modules/model/account";
import { bucketPolicy, collectPlans } from "../../modules/model/collect";
import { planDomains } from "../../modules/model/records";
import { inboundSmtpHost, RECEIVING_REGIONS } from "../../modules/model/regions";
import { configProblems, type Json } from "../helpers/synth";

const COLLECT = { address: "dmarc-reports@reports.example.com", region: "us-east-1", bucket: "acme-dmarc-reports" };
const config = (domains: Json, dmarc: Json = { p: "none", collect: COLLECT }, region = "us-east-1"): Json => ({
  defaults: { region, dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } }, dmarc },
  domains,
});
const plans = (c: Json) => planDomains(resolveConfig(c));

describe("dmarc.collect: reports received by SES", () => {
  test("rua defaults to the collecting address; the prefix to rua/", () => {
    const [spec] = resolveConfig(config({ "example.com": {} }));
    expect(spec.dmarc!.rua).toEqual(["mailto:dmarc-reports@reports.example.com"]);
    expect(spec.dmarc!.collect).toMatchObject({
      address: "dmarc-reports@reports.example.com",
      domain: "reports.example.com",
      prefix: "rua/",
      existingBucket: false,
    });
    expect(plans(config({ "example.com": {} }))[0].records.find((r) => r.id === "dmarc")!.values).toEqual([
      "v=DMARC1; p=none; rua=mailto:dmarc-reports@reports.example.com",
    ]);
  });

  test("the reports domain gets an MX to SES's inbound host in the receiving region, in the zone of the domain it is under", () => {
    const [plan] = plans(config({ "example.com": {} }));
    expect(plan.records.filter((r) => r.id.startsWith("dmarc_collect_"))).toEqual([
      expect.objectContaining({ id: "dmarc_collect_reports_mx", name: "reports.example.com", type: "MX", values: ["10 inbound-smtp.us-east-1.amazonaws.com"] }),
    ]);
  });

  test("an identity in the receiving region that is the reports domain's parent covers it: nothing more to verify", () => {
    const [plan] = plans(config({ "example.com": {} }));
    expect(plan.identities.map((i) => i.emailIdentity ?? plan.domain)).toEqual(["example.com"]);
  });

  test("with no identity covering it in the receiving region, the reports domain is verified there (Easy DKIM, three CNAMEs in the same zone)", () => {
    const [plan] = plans(config({ "example.com": {} }, { p: "none", collect: COLLECT }, "eu-west-1"));
    expect(plan.identities.map((i) => [i.id, i.region, i.emailIdentity ?? plan.domain])).toEqual([
      ["identity", "eu-west-1", "example.com"],
      ["us_east_1_dmarc_collect_identity", "us-east-1", "reports.example.com"],
    ]);
    expect(plan.records.filter((r) => r.id.startsWith("us_east_1_dmarc_collect_dkim_")).map((r) => [r.name, r.values[0]])).toEqual([
      ["{{dkim-token:us-east-1:1}}._domainkey.reports.example.com", "{{dkim-token:us-east-1:1}}.dkim.amazonses.com"],
      ["{{dkim-token:us-east-1:2}}._domainkey.reports.example.com", "{{dkim-token:us-east-1:2}}.dkim.amazonses.com"],
      ["{{dkim-token:us-east-1:3}}._domainkey.reports.example.com", "{{dkim-token:us-east-1:3}}.dkim.amazonses.com"],
    ]);
  });

  test("another policy domain sending its reports there gets its report authorization in the reports domain's zone", () => {
    const all = plans(config({ "example.com": {}, "example.net": { dns: { route53: { zoneId: "Z0987654321ABCDEFGHIJ" } } } }));
    expect(all.find((p) => p.domain === "example.com")!.records.find((r) => r.id === "dmarc_report_example_net")).toMatchObject({
      name: "example.net._report._dmarc.reports.example.com",
      values: ["v=DMARC1"],
    });
  });

  test("an explicit rua without the collecting address is kept, and warned", () => {
    const [plan] = plans(config({ "example.com": {} }, { p: "none", rua: ["dmarc@example.com"], collect: COLLECT }));
    expect(plan.warnings.map((w) => w.code)).toContain("dmarc-collect-unused");
  });

  test("the account stack: one rule set per receiving region, one rule per address, and a bucket policy for SES on this account and rule only", () => {
    const all = plans(config({ "example.com": {}, "example.org": { dmarc: { collect: { ...COLLECT, address: "rua@reports.example.com" } } } }));
    const collect = collectPlans(all);
    expect(collect).toEqual([
      {
        region: "us-east-1",
        ruleSetName: "ses-domains-dmarc-reports",
        rules: [
          {
            id: "dmarc_reports_at_reports_example_com",
            name: "dmarc-reports-at-reports.example.com",
            address: "dmarc-reports@reports.example.com",
            bucket: "acme-dmarc-reports",
            prefix: "rua/",
            existingBucket: false,
          },
          {
            id: "rua_at_reports_example_com",
            name: "rua-at-reports.example.com",
            address: "rua@reports.example.com",
            bucket: "acme-dmarc-reports",
            prefix: "rua/",
            existingBucket: false,
          },
        ],
      },
    ]);
    const project = resolveProject(config({ "example.com": {} }));
    expect(planAccount(planDomains(project.domains), project.account)!.collect).toHaveLength(1);
    const policy = JSON.parse(
      bucketPolicy(
        "acme-dmarc-reports",
        collect[0].rules.slice(0, 1).map((r) => ({ ...r, region: "us-east-1", ruleSetName: collect[0].ruleSetName })),
        "111111111111",
      ),
    );
    expect(policy.Statement).toEqual([
      {
        Sid: "SesStoresReportsFordmarcreportsatreportsexamplecom",
        Effect: "Allow",
        Principal: { Service: "ses.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::acme-dmarc-reports/rua/*",
        Condition: {
          StringEquals: {
            "AWS:SourceAccount": "111111111111",
            "AWS:SourceArn": "arn:aws:ses:us-east-1:111111111111:receipt-rule-set/ses-domains-dmarc-reports:receipt-rule/dmarc-reports-at-reports.example.com",
          },
        },
      },
    ]);
  });

  test.each(RECEIVING_REGIONS)("receiving region %s: MX host inbound-smtp.%s.amazonaws.com", (region) => {
    expect(inboundSmtpHost(region)).toBe(`inbound-smtp.${region}.amazonaws.com`);
    expect(configProblems(config({ "example.com": {} }, { p: "none", collect: { ...COLLECT, region } }))).toEqual([]);
  });

  test.each<[string, Json, string[]]>([
    [
      "an address at a sending domain itself",
      config({ "example.com": {} }, { p: "none", collect: { ...COLLECT, address: "dmarc@example.com" } }),
      [
        "defaults.dmarc.collect.address: is at example.com, a sending domain: its MX would send every mail of example.com to SES; use an address at a subdomain kept for reports, such as dmarc@reports.example.com",
      ],
    ],
    [
      "an address under no configured domain",
      config({ "example.com": {} }, { p: "none", collect: { ...COLLECT, address: "dmarc@reports.example.org" } }),
      [
        "defaults.dmarc.collect.address: is at reports.example.org, which is under no domain in this config: its MX needs a zone the config manages; use an address under one of example.com",
      ],
    ],
    [
      "a region where SES does not receive",
      config({ "example.com": {} }, { p: "none", collect: { ...COLLECT, region: "eu-south-1" } }),
      [`defaults.dmarc.collect.region: must be a region where SES receives mail (${RECEIVING_REGIONS.join(", ")}), got "eu-south-1"`],
    ],
    [
      "a bucket S3 refuses",
      config({ "example.com": {} }, { p: "none", collect: { ...COLLECT, bucket: "Acme_Reports" } }),
      ['defaults.dmarc.collect.bucket: must be an S3 bucket name: 3–63 lowercase letters, digits, dots and hyphens, got "Acme_Reports"'],
    ],
    [
      "one address collected into two buckets",
      config({ "example.com": {}, "example.org": { dmarc: { collect: { ...COLLECT, bucket: "other-bucket" } } } }),
      [
        'domains["example.org"].dmarc.collect: dmarc-reports@reports.example.com is also collected into us-east-1 s3://acme-dmarc-reports/rua/; one address is received in one place',
      ],
    ],
  ])("%s is refused, naming the field", (_, c, lines) => {
    expect(configProblems(c)).toEqual(lines);
  });
});
