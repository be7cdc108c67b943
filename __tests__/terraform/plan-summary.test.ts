/**
 * plan-summary on real plans: synthesize a config, plan it offline, build the state that plan would
 * leave (unknowns filled in), change the config and plan again against that state with -refresh=false.
 * Two stacks (a pinned one), so the summary reads several plan files.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { resolveConfig } from "../../modules/config/resolve";
import type { ByoDkimConfig, SesDomainsConfig } from "../../modules/config/schema";
import { planDomains } from "../../modules/model/records";
import { ROOT } from "../helpers/cli";
import { runsOf, testKey } from "../helpers/keys";
import { priorState } from "../helpers/prior-state";
import { synthConfig, tempDir, type Json } from "../helpers/synth";
import { requireTerraform, terraform, terraformEnv, writeOfflineProviderOverride } from "../helpers/terraform";

const BIN = resolve(ROOT, "dist", "modules", "cli", "ses-domains.js");
const STACKS = ["ses-domains", "critical"];
const keys = [testKey(2048, 0), testKey(2048, 1)];
const byo = (selector: string, key: number): ByoDkimConfig => ({ type: "byo", selector, publicKey: keys[key].publicPem, privateKey: { variable: "BYO_KEY" } });
const defaults: SesDomainsConfig["defaults"] = {
  region: "us-east-1",
  dmarc: { p: "reject", rua: ["dmarc@example.com"] },
  dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } },
};

const BEFORE: SesDomainsConfig = {
  defaults,
  domains: {
    "example.com": { spf: { include: ["_spf.google.com"], all: "-all" } },
    "byo.example.com": { stack: "critical", dkim: byo("s1", 0) },
    "bounce.example.com": {},
    "gone.example.org": {},
    "quiet.example.net": {},
  },
};
/** DMARC lowered, MAIL FROM moved; BYODKIM switched with no previous key; MAIL FROM turned off; a domain removed; a TTL change. */
const AFTER: SesDomainsConfig = {
  defaults,
  domains: {
    "example.com": { spf: { include: ["_spf.google.com"], all: "-all" }, dmarc: { p: "none" }, mailFrom: { subdomain: "bounce" } },
    "byo.example.com": { stack: "critical", dkim: byo("s2", 1) },
    "bounce.example.com": { mailFrom: false },
    "quiet.example.net": { ttl: 300 },
  },
};

