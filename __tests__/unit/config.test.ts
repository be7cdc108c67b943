import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { configPath, EXAMPLE_CONFIG, loadConfig } from "../../modules/config/load";
import { resolveConfig } from "../../modules/config/resolve";
import { ConfigError } from "../../modules/errors";
import { configProblems, oneDomain, tempDir } from "../helpers/synth";

describe("config: defaults and merging", () => {
  test("applies the documented defaults when a key is set nowhere", () => {
    const [spec] = resolveConfig(oneDomain());
    expect(spec).toEqual({
      domain: "example.com",
      regions: ["us-east-1"],
      ttl: 600,
      dkim: { type: "easy", keyLength: 2048 },
      mailFrom: { subdomain: "mail", onMxFailure: "useDefault", all: "~all" },
      spf: undefined,
      dmarc: undefined,
      tags: {},
      zone: { zoneId: "Z0123456789ABCDEFGHIJ" },
      stack: "ses-domains",
      configurationSet: { tls: "require", reputationMetrics: true, suppress: ["bounce", "complaint"] },
      alarms: { bounceRate: 0.04, complaintRate: 0.0008, ownNotify: false },
      senders: [],
    });
  });

  test("merges dmarc field by field: a domain that sets p keeps the default rua", () => {
    const [spec] = resolveConfig(oneDomain({ dmarc: { p: "reject" } }, { dmarc: { p: "none", rua: ["dmarc@example.com"] } }));
    expect(spec.dmarc).toEqual({ p: "reject", rua: ["mailto:dmarc@example.com"], ruf: undefined });
  });

  test("merges mailFrom and tags field by field", () => {
    const [spec] = resolveConfig(
      oneDomain({ mailFrom: { onMxFailure: "reject" }, tags: { app: "shop" } }, { mailFrom: { subdomain: "bounce" }, tags: { team: "platform" } }),
    );
    expect(spec.mailFrom).toEqual({ subdomain: "bounce", onMxFailure: "reject", all: "~all" });
    expect(spec.tags).toEqual({ team: "platform", app: "shop" });
  });

  test("replaces dkim, ttl, region and dns whole", () => {
    const [spec] = resolveConfig(
      oneDomain(
        { dkim: { type: "easy" }, ttl: 300, region: "eu-west-1", dns: { route53: { zoneName: "example.com" } } },
        { dkim: { type: "easy", keyLength: 1024 }, ttl: 3600, dns: { route53: { zoneId: "ZDEFAULT" } } },
      ),
    );
    expect(spec).toMatchObject({ dkim: { keyLength: 2048 }, ttl: 300, regions: ["eu-west-1"], zone: { zoneName: "example.com" } });
  });

  test("a domain's mailFrom: false overrides a default, and a default false is overridden by an object", () => {
    expect(resolveConfig(oneDomain({ mailFrom: false }))[0].mailFrom).toBe(false);
    expect(resolveConfig(oneDomain({ mailFrom: { subdomain: "m" } }, { mailFrom: false }))[0].mailFrom).toEqual({
      subdomain: "m",
      onMxFailure: "useDefault",
      all: "~all",
    });
  });

  test("normalizes identity domains: lowercase, no trailing dot", () => {
    expect(resolveConfig(oneDomain({}, {}, "Example.COM."))[0].domain).toBe("example.com");
  });

  test("takes a default dns for every domain", () => {
    const specs = resolveConfig({
      defaults: { region: "us-east-1", dns: { route53: { zoneName: "example.com" } } },
      domains: { "a.example.com": {}, "b.example.com": {} },
    });
    expect(specs.map((s) => s.zone)).toEqual([{ zoneName: "example.com" }, { zoneName: "example.com" }]);
  });
});

