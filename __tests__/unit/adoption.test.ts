/** Adoption in the record model (import ids, the imports a synth writes) and the adoption file itself. */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ADOPTION_ENV, adoptionFileText, adoptionPath, parseAdoption } from "../../modules/adopt/file";
import { resolveConfig } from "../../modules/config/resolve";
import { ConfigError } from "../../modules/errors";
import { adoptableResources, adoptionImports, recordImportId, type AdoptionFile, type AdoptionSource } from "../../modules/model/adoption";
import { planDomains, type DomainPlan } from "../../modules/model/records";

const Z = "Z0123456789ABCDEFGHIJ";
const T = ["tok1aaaaaaaa", "tok2bbbbbbbb", "tok3cccccccc"];
const TE = ["eutok1aaaaaa", "eutok2bbbbbb", "eutok3cccccc"];

function plans(domains: Record<string, unknown>, defaults: Record<string, unknown> = {}): DomainPlan[] {
  return planDomains(resolveConfig({ defaults: { region: "us-east-1", dmarc: { p: "none", rua: ["d@example.com"] }, ...defaults }, domains }));
}
const one = (domain: Record<string, unknown> = {}) => plans({ "example.com": { dns: { route53: { zoneId: Z } }, ...domain } })[0];

describe("what can be adopted, and its import id", () => {
  test("identity, MAIL FROM and configuration set by name; records by <zoneId>_<name>_<type> with the real tokens", () => {
    const ids = Object.fromEntries(adoptableResources(one({ spf: {} }), { dkimTokens: { "us-east-1": T } }).map((a) => [a.resource.address, a.id]));
    expect(ids).toEqual({
      "aws_sesv2_email_identity.example_com_identity": "example.com",
      "aws_sesv2_email_identity_mail_from_attributes.example_com_mail_from": "example.com",
      "aws_sesv2_configuration_set.example_com_configuration_set": "example_com",
      "aws_route53_record.example_com_dkim_1": `${Z}_tok1aaaaaaaa._domainkey.example.com_CNAME`,
      "aws_route53_record.example_com_dkim_2": `${Z}_tok2bbbbbbbb._domainkey.example.com_CNAME`,
      "aws_route53_record.example_com_dkim_3": `${Z}_tok3cccccccc._domainkey.example.com_CNAME`,
      "aws_route53_record.example_com_mail_from_mx": `${Z}_mail.example.com_MX`,
      "aws_route53_record.example_com_mail_from_spf": `${Z}_mail.example.com_TXT`,
      "aws_route53_record.example_com_apex_txt": `${Z}_example.com_TXT`,
      "aws_route53_record.example_com_dmarc": `${Z}__dmarc.example.com_TXT`,
    });
  });

  test("alarms, event destinations, topics and senders are never adopted", () => {
    const plan = one({
      configurationSet: { events: { cloudwatch: true, sns: { create: true } } },
      alarms: { notify: { email: ["ops@example.com"] } },
      senders: [{ name: "app", from: ["app"], smtp: true }],
    });
    const kinds = new Set(adoptableResources(plan, {}).map((a) => a.resource.role.kind));
    expect([...kinds].sort()).toEqual(["configuration-set", "identity", "mail-from", "record"]);
  });

  test("Easy DKIM records have no id until their region's tokens are known; each region has its own", () => {
    const plan = one({ regions: ["us-east-1", "eu-west-1"] });
    const dkim = (context: Parameters<typeof adoptableResources>[1]) =>
      adoptableResources(plan, context)
        .filter((a) => a.resource.address.includes("_dkim_"))
        .map((a) => [a.resource.address.split(".")[1], a.id]);
    expect(dkim({}).every(([, id]) => id === undefined)).toBe(true);
    const some = dkim({ dkimTokens: { "eu-west-1": TE } });
    expect(some).toContainEqual(["example_com_eu_west_1_dkim_1", `${Z}_eutok1aaaaaa._domainkey.example.com_CNAME`]);
    expect(some).toContainEqual(["example_com_us_east_1_dkim_1", undefined]);
  });

  test("a zone given by name: record ids need the zone id found for it", () => {
    const plan = plans({ "news.example.com": { dns: { route53: { zoneName: "example.com" } } } })[0];
    const dmarc = (zoneId?: string) => adoptableResources(plan, { zoneId }).find((a) => a.resource.address.endsWith("_dmarc"))!.id;
    expect(dmarc()).toBeUndefined();
    expect(dmarc("Z999")).toBe("Z999__dmarc.news.example.com_TXT");
  });

  test("a domain with external DNS adopts its SES resources only", () => {
    const plan = one({ dns: { external: {} } });
    expect(
      adoptableResources(plan, {})
        .map((a) => a.resource.role.kind)
        .sort(),
    ).toEqual(["configuration-set", "identity", "mail-from"]);
  });

  test.each([
    ["Z1", "example.com", "TXT", "Z1_example.com_TXT"],
    ["Z1", "_dmarc.example.com", "TXT", "Z1__dmarc.example.com_TXT"],
    ["Z1", "abc._domainkey.example.com", "CNAME", "Z1_abc._domainkey.example.com_CNAME"],
  ])("recordImportId(%s, %s, %s) is %s", (zone, name, type, id) => {
    expect(recordImportId(zone, name, type)).toBe(id);
  });
});