let work: string;
let configFile: string;
const noChange: Record<string, Json> = {};
const changed: Record<string, Json> = {};
const planFiles: Record<string, string> = {};

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(() => {
  requireTerraform();
  work = tempDir("ses-domains-plan-summary-");
  const env = terraformEnv(work);
  const outdir = join(work, "cdktf.out");
  const plan = (dir: string, key: number, out: string) => {
    const withKey = { ...env, TF_VAR_BYO_KEY: keys[key].privatePem };
    terraform(dir, ["plan", "-refresh=false", "-input=false", "-lock=false", `-out=${out}`], withKey);
    return terraform(dir, ["show", "-json", out], withKey).stdout;
  };

  const first = synthConfig(BEFORE, outdir);
  for (const stack of STACKS) {
    const dir = join(outdir, "stacks", stack);
    writeOfflineProviderOverride(dir, JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")).provider.aws);
    terraform(dir, ["init", "-input=false"], env);
    const applied = JSON.parse(plan(dir, 0, "first.bin"));
    // The local backend keeps terraform.<stack>.tfstate next to cdktf.out (synthConfig's stateDir).
    writeFileSync(join(work, `terraform.${stack}.tfstate`), JSON.stringify(priorState(applied, first.result.plans)));
    noChange[stack] = JSON.parse(plan(dir, 0, "again.bin"));
  }

  synthConfig(AFTER, outdir);
  for (const stack of STACKS) {
    const text = plan(join(outdir, "stacks", stack), 1, "changed.bin");
    changed[stack] = JSON.parse(text);
    planFiles[stack] = join(work, `plan-${stack}.json`);
    writeFileSync(planFiles[stack], text);
  }
  configFile = join(work, "after.json");
  writeFileSync(configFile, JSON.stringify(AFTER));
});

const actionsOf = (plan: Json) => (plan.resource_changes as Json[]).map((c) => (c.change.actions as string[]).join(","));

describe("real plans for plan-summary, offline", () => {
  test.each(STACKS)("the built state is faithful: planning the same config against it changes nothing in %s", (stack) => {
    expect(new Set(actionsOf(noChange[stack]))).toEqual(new Set(["no-op"]));
    expect(actionsOf(noChange[stack]).length).toBeGreaterThan(5);
  });

  test("the changed config gives real update, delete and replace actions", () => {
    const actions = new Set(STACKS.flatMap((s) => actionsOf(changed[s])));
    for (const action of ["update", "delete", "create", "delete,create"]) expect(actions).toContain(action);
  });
});

describe("plan-summary of the real plans", () => {
  let summary: Json;
  let markdown: string;
  beforeAll(() => {
    const json = cli(["plan-summary", "--config", configFile, "--json", planFiles["ses-domains"], planFiles.critical]);
    expect(json).toMatchObject({ status: 0, stderr: "" });
    summary = JSON.parse(json.stdout);
    const md = cli(["plan-summary", "--config", configFile, planFiles["ses-domains"], planFiles.critical]);
    expect(md).toMatchObject({ status: 0, stderr: "" });
    markdown = md.stdout;
    // The README's sample is this output: PLAN_SUMMARY_SAMPLE=<file> npm run test:terraform writes it.
    if (process.env.PLAN_SUMMARY_SAMPLE) writeFileSync(process.env.PLAN_SUMMARY_SAMPLE, markdown);
  });
  const at = (address: string) => {
    const found = (summary.changes as Json[]).find((c) => c.address === address);
    if (!found) throw new Error(`${address} is not in the summary; have ${(summary.changes as Json[]).map((c) => c.address).join(", ")}`);
    return found;
  };

  test.each<[string, string, string, string]>([
    ["aws_route53_record.example_com_dmarc", "example.com", "weakens", "DMARC p reject → none: receivers stop rejecting spoofed mail"],
    [
      "aws_sesv2_email_identity.byo_example_com_identity",
      "byo.example.com",
      "breaks",
      "BYODKIM selector s1 → s2 without keeping s1's key published: mail already signed with s1",
    ],
    [
      "aws_route53_record.byo_example_com_dkim_s1",
      "byo.example.com",
      "breaks",
      "DKIM key s1._domainkey.byo.example.com deleted in the same change that switches signing away from s1",
    ],
    [
      "aws_route53_record.bounce_example_com_mail_from_mx",
      "bounce.example.com",
      "breaks",
      "MX at mail.bounce.example.com deleted: bounces and complaints for mail already sent with MAIL FROM mail.bounce.example.com have no way back to SES",
    ],
    [
      "aws_sesv2_email_identity_mail_from_attributes.bounce_example_com_mail_from",
      "bounce.example.com",
      "weakens",
      "custom MAIL FROM mail.bounce.example.com turned off",
    ],
    ["aws_route53_record.example_com_mail_from_mx", "example.com", "breaks", "MX at mail.example.com deleted (moves to bounce.example.com)"],
    [
      "aws_sesv2_email_identity.gone_example_org_identity",
      "gone.example.org",
      "breaks",
      "SES identity gone.example.org deleted: SES stops sending mail from gone.example.org",
    ],
    ["aws_route53_record.gone_example_org_dmarc", "gone.example.org", "breaks", "DMARC record at _dmarc.gone.example.org deleted"],
    ["aws_route53_record.gone_example_org_dkim_1", "gone.example.org", "routine", "goes with its identity"],
    ["aws_route53_record.example_com_dmarc_report_gone_example_org", "example.com", "routine", "removed along with gone.example.org's DMARC record"],
    ["aws_route53_record.byo_example_com_dkim_s2", "byo.example.com", "routine", "new DKIM key s2._domainkey.byo.example.com"],
  ])("%s: %s, %s", (address, domain, severity, reason) => {
    const found = at(address);
    expect(found).toMatchObject({ domain, severity });
    expect(found.reasons.join("\n")).toContain(reason);
  });

  test("a TTL change is routine, and the only reason given", () => {
    for (const word of ["dmarc", "mail_from_mx", "mail_from_spf", "dkim_1"]) {
      expect(at(`aws_route53_record.quiet_example_net_${word}`)).toMatchObject({
        domain: "quiet.example.net",
        actions: ["update"],
        severity: "routine",
        reasons: ["TTL 600 → 300"],
      });
    }
  });

  test("every resource of the domain removed from the config is grouped under it, found from the plan's values", () => {
    const gone = (summary.changes as Json[]).filter((c) => c.address.includes("gone_example_org") && !c.address.includes("dmarc_report"));
    expect(gone.map((c) => c.address).sort()).toEqual(
      ["dkim_1", "dkim_2", "dkim_3", "dmarc", "mail_from_mx", "mail_from_spf"]
        .map((w) => `aws_route53_record.gone_example_org_${w}`)
        .concat(["aws_sesv2_email_identity.gone_example_org_identity", "aws_sesv2_email_identity_mail_from_attributes.gone_example_org_mail_from"])
        .concat(["aws_sesv2_configuration_set.gone_example_org_configuration_set"])
        .concat(["bounce", "complaint"].map((m) => `aws_cloudwatch_metric_alarm.gone_example_org_configuration_set_${m}_rate_alarm`))
        .sort(),
    );
    expect(new Set(gone.map((c) => c.domain))).toEqual(new Set(["gone.example.org"]));
    // Its configuration set and alarms go with the identity: one "breaks" line for the domain, not three more.
    const set = gone.find((c) => c.address === "aws_sesv2_configuration_set.gone_example_org_configuration_set")!;
    expect(set).toMatchObject({ severity: "routine", reasons: ["configuration set gone_example_org removed along with the SES identity gone.example.org"] });
    expect(gone.find((c) => c.address.endsWith("_bounce_rate_alarm"))).toMatchObject({
      severity: "routine",
      reasons: ["alarm ses-gone_example_org-bounce-rate removed along with its configuration set"],
    });
    expect(planDomains(resolveConfig(AFTER)).map((p) => p.domain)).not.toContain("gone.example.org");
  });

  test("no-ops are hidden; the counts add up; the headline comes before any collapsed detail", () => {
    const changes = summary.changes as Json[];
    expect(changes.every((c) => c.actions.join(",") !== "no-op")).toBe(true);
    for (const severity of ["breaks", "weakens", "routine"]) expect(summary.counts[severity]).toBe(changes.filter((c) => c.severity === severity).length);
    const headline = markdown.split("\n")[2];
    expect(headline).toMatch(
      new RegExp(
        `^\\*\\*${summary.counts.breaks} breaks mail · ${summary.counts.weakens} weakens protection · ${summary.counts.routine} routine\\*\\* — ${changes.length} changes in 5 domains, \\d+ resources unchanged$`,
      ),
    );
    expect(markdown.indexOf(headline)).toBeLessThan(markdown.indexOf("<details>"));
  });

  test("several plan files make one summary: each stack's changes are in it", () => {
    const one = JSON.parse(cli(["plan-summary", "--config", configFile, "--json", planFiles["ses-domains"]]).stdout);
    expect((one.changes as Json[]).some((c) => c.domain === "byo.example.com")).toBe(false);
    expect((summary.changes as Json[]).filter((c) => c.domain === "byo.example.com").length).toBeGreaterThan(0);
    expect(summary.changes.length).toBe(
      one.changes.length + JSON.parse(cli(["plan-summary", "--config", configFile, "--json", planFiles.critical]).stdout).changes.length,
    );
  });

  test("never prints the BYODKIM private keys the plan holds", () => {
    const raw = readFileSync(planFiles.critical, "utf8");
    expect(raw).toContain(keys[1].privateBody.slice(0, 64)); // the plan does hold it, in clear
    for (const key of keys) {
      for (const run of runsOf(key.privateBody)) {
        expect(markdown).not.toContain(run);
        expect(JSON.stringify(summary)).not.toContain(run);
      }
    }
  });

  test("--fail-on breaks exits 3, and still prints the whole summary", () => {
    const result = cli(["plan-summary", "--config", configFile, "--fail-on", "breaks", planFiles["ses-domains"], planFiles.critical]);
    expect(result.status).toBe(3);
    expect(result.stdout).toBe(markdown);
  });

  test("reads a plan from stdin (-), the same as from the file", () => {
    const file = cli(["plan-summary", "--config", configFile, planFiles.critical]);
    const stdin = cli(["plan-summary", "--config", configFile, "-"], readFileSync(planFiles.critical, "utf8"));
    expect(stdin).toMatchObject({ status: 0, stderr: "" });
    expect(stdin.stdout).toBe(file.stdout);
  });
});