describe("config: errors name the field, the value and what is allowed", () => {
  test.each<[string, unknown, string[]]>([
    ["pct out of range", oneDomain({ dmarc: { p: "reject", pct: 150 } }), ['domains["example.com"].dmarc.pct: must be an integer 0–100, got 150']],
    [
      "unknown region",
      oneDomain({}, { region: "us-east-9" }),
      [
        expect.stringMatching(
          /^defaults\.region: must be an AWS region where SES sends email \(af-south-1, .*us-west-2\), got "us-east-9"$/,
        ) as unknown as string,
      ],
    ],
    [
      "missing region",
      { domains: { "example.com": { dns: { route53: { zoneId: "Z1" } } } } },
      ['domains["example.com"].region: is required: set region (or regions) on the domain or in defaults'],
    ],
    [
      "unknown field",
      oneDomain({ dmarcc: { p: "reject" } }),
      [
        'domains["example.com"]: unknown field "dmarcc"; allowed: region, regions, ttl, dkim, mailFrom, spf, dmarc, tags, dns, adopt, configurationSet, alarms, senders, stack',
      ],
    ],
    ["bad policy", oneDomain({ dmarc: { p: "block" } }), ['domains["example.com"].dmarc.p: must be "none", "quarantine" or "reject", got "block"']],
    [
      "dmarc without p",
      oneDomain({ dmarc: { rua: ["a@example.com"] } }),
      ['domains["example.com"].dmarc.p: is required when dmarc is set: "none", "quarantine" or "reject"'],
    ],
    [
      "bad rua",
      oneDomain({ dmarc: { p: "none", rua: ["https://example.com/r"] } }),
      ['domains["example.com"].dmarc.rua[0]: must be a mailto: URI or an email address such as dmarc@example.com, got "https://example.com/r"'],
    ],
    [
      "an extraTxt value Route 53 would need escaped (non-ASCII)",
      oneDomain({ spf: { include: ["_spf.example.net"], extraTxt: ["vérification=abc"] } }),
      [
        'domains["example.com"].spf.extraTxt[0]: must be printable ASCII without " or \\ (what verification tokens are; Route 53 would need them escaped), got "vérification=abc"',
      ],
    ],
    [
      "an extraTxt value with a quote",
      oneDomain({ spf: { include: ["_spf.example.net"], extraTxt: ['token="abc"'] } }),
      [
        'domains["example.com"].spf.extraTxt[0]: must be printable ASCII without " or \\ (what verification tokens are; Route 53 would need them escaped), got "token=\\"abc\\""',
      ],
    ],
    [
      "bad fo",
      oneDomain({ dmarc: { p: "none", fo: "0:1" } }),
      ['domains["example.com"].dmarc.fo: 0 and 1 cannot be combined (1 already includes 0), got "0:1"'],
    ],
    [
      "strict SPF alignment with a MAIL FROM subdomain",
      oneDomain({ dmarc: { p: "reject", aspf: "s" } }),
      ['domains["example.com"].dmarc.aspf: "s" (strict) can never pass: SES\'s MAIL FROM is always a subdomain (mail.…), so SPF aligns only with aspf "r"'],
    ],
    ["key length", oneDomain({ dkim: { type: "easy", keyLength: 4096 } }), ['domains["example.com"].dkim.keyLength: must be 1024 or 2048, got 4096']],
    [
      "dkim type",
      oneDomain({ dkim: { type: "hard" } }),
      ['domains["example.com"].dkim.type: must be "easy" (Easy DKIM: SES holds and rotates the key) or "byo" (Bring Your Own DKIM: your key), got "hard"'],
    ],
    [
      "onMxFailure",
      oneDomain({ mailFrom: { onMxFailure: "bounce" } }),
      ['domains["example.com"].mailFrom.onMxFailure: must be "useDefault" or "reject", got "bounce"'],
    ],
    [
      "mailFrom subdomain",
      oneDomain({ mailFrom: { subdomain: "a..b" } }),
      [
        'domains["example.com"].mailFrom.subdomain: must be a DNS name under the identity domain; must not contain an empty label (two dots in a row, or a leading dot), got "a..b"',
      ],
    ],
    ["ttl", oneDomain({ ttl: -5 }), ['domains["example.com"].ttl: must be a whole number of seconds between 0 and 2147483647, got -5']],
    ["ttl type", oneDomain({ ttl: "10m" }), ['domains["example.com"].ttl: must be a whole number of seconds between 0 and 2147483647, got "10m"']],
    [
      "zoneId and zoneName",
      oneDomain({ dns: { route53: { zoneId: "Z1", zoneName: "example.com" } } }),
      ['domains["example.com"].dns.route53: set zoneId or zoneName, not both'],
    ],
    [
      "zone elsewhere",
      oneDomain({ dns: { route53: { zoneName: "example.org" } } }),
      ['domains["example.com"].dns.route53.zoneName: must be example.com or a parent of it (the zone that holds its records), got "example.org"'],
    ],
    [
      "zone id shape",
      oneDomain({ dns: { route53: { zoneId: "example.com" } } }),
      ['domains["example.com"].dns.route53.zoneId: must be a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ, got "example.com"'],
    ],
    [
      "no dns",
      { defaults: { region: "us-east-1" }, domains: { "example.com": {} } },
      [
        'domains["example.com"].dns: is required: { route53: { zoneId: Z… } }, { route53: { zoneName: <zone> } } or { external: {} }, on the domain or in defaults',
      ],
    ],
    [
      "identity label",
      oneDomain({}, {}, "exa_mple.com"),
      ['domains["exa_mple.com"]: identity domain label "exa_mple" may contain only letters, digits and hyphens, and not start or end with a hyphen'],
    ],
    ["single label", oneDomain({}, {}, "localhost"), ['domains["localhost"]: identity domain must have at least 2 labels']],
    [
      "IDN",
      oneDomain({}, {}, "bücher.example"),
      ['domains["bücher.example"]: identity domain internationalized names must be written as punycode A-labels: use "xn--bcher-kva.example"'],
    ],
    ["ip4", oneDomain({ spf: { ip4: ["192.0.2.0/33"] } }), ['domains["example.com"].spf.ip4[0]: prefix length must be 0–32, got "192.0.2.0/33"']],
    [
      "two SPF",
      oneDomain({ spf: { extraTxt: ["v=spf1 -all"] } }),
      ['domains["example.com"].spf.extraTxt[0]: is a second SPF record; a name may hold only one (RFC 7208 §3.2): put its terms in spf instead'],
    ],
    ["region and regions", oneDomain({ region: "us-east-1", regions: ["eu-west-1"] }), ['domains["example.com"].regions: set region or regions, not both']],
    [
      "duplicate regions",
      oneDomain({ regions: ["eu-west-1", "eu-west-1"] }),
      ['domains["example.com"].regions: lists eu-west-1 twice; each region may appear once'],
    ],
    ["no domains", { defaults: { region: "us-east-1" }, domains: {} }, ["domains: must list at least one domain"]],
    ["domains missing", { defaults: { region: "us-east-1" } }, ["domains: is required; must be a map from identity domain to its settings"]],
  ])("%s", (_, config, expected) => {
    expect(configProblems(config)).toEqual(expected);
  });

  test("reports every problem, one line each", () => {
    const lines = configProblems(oneDomain({ ttl: -1, dmarc: { p: "block", pct: 101 } }));
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.startsWith('domains["example.com"].'))).toBe(true);
  });

  test("reports field problems across the whole file in one run", () => {
    const lines = configProblems({
      defaults: { region: "us-east-9" },
      domains: {
        "example.com": {
          dns: { route53: { zoneId: "Z1", zoneName: "example.com" } },
          dmarc: { p: "reject", pct: 150, rua: ["https://x.example/r"] },
          mailFrom: { subdomain: "a..b" },
        },
        "bad_name.example": {},
      },
    });
    expect(lines.map((l) => l.split(":")[0])).toEqual([
      "defaults.region",
      'domains["example.com"].mailFrom.subdomain',
      'domains["example.com"].dmarc.pct',
      'domains["example.com"].dmarc.rua[0]',
      'domains["example.com"].dns.route53',
      'domains["bad_name.example"]',
    ]);
  });

  test("two spellings of one identity are a duplicate", () => {
    const config = oneDomain({}, {}, "example.com");
    (config.domains as Record<string, unknown>)["EXAMPLE.com"] = config.domains["example.com"];
    expect(configProblems(config)).toEqual(['domains["EXAMPLE.com"]: is the same identity as domains["example.com"] (names are case-insensitive)']);
  });
});

