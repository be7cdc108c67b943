/**
 * Adoption end to end with real terraform: `ses-domains adopt` (the built CLI) against a console-made
 * setup — DNS on a loopback server, SES and Route 53 on the AWS stand-in — writes the adoption file;
 * synth turns it into import blocks; `terraform validate` accepts them; and `terraform plan` with the
 * aws provider pointed at the same stand-in imports each resource by its id (a wrong id fails the
 * plan: "Cannot import non-existent remote object") and plans changes, never a replacement.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { consoleFleet, dkimCnames, runBuilt, TOKENS_US, FAKE_AWS_ENV, writeJson, zoneRecords, ZONE_ID } from "../helpers/adopt";
import { startAwsStandIn, type AwsStandIn, type StandInState } from "../helpers/aws-stand-in";
import { startDnsServer, type DnsTestServer } from "../helpers/dns-server";
import { tempDir, type Json } from "../helpers/synth";
import { adoptionFileText } from "../../modules/adopt/file";
import { requireTerraform, terraform, terraformEnv, writeOfflineProviderOverride } from "../helpers/terraform";

let env: NodeJS.ProcessEnv;
const closers: (() => Promise<void>)[] = [];
beforeAll(() => {
  requireTerraform();
  env = terraformEnv(tempDir("ses-domains-tf-"));
});
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(state: StandInState, dir: string): Promise<{ dns: DnsTestServer; aws: AwsStandIn }> {
  const dns = await startDnsServer(zoneRecords(state));
  const aws = await startAwsStandIn(state, dir);
  closers.push(
    () => dns.close(),
    () => aws.close(),
  );
  return { dns, aws };
}

interface Planned {
  readonly stackDir: string;
  readonly json: Json;
  readonly changes: Map<string, Json>;
}

/** synth with the adoption file beside the config, then init, validate and plan against the stand-in. */
async function synthAndPlan(dir: string, config: string, aws: AwsStandIn): Promise<Planned> {
  const synth = await runBuilt(["synth", "--config", config, "--output", join(dir, "cdktf.out")], {}, dir);
  expect(synth.stderr).not.toContain("error");
  expect(synth.code).toBe(0);
  const stackDir = join(dir, "cdktf.out", "stacks", "ses-domains");
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as Json;
  terraform(stackDir, ["init", "-input=false"], env);
  const valid = JSON.parse(terraform(stackDir, ["validate", "-json"], env).stdout);
  expect(valid).toMatchObject({ valid: true, error_count: 0 });
  writeOfflineProviderOverride(stackDir, json.provider.aws, undefined, { sesv2: aws.url, route53: aws.url });
  terraform(stackDir, ["plan", "-refresh=false", "-input=false", "-lock=false", "-out=plan.bin"], env);
  const plan = JSON.parse(terraform(stackDir, ["show", "-json", "plan.bin"], env).stdout);
  return { stackDir, json, changes: new Map((plan.resource_changes as Json[]).map((c) => [c.address, c])) };
}

