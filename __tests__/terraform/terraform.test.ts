import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { EXAMPLE_CONFIG } from "../../modules/config/load";
import type { SesDomainsConfig } from "../../modules/config/schema";
import { route53TxtValue } from "../../modules/model/txt";
import { synthConfig, tempDir, type Json } from "../helpers/synth";
import { requireTerraform, terraform, terraformEnv, writeOfflineProviderOverride } from "../helpers/terraform";

let env: NodeJS.ProcessEnv;
beforeAll(() => {
  requireTerraform();
  env = terraformEnv(tempDir("ses-domains-tf-"));
});

const EXAMPLES = readdirSync(dirname(EXAMPLE_CONFIG))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

describe("terraform validate", () => {
  test("examples/ holds the configs validated here", () => {
    expect(EXAMPLES).toEqual(["byodkim.yaml", "operations.yaml", "scenarios.yaml", "ses.config.yaml"]);
  });

  test.each(EXAMPLES)("examples/%s is valid Terraform, every stack", (file) => {
    const out = synthConfig(parse(readFileSync(join(dirname(EXAMPLE_CONFIG), file), "utf8")) as SesDomainsConfig);
    expect(out.result.stacks).toContain("ses-account");
    for (const stack of out.result.stacks) {
      const dir = join(out.result.outdir, "stacks", stack);
      terraform(dir, ["init", "-backend=false", "-input=false"], env);
      const result = JSON.parse(terraform(dir, ["validate", "-json"], env).stdout);
      expect(result, `${file}: ${stack}`).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
    }
  });
});

describe("terraform plan -refresh=false, offline", () => {
  const longToken = `verification=${"v".repeat(290)}`;
  const config: SesDomainsConfig = {
    defaults: { region: "us-east-1", dmarc: { p: "quarantine", rua: ["dmarc@example.com"] }, dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } } },
    domains: {
      "example.com": { spf: { include: ["_spf.google.com"], ip4: ["192.0.2.0/24"], extraTxt: ["google-site-verification=abc", longToken] } },
      "shop.example.com": { region: "af-south-1", mailFrom: { subdomain: "bounce", onMxFailure: "reject", all: "-all" } },
      "quiet.example.com": { region: "eu-west-1", mailFrom: false, dkim: { type: "easy", keyLength: 1024 } },
    },
  };
  let plan: Json;
  let changes: Map<string, Json>;

  beforeAll(() => {
    const out = synthConfig(config);
    writeOfflineProviderOverride(out.dir, out.json.provider.aws);
    terraform(out.dir, ["init", "-input=false"], env);
    terraform(out.dir, ["plan", "-refresh=false", "-input=false", "-lock=false", "-out=plan.bin"], env);
    plan = JSON.parse(terraform(out.dir, ["show", "-json", "plan.bin"], env).stdout);
    changes = new Map((plan.resource_changes as Json[]).map((c) => [c.address, c]));
  });

  const after = (address: string) => {
    const change = changes.get(address);
    if (!change) throw new Error(`${address} is not in the plan; have ${[...changes.keys()].join(", ")}`);
    return change.change.after as Json;
  };

  test("creates every resource the config asks for, and nothing else", () => {
    const counts: Record<string, number> = {};
    for (const change of changes.values()) {
      expect(change.change.actions).toEqual(["create"]);
      counts[change.type] = (counts[change.type] ?? 0) + 1;
    }
    expect(counts).toEqual({
      aws_sesv2_email_identity: 3,
      aws_sesv2_email_identity_mail_from_attributes: 2,
      // 9 DKIM CNAMEs, 2 MX, 2 MAIL FROM SPF, 3 DMARC, 1 apex TXT
      aws_route53_record: 17,
      aws_sesv2_configuration_set: 3,
      aws_cloudwatch_metric_alarm: 6,
    });
  });

  test("identities: domain and key length known at plan time", () => {
    expect(after("aws_sesv2_email_identity.example_com_identity")).toMatchObject({
      email_identity: "example.com",
      dkim_signing_attributes: [expect.objectContaining({ next_signing_key_length: "RSA_2048_BIT" })],
    });
    expect(after("aws_sesv2_email_identity.quiet_example_com_identity").dkim_signing_attributes[0].next_signing_key_length).toBe("RSA_1024_BIT");
  });

  test("identities outside us-east-1 go through their region's provider", () => {
    const resources = plan.configuration.root_module.resources as Json[];
    const providerOf = (address: string) => resources.find((r) => r.address === address)?.provider_config_key;
    expect(providerOf("aws_sesv2_email_identity.shop_example_com_identity")).toBe("aws.af-south-1");
    expect(providerOf("aws_sesv2_email_identity.quiet_example_com_identity")).toBe("aws.eu-west-1");
    expect(providerOf("aws_sesv2_email_identity.example_com_identity")).toBe("aws");
    expect(providerOf("aws_route53_record.shop_example_com_dkim_1")).toBe("aws");
  });

  test("MAIL FROM records and attributes hold their known values", () => {
    expect(after("aws_route53_record.shop_example_com_mail_from_mx")).toMatchObject({
      name: "bounce.shop.example.com",
      type: "MX",
      ttl: 600,
      zone_id: "Z0123456789ABCDEFGHIJ",
      records: ["10 feedback-smtp.af-south-1.amazonses.com"],
    });
    expect(after("aws_route53_record.shop_example_com_mail_from_spf").records).toEqual(["v=spf1 include:amazonses.com -all"]);
    expect(after("aws_sesv2_email_identity_mail_from_attributes.shop_example_com_mail_from")).toMatchObject({
      mail_from_domain: "bounce.shop.example.com",
      behavior_on_mx_failure: "REJECT_MESSAGE",
    });
  });

  test("DMARC and the apex TXT record set hold their known values", () => {
    expect(after("aws_route53_record.example_com_dmarc")).toMatchObject({
      name: "_dmarc.example.com",
      type: "TXT",
      records: ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"],
    });
    expect(after("aws_route53_record.example_com_apex_txt").records.sort()).toEqual(
      ["v=spf1 ip4:192.0.2.0/24 include:_spf.google.com ~all", "google-site-verification=abc", route53TxtValue(longToken)].sort(),
    );
  });

  test("DKIM CNAME names and targets wait for SES's tokens; type, TTL and zone are known", () => {
    for (const n of [1, 2, 3]) {
      const change = changes.get(`aws_route53_record.shop_example_com_dkim_${n}`)!;
      expect(change.change.after).toMatchObject({ type: "CNAME", ttl: 600, zone_id: "Z0123456789ABCDEFGHIJ" });
      expect(change.change.after_unknown).toMatchObject({ name: true, records: true });
    }
  });
});
