/**
 * Import blocks at synth time: from the adoption file, only for domains with adopt: true, only for what
 * it lists; where the file is found (beside the config, SES_ADOPTION, --adoption); and the config errors
 * that stop a synth writing anything.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { adoptionFileText, readAdoption } from "../../modules/adopt/file";
import { synthesize } from "../../modules/app";
import { resolveProject } from "../../modules/config/resolve";
import type { AdoptionFile } from "../../modules/model/adoption";
import { adoptHere } from "../helpers/adopt";
import { runMain } from "../helpers/cli";
import { tempDir, type Json } from "../helpers/synth";

const Z = "Z0123456789ABCDEFGHIJ";
const T = ["tok1aaaaaaaa", "tok2bbbbbbbb", "tok3cccccccc"];
const TE = ["eutok1aaaaaa", "eutok2bbbbbb", "eutok3cccccc"];

const CONFIG = {
  defaults: { region: "us-east-1", dns: { route53: { zoneId: Z } }, dmarc: { p: "none", rua: ["d@example.com"] }, alarms: false },
  domains: {
    "example.com": { adopt: true, regions: ["us-east-1", "eu-west-1"] },
    "other.example.com": {},
  },
};

const FILE: AdoptionFile = {
  version: 1,
  domains: {
    "example.com": {
      zoneId: Z,
      dkimTokens: { "us-east-1": T, "eu-west-1": TE },
      resources: [
        { address: "aws_sesv2_email_identity.example_com_us_east_1_identity", id: "example.com", what: "SES identity example.com (us-east-1)", seenIn: "ses" },
        { address: "aws_sesv2_email_identity.example_com_eu_west_1_identity", id: "example.com", what: "SES identity example.com (eu-west-1)", seenIn: "ses" },
        {
          address: "aws_sesv2_configuration_set.example_com_eu_west_1_configuration_set",
          id: "example_com",
          what: "configuration set example_com (eu-west-1)",
          seenIn: "ses",
        },
        {
          address: "aws_route53_record.example_com_eu_west_1_dkim_2",
          id: `${Z}_${TE[1]}._domainkey.example.com_CNAME`,
          what: `CNAME ${TE[1]}._domainkey.example.com`,
          seenIn: "dns",
        },
        { address: "aws_route53_record.example_com_dmarc", id: `${Z}__dmarc.example.com_TXT`, what: "TXT _dmarc.example.com", seenIn: "dns" },
      ],
    },
  },
};

/** Config and adoption file in a directory, as a user keeps them. */
function project(config: unknown = CONFIG, file: AdoptionFile | null = FILE): string {
  const dir = tempDir();
  writeFileSync(join(dir, "ses.config.json"), JSON.stringify(config));
  if (file) writeFileSync(join(dir, "ses-adopt.json"), adoptionFileText(file));
  return dir;
}

const stackJson = (dir: string, out = "cdktf.out"): Json => JSON.parse(readFileSync(join(dir, out, "stacks", "ses-domains", "cdk.tf.json"), "utf8"));