describe("adopt --tokens --resolver against a zone holding part of the records", () => {
  // Only the first two DKIM CNAMEs and the apex SPF were added by hand; the identity exists (its tokens are known).
  const state: StandInState = {
    identities: { "us-east-1": { "example.com": { tokens: TOKENS_US } } },
    zones: [
      {
        id: ZONE_ID,
        name: "example.com",
        records: [...dkimCnames("example.com", TOKENS_US.slice(0, 2)), { name: "example.com", type: "TXT", values: ["v=spf1 include:amazonses.com ~all"] }],
      },
    ],
  };
  const config = {
    defaults: { region: "us-east-1", alarms: false },
    domains: {
      "example.com": {
        adopt: true,
        dns: { route53: { zoneId: ZONE_ID } },
        spf: { include: ["_spf.google.com"], all: "-all" },
        dmarc: { p: "none", rua: ["dmarc@example.com"] },
      },
    },
  };
  let adopted: { code: number | null; stdout: string; stderr: string };
  let file: Json;
  let planned: Planned;

  beforeAll(async () => {
    const dir = tempDir();
    const { dns, aws } = await serve(state, dir);
    const configFile = writeJson(dir, "ses.config.json", config);
    writeJson(dir, "tokens.json", { "example.com": { "us-east-1": TOKENS_US } });
    adopted = await runBuilt(["adopt", "--config", configFile, "--tokens", "tokens.json", "--resolver", `${dns.host}:${dns.port}`], {}, dir);
    file = JSON.parse(readFileSync(join(dir, "ses-adopt.json"), "utf8"));
    planned = await synthAndPlan(dir, configFile, aws);
  });

  test("adopt writes ses-adopt.json beside the config and exits 0", () => {
    expect(adopted.stderr).toBe("");
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toContain("wrote ses-adopt.json: 4 imports for 1 domain");
  });

  test("the file lists exactly what exists: the identity (its tokens were given), two DKIM CNAMEs and the apex TXT", () => {
    expect(file.domains["example.com"].dkimTokens).toEqual({ "us-east-1": TOKENS_US });
    expect(file.domains["example.com"].resources.map((r: Json) => [r.address, r.id, r.seenIn])).toEqual([
      ["aws_sesv2_email_identity.example_com_identity", "example.com", "tokens"],
      ["aws_route53_record.example_com_dkim_1", `${ZONE_ID}_${TOKENS_US[0]}._domainkey.example.com_CNAME`, "dns"],
      ["aws_route53_record.example_com_dkim_2", `${ZONE_ID}_${TOKENS_US[1]}._domainkey.example.com_CNAME`, "dns"],
      ["aws_route53_record.example_com_apex_txt", `${ZONE_ID}_example.com_TXT`, "dns"],
    ]);
  });

  test("synth writes an import block for exactly those, with the real tokens in the ids", () => {
    expect(planned.json.import).toEqual(file.domains["example.com"].resources.map((r: Json) => ({ to: r.address, id: r.id })));
  });

  test("terraform plan imports each one by its id and changes none of their names", () => {
    const imported = [...planned.changes.values()].filter((c) => c.change.importing);
    expect(imported.map((c) => [c.address, c.change.importing.id]).sort()).toEqual(
      file.domains["example.com"].resources.map((r: Json) => [r.address, r.id]).sort(),
    );
    for (const change of imported) expect(["no-op", "update"]).toContain(change.change.actions[0]);
    // The DKIM name is `${element(tokens, i)}._domainkey…`: after import it resolves to the name Route 53 holds.
    expect(planned.changes.get("aws_route53_record.example_com_dkim_1")!.change.after.name).toBe(`${TOKENS_US[0]}._domainkey.example.com`);
    expect(planned.changes.get("aws_route53_record.example_com_apex_txt")!.change.after.records).toEqual(["v=spf1 include:_spf.google.com -all"]);
  });

  test("what does not exist is created: the third DKIM CNAME, DMARC, MAIL FROM and the configuration set", () => {
    const created = [...planned.changes.values()]
      .filter((c) => c.change.actions.join() === "create")
      .map((c) => c.address)
      .sort();
    expect(created).toEqual([
      "aws_route53_record.example_com_dkim_3",
      "aws_route53_record.example_com_dmarc",
      "aws_route53_record.example_com_mail_from_mx",
      "aws_route53_record.example_com_mail_from_spf",
      "aws_sesv2_configuration_set.example_com_configuration_set",
      "aws_sesv2_email_identity_mail_from_attributes.example_com_mail_from",
    ]);
    expect(planned.changes.get("aws_route53_record.example_com_dkim_3")!.change.after.name).toBe(`${TOKENS_US[2]}._domainkey.example.com`);
  });
});

