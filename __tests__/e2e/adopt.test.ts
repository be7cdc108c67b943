/**
 * `ses-domains adopt` as a user runs it (the built CLI, its own process) against a console-made setup:
 * DNS on a loopback server, SES and Route 53 on the AWS stand-in, which also plays AWS refusing
 * (throttling, 403). What it prints, what it exits with, and when it writes the file.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { consoleFleet, FAKE_AWS_ENV, runBuilt, TOKENS_US, writeJson, zoneRecords, ZONE_ID, type CliResult } from "../helpers/adopt";
import { startAwsStandIn, type StandInState } from "../helpers/aws-stand-in";
import { startDnsServer, type ZoneRecord } from "../helpers/dns-server";
import { tempDir } from "../helpers/synth";

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A config and the two servers; returns how to run adopt there. */
async function setup(config: unknown, state: StandInState, options: { dnsRecords?: ZoneRecord[]; dnsDelayMs?: number } = {}) {
  const dir = tempDir();
  const dns = await startDnsServer(options.dnsRecords ?? zoneRecords(state), { delayMs: options.dnsDelayMs });
  const aws = await startAwsStandIn(state, dir);
  closers.push(
    () => dns.close(),
    () => aws.close(),
  );
  const configFile = writeJson(dir, "ses.config.json", config);
  const adopt = (args: string[], env: NodeJS.ProcessEnv = FAKE_AWS_ENV): Promise<CliResult> =>
    runBuilt(["adopt", "--config", configFile, "--resolver", `${dns.host}:${dns.port}`, ...args], env, dir);
  return { dir, aws, adopt, file: join(dir, "ses-adopt.json") };
}

/** One domain made in the console: its apex holds a google-site-verification token the config forgot. */
function forgotten(): { config: unknown; state: StandInState } {
  return {
    config: {
      defaults: { region: "us-east-1", alarms: false },
      domains: {
        "example.com": {
          adopt: true,
          dns: { route53: { zoneName: "example.com" } },
          spf: { include: ["_spf.google.com"] },
          dmarc: { p: "quarantine", rua: ["dmarc@example.com"] },
        },
      },
    },
    state: {
      identities: { "us-east-1": { "example.com": { tokens: TOKENS_US } } },
      zones: [
        {
          id: ZONE_ID,
          name: "example.com",
          records: [
            ...TOKENS_US.map((t) => ({ name: `${t}._domainkey.example.com`, type: "CNAME" as const, values: [`${t}.dkim.amazonses.com`] })),
            {
              name: "example.com",
              type: "TXT",
              values: ["v=spf1 include:_spf.google.com ~all", "google-site-verification=rXOxyZounnZasA8Z7oaD3c14JdjS9aKSWvsR1EbUSIQ"],
            },
          ],
        },
      ],
    },
  };
}