describe("import blocks", () => {
  const dir = project();
  const run = runMain({ SES_CONFIG: "ses.config.json" }, dir);
  const json = stackJson(dir);

  test("npm run synth finds ses-adopt.json beside the config and says how many imports it wrote", () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("ses-adopt.json: 5 import blocks (Terraform imports what already exists at the next plan)");
  });

  test("one block per listed resource, with its id, through the provider of its region", () => {
    expect(json.import).toEqual([
      { to: "aws_sesv2_email_identity.example_com_us_east_1_identity", id: "example.com" },
      { to: "aws_sesv2_configuration_set.example_com_eu_west_1_configuration_set", id: "example_com", provider: "aws.eu-west-1" },
      { to: "aws_sesv2_email_identity.example_com_eu_west_1_identity", id: "example.com", provider: "aws.eu-west-1" },
      { to: "aws_route53_record.example_com_eu_west_1_dkim_2", id: `${Z}_${TE[1]}._domainkey.example.com_CNAME` },
      { to: "aws_route53_record.example_com_dmarc", id: `${Z}__dmarc.example.com_TXT` },
    ]);
  });

  test("nothing else is imported: not the domain without adopt: true, not what the file leaves out", () => {
    const targets = (json.import as Json[]).map((i) => i.to);
    expect(targets.filter((t: string) => t.includes("other_example_com"))).toEqual([]);
    expect(targets).not.toContain("aws_route53_record.example_com_us_east_1_dkim_1");
    expect(Object.keys(json.resource.aws_route53_record)).toContain("other_example_com_dmarc");
  });

  test("the resources themselves are written as without adoption: only import blocks are added", () => {
    const plain = project(CONFIG, null);
    const config = { ...CONFIG, domains: { ...CONFIG.domains, "example.com": { regions: ["us-east-1", "eu-west-1"] } } };
    writeFileSync(join(plain, "ses.config.json"), JSON.stringify(config));
    expect(runMain({ SES_CONFIG: "ses.config.json" }, plain).status).toBe(0);
    // cdktf also lists the imports in its own metadata ("//"), which Terraform ignores.
    const { import: _imports, ...rest } = json;
    const { imports: listed, ...metadata } = rest["//"].metadata;
    expect(listed.aws_sesv2_email_identity).toEqual(["example_com_us_east_1_identity", "example_com_eu_west_1_identity"]);
    expect(JSON.stringify({ ...rest, "//": { ...rest["//"], metadata } })).toBe(JSON.stringify(stackJson(plain)));
  });

  test("the output is byte-identical run to run", () => {
    const again = runMain({ SES_CONFIG: "ses.config.json", CDKTF_OUTDIR: "again" }, dir);
    expect(again.status).toBe(0);
    expect(readFileSync(join(dir, "again", "stacks", "ses-domains", "cdk.tf.json"), "utf8")).toBe(
      readFileSync(join(dir, "cdktf.out", "stacks", "ses-domains", "cdk.tf.json"), "utf8"),
    );
  });
});

describe("several stacks", () => {
  test("each stack gets the import blocks of its own domains", () => {
    const config = {
      ...CONFIG,
      stacks: { count: 2 },
      domains: { "example.com": { adopt: true, regions: ["us-east-1", "eu-west-1"], stack: "a" }, "other.example.com": { adopt: true, stack: "b" } },
    };
    const other = {
      address: "aws_route53_record.other_example_com_dmarc",
      id: `${Z}__dmarc.other.example.com_TXT`,
      what: "TXT _dmarc.other.example.com",
      seenIn: "dns" as const,
    };
    const dir = project(config, { version: 1, domains: { ...FILE.domains, "other.example.com": { zoneId: Z, resources: [other] } } });
    expect(runMain({ SES_CONFIG: "ses.config.json" }, dir).status).toBe(0);
    const stack = (name: string) => JSON.parse(readFileSync(join(dir, "cdktf.out", "stacks", name, "cdk.tf.json"), "utf8")) as Json;
    expect((stack("a").import as Json[]).map((i) => i.to)).toHaveLength(5);
    expect(stack("b").import).toEqual([{ to: other.address, id: other.id }]);
    expect(stack("ses-domains-0").import).toBeUndefined();
  });
});

