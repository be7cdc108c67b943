import { describe, expect, test } from "vitest";
import { resolveConfig } from "../../modules/config/resolve";
import { planDomain } from "../../modules/model/records";
import { testKey } from "../helpers/keys";
import { configProblems, oneDomain } from "../helpers/synth";

const byo = (over: Record<string, unknown> = {}) => ({
  type: "byo",
  selector: "s2026a",
  publicKey: testKey().publicPem,
  privateKey: { variable: "EXAMPLE_COM_DKIM_KEY" },
  ...over,
});

describe("BYODKIM config", () => {
  test("resolves to the selector, the canonical SPKI and the key reference", () => {
    const [spec] = resolveConfig(oneDomain({ dkim: byo() }));
    expect(spec.dkim).toEqual({ type: "byo", selector: "s2026a", publicKey: testKey().publicBase64, privateKey: { variable: "EXAMPLE_COM_DKIM_KEY" } });
  });

  test.each([
    [{ secretsManager: "ses/dkim/example.com" }],
    [{ secretsManager: "arn:aws:secretsmanager:us-east-1:111111111111:secret:ses/dkim/example.com-AbCdEf" }],
    [{ ssmParameter: "/ses/dkim/example.com" }],
  ])("accepts the key reference %j", (privateKey) => {
    expect(configProblems(oneDomain({ dkim: byo({ privateKey }) }))).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      "bad_selector",
      { selector: "bad_selector" },
      'domains["example.com"].dkim.selector: must be one DNS label of 1–63 letters, digits and hyphens, not starting or ending with a hyphen, got "bad_selector"',
    ],
    [
      "a selector with a dot",
      { selector: "s1.s2" },
      'domains["example.com"].dkim.selector: must be one DNS label of 1–63 letters, digits and hyphens, not starting or ending with a hyphen, got "s1.s2"',
    ],
    ["a 4096-bit key", { publicKey: testKey(4096).publicPem }, 'domains["example.com"].dkim.publicKey: is a 4096-bit RSA key; SES accepts 1024 to 2048 bits'],
    [
      "a reference that is not one of the three",
      { privateKey: { file: "key.pem" } },
      'domains["example.com"].dkim.privateKey: must be one of { variable: NAME } (a sensitive Terraform variable), { secretsManager: <secret name or ARN> } or { ssmParameter: <parameter name> }, got an object',
    ],
    [
      "rotation reusing the signing selector",
      { rotation: { previous: { selector: "s2026a", publicKey: testKey(2048, 1).publicPem } } },
      'domains["example.com"].dkim.rotation.previous.selector: "s2026a" is already the signing selector; each key needs its own selector',
    ],
  ])("rejects %s naming the field", (_, over, line) => {
    expect(configProblems(oneDomain({ dkim: byo(over) }))).toEqual([line]);
  });

  test("rejects a private key pasted as the private key, without echoing it", () => {
    const lines = configProblems(oneDomain({ dkim: byo({ privateKey: testKey().privateBody }) }));
    expect(lines).toEqual([
      'domains["example.com"].dkim.privateKey: must be a reference to where the key is kept, { variable: NAME } (a sensitive Terraform variable), { secretsManager: <secret name or ARN> } or { ssmParameter: <parameter name> }; never the key itself, got a value that looks like key material (not shown)',
    ]);
    expect(lines.join("\n")).not.toContain(testKey().privateBody.slice(0, 40));
  });

  test("rejects a PEM private key anywhere in the config, naming only the path", () => {
    const lines = configProblems(oneDomain({ dkim: byo({ publicKey: testKey().privatePem }), tags: { key: testKey().privatePem } }));
    expect(lines).toEqual([
      'domains["example.com"].dkim.publicKey: holds a private key (a PEM PRIVATE KEY block), which must never be in the config: keep it in a sensitive Terraform variable, Secrets Manager or SSM and reference it from dkim.privateKey',
      'domains["example.com"].tags.key: holds a private key (a PEM PRIVATE KEY block), which must never be in the config: keep it in a sensitive Terraform variable, Secrets Manager or SSM and reference it from dkim.privateKey',
    ]);
  });

  test("reports a pasted PEM key and the file's other problems in one run, never the key", () => {
    const lines = configProblems(oneDomain({ ttl: -1, dkim: byo({ selector: "bad_selector", privateKey: testKey().privatePem }) }));
    expect(lines.map((l) => l.split(":")[0])).toEqual([
      'domains["example.com"].dkim.privateKey',
      'domains["example.com"].ttl',
      'domains["example.com"].dkim.selector',
    ]);
    expect(lines.join("\n")).not.toMatch(/MII|PRIVATE KEY-----/);
  });

  test.each([
    ["variable", { variable: testKey().privateBody.slice(0, 80) }],
    ["secretsManager", { secretsManager: testKey().privateBody.slice(0, 80) }],
  ])("rejects key material where a %s name is expected", (field, privateKey) => {
    const lines = configProblems(oneDomain({ dkim: byo({ privateKey }) }));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^domains\\["example\\.com"\\]\\.dkim\\.privateKey\\.${field}: looks like key material; it must be .* that holds the key, never the key itself$`,
        ),
      ),
    ]);
  });

  test("rejects a PKCS#1 public key with the command that converts it", () => {
    const pkcs1 = `-----BEGIN RSA PUBLIC KEY-----\nMIIBCgKCAQEA\n-----END RSA PUBLIC KEY-----`;
    expect(configProblems(oneDomain({ dkim: byo({ publicKey: pkcs1 }) }))).toEqual([
      expect.stringMatching(/^domains\["example\.com"\]\.dkim\.publicKey: is a PKCS#1 RSA public key .* openssl rsa -RSAPublicKey_in -in key\.pem -pubout$/),
    ]);
  });
});

describe("BYODKIM records", () => {
  test("publishes v=DKIM1; k=rsa; p=<SPKI> at <selector>._domainkey, and no Easy DKIM CNAMEs", () => {
    const plan = planDomain(resolveConfig(oneDomain({ dkim: byo() }))[0]);
    expect(plan.records.filter((r) => r.type === "CNAME")).toEqual([]);
    expect(plan.records.find((r) => r.id === "dkim_s2026a")).toMatchObject({
      name: "s2026a._domainkey.example.com",
      type: "TXT",
      values: [`v=DKIM1; k=rsa; p=${testKey().publicBase64}`],
    });
    expect(plan.identities[0].dkim).toEqual({ type: "byo", selector: "s2026a", privateKey: { variable: "EXAMPLE_COM_DKIM_KEY" } });
  });

  test("a rotation keeps every published selector, each under its own address", () => {
    const plan = planDomain(
      resolveConfig(
        oneDomain({
          dkim: byo({
            rotation: {
              next: { selector: "s2026b", publicKey: testKey(2048, 1).publicPem },
              previous: { selector: "s2025b", publicKey: testKey(2048, 2).publicBase64 },
            },
          }),
        }),
      )[0],
    );
    expect(plan.records.filter((r) => r.name.includes("._domainkey.")).map((r) => [r.id, r.name, r.values[0].slice(-12)])).toEqual([
      ["dkim_s2026a", "s2026a._domainkey.example.com", testKey().publicBase64.slice(-12)],
      ["dkim_s2026b", "s2026b._domainkey.example.com", testKey(2048, 1).publicBase64.slice(-12)],
      ["dkim_s2025b", "s2025b._domainkey.example.com", testKey(2048, 2).publicBase64.slice(-12)],
    ]);
    expect(plan.identities[0].dkim).toMatchObject({ selector: "s2026a" });
  });
});
