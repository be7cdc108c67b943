/**
 * Console-made setups for the adopt tests: what a team clicked together (SES identities, Easy DKIM
 * records added by hand, an SPF, perhaps a DMARC record) as the AWS stand-in holds it and as DNS serves
 * it, and ways to run `ses-domains adopt` in-process or as the built CLI.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runInProcess } from "./cli";
import type { StandInRecord, StandInState } from "./aws-stand-in";
import { ROOT } from "./cli";
import type { ZoneRecord } from "./dns-server";

export const BIN = resolve(ROOT, "dist", "modules", "cli", "ses-domains.js");
export const ZONE_ID = "Z0EXAMPLE00000000001";

/** Easy DKIM tokens as SES issues them: 32 lowercase letters and digits. */
export const TOKENS_US = ["q3v7x2mbn4kdj5ltw6hsy8cfa9pgr2ze", "h5t2kq8wmzc3vnd7jx4bfs6lpy9ag2re", "w8c4pz5nqjt2xm7kvd3hbl6sfy9ga2ru"];
export const TOKENS_EU = ["a2kd8s9fj3l4m5n6b7v8c9x0z1q2w3e4", "r5t6y7u8i9o0p1a2s3d4f5g6h7j8k9l0", "z1x2c3v4b5n6m7q8w9e0r1t2y3u4i5o6"];
export const TOKENS_NEWS = ["n1e2w3s4t5o6k7e8n9a0b1c2d3e4f5g6", "n7e8w9s0t1o2k3e4n5b6c7d8e9f0g1h2", "n3e4w5s6t7o8k9e0n1c2d3e4f5g6h7i8"];

export const dkimCnames = (domain: string, tokens: readonly string[], dkimDomain = "dkim.amazonses.com"): StandInRecord[] =>
  tokens.map((t) => ({ name: `${t}._domainkey.${domain}`, type: "CNAME" as const, values: [`${t}.${dkimDomain}`] }));

/** The stand-in's zones as a DNS server serves them (the DNS answers agree with Route 53). */
export function zoneRecords(state: StandInState): ZoneRecord[] {
  return state.zones.flatMap((z) => (z.records ?? []).map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, values: [...r.values] })));
}

/**
 * A fleet of two adopted domains and one that is not: example.com was set up by hand in two regions
 * (its DMARC is p=none, its apex holds SPF and a site-verification token the config keeps in
 * extraTxt, its identity's default configuration set is one made for marketing), news.example.com in
 * one region (two of its three DKIM CNAMEs were added, no MAIL FROM), and a set named example_com exists
 * with TLS optional.
 */
export function consoleFleet(): { config: Record<string, unknown>; state: StandInState } {
  const config = {
    defaults: { region: "us-east-1", dmarc: { p: "quarantine", rua: ["dmarc@example.com"] }, alarms: false },
    domains: {
      "example.com": {
        adopt: true,
        regions: ["us-east-1", "eu-west-1"],
        dns: { route53: { zoneId: ZONE_ID } },
        spf: { include: ["_spf.google.com"], extraTxt: ["google-site-verification=keep-me-123"] },
      },
      "news.example.com": { adopt: true, dns: { route53: { zoneName: "example.com" } }, mailFrom: { subdomain: "bounce" } },
      "shop.example.com": { dns: { route53: { zoneId: ZONE_ID } } },
    },
  };
  const state: StandInState = {
    identities: {
      "us-east-1": {
        "example.com": { tokens: TOKENS_US, mailFrom: { domain: "mail.example.com" }, configurationSet: "marketing" },
        "news.example.com": { tokens: TOKENS_NEWS },
      },
      "eu-west-1": { "example.com": { tokens: TOKENS_EU, mailFrom: { domain: "mail.example.com" } } },
    },
    configurationSets: {
      "us-east-1": {
        marketing: { tls: "OPTIONAL", reputationMetrics: false },
        example_com: { tls: "OPTIONAL", reputationMetrics: true, suppressed: ["BOUNCE", "COMPLAINT"] },
      },
    },
    zones: [
      {
        id: ZONE_ID,
        name: "example.com",
        records: [
          ...dkimCnames("example.com", TOKENS_US),
          ...dkimCnames("example.com", TOKENS_EU),
          { name: "mail.example.com", type: "MX", values: ["10 feedback-smtp.us-east-1.amazonses.com"] },
          { name: "mail.example.com", type: "TXT", values: ["v=spf1 include:amazonses.com ~all"] },
          { name: "example.com", type: "TXT", values: ["v=spf1 include:amazonses.com include:_spf.google.com ~all", "google-site-verification=keep-me-123"] },
          { name: "_dmarc.example.com", type: "TXT", values: ["v=DMARC1; p=none"] },
          ...dkimCnames("news.example.com", TOKENS_NEWS.slice(0, 2)),
        ],
      },
      { id: "Z0OTHER0000000000001", name: "example.org", records: [] },
    ],
  };
  return { config, state };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI in this process (run()), for tests whose servers live here too. */
export async function adoptHere(args: readonly string[]): Promise<CliResult> {
  const { code, out, err } = await runInProcess(["adopt", ...args]);
  return { code, stdout: out, stderr: err };
}

/** The built CLI as a user runs it, in its own process (async: servers in this process keep answering). */
export async function runBuilt(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

/** Credentials the SDK signs with against the stand-in; never real. */
export const FAKE_AWS_ENV = { AWS_ACCESS_KEY_ID: "test-only-not-a-key", AWS_SECRET_ACCESS_KEY: "test-only-not-a-secret", AWS_REGION: "us-east-1" };

export function writeJson(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}
