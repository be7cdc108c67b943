/**
 * `records`: every DNS record the config needs, from the record model, with the zone it goes in and why
 * it exists. Pure: no I/O. The formatters (markdown, bind, csv, json) read what this returns.
 */
import { isWithin } from "../model/domain-name";
import { fillDkimTokens, type DomainPlan, type RecordType } from "../model/records";
import type { SesRegion } from "../model/regions";
import type { ZoneRef } from "../model/types";
import type { DkimTokens } from "../verify/verify";
import { easyDkimToken, recordPurpose } from "./purpose";

export interface RecordRow {
  /** The configured domain whose plan holds the record. */
  readonly domain: string;
  /** The DNS zone the record goes in (see zoneOf). */
  readonly zone: string;
  /** Fully qualified, no trailing dot. */
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  /** As DNS serves them: TXT values whole, MX as `10 host`, host names without the trailing dot. */
  readonly values: readonly string[];
  readonly purpose: string;
  /**
   * An Easy DKIM record whose token was not given: known only after apply. Its name and values then
   * hold the record model's `{{dkim-token:<region>:<n>}}` placeholders.
   */
  readonly pendingToken?: { readonly region: SesRegion; readonly index: number };
}

export interface DomainRecords {
  readonly domain: string;
  readonly zone: string;
  /** Where the domain's DNS lives, as configured (Route 53 zone, or external). */
  readonly dns: ZoneRef;
  readonly rows: readonly RecordRow[];
}

/** Every record of every plan, domain by domain in the record model's order (domains sorted by name). */
export function listRecords(plans: readonly DomainPlan[], tokens?: DkimTokens): DomainRecords[] {
  return plans.map((plan) => {
    const zone = zoneOf(plan, plans);
    const rows = plan.records.map((record): RecordRow => {
      const base = { domain: plan.domain, zone, type: record.type, ttl: record.ttl, purpose: recordPurpose(plan, record) };
      const token = easyDkimToken(record);
      if (!token) return { ...base, name: record.name, values: record.values };
      const given = tokens?.[plan.domain]?.[token.region]?.[token.index];
      if (typeof given !== "string" || given === "") return { ...base, name: record.name, values: record.values, pendingToken: token };
      const fill = (text: string) => fillDkimTokens(text, () => given);
      return { ...base, name: fill(record.name), values: record.values.map(fill) };
    });
    return { domain: plan.domain, zone, dns: plan.zone, rows };
  });
}

/**
 * The zone a domain's records go in. Route 53 `zoneName`: that zone. `zoneId`: the zone of the closest
 * configured parent domain with the same zone ID (a zone ID names exactly one zone), else the domain
 * itself. External: the zone of the closest configured parent that is external too, else the domain
 * itself. So `news.example.com` beside `example.com` in one zone lands in `example.com`, and a domain
 * on its own is its own zone; give `zoneName` when the zone is a parent that is not in the config.
 */
export function zoneOf(plan: DomainPlan, plans: readonly DomainPlan[]): string {
  if ("zoneName" in plan.zone) return plan.zone.zoneName;
  const parent = plans
    .filter((p) => p.domain !== plan.domain && isWithin(plan.domain, p.domain) && samePlacement(p.zone, plan.zone))
    .sort((a, b) => b.domain.length - a.domain.length)[0];
  return parent ? zoneOf(parent, plans) : plan.domain;
}

function samePlacement(a: ZoneRef, b: ZoneRef): boolean {
  if ("external" in a || "external" in b) return "external" in a && "external" in b;
  return "zoneId" in a && "zoneId" in b && a.zoneId === b.zoneId;
}

/** Rows grouped by zone, zones sorted by name, rows in listing order: one BIND fragment each. */
export function recordsByZone(domains: readonly DomainRecords[]): { zone: string; rows: RecordRow[] }[] {
  const zones = new Map<string, RecordRow[]>();
  for (const row of domains.flatMap((d) => d.rows)) {
    const rows = zones.get(row.zone) ?? [];
    rows.push(row);
    zones.set(row.zone, rows);
  }
  return [...zones.keys()].sort().map((zone) => ({ zone, rows: zones.get(zone)! }));
}