describe("where the adoption file comes from", () => {
  test("SES_ADOPTION names it (npm run synth, cdktf synth)", () => {
    const dir = project(CONFIG, null);
    writeFileSync(join(dir, "adopted-2026.json"), adoptionFileText(FILE));
    const run = runMain({ SES_CONFIG: "ses.config.json", SES_ADOPTION: "adopted-2026.json" }, dir);
    expect(run.stderr).not.toContain("error");
    expect(run.stdout).toContain("adopted-2026.json: 5 import blocks");
    expect(run.status).toBe(0);
    expect(stackJson(dir).import).toHaveLength(5);
  });

  test("ses-domains synth --adoption names it", async () => {
    const dir = project(CONFIG, null);
    writeFileSync(join(dir, "mine.json"), adoptionFileText(FILE));
    const { run } = await import("../../modules/cli/ses-domains");
    const sink = { write: () => true } as unknown as NodeJS.WritableStream;
    const code = await run(["synth", "--config", join(dir, "ses.config.json"), "--adoption", join(dir, "mine.json"), "--output", join(dir, "out")], sink, sink);
    expect(code).toBe(0);
    expect(stackJson(dir, "out").import).toHaveLength(5);
  });

  test("a file named by SES_ADOPTION that does not exist is an error, and nothing is written", () => {
    const dir = project(CONFIG, null);
    const run = runMain({ SES_CONFIG: "ses.config.json", SES_ADOPTION: "missing.json" }, dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("error: missing.json: cannot read the adoption file: no such file\n");
    expect(existsSync(join(dir, "cdktf.out"))).toBe(false);
  });
});

describe("config errors, before anything is written", () => {
  test("adopt: true without an adoption file names the domain and the command to run", () => {
    const dir = project(CONFIG, null);
    const run = runMain({ SES_CONFIG: "ses.config.json" }, dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'error: domains["example.com"].adopt: is true, but there is no adoption file (ses-adopt.json beside the config, SES_ADOPTION or --adoption): run ses-domains adopt --config ses.config.json (add --from-aws to read SES, or give --tokens) and commit the file it writes\n',
    );
    expect(existsSync(join(dir, "cdktf.out"))).toBe(false);
  });

  test("a file that no longer matches the config is stale", () => {
    const dir = project({ ...CONFIG, domains: { ...CONFIG.domains, "example.com": { adopt: true, regions: ["us-east-1"] } } });
    const run = runMain({ SES_CONFIG: "ses.config.json" }, dir);
    expect(run.status).toBe(1);
    expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(4);
    expect(run.stderr).toContain(
      "ses-adopt.json imports aws_sesv2_email_identity.example_com_us_east_1_identity (SES identity example.com (us-east-1)), which the config no longer writes: the file is stale",
    );
    expect(existsSync(join(dir, "cdktf.out"))).toBe(false);
  });

  test("a malformed file: one line naming the file and the field", () => {
    const dir = project(CONFIG, null);
    writeFileSync(
      join(dir, "ses-adopt.json"),
      JSON.stringify({
        version: 1,
        domains: { "example.com": { zoneId: "Z1", resources: [{ address: "not an address", id: "x", what: "x", seenIn: "dns" }] } },
      }),
    );
    const run = runMain({ SES_CONFIG: "ses.config.json" }, dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'error: ses-adopt.json: domains["example.com"].resources[0].address: must be a Terraform address such as aws_route53_record.example_com_dmarc\n',
    );
  });

  test("an entry for a domain without adopt: true is a warning, not an error", () => {
    const config = { ...CONFIG, domains: { "example.com": { regions: ["us-east-1", "eu-west-1"] } } };
    const { domains } = resolveProject(config);
    const dir = tempDir();
    writeFileSync(join(dir, "ses-adopt.json"), adoptionFileText(FILE));
    const result = synthesize(domains, { outdir: join(dir, "out"), adoption: readAdoption({ path: join(dir, "ses-adopt.json"), named: true }) });
    expect(result.imports).toBe(0);
    expect(result.warnings.filter((w) => w.code === "adoption-unused").map((w) => w.message)).toEqual([
      `${join(dir, "ses-adopt.json")} lists example.com, which does not set adopt: true: nothing of it is imported`,
    ]);
  });
});

describe("ses-domains adopt: usage", () => {
  test.each<[string, unknown, string[], string]>([
    [
      "no domain sets adopt: true",
      { defaults: { region: "us-east-1" }, domains: { "example.com": { dns: { route53: { zoneId: Z } } } } },
      [],
      "error: nothing to adopt: no domain in",
    ],
    [
      "a zone given by name without --zone-id or --from-aws",
      { defaults: { region: "us-east-1" }, domains: { "example.com": { adopt: true, dns: { route53: { zoneName: "example.com" } } } } },
      [],
      "error: example.com: its hosted zone example.com has no id here: pass --from-aws to look it up (ListHostedZonesByName), or --zone-id example.com=Z…",
    ],
    [
      "--endpoint without --from-aws",
      CONFIG,
      ["--endpoint", "http://127.0.0.1:1"],
      "error: --endpoint is for --from-aws; add --from-aws or leave --endpoint out",
    ],
    ["--tokens with --from-aws", CONFIG, ["--from-aws", "--tokens", "t.json"], "error: option '--from-aws' cannot be used with option '--tokens <file>'"],
    [
      "a bad --zone-id",
      CONFIG,
      ["--zone-id", "example.com"],
      'error: --zone-id must be <zone name>=<hosted zone id>, such as example.com=Z0123456789ABCDEFGHIJ, got "example.com"',
    ],
  ])("%s: exit 2, one line, nothing written", async (_, config, args, line) => {
    const dir = project(config, null);
    const result = await adoptHere(["--config", join(dir, "ses.config.json"), "--resolver", "127.0.0.1:1", ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0].startsWith(line)).toBe(true);
    expect(result.stdout).toBe("");
    expect(existsSync(join(dir, "ses-adopt.json"))).toBe(false);
  });
});