function source(domains: AdoptionFile["domains"]): AdoptionSource {
  return { file: { version: 1, domains }, name: "ses-adopt.json" };
}

function problems(run: () => unknown): string[] {
  try {
    run();
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.lines();
    throw e;
  }
}

describe("the imports a synth writes", () => {
  const plan = one();
  const identity = {
    address: "aws_sesv2_email_identity.example_com_identity",
    id: "example.com",
    what: "SES identity example.com (us-east-1)",
    seenIn: "ses" as const,
  };
  const dkim1 = {
    address: "aws_route53_record.example_com_dkim_1",
    id: `${Z}_tok1aaaaaaaa._domainkey.example.com_CNAME`,
    what: "CNAME",
    seenIn: "dns" as const,
  };

  test("exactly the resources the file lists, for the domains with adopt: true", () => {
    const { imports, warnings } = adoptionImports(
      [plan],
      new Set(["example.com"]),
      source({ "example.com": { dkimTokens: { "us-east-1": T }, resources: [identity, dkim1] } }),
    );
    expect([...imports.get("example.com")!]).toEqual([
      [identity.address, "example.com"],
      [dkim1.address, dkim1.id],
    ]);
    expect(warnings).toEqual([]);
  });

  test("a domain without adopt: true gets nothing, and its entry is a warning", () => {
    const { imports, warnings } = adoptionImports([plan], new Set(), source({ "example.com": { resources: [identity] } }));
    expect(imports.size).toBe(0);
    expect(warnings.map((w) => w.message)).toEqual(["ses-adopt.json lists example.com, which does not set adopt: true: nothing of it is imported"]);
  });

  test.each<[string, AdoptionSource | undefined, string]>([
    [
      "no adoption file at all",
      undefined,
      'domains["example.com"].adopt: is true, but there is no adoption file (ses-adopt.json beside the config, SES_ADOPTION or --adoption): run ses-domains adopt --config ses.config.yaml (add --from-aws to read SES, or give --tokens) and commit the file it writes',
    ],
    [
      "a file without the domain",
      source({ "other.example": { resources: [] } }),
      'domains["example.com"].adopt: is true, but ses-adopt.json has no entry for example.com: run ses-domains adopt --config ses.config.yaml (add --from-aws to read SES, or give --tokens) and commit the file it writes',
    ],
    [
      "an address the config no longer writes",
      source({ "example.com": { resources: [{ ...identity, address: "aws_route53_record.example_com_apex_txt", what: "TXT example.com" }] } }),
      'domains["example.com"].adopt: ses-adopt.json imports aws_route53_record.example_com_apex_txt (TXT example.com), which the config no longer writes: the file is stale: run ses-domains adopt --config ses.config.yaml again, or, if it was applied already, remove adopt: true (the state holds everything now)',
    ],
    [
      "an import id the config no longer makes (the MAIL FROM moved)",
      source({
        "example.com": {
          resources: [
            { address: "aws_route53_record.example_com_mail_from_mx", id: `${Z}_bounce.example.com_MX`, what: "MX bounce.example.com", seenIn: "dns" },
          ],
        },
      }),
      `domains["example.com"].adopt: ses-adopt.json imports aws_route53_record.example_com_mail_from_mx as "${Z}_bounce.example.com_MX", but the config now makes its import id "${Z}_mail.example.com_MX": the file is stale: run ses-domains adopt --config ses.config.yaml again, or, if it was applied already, remove adopt: true (the state holds everything now)`,
    ],
  ])("adopt: true with %s is a config error naming the domain and the command", (_, given, line) => {
    expect(problems(() => adoptionImports([plan], new Set(["example.com"]), given, "ses-domains adopt --config ses.config.yaml"))).toEqual([line]);
  });

  test("a DKIM record listed without the tokens that make its id is stale, never guessed", () => {
    const lines = problems(() => adoptionImports([plan], new Set(["example.com"]), source({ "example.com": { resources: [dkim1] } })));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("unknown (tokens or zone id missing from the file)");
  });
});

