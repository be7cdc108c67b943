/**
 * The record model: which SES settings and DNS records a domain needs. Pure: no cdktf, no I/O.
 * Constructs render it into Terraform; other tools (verify, record listings) read it directly.
 */
import { ConfigError, formatPath, type ConfigIssue } from "../errors";
import { dmarcRecord } from "./dmarc";
import { dkimDomain, mailFromMxHost, type SesRegion } from "./regions";
import { apexSpfRecord, mailFromSpfRecord } from "./spf";
import type { DomainSpec, Warning, ZoneRef } from "./types";

export type RecordType = "CNAME" | "MX" | "TXT";

export interface DnsRecord {
  /** Fixed word for the record's purpose (`dkim_1`, `mail_from_mx`…): the end of its Terraform address. */
  readonly id: string;
  /** Fully qualified name without the trailing dot; Easy DKIM names hold token placeholders. */
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  /** Values as DNS serves them: TXT values whole (not split into strings), MX as `10 host`. */
  readonly values: readonly string[];
  /** The config field this record comes from, for errors and warnings. */
  readonly path: readonly PropertyKey[];
}

export interface IdentityPlan {
  /** Fixed word for the identity in Terraform addresses: `identity`, or `<region>_identity` when multi-region. */
  readonly id: string;
  readonly region: SesRegion;
  readonly keyLength: "RSA_1024_BIT" | "RSA_2048_BIT";
  readonly tags: Readonly<Record<string, string>>;
  readonly mailFrom?: {
    readonly id: string;
    readonly domain: string;
    readonly behaviorOnMxFailure: "USE_DEFAULT_VALUE" | "REJECT_MESSAGE";
  };
}

export interface DomainPlan {
  readonly domain: string;
  /** Terraform-safe prefix of every address of this domain: `example_com`. */
  readonly slug: string;
  readonly zone: ZoneRef;
  readonly identities: readonly IdentityPlan[];
  readonly records: readonly DnsRecord[];
  readonly warnings: readonly Warning[];
}

const PLACEHOLDER = /\{\{dkim-token:([a-z0-9-]+):([123])\}\}/g;

/** Stand-in for Easy DKIM token `n` (1–3) of the identity in `region`; known only after apply. */
export function dkimTokenPlaceholder(region: SesRegion, n: 1 | 2 | 3): string {
  return `{{dkim-token:${region}:${n}}}`;
}

/** Replace token placeholders in `text` by `tokenFor(region, index0)` (a real token, or a Terraform expression). */
export function fillDkimTokens(text: string, tokenFor: (region: SesRegion, index: number) => string): string {
  return text.replace(PLACEHOLDER, (_, region: SesRegion, n: string) => tokenFor(region, Number(n) - 1));
}

/**
 * A Terraform name for the domain, unique per domain: dots become underscores, hyphens stay (identity
 * domains have no underscores, so the mapping is one-to-one), and a leading digit gets a `_` prefix.
 */
export function domainSlug(domain: string): string {
  const slug = domain.replace(/\./g, "_");
  return /^[0-9]/.test(slug) ? `_${slug}` : slug;
}

const regionWord = (region: string) => region.replace(/-/g, "_");

export function planDomain(spec: DomainSpec): DomainPlan {
  const at = (...rest: PropertyKey[]) => ["domains", spec.domain, ...rest];
  const multiRegion = spec.regions.length > 1;
  const qualify = (region: SesRegion, word: string) => (multiRegion ? `${regionWord(region)}_${word}` : word);
  const mailFromDomain = spec.mailFrom ? `${spec.mailFrom.subdomain}.${spec.domain}` : undefined;

  const identities: IdentityPlan[] = spec.regions.map((region) => ({
    id: qualify(region, "identity"),
    region,
    keyLength: spec.dkim.keyLength === 1024 ? "RSA_1024_BIT" : "RSA_2048_BIT",
    tags: spec.tags,
    mailFrom:
      spec.mailFrom && mailFromDomain
        ? {
            id: qualify(region, "mail_from"),
            domain: mailFromDomain,
            behaviorOnMxFailure: spec.mailFrom.onMxFailure === "reject" ? "REJECT_MESSAGE" : "USE_DEFAULT_VALUE",
          }
        : undefined,
  }));

  const records: DnsRecord[] = [];
  for (const region of spec.regions) {
    for (const n of [1, 2, 3] as const) {
      const token = dkimTokenPlaceholder(region, n);
      records.push({
        id: qualify(region, `dkim_${n}`),
        name: `${token}._domainkey.${spec.domain}`,
        type: "CNAME",
        ttl: spec.ttl,
        values: [`${token}.${dkimDomain(region)}`],
        path: at("dkim"),
      });
    }
  }
  if (spec.mailFrom && mailFromDomain) {
    // One MX for all regions: SES routes bounces back to the sending region (SES guide, multi-region).
    records.push({
      id: "mail_from_mx",
      name: mailFromDomain,
      type: "MX",
      ttl: spec.ttl,
      values: [`10 ${mailFromMxHost(spec.regions[0])}`],
      path: at("mailFrom"),
    });
    records.push({
      id: "mail_from_spf",
      name: mailFromDomain,
      type: "TXT",
      ttl: spec.ttl,
      values: [mailFromSpfRecord(spec.mailFrom.all)],
      path: at("mailFrom"),
    });
  }
  if (spec.spf) {
    records.push({
      id: "apex_txt",
      name: spec.domain,
      type: "TXT",
      ttl: spec.ttl,
      values: [apexSpfRecord(spec.spf), ...spec.spf.extraTxt],
      path: at("spf"),
    });
  }
  const warnings: Warning[] = [];
  if (spec.dmarc) {
    records.push({
      id: "dmarc",
      name: `_dmarc.${spec.domain}`,
      type: "TXT",
      ttl: spec.ttl,
      values: [dmarcRecord(spec.dmarc)],
      path: at("dmarc"),
    });
  } else {
    warnings.push({
      code: "dmarc-missing",
      path: at("dmarc"),
      message: `no DMARC record for ${spec.domain}: receivers cannot apply a policy and some flag the mail; set dmarc (here or in defaults)`,
    });
  }

  return { domain: spec.domain, slug: domainSlug(spec.domain), zone: spec.zone, identities, records, warnings };
}

/**
 * Plans for every domain, sorted by domain name so output never depends on the order of the file.
 * Throws ConfigError when two domains would write the same record set (one name and type): Route 53
 * holds one record set per name and type, so the second would fail or overwrite the first at apply.
 */
export function planDomains(specs: readonly DomainSpec[]): DomainPlan[] {
  const plans = [...specs].sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0)).map(planDomain);
  const owners = new Map<string, DnsRecord>();
  const issues: ConfigIssue[] = [];
  for (const plan of plans) {
    for (const record of plan.records) {
      const key = `${record.type} ${record.name}`;
      const first = owners.get(key);
      if (first) {
        issues.push({
          path: record.path,
          message: `would write a second ${record.type} record set at ${record.name}, which ${formatPath(first.path)} already writes; Route 53 holds one record set per name and type`,
        });
      } else {
        owners.set(key, record);
      }
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return plans;
}
