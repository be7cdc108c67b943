import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { resolveConfig, resolveProject, stackFor } from "../../modules/config/resolve";
import type { SesDomainsConfig } from "../../modules/config/schema";
import { configProblems, oneDomain, synthConfig, tempDir, type Json } from "../helpers/synth";

const ZONE = { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } };
const fleet = (names: string[], extra: Partial<SesDomainsConfig> = {}): SesDomainsConfig => ({
  defaults: { region: "us-east-1", dmarc: { p: "reject", rua: ["dmarc@example.com"] }, dns: ZONE },
  stacks: { count: 4 },
  backend: { s3: { bucket: "acme-tf-state", keyPrefix: "ses/", region: "us-east-1", useLockfile: true } },
  domains: Object.fromEntries(names.map((n) => [n, {}])),
  ...extra,
});
const names = (n: number) => Array.from({ length: n }, (_, i) => `d${String(i).padStart(2, "0")}.example.com`);

/** Every stack's cdk.tf.json, parsed, by stack name. */
function synthStacks(config: SesDomainsConfig): Record<string, Json> {
  const outdir = join(tempDir(), "cdktf.out");
  synthConfig(config, outdir, resolveProject(config).stacks[0]);
  return Object.fromEntries(
    readdirSync(join(outdir, "stacks")).map((stack) => [stack, JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"))]),
  );
}

/** Each resource's stack and JSON body, by address, for every resource whose name starts with `prefix`. */
function resourcesOf(stacks: Record<string, Json>): Map<string, { stack: string; body: string }> {
  const out = new Map<string, { stack: string; body: string }>();
  for (const [stack, json] of Object.entries(stacks)) {
    for (const [type, byName] of Object.entries<Json>(json.resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) out.set(`${type}.${name}`, { stack, body: JSON.stringify(body) });
    }
  }
  return out;
}

describe("stacks", () => {
  test("40 domains with stacks.count 4 land in 4 stacks, each with its own S3 state key", () => {
    const stacks = synthStacks(fleet(names(40)));
    expect(Object.keys(stacks).sort()).toEqual(["ses-account", "ses-domains-0", "ses-domains-1", "ses-domains-2", "ses-domains-3"]);
    for (const [stack, json] of Object.entries(stacks)) {
      expect(json.terraform.backend).toEqual({ s3: { bucket: "acme-tf-state", key: `ses/${stack}.tfstate`, region: "us-east-1", use_lockfile: true } });
    }
    const domainStacks = Object.entries(stacks).filter(([name]) => name !== "ses-account");
    const identities = domainStacks.map(([, json]) => Object.keys(json.resource.aws_sesv2_email_identity).length);
    expect(identities.reduce((a, b) => a + b)).toBe(40);
    expect(Math.min(...identities)).toBeGreaterThan(0);
  });

  test("the bucket depends on the domain name alone", () => {
    expect(stackFor("d07.example.com", 4)).toBe(stackFor("d07.example.com", 4));
    expect(resolveConfig(fleet(["d07.example.com"]))[0].stack).toBe(resolveConfig(fleet(["a.example.com", "d07.example.com"]))[1].stack);
  });

  test("adding a 41st domain moves none and changes no other resource", () => {
    const before = resourcesOf(synthStacks(fleet(names(40))));
    const after = resourcesOf(synthStacks(fleet([...names(40), "new.example.org"])));
    for (const [address, where] of before) expect(after.get(address)).toEqual(where);
    expect([...after.keys()].filter((a) => !before.has(a)).every((a) => a.includes("new_example_org"))).toBe(true);
    // identity, MAIL FROM, 3 DKIM, MX, SPF, DMARC; configuration set and its 2 alarms
    expect(after.size - before.size).toBe(11);
  });

  test("removing and reordering domains leaves every other domain byte-identical", () => {
    const all = names(12);
    const before = resourcesOf(synthStacks(fleet(all)));
    const after = resourcesOf(synthStacks(fleet([...all].reverse().filter((n) => n !== "d05.example.com"))));
    for (const [address, where] of after) expect(before.get(address)).toEqual(where);
    expect([...before.keys()].filter((a) => !after.has(a)).every((a) => a.includes("d05_example_com"))).toBe(true);
  });

  test("a pinned domain goes to its named stack; without stacks.count the rest share one stack", () => {
    const config: SesDomainsConfig = {
      defaults: { region: "us-east-1", dns: ZONE },
      domains: { "a.example.com": {}, "b.example.com": { stack: "critical" } },
    };
    const stacks = synthStacks(config);
    expect(Object.keys(stacks).sort()).toEqual(["critical", "ses-account", "ses-domains"]);
    expect(Object.keys(stacks.critical.resource.aws_sesv2_email_identity)).toEqual(["b_example_com_identity"]);
    expect(stacks.critical.terraform.backend).toEqual({ local: { path: "../../../terraform.critical.tfstate" } });
  });

  test("backend.local.dir keeps state files there, as paths relative to each stack", () => {
    const stacks = synthStacks({ ...fleet(["a.example.com"]), backend: { local: { dir: "state" } } });
    expect(stacks["ses-domains-0"].terraform.backend.local.path).toMatch(/^(\.\.\/)+.*state\/terraform\.ses-domains-0\.tfstate$/);
    expect(stacks["ses-domains-0"].terraform.backend.local.path.startsWith("/")).toBe(false);
  });
});

describe("DNS targets", () => {
  test("a cross-account zone's records go through a provider that assumes the role", () => {
    const out = synthConfig(oneDomain({ dns: { route53: { zoneId: "Z0987654321ABCDEFGHIJ", assumeRoleArn: "arn:aws:iam::111111111111:role/dns" } } }));
    expect(out.json.provider.aws).toEqual([
      { region: "us-east-1" },
      { alias: "dns-111111111111-dns", assume_role: [{ role_arn: "arn:aws:iam::111111111111:role/dns" }], region: "us-east-1" },
    ]);
    const records = Object.values(out.resources("aws_route53_record"));
    expect(records.map((r) => r.provider)).toEqual(Array(records.length).fill("aws.dns-111111111111-dns"));
    expect(out.resource("aws_sesv2_email_identity", "example_com_identity").provider).toBeUndefined();
  });

  test("a zone looked up by name in another account is looked up through the role too", () => {
    const out = synthConfig(oneDomain({ dns: { route53: { zoneName: "example.com", assumeRoleArn: "arn:aws:iam::111111111111:role/path/dns-admin" } } }));
    expect(out.json.data.aws_route53_zone).toEqual({
      "zone_example_com_dns-111111111111-dns-admin": expect.objectContaining({ name: "example.com", provider: "aws.dns-111111111111-dns-admin" }),
    });
  });

  test("external DNS: no Route 53 resources, and an output with every record, DKIM tokens filled at apply", () => {
    const out = synthConfig(oneDomain({ dns: { external: {} }, dmarc: { p: "reject", rua: ["d@example.com"] } }));
    expect(out.resources("aws_route53_record")).toEqual({});
    expect(out.json.data).toBeUndefined();
    const token = (i: number) => `\${element(aws_sesv2_email_identity.example_com_identity.dkim_signing_attributes[0].tokens, ${i})}`;
    expect(out.json.output.example_com_dns_records.value).toEqual([
      ...[0, 1, 2].map((i) => ({ name: `${token(i)}._domainkey.example.com`, type: "CNAME", ttl: 600, values: [`${token(i)}.dkim.amazonses.com`] })),
      { name: "mail.example.com", type: "MX", ttl: 600, values: ["10 feedback-smtp.us-east-1.amazonses.com"] },
      { name: "mail.example.com", type: "TXT", ttl: 600, values: ["v=spf1 include:amazonses.com ~all"] },
      { name: "_dmarc.example.com", type: "TXT", ttl: 600, values: ["v=DMARC1; p=reject; rua=mailto:d@example.com"] },
    ]);
    expect(out.resources("aws_sesv2_email_identity_mail_from_attributes")).toHaveProperty("example_com_mail_from");
  });
});

describe("fleet errors name the field", () => {
  test.each<[string, unknown, string]>([
    ["stacks.count below 1", { ...fleet(["a.example.com"]), stacks: { count: 0 } }, "stacks.count: must be a whole number of stacks, at least 1, got 0"],
    [
      "a pin to an empty name",
      oneDomain({ stack: "" }),
      'domains["example.com"].stack: must be a stack name of 1–63 letters, digits, "-" and "_", starting with a letter or digit, got ""',
    ],
    [
      "an assumeRoleArn that is not an IAM role ARN",
      oneDomain({ dns: { route53: { zoneId: "Z1", assumeRoleArn: "arn:aws:iam::111111111111:user/dns" } } }),
      'domains["example.com"].dns.route53.assumeRoleArn: must be an IAM role ARN such as arn:aws:iam::111111111111:role/dns, got "arn:aws:iam::111111111111:user/dns"',
    ],
    [
      "route53 and external together",
      oneDomain({ dns: { route53: { zoneId: "Z1" }, external: {} } }),
      'domains["example.com"].dns: set route53 or external, not both',
    ],
    [
      "a backend that is neither s3 nor local",
      { ...fleet(["a.example.com"]), backend: { gcs: { bucket: "b" } } },
      "backend: must be { s3: { bucket, keyPrefix, region, useLockfile } } or { local: { dir } }, got an object",
    ],
  ])("%s", (_, config, line) => {
    expect(configProblems(config)).toEqual([line]);
  });
});
