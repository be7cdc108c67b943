import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runsOf, testKey } from "../helpers/keys";
import { oneDomain, synthConfig, tempDir } from "../helpers/synth";

const byo = (privateKey: Record<string, string>, rotation?: Record<string, unknown>) => ({
  type: "byo",
  selector: "s2026a",
  publicKey: testKey().publicPem,
  privateKey,
  ...(rotation ? { rotation } : {}),
});
const STRIP = (value: string) => `\${replace(replace(${value}, "/-----[A-Z0-9 ]+-----/", ""), "/[[:space:]]/", "")}`;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("BYODKIM in the synthesized JSON", () => {
  const out = synthConfig(oneDomain({ dkim: byo({ variable: "EXAMPLE_COM_DKIM_KEY" }) }));

  test("the identity signs with the selector and the key from a sensitive variable", () => {
    expect(out.resource("aws_sesv2_email_identity", "example_com_identity").dkim_signing_attributes).toEqual({
      domain_signing_selector: "s2026a",
      domain_signing_private_key: STRIP("var.EXAMPLE_COM_DKIM_KEY"),
    });
    expect(out.json.variable).toEqual({
      EXAMPLE_COM_DKIM_KEY: {
        type: "string",
        sensitive: true,
        nullable: false,
        description: "BYODKIM private key (PEM, or its base64 body) for example.com. Pass it as TF_VAR_EXAMPLE_COM_DKIM_KEY.",
      },
    });
  });

  test("publishes the public key at <selector>._domainkey in strings of at most 255, and no CNAMEs", () => {
    const record = out.resource("aws_route53_record", "example_com_dkim_s2026a");
    expect(record).toMatchObject({ name: "s2026a._domainkey.example.com", type: "TXT", ttl: 600 });
    const strings = (record.records as string[])[0].split('""');
    expect(strings.map((s) => s.length)).toEqual([255, 155]);
    expect(strings.join("")).toBe(`v=DKIM1; k=rsa; p=${testKey().publicBase64}`);
    expect(Object.values(out.resources("aws_route53_record")).filter((r) => r.type === "CNAME")).toEqual([]);
  });

  test("two domains sharing a variable declare it once", () => {
    const shared = synthConfig({
      defaults: { region: "us-east-1", dkim: byo({ variable: "DKIM_KEY" }) as never, dns: { route53: { zoneId: "Z1" } } },
      domains: { "a.example.com": {}, "b.example.com": {} },
    });
    expect(Object.keys(shared.json.variable)).toEqual(["DKIM_KEY"]);
    expect(shared.json.variable.DKIM_KEY.description).toBe(
      "BYODKIM private key (PEM, or its base64 body) for a.example.com, b.example.com. Pass it as TF_VAR_DKIM_KEY.",
    );
  });

  test("reads the key from Secrets Manager or SSM at plan time", () => {
    const sm = synthConfig(oneDomain({ dkim: byo({ secretsManager: "ses/dkim/example.com" }) }));
    expect(sm.json.data.aws_secretsmanager_secret_version.example_com_dkim_private_key).toMatchObject({ secret_id: "ses/dkim/example.com" });
    expect(sm.resource("aws_sesv2_email_identity", "example_com_identity").dkim_signing_attributes.domain_signing_private_key).toBe(
      STRIP("data.aws_secretsmanager_secret_version.example_com_dkim_private_key.secret_string"),
    );
    const ssm = synthConfig(oneDomain({ region: "eu-west-1", dkim: byo({ ssmParameter: "/ses/dkim/example.com" }) }));
    expect(ssm.json.data.aws_ssm_parameter.example_com_dkim_private_key).toMatchObject({
      name: "/ses/dkim/example.com",
      with_decryption: true,
      provider: "aws.eu-west-1",
    });
    expect(ssm.json.variable).toBeUndefined();
  });

  test("a rotation config keeps both selectors published while signing with the new one", () => {
    const rotated = synthConfig(oneDomain({ dkim: byo({ variable: "K" }, { previous: { selector: "s2025b", publicKey: testKey(2048, 1).publicBase64 } }) }));
    expect(rotated.resource("aws_route53_record", "example_com_dkim_s2026a").name).toBe("s2026a._domainkey.example.com");
    expect(rotated.resource("aws_route53_record", "example_com_dkim_s2025b").records[0].split('""').join("")).toBe(
      `v=DKIM1; k=rsa; p=${testKey(2048, 1).publicBase64}`,
    );
    expect(rotated.resource("aws_sesv2_email_identity", "example_com_identity").dkim_signing_attributes.domain_signing_selector).toBe("s2026a");
  });

  test("no synthesized file holds private key material", () => {
    const outdir = join(tempDir(), "cdktf.out");
    synthConfig(
      {
        defaults: { region: "us-east-1", dns: { route53: { zoneId: "Z1" } } },
        domains: {
          "a.example.com": { dkim: byo({ variable: "A_KEY" }) as never },
          "b.example.com": { dkim: byo({ secretsManager: "ses/dkim/b" }) as never },
          "c.example.com": { dkim: byo({ ssmParameter: "/ses/dkim/c" }) as never },
        },
      },
      outdir,
    );
    const files = filesUnder(outdir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    const runs = runsOf(testKey().privateBody);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect(text).not.toMatch(/PRIVATE KEY|-----BEGIN/);
      expect(runs.filter((run) => text.includes(run))).toEqual([]);
    }
  });
});