describe("adopt --from-aws: a forgotten apex TXT value", () => {
  test("is reported loudly, exits 1, and no file is written", async () => {
    const { config, state } = forgotten();
    const { adopt, aws, file } = await setup(config, state);
    const result = await adopt(["--from-aws", "--endpoint", aws.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '  DELETES           TXT example.com  "google-site-verification=rXOxyZounnZasA8Z7oaD3c14JdjS9aKSWvsR1EbUSIQ": live, not in the config; the first apply deletes it (add it to spf.extraTxt, or pass --accept-changes)',
    );
    expect(result.stderr).toBe(
      'error: example.com: the first apply would delete a live TXT value at example.com that the config lacks ("google-site-verification=rXOxyZounnZasA8Z7oaD3c14JdjS9aKSWvsR1EbUSIQ"); add it to spf.extraTxt, or run again with --accept-changes\nerror: ses-adopt.json not written\n',
    );
    expect(existsSync(file)).toBe(false);
    const calls = await aws.calls();
    expect(calls.map((c) => c.operation).sort()).toEqual(["GetConfigurationSet", "GetEmailIdentity", "ListHostedZonesByName"]);
  });

  test("--accept-changes writes the file: identity, DKIM CNAMEs and the apex TXT, with the zone id found by name", async () => {
    const { config, state } = forgotten();
    const { adopt, aws, file } = await setup(config, state);
    const result = await adopt(["--from-aws", "--endpoint", aws.url, "--accept-changes"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("DELETES, accepted");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("wrote ses-adopt.json: 5 imports for 1 domain; review it, commit it, then synth");
    const written = JSON.parse(readFileSync(file, "utf8"));
    expect(written.domains["example.com"].zoneId).toBe(ZONE_ID);
    expect(written.domains["example.com"].resources.map((r: { address: string }) => r.address)).toEqual([
      "aws_sesv2_email_identity.example_com_identity",
      "aws_route53_record.example_com_dkim_1",
      "aws_route53_record.example_com_dkim_2",
      "aws_route53_record.example_com_dkim_3",
      "aws_route53_record.example_com_apex_txt",
    ]);
  });

  test("--json: the report's stable shape, with where the file went", async () => {
    const { config, state } = forgotten();
    const { adopt, aws } = await setup(config, state);
    const result = await adopt(["--from-aws", "--endpoint", aws.url, "--accept-changes", "--json"]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ ok: true, accepted: true, written: "ses-adopt.json", counts: { lost: 1, imports: 5 } });
    expect(json.domains[0].lost).toEqual([
      {
        address: "aws_route53_record.example_com_apex_txt",
        name: "example.com",
        value: "google-site-verification=rXOxyZounnZasA8Z7oaD3c14JdjS9aKSWvsR1EbUSIQ",
      },
    ]);
  });

  test("a re-run that finds the same things writes the same bytes", async () => {
    const { config, state } = forgotten();
    const { adopt, aws, file } = await setup(config, state);
    expect((await adopt(["--from-aws", "--endpoint", aws.url, "--accept-changes"])).code).toBe(0);
    const first = readFileSync(file, "utf8");
    expect((await adopt(["--from-aws", "--endpoint", aws.url, "--accept-changes"])).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(first);
  });
});

describe("AWS refusing: one clear line each, exit 1, nothing written", () => {
  test.each<[string, { operation: string; status: number; code: string; message: string }, string]>([
    [
      "SES throttling",
      { operation: "GetEmailIdentity", status: 429, code: "TooManyRequestsException", message: "Too many requests" },
      "error: SES GetEmailIdentity example.com in us-east-1: throttled by AWS after 3 attempts (TooManyRequestsException: Too many requests); run again in a minute, or raise AWS_MAX_ATTEMPTS (the SDK retries with backoff)",
    ],
    [
      "SES 403",
      {
        operation: "GetEmailIdentity",
        status: 403,
        code: "AccessDeniedException",
        message: "User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ses:GetEmailIdentity",
      },
      "error: SES GetEmailIdentity example.com in us-east-1: access denied (AccessDeniedException: User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ses:GetEmailIdentity); the credentials need ses:GetEmailIdentity",
    ],
    [
      "Route 53 throttling",
      { operation: "ListHostedZonesByName", status: 400, code: "Throttling", message: "Rate exceeded" },
      "error: Route 53 ListHostedZonesByName example.com: throttled by AWS after 3 attempts (Throttling: Rate exceeded); run again in a minute, or raise AWS_MAX_ATTEMPTS (the SDK retries with backoff)",
    ],
    [
      "Route 53 403",
      {
        operation: "ListHostedZonesByName",
        status: 403,
        code: "AccessDenied",
        message: "User: arn:aws:iam::111111111111:user/ci is not authorized to perform: route53:ListHostedZonesByName",
      },
      "error: Route 53 ListHostedZonesByName example.com: access denied (AccessDenied: User: arn:aws:iam::111111111111:user/ci is not authorized to perform: route53:ListHostedZonesByName); the credentials need route53:ListHostedZonesByName",
    ],
  ])("%s", async (_, fault, line) => {
    const { config, state } = forgotten();
    const { adopt, aws, file } = await setup(config, { ...state, faults: [fault] });
    const result = await adopt(["--from-aws", "--endpoint", aws.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${line}\nerror: ses-adopt.json not written\n`);
    expect(result.stdout).toBe("");
    expect(existsSync(file)).toBe(false);
  });

  test("no credentials at all: said once", async () => {
    const { config, state } = forgotten();
    const { adopt, aws } = await setup(config, state);
    const result = await adopt(["--from-aws", "--endpoint", aws.url, "--zone-id", `example.com=${ZONE_ID}`], {
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: "/nonexistent",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: no AWS credentials (CredentialsProviderError: Could not load credentials from any providers); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a role is attached\nerror: ses-adopt.json not written\n",
    );
  });
});

describe("adopt with DNS only (--tokens, --zone-id)", () => {
  const config = {
    defaults: { region: "us-east-1", alarms: false },
    domains: {
      "example.com": {
        adopt: true,
        dns: { route53: { zoneName: "example.com" } },
        spf: { include: ["_spf.google.com"] },
        dmarc: { p: "reject", rua: ["dmarc@example.com"] },
      },
    },
  };
  const state: StandInState = { zones: [] };
  const tokens = (dir: string) => writeJson(dir, "tokens.json", { "example.com": { "us-east-1": TOKENS_US } });

  test("a _dmarc name held by a CNAME (a DMARC service) is a conflict: exit 1, nothing written", async () => {
    const records: ZoneRecord[] = [
      { name: "_dmarc.example.com", type: "CNAME", values: ["example-com.dmarc.provider.example.net"] },
      { name: "example-com.dmarc.provider.example.net", type: "TXT", values: ["v=DMARC1; p=none; rua=mailto:r@provider.example.net"] },
    ];
    const { adopt, dir, file } = await setup(config, state, { dnsRecords: records });
    const result = await adopt(["--tokens", tokens(dir), "--zone-id", `example.com=${ZONE_ID}`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("CONFLICT          TXT _dmarc.example.com");
    expect(result.stderr.split("\n")[0]).toBe(
      "error: example.com: _dmarc.example.com is a CNAME to example-com.dmarc.provider.example.net: Route 53 cannot hold a TXT beside it; remove the CNAME (or take this record out of the config) and run adopt again",
    );
    expect(existsSync(file)).toBe(false);
  });

  test("DNS that does not answer in time: every record named, exit 1, nothing written", async () => {
    const { adopt, dir, file } = await setup(config, state, { dnsRecords: [{ name: "example.com", type: "TXT", values: ["v=spf1 -all"] }], dnsDelayMs: 1500 });
    const result = await adopt(["--tokens", tokens(dir), "--zone-id", `example.com=${ZONE_ID}`, "--timeout", "200"]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("error: ses-adopt.json not written");
    expect(lines).toContain(
      "error: example.com: TXT _dmarc.example.com: DNS did not answer (no answer within 200 ms); run again, or point --resolver at a server that answers",
    );
    expect(lines).toHaveLength(1 + 7);
    expect(existsSync(file)).toBe(false);
  });

  test("an empty zone: everything will be created; the identity is adopted on the evidence of its tokens", async () => {
    const { adopt, dir, file } = await setup(config, state, { dnsRecords: [{ name: "unrelated.example.com", type: "TXT", values: ["x"] }] });
    const result = await adopt(["--tokens", tokens(dir), "--zone-id", `example.com=${ZONE_ID}`]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("1 adopted (0 unchanged, 0 changed, 1 not compared), 8 created, 1 not checked");
    expect(JSON.parse(readFileSync(file, "utf8")).domains["example.com"].resources).toEqual([
      { address: "aws_sesv2_email_identity.example_com_identity", id: "example.com", what: "SES identity example.com (us-east-1)", seenIn: "tokens" },
    ]);
  });
});

describe("the fleet: several domains, one not adopted", () => {
  test("--out puts the file where asked; only adopted domains are in it", async () => {
    const { config, state } = consoleFleet();
    const { adopt, aws, dir } = await setup(config, state);
    const result = await adopt(["--from-aws", "--endpoint", aws.url, "--out", "ses-adopt.prod.json"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("wrote ses-adopt.prod.json: 18 imports for 2 domains; review it, commit it, then synth");
    const written = JSON.parse(readFileSync(join(dir, "ses-adopt.prod.json"), "utf8"));
    expect(Object.keys(written.domains)).toEqual(["example.com", "news.example.com"]);
    expect(existsSync(join(dir, "ses-adopt.json"))).toBe(false);
  });
});
