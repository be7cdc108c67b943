import { App, S3Backend, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SesDomain, type SesDomainProps } from "../../modules/constructs/ses-domain";
import { ConfigError } from "../../modules/errors";
import { tempDir, type Json } from "../helpers/synth";

/** The user's own app: their stack, their provider (eu-west-1) and their backend. */
function userStack(name = "mail") {
  const app = new App({ outdir: tempDir() });
  const stack = new TerraformStack(app, name);
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new S3Backend(stack, { bucket: "user-state", key: "mail.tfstate", region: "eu-west-1" });
  return stack;
}
const synth = (stack: TerraformStack): Json => JSON.parse(Testing.synth(stack));
const base: SesDomainProps = {
  domain: "example.com",
  region: "eu-west-1",
  dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } },
  dmarc: { p: "reject", rua: ["dmarc@example.com"] },
};
const problems = (build: () => void): string[] => {
  try {
    build();
  } catch (e) {
    if (e instanceof ConfigError) return e.lines();
    throw e;
  }
  return [];
};

describe("SesDomain: the config entry as a construct in an existing cdktf app", () => {
  test("renders the domain in the user's stack, through the user's provider and backend, adding none of its own", () => {
    const stack = userStack();
    const domain = new SesDomain(stack, "example", base);
    new TerraformOutput(stack, "identity_arn", { value: domain.identityArn });
    new TerraformOutput(stack, "set", { value: domain.configurationSetName });
    const json = synth(stack);
    expect(json.provider.aws).toEqual([{ region: "eu-west-1" }]);
    expect(json.terraform.backend).toEqual({ s3: { bucket: "user-state", key: "mail.tfstate", region: "eu-west-1" } });
    const identities = Object.values<Json>(json.resource.aws_sesv2_email_identity);
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatchObject({ email_identity: "example.com" });
    expect(identities[0].provider).toBeUndefined();
    expect(
      Object.values<Json>(json.resource.aws_route53_record)
        .map((r) => r.name)
        .sort(),
    ).toEqual(expect.arrayContaining(["_dmarc.example.com", "mail.example.com", "mail.example.com"]));
    expect(Object.values<Json>(json.resource.aws_sesv2_configuration_set)).toEqual([expect.objectContaining({ configuration_set_name: "example_com" })]);
    expect(json.output.identity_arn.value).toMatch(/^\$\{aws_sesv2_email_identity\.[\w]+\.arn\}$/);
    expect(json.output.set.value).toMatch(/^\$\{aws_sesv2_configuration_set\.[\w]+\.configuration_set_name\}$/);
  });

  test("exposes every record the domain needs, Easy DKIM names as Terraform expressions", () => {
    const domain = new SesDomain(userStack(), "example", base);
    expect(domain.records.map((r) => [r.type, r.name.replace(/\$\{.*\}/, "<token>")])).toEqual([
      ["CNAME", "<token>._domainkey.example.com"],
      ["CNAME", "<token>._domainkey.example.com"],
      ["CNAME", "<token>._domainkey.example.com"],
      ["MX", "mail.example.com"],
      ["TXT", "mail.example.com"],
      ["TXT", "_dmarc.example.com"],
    ]);
    expect(domain.records[3].values).toEqual(["10 feedback-smtp.eu-west-1.amazonses.com"]);
  });

  test("defaults merge as in a config file, from the same schema", () => {
    const domain = new SesDomain(userStack(), "example", {
      ...base,
      dmarc: { p: "quarantine" },
      defaults: { dmarc: { p: "none", rua: ["d@example.com"] }, ttl: 300 },
    });
    expect(domain.records.find((r) => r.name === "_dmarc.example.com")).toMatchObject({
      ttl: 300,
      values: ["v=DMARC1; p=quarantine; rua=mailto:d@example.com"],
    });
  });

  test.each<[string, Partial<SesDomainProps>, string]>([
    ["a bad DMARC policy", { dmarc: { p: "block" as never } }, 'mail/example: dmarc.p: must be "none", "quarantine" or "reject", got "block"'],
    [
      "an unknown field",
      { dmarcc: {} } as never,
      'mail/example: unknown field "dmarcc"; allowed: region, regions, ttl, dkim, mailFrom, spf, dmarc, tags, dns, adopt, configurationSet, alarms, senders, stack',
    ],
    [
      "a region the stack's provider is not in",
      { region: "us-east-1" },
      'mail/example: region: is us-east-1, but the stack\'s AWS provider is in eu-west-1: pass provider (or providers: { "us-east-1": … }) for us-east-1',
    ],
    ["adopt, which is the app's adoption file", { adopt: true } as never, "mail/example: adopt: is for the app's adoption file (ses-domains adopt)"],
    [
      "collecting reports, which needs the account stack",
      { dmarc: { p: "none", collect: { address: "r@reports.example.com", region: "us-east-1", bucket: "acme-reports" } } },
      "mail/example: dmarc.collect: needs the ses-account stack",
    ],
  ])("%s throws, naming the construct path and the field", (_, over, line) => {
    const lines = problems(() => new SesDomain(userStack(), "example", { ...base, ...over } as SesDomainProps));
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(line)).toBe(true);
  });

  test("several regions render through the providers given for them", () => {
    const stack = userStack();
    const us = new AwsProvider(stack, "aws_us", { region: "us-east-1", alias: "us" });
    new SesDomain(stack, "example", { ...base, region: undefined, regions: ["eu-west-1", "us-east-1"], providers: { "us-east-1": us } });
    const identities = Object.values<Json>(synth(stack).resource.aws_sesv2_email_identity);
    expect(identities.map((i) => i.provider ?? "default").sort()).toEqual(["aws.us", "default"]);
  });

  test("a zone by name is looked up through dnsProvider, and the records go through it", () => {
    const stack = userStack();
    const dns = new AwsProvider(stack, "aws_dns", { region: "us-east-1", alias: "dns", assumeRole: [{ roleArn: "arn:aws:iam::111111111111:role/dns" }] });
    new SesDomain(stack, "example", { ...base, dns: { route53: { zoneName: "example.com" } }, dnsProvider: dns });
    const json = synth(stack);
    expect(Object.values<Json>(json.data.aws_route53_zone)).toEqual([expect.objectContaining({ name: "example.com", provider: "aws.dns" })]);
    expect(Object.values<Json>(json.resource.aws_route53_record).every((r) => r.provider === "aws.dns")).toBe(true);
  });

  test("a sender's role gets an inline policy for this domain, and email notify a topic of the domain's own", () => {
    const stack = userStack();
    new SesDomain(stack, "example", {
      ...base,
      senders: [{ name: "app", role: "mailer", from: ["noreply"] }],
      alarms: { notify: { email: ["ops@example.com"] } },
    });
    const json = synth(stack);
    expect(Object.values<Json>(json.resource.aws_iam_role_policy)).toEqual([
      expect.objectContaining({ role: "mailer", name: "ses-domains-send-example.com-app" }),
    ]);
    expect(Object.values<Json>(json.resource.aws_sns_topic)).toEqual([expect.objectContaining({ name: "example_com-ses-alarms" })]);
    expect(json.data).toBeUndefined();
  });

  test("a BYODKIM key from a variable declares a sensitive variable in the user's stack", () => {
    const stack = userStack();
    new SesDomain(stack, "example", {
      ...base,
      dkim: {
        type: "byo",
        selector: "s1",
        publicKey:
          "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmrriUbblSmK0ce5JgXURtzHTsq44UtpEh8jl+Xn7ryPiyIwnSTRyttUJ/2BZnsAjtRONIMKfkHgkZzYInMKxbGDFBXfGt5jXDK0Dh/qyO+51ReJe61sKXUScmtJdlkxV/oFz4Q0LvV216+W610UcjAgbzgVAll+i+eJgN/KV7Pe2P10qtZPtmx16jV0bUpU0sAcN/4h+tym/Ad1bka1SyO6d4duYk3yZPeHsw1XmCilvJYK6/22vTsHzuL6MpR2tbgCZ8M+YJCbqi8tZuklxGECEXCK9krj5dZdtZ125TxZ2xsfmzbDnl8q2TVg/CBESqbtyjXZlbXKQP2pAKqkxEwIDAQAB",
        privateKey: { variable: "EXAMPLE_KEY" },
      },
    });
    const json = synth(stack);
    expect(Object.values<Json>(json.variable)).toEqual([expect.objectContaining({ sensitive: true, type: "string" })]);
  });
});