describe("config: where it comes from", () => {
  test("SES_CONFIG wins over a local file", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "ses.config.yaml"), "");
    expect(configPath({ SES_CONFIG: "other.json" }, dir)).toBe(join(dir, "other.json"));
  });

  test("then ses.config.yaml, .yml, .json in the working directory", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "ses.config.json"), "{}");
    expect(configPath({}, dir)).toBe(join(dir, "ses.config.json"));
    writeFileSync(join(dir, "ses.config.yaml"), "");
    expect(configPath({}, dir)).toBe(join(dir, "ses.config.yaml"));
  });

  test("else the embedded example", () => {
    expect(configPath({}, tempDir())).toBe(EXAMPLE_CONFIG);
    expect(loadConfig(EXAMPLE_CONFIG).domains.map((d) => d.domain)).toEqual(["example.com", "news.example.com"]);
  });

  test("reads YAML and JSON alike", () => {
    const dir = tempDir();
    const config = oneDomain({ dmarc: { p: "reject" } });
    writeFileSync(join(dir, "c.json"), JSON.stringify(config));
    writeFileSync(
      join(dir, "c.yml"),
      `defaults: { region: us-east-1 }\ndomains:\n  example.com:\n    dns: { route53: { zoneId: Z0123456789ABCDEFGHIJ } }\n    dmarc: { p: reject }\n`,
    );
    expect(loadConfig(join(dir, "c.json")).domains).toEqual(loadConfig(join(dir, "c.yml")).domains);
  });

  test.each<[string, string, string, RegExp]>([
    ["missing file", "nope.yaml", "", /^.*nope\.yaml: cannot read config file: no such file$/],
    ["YAML syntax", "bad.yaml", "domains:\n  example.com: {\n", /^.*bad\.yaml: invalid YAML at line 3, column 1: /],
    ["duplicate YAML key", "dup.yaml", "domains: {}\ndomains: {}\n", /^.*dup\.yaml: invalid YAML at line 2, column 1: Map keys must be unique/],
    ["JSON syntax", "bad.json", '{\n  "domains": {,}\n}', /^.*bad\.json: invalid JSON at line 2, column 15: Expected property name/],
    ["extension", "config.toml", "x", /^.*config\.toml: config file must end in \.yaml, \.yml or \.json, got "\.toml"$/],
  ])("%s names the file and where", (_, name, text, expected) => {
    const dir = tempDir();
    if (text) writeFileSync(join(dir, name), text);
    try {
      loadConfig(join(dir, name));
      expect.unreachable("loadConfig should have thrown");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).lines()).toEqual([expect.stringMatching(expected)]);
    }
  });

  test("a directory is not a config file", () => {
    const dir = join(tempDir(), "d.yaml");
    mkdirSync(dir);
    expect(() => loadConfig(dir)).toThrow(/d\.yaml: cannot read config file: is a directory/);
  });
});