describe("adopt --from-aws: two regions, a zone given by name, a fleet where one domain is not adopted", () => {
  let adopted: { code: number | null; stdout: string; stderr: string };
  let file: Json;
  let planned: Planned;
  let calls: { operation: string; region: string; target: string }[];

  beforeAll(async () => {
    const { config, state } = consoleFleet();
    const dir = tempDir();
    const { dns, aws } = await serve(state, dir);
    const configFile = writeJson(dir, "ses.config.json", config);
    adopted = await runBuilt(
      ["adopt", "--config", configFile, "--from-aws", "--endpoint", aws.url, "--resolver", `${dns.host}:${dns.port}`],
      FAKE_AWS_ENV,
      dir,
    );
    file = JSON.parse(readFileSync(join(dir, "ses-adopt.json"), "utf8"));
    const before = (await aws.calls()).length;
    planned = await synthAndPlan(dir, configFile, aws);
    calls = (await aws.calls()).slice(before);
  });

  test("adopt exits 0: the apex's site-verification token is in extraTxt, so nothing live is lost", () => {
    expect(adopted.stderr).toBe("");
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).not.toContain("DELETES");
  });

  test("the zone given by name is found with ListHostedZonesByName and written into the file", () => {
    expect(file.domains["news.example.com"].zoneId).toBe(ZONE_ID);
    expect(Object.keys(file.domains)).toEqual(["example.com", "news.example.com"]);
  });

  test("every resource found is imported through its own region's provider, and only those", () => {
    const imports = planned.json.import as Json[];
    const listed = Object.values(file.domains as Record<string, Json>).flatMap((d) => d.resources.map((r: Json) => r.address as string));
    expect(imports.map((i) => i.to).sort()).toEqual([...listed].sort());
    expect(imports.find((i) => i.to === "aws_sesv2_email_identity.example_com_eu_west_1_identity")).toEqual({
      to: "aws_sesv2_email_identity.example_com_eu_west_1_identity",
      id: "example.com",
      provider: "aws.eu-west-1",
    });
    expect(calls).toContainEqual({ operation: "GetEmailIdentity", region: "eu-west-1", target: "example.com" });
    expect(listed.some((a) => a.includes("shop_example_com"))).toBe(false);
  });

  test("terraform plan imports each by its id; imported resources are updated in place or left alone, none replaced", () => {
    const imported = [...planned.changes.values()].filter((c) => c.change.importing);
    expect(imported).toHaveLength(Object.values(file.domains as Record<string, Json>).reduce((n, d) => n + d.resources.length, 0));
    for (const change of imported) expect(["no-op", "update"], change.address).toContain(change.change.actions[0]);
    for (const change of planned.changes.values()) expect(change.change.actions, change.address).not.toContain("delete");
  });

  test("the plan shows what adopt reported as changing: DMARC p=none → quarantine, the default set, the set's TLS", () => {
    const after = (address: string) => planned.changes.get(address)!.change;
    expect(after("aws_route53_record.example_com_dmarc").before.records).toEqual(["v=DMARC1; p=none"]);
    expect(after("aws_route53_record.example_com_dmarc").after.records).toEqual(["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"]);
    expect(after("aws_sesv2_email_identity.example_com_us_east_1_identity").before.configuration_set_name).toBe("marketing");
    expect(after("aws_sesv2_email_identity.example_com_us_east_1_identity").after.configuration_set_name).toBe("example_com");
    expect(after("aws_sesv2_configuration_set.example_com_us_east_1_configuration_set").before.delivery_options[0].tls_policy).toBe("OPTIONAL");
    expect(after("aws_sesv2_configuration_set.example_com_us_east_1_configuration_set").after.delivery_options[0].tls_policy).toBe("REQUIRE");
    expect(adopted.stdout).toContain('"v=DMARC1; p=none" → "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"');
    expect(adopted.stdout).toContain("default configuration set: marketing → example_com");
    expect(adopted.stdout).toContain("TLS policy: OPTIONAL → REQUIRE");
  });

  test("news.example.com: two DKIM CNAMEs adopted by their real names, the third created, MAIL FROM set anew", () => {
    const change = (n: number) => planned.changes.get(`aws_route53_record.news_example_com_dkim_${n}`)!.change;
    expect(change(1).importing).toBeDefined();
    expect(change(2).importing).toBeDefined();
    expect(change(3).importing).toBeUndefined();
    expect(change(3).actions).toEqual(["create"]);
    expect(change(3).after.name).toMatch(/^n3e4w5s6t7o8k9e0n1c2d3e4f5g6h7i8\._domainkey\.news\.example\.com$/);
    expect(planned.changes.get("aws_sesv2_email_identity_mail_from_attributes.news_example_com_mail_from")!.change.actions).toEqual(["create"]);
  });

  test("the domain without adopt: true is created as before", () => {
    const shop = [...planned.changes.values()].filter((c) => c.address.includes(".shop_example_com_"));
    expect(shop.length).toBeGreaterThan(0);
    for (const change of shop) expect(change.change.actions, change.address).toEqual(["create"]);
  });
});

describe("an import id for something that does not exist", () => {
  test("fails the plan, naming the resource: the stand-in and the provider really check each id", async () => {
    const state: StandInState = {
      identities: { "us-east-1": { "example.com": { tokens: TOKENS_US } } },
      zones: [{ id: ZONE_ID, name: "example.com", records: dkimCnames("example.com", TOKENS_US) }],
    };
    const dir = tempDir();
    const { aws } = await serve(state, dir);
    const configFile = writeJson(dir, "ses.config.json", {
      defaults: { region: "us-east-1", alarms: false },
      domains: { "example.com": { adopt: true, dns: { route53: { zoneId: ZONE_ID } }, dmarc: { p: "none", rua: ["d@example.com"] } } },
    });
    // A hand-edited file: consistent with itself (synth accepts it), but the tokens are not the identity's.
    const wrong = ["wrongtoken000000000000000000000a", ...TOKENS_US.slice(1)];
    writeFileSync(
      join(dir, "ses-adopt.json"),
      adoptionFileText({
        version: 1,
        domains: {
          "example.com": {
            zoneId: ZONE_ID,
            dkimTokens: { "us-east-1": wrong },
            resources: [
              { address: "aws_route53_record.example_com_dkim_1", id: `${ZONE_ID}_${wrong[0]}._domainkey.example.com_CNAME`, what: "CNAME", seenIn: "dns" },
            ],
          },
        },
      }),
    );
    expect((await runBuilt(["synth", "--config", configFile, "--output", join(dir, "cdktf.out")], {}, dir)).code).toBe(0);
    const stackDir = join(dir, "cdktf.out", "stacks", "ses-domains");
    const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as Json;
    writeOfflineProviderOverride(stackDir, json.provider.aws, undefined, { sesv2: aws.url, route53: aws.url });
    terraform(stackDir, ["init", "-input=false"], env);
    expect(() => terraform(stackDir, ["plan", "-refresh=false", "-input=false", "-lock=false"], env)).toThrow(
      /Cannot import non-existent remote object[\s\S]*aws_route53_record\.example_com_dkim_1/,
    );
  });
});
