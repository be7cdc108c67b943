/**
 * `adopt` as a function: find the zone ids, read SES (with --from-aws), ask DNS, compare. The CLI
 * (cli/adopt.ts) parses flags around it and writes the file; tests call it with a loopback DNS server
 * and a stand-in for AWS.
 */
import type { Resolver } from "node:dns/promises";
import type { DomainPlan } from "../model/records";
import type { DkimTokens, DnsLookup } from "../verify/verify";
import type { AwsClients } from "./aws";
import { discoverDns } from "./dns";
import { AwsError } from "./live";
import { buildReport, dnsQuestions, type AdoptReport } from "./report";

/** Something the user must supply before adopt can run (a zone id): exit 2, like a missing flag. */
export class AdoptUsageError extends Error {}

export interface AdoptOptions {
  /** The plans of the domains with adopt: true. */
  readonly plans: readonly DomainPlan[];
  /** Read SES and Route 53 through these clients (`--from-aws`); unset: DNS and the given tokens only. */
  readonly aws?: AwsClients;
  /** Easy DKIM tokens from --tokens / --tf-outputs. */
  readonly tokens?: DkimTokens;
  /** `--zone-id <zone name>=<id>`: ids for zones the config names by name. */
  readonly zoneIds?: ReadonlyMap<string, string>;
  readonly dns: DnsLookup | Resolver;
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly acceptChanges?: boolean;
}

/**
 * The zone id of every `zoneName` domain: from --zone-id, else ListHostedZonesByName with --from-aws,
 * else an AdoptUsageError listing the zones and both ways to give them. Record import ids need the id.
 */
export async function zoneIdsFor(plans: readonly DomainPlan[], given: ReadonlyMap<string, string>, aws: AwsClients | undefined): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const missing: string[] = [];
  const found = new Map<string, string>();
  const failures: string[] = [];
  for (const plan of plans) {
    if (!("zoneName" in plan.zone)) continue;
    const zone = plan.zone.zoneName;
    let id = given.get(zone) ?? found.get(zone);
    if (id === undefined && aws && !plan.zone.assumeRoleArn) {
      try {
        const { findZoneId } = await import("./aws");
        id = await findZoneId(aws, zone);
        found.set(zone, id);
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        if (!failures.includes(err.message)) failures.push(err.message);
        continue;
      }
    }
    if (id === undefined) {
      const why = plan.zone.assumeRoleArn
        ? `is reached through ${plan.zone.assumeRoleArn} (another account), which adopt does not assume: pass --zone-id ${zone}=Z…`
        : `has no id here: pass --from-aws to look it up (ListHostedZonesByName), or --zone-id ${zone}=Z…`;
      missing.push(`${plan.domain}: its hosted zone ${zone} ${why}`);
      continue;
    }
    out.set(plan.domain, id);
  }
  if (failures.length > 0) throw new AwsError(failures.join("\n"));
  if (missing.length > 0) throw new AdoptUsageError(missing.join("\n"));
  return out;
}

export async function adopt(options: AdoptOptions): Promise<AdoptReport> {
  const { plans, aws } = options;
  const zoneIds = await zoneIdsFor(plans, options.zoneIds ?? new Map(), aws);
  // The SDK is loaded only with --from-aws.
  const ses = aws
    ? await (await import("./aws")).readSes(aws, {
        identities: plans.flatMap((p) => p.identities.map((i) => ({ identity: i.emailIdentity ?? p.domain, region: i.region }))),
        configurationSets: plans.flatMap((p) => p.identities.flatMap((i) => (i.configurationSet ? [{ name: i.configurationSet.name, region: i.region }] : []))),
      })
    : undefined;
  const tokens = aws ? undefined : options.tokens;
  const dns = await discoverDns(dnsQuestions(plans, { tokens, ses }), {
    dns: options.dns,
    timeoutMs: options.timeoutMs,
    concurrency: options.concurrency,
    onProgress: options.onProgress,
  });
  return buildReport({ plans, zoneIds, tokens, ses, dns, acceptChanges: options.acceptChanges });
}