describe("the adoption file", () => {
  const file: AdoptionFile = {
    version: 1,
    domains: {
      "z.example.com": { resources: [] },
      "example.com": {
        zoneId: Z,
        dkimTokens: { "us-east-1": T },
        resources: [
          { address: "aws_sesv2_email_identity.example_com_identity", id: "example.com", what: "SES identity example.com (us-east-1)", seenIn: "ses" },
        ],
      },
    },
  };

  test("is written with domains sorted and read back as written", () => {
    const text = adoptionFileText(file);
    expect(Object.keys(JSON.parse(text).domains)).toEqual(["example.com", "z.example.com"]);
    expect(text.endsWith("}\n")).toBe(true);
    expect(parseAdoption(text, "ses-adopt.json").domains).toEqual(file.domains);
    expect(adoptionFileText(parseAdoption(text, "x"))).toBe(text);
  });

  test.each<[string, string, string]>([
    ["not JSON", "{", "ses-adopt.json: is not valid JSON: "],
    ["another version", JSON.stringify({ version: 2, domains: {} }), "ses-adopt.json: version: must be 1 (this ses-domains reads adoption files of version 1)"],
    [
      "a bad zone id",
      JSON.stringify({ version: 1, domains: { "example.com": { zoneId: "nope", resources: [] } } }),
      'ses-adopt.json: domains["example.com"].zoneId: must be a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ',
    ],
    [
      "two tokens",
      JSON.stringify({ version: 1, domains: { "example.com": { dkimTokens: { "us-east-1": ["a", "b"] }, resources: [] } } }),
      'ses-adopt.json: domains["example.com"].dkimTokens["us-east-1"]: must list the 3 Easy DKIM tokens',
    ],
    [
      "a token that is no DNS label",
      JSON.stringify({ version: 1, domains: { "example.com": { dkimTokens: { "us-east-1": ["a", "b", "c d"] }, resources: [] } } }),
      'ses-adopt.json: domains["example.com"].dkimTokens["us-east-1"][2]: must be an Easy DKIM token: one DNS label',
    ],
    [
      "an unknown evidence",
      JSON.stringify({ version: 1, domains: { "example.com": { resources: [{ address: "aws_x.y", id: "i", what: "w", seenIn: "guess" }] } } }),
      'ses-adopt.json: domains["example.com"].resources[0].seenIn: must be "ses", "dns" or "tokens"',
    ],
  ])("%s: one line naming the file and the field", (_, text, line) => {
    const lines = problems(() => parseAdoption(text, "ses-adopt.json"));
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(line)).toBe(true);
  });

  test("is found by flag, else SES_ADOPTION, else beside the config", () => {
    const cwd = "/work/repo";
    expect(adoptionPath("/etc/ses/ses.config.yaml", "mine.json", { [ADOPTION_ENV]: "env.json" }, cwd)).toEqual({ path: join(cwd, "mine.json"), named: true });
    expect(adoptionPath("/etc/ses/ses.config.yaml", undefined, { [ADOPTION_ENV]: "env.json" }, cwd)).toEqual({ path: join(cwd, "env.json"), named: true });
    expect(adoptionPath("/etc/ses/ses.config.yaml", undefined, {}, cwd)).toEqual({ path: "/etc/ses/ses-adopt.json", named: false });
  });
});

describe("adopt in the config", () => {
  test("is set per domain or in defaults, and a domain may turn it off", () => {
    const specs = resolveConfig({
      defaults: { region: "us-east-1", adopt: true, dns: { route53: { zoneId: Z } } },
      domains: { "a.example.com": {}, "b.example.com": { adopt: false } },
    });
    expect(specs.map((s) => [s.domain, s.adopt ?? false])).toEqual([
      ["a.example.com", true],
      ["b.example.com", false],
    ]);
  });

  test("must be a boolean", () => {
    expect(
      problems(() => resolveConfig({ defaults: { region: "us-east-1" }, domains: { "example.com": { adopt: "yes", dns: { route53: { zoneId: Z } } } } })),
    ).toEqual(['domains["example.com"].adopt: must be true or false, got "yes"']);
  });
});
