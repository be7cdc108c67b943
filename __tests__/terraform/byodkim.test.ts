import { beforeAll, describe, expect, test } from "vitest";
import type { ByoDkimConfig, SesDomainsConfig } from "../../modules/config/schema";
import { testKey } from "../helpers/keys";
import { synthConfig, tempDir, type Json } from "../helpers/synth";
import { requireTerraform, terraform, terraformEnv, writeOfflineProviderOverride } from "../helpers/terraform";

let env: NodeJS.ProcessEnv;
beforeAll(() => {
  requireTerraform();
  env = terraformEnv(tempDir("ses-domains-tf-"));
});

const byo = (privateKey: ByoDkimConfig["privateKey"]): ByoDkimConfig => ({ type: "byo", selector: "s2026a", publicKey: testKey().publicPem, privateKey });

describe("BYODKIM through terraform", () => {
  test("validate passes with keys from a variable, Secrets Manager and SSM", () => {
    const out = synthConfig({
      defaults: { region: "us-east-1", dmarc: { p: "reject", rua: ["d@example.com"] }, dns: { route53: { zoneId: "Z1" } } },
      domains: {
        "a.example.com": { dkim: byo({ variable: "A_DKIM_KEY" }) },
        "b.example.com": { dkim: byo({ secretsManager: "ses/dkim/b" }), region: "eu-west-1" },
        "c.example.com": { dkim: byo({ ssmParameter: "/ses/dkim/c" }) },
      },
    });
    terraform(out.dir, ["init", "-backend=false", "-input=false"], env);
    expect(JSON.parse(terraform(out.dir, ["validate", "-json"], env).stdout)).toMatchObject({ valid: true, error_count: 0 });
  });

  describe("plan with the key passed as TF_VAR_<name> (PEM)", () => {
    let plan: Json;
    beforeAll(() => {
      const out = synthConfig({
        defaults: { region: "us-east-1", dmarc: { p: "reject", rua: ["d@example.com"] } },
        domains: { "example.com": { dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } }, dkim: byo({ variable: "EXAMPLE_COM_DKIM_KEY" }) } },
      } satisfies SesDomainsConfig);
      writeOfflineProviderOverride(out.dir, out.json.provider.aws);
      const withKey = { ...env, TF_VAR_EXAMPLE_COM_DKIM_KEY: testKey().privatePem };
      terraform(out.dir, ["init", "-input=false"], withKey);
      terraform(out.dir, ["plan", "-refresh=false", "-input=false", "-lock=false", "-out=plan.bin"], withKey);
      plan = JSON.parse(terraform(out.dir, ["show", "-json", "plan.bin"], withKey).stdout);
    });

    const change = (address: string) => (plan.resource_changes as Json[]).find((c) => c.address === address)!.change;

    test("the identity gets the selector and the key's base64 body, marked sensitive", () => {
      const identity = change("aws_sesv2_email_identity.example_com_identity");
      expect(identity.after.dkim_signing_attributes[0]).toMatchObject({
        domain_signing_selector: "s2026a",
        domain_signing_private_key: testKey().privateBody,
      });
      expect(identity.after_sensitive.dkim_signing_attributes[0].domain_signing_private_key).toBe(true);
      expect(plan.variables.EXAMPLE_COM_DKIM_KEY).toBeDefined();
      expect(plan.configuration.root_module.variables.EXAMPLE_COM_DKIM_KEY.sensitive).toBe(true);
    });

    test("the key record is a known TXT value at the selector, and there are no CNAMEs", () => {
      expect(change("aws_route53_record.example_com_dkim_s2026a").after).toMatchObject({
        name: "s2026a._domainkey.example.com",
        type: "TXT",
        records: [`v=DKIM1; k=rsa; p=${testKey().publicBase64.slice(0, 237)}""${testKey().publicBase64.slice(237)}`],
      });
      expect((plan.resource_changes as Json[]).filter((c) => c.change.after?.type === "CNAME")).toEqual([]);
    });
  });
});
