/**
 * The record model: which SES settings and DNS records a domain needs. Pure: no cdktf, no I/O.
 * Constructs render it into Terraform; other tools (verify, record listings) read it directly.
 */
import { ConfigError, formatPath, type ConfigIssue } from "../errors";
import { getDomain } from "tldts";
import { dmarcRecord, reportAuthorizationName, reportHost } from "./dmarc";
import { isWithin } from "./domain-name";
import { dkimDomain, mailFromMxHost, regionWord, type SesRegion } from "./regions";
import { apexSpfRecord, checkSpf, isSpfRecord, mailFromSpfRecord, SPF_LOOKUP_LIMIT } from "./spf";
import { TXT_STRING_MAX } from "./txt";
import { dkimKeyRecord } from "./dkim-key";
import { planConfigurationSet, planSender, trackingHost, type ConfigurationSetPlan, type SenderPlan } from "./operations";
import { withReportCollection } from "./collect";
import type { ByoDkimSpec, CollectSpec, DkimSelectorKey, DmarcSpec, DomainSpec, PrivateKeyRef, Warning, ZoneRef } from "./types";

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
  /** How SES signs: Easy DKIM with a key length, or the user's key under a selector. */
  readonly dkim:
    | { readonly type: "easy"; readonly keyLength: "RSA_1024_BIT" | "RSA_2048_BIT" }
    | { readonly type: "byo"; readonly selector: string; readonly privateKey: PrivateKeyRef };
  readonly tags: Readonly<Record<string, string>>;
  readonly mailFrom?: {
    readonly id: string;
    readonly domain: string;
    readonly behaviorOnMxFailure: "USE_DEFAULT_VALUE" | "REJECT_MESSAGE";
  };
  /** The identity's default configuration set in this region. */
  readonly configurationSet?: ConfigurationSetPlan;
  /**
   * The identity's name when it is not the plan's domain: a reports domain under it, verified so SES
   * receives for it in a region where the domain has no identity (see collect.ts).
   * @default - the plan's domain
   */
  readonly emailIdentity?: string;
}

export interface DomainPlan {
  readonly domain: string;
  /** The stack (Terraform state) the domain lives in. */
  readonly stack: string;
  /** Terraform-safe prefix of every address of this domain: `example_com`. */
  readonly slug: string;
  readonly zone: ZoneRef;
  readonly identities: readonly IdentityPlan[];
  readonly records: readonly DnsRecord[];
  /** Who may send as which addresses (IAM for roles and SMTP users, identity policies for other accounts). */
  readonly senders: readonly SenderPlan[];
  /** dmarc.collect: its reports are received by SES (the account stack renders the receiving side). */
  readonly collect?: CollectSpec;
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

export function planDomain(spec: DomainSpec): DomainPlan {
  const at = (...rest: PropertyKey[]) => ["domains", spec.domain, ...rest];
  const multiRegion = spec.regions.length > 1;
  const qualify = (region: SesRegion, word: string) => (multiRegion ? `${regionWord(region)}_${word}` : word);
  const mailFromDomain = spec.mailFrom ? `${spec.mailFrom.subdomain}.${spec.domain}` : undefined;

  const set = spec.configurationSet;
  const identities: IdentityPlan[] = spec.regions.map((region) => ({
    id: qualify(region, "identity"),
    region,
    dkim:
      spec.dkim.type === "byo"
        ? { type: "byo", selector: spec.dkim.selector, privateKey: spec.dkim.privateKey }
        : { type: "easy", keyLength: spec.dkim.keyLength === 1024 ? "RSA_1024_BIT" : "RSA_2048_BIT" },
    tags: spec.tags,
    mailFrom:
      spec.mailFrom && mailFromDomain
        ? {
            id: qualify(region, "mail_from"),
            domain: mailFromDomain,
            behaviorOnMxFailure: spec.mailFrom.onMxFailure === "reject" ? "REJECT_MESSAGE" : "USE_DEFAULT_VALUE",
          }
        : undefined,
    ...(set ? { configurationSet: planConfigurationSet(spec, set, region, qualify(region, "configuration_set")) } : {}),
  }));

  const records: DnsRecord[] = spec.dkim.type === "byo" ? byoDkimRecords(spec, spec.dkim) : easyDkimRecords(spec, qualify);
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
  const warnings: Warning[] = [];
  if (spec.spf) {
    const spf = apexSpfRecord(spec.spf);
    records.push({
      id: "apex_txt",
      name: spec.domain,
      type: "TXT",
      ttl: spec.ttl,
      values: [spf, ...spec.spf.extraTxt],
      path: at("spf"),
    });
    const { lookups } = checkSpf(spf, { allowMacros: spec.spf.allowMacros });
    const nested = lookups.filter((t) => /^[+\-~?]?(include:|redirect=)/i.test(t));
    if (nested.length > 0) {
      warnings.push({
        code: "spf-nested-lookups",
        path: at("spf"),
        message: `the apex SPF spends ${lookups.length} of ${SPF_LOOKUP_LIMIT} DNS lookups itself; ${nested.join(", ")} ${nested.length === 1 ? "spends" : "spend"} more inside the records they name, which cannot be counted offline: check the live total with verify`,
      });
    }
  }
  if (spec.dmarc?.collect && !(spec.dmarc.rua ?? []).includes(`mailto:${spec.dmarc.collect.address}`)) {
    warnings.push({
      code: "dmarc-collect-unused",
      path: at("dmarc", "rua"),
      message: `dmarc.collect receives reports at ${spec.dmarc.collect.address}, but rua sends ${spec.domain}'s reports elsewhere; add mailto:${spec.dmarc.collect.address} to rua (or leave rua unset: it then defaults to the collect address)`,
    });
  }
  if (spec.dmarc) {
    records.push({
      id: "dmarc",
      name: `_dmarc.${spec.domain}`,
      type: "TXT",
      ttl: spec.ttl,
      values: [dmarcRecord(spec.dmarc)],
      path: at("dmarc"),
    });
    warnings.push(...dmarcWarnings(spec.domain, spec.dmarc, at));
  } else {
    warnings.push({
      code: "dmarc-missing",
      path: at("dmarc"),
      message: `no DMARC record for ${spec.domain}: receivers cannot apply a policy and some flag the mail; set dmarc (here or in defaults)`,
    });
  }

  const tracking = set ? set.trackingDomain : undefined;
  if (tracking) {
    // One CNAME for every region, to the first region's tracking host (as with the MAIL FROM MX).
    records.push({
      id: "tracking",
      name: tracking.domain,
      type: "CNAME",
      ttl: spec.ttl,
      values: [tracking.target ?? trackingHost(spec.regions[0])],
      path: at("configurationSet", "trackingDomain"),
    });
    if (tracking.https !== "optional" && tracking.target === undefined) {
      warnings.push({
        code: "tracking-https-needs-cdn",
        path: at("configurationSet", "trackingDomain"),
        message: `https: ${tracking.https} makes SES write https://${tracking.domain}/… links, but ${trackingHost(spec.regions[0])} has no certificate for ${tracking.domain}: put CloudFront with an ACM certificate in front of it and set trackingDomain.target to the distribution's domain, or set https: optional`,
      });
    }
  }
  const sets = identities.flatMap((i) => (i.configurationSet ? [i.configurationSet] : []));
  const senders = (spec.senders ?? []).map((sender) => planSender(spec, sender, sets));

  return {
    domain: spec.domain,
    stack: spec.stack,
    slug: domainSlug(spec.domain),
    zone: spec.zone,
    identities,
    records,
    senders,
    ...(spec.dmarc?.collect ? { collect: spec.dmarc.collect } : {}),
    warnings,
  };
}

/** Easy DKIM: three CNAMEs per region to keys SES holds, named by tokens known only after apply. */
function easyDkimRecords(spec: DomainSpec, qualify: (region: SesRegion, word: string) => string): DnsRecord[] {
  return spec.regions.flatMap((region) =>
    ([1, 2, 3] as const).map((n) => {
      const token = dkimTokenPlaceholder(region, n);
      return {
        id: qualify(region, `dkim_${n}`),
        name: `${token}._domainkey.${spec.domain}`,
        type: "CNAME" as const,
        ttl: spec.ttl,
        values: [`${token}.${dkimDomain(region)}`],
        path: ["domains", spec.domain, "dkim"],
      };
    }),
  );
}

/**
 * BYODKIM: a key record per published selector (the signing one, and a rotation's next and previous).
 * Addressed by selector, so a rotation adds and removes records and never rewrites one in place.
 */
function byoDkimRecords(spec: DomainSpec, dkim: ByoDkimSpec): DnsRecord[] {
  const keys: [DkimSelectorKey, PropertyKey[]][] = [
    [dkim, []],
    ...(dkim.next ? [[dkim.next, ["rotation", "next"]] as [DkimSelectorKey, PropertyKey[]]] : []),
    ...(dkim.previous ? [[dkim.previous, ["rotation", "previous"]] as [DkimSelectorKey, PropertyKey[]]] : []),
  ];
  return keys.map(([key, field]) => ({
    id: `dkim_${key.selector.toLowerCase()}`,
    name: `${key.selector}._domainkey.${spec.domain}`,
    type: "TXT" as const,
    ttl: spec.ttl,
    values: [dkimKeyRecord(key.publicKey)],
    path: ["domains", spec.domain, "dkim", ...field, "publicKey"],
  }));
}

/** Settings that are allowed but weaken or limit DMARC: warned, never refused. */
function dmarcWarnings(domain: string, dmarc: DmarcSpec, at: (...rest: PropertyKey[]) => PropertyKey[]): Warning[] {
  const warnings: Warning[] = [];
  if (dmarc.p === "none") {
    warnings.push({
      code: "dmarc-policy-none",
      path: at("dmarc", "p"),
      message: `p=none only monitors: receivers take no action on mail that fails DMARC for ${domain}; move to quarantine or reject once reports are clean`,
    });
  }
  if (!dmarc.rua || dmarc.rua.length === 0) {
    warnings.push({
      code: "dmarc-no-rua",
      path: at("dmarc", "rua"),
      message: `no rua: nobody receives aggregate reports for ${domain}, so failures go unseen`,
    });
  }
  if (dmarc.pct !== undefined && dmarc.pct < 100) {
    warnings.push({
      code: "dmarc-pct",
      path: at("dmarc", "pct"),
      message: `pct=${dmarc.pct} applies the policy to only part of failing mail (and pct is historic in RFC 9989)`,
    });
  }
  if (dmarc.adkim === "s") {
    warnings.push({
      code: "dmarc-adkim-strict",
      path: at("dmarc", "adkim"),
      message: `adkim=s passes only for mail whose From domain is exactly ${domain}; Easy DKIM signs d=${domain}, so mail from its subdomains fails DKIM alignment`,
    });
  }
  return warnings;
}

/** Route 53's limit on one TXT value (all its strings together). */
export const TXT_VALUE_MAX = 4000;
/** RFC 7208 §3.4: keep a name's TXT answer under 450 octets; over 512, receivers on UDP may fail. */
export const TXT_ANSWER_SOFT_LIMIT = 450;
export const TXT_ANSWER_HARD_LIMIT = 512;

/** Octets of a TXT answer's data: each 255-character string costs its length plus one length octet. */
export function txtAnswerOctets(values: readonly string[]): number {
  return values.reduce((sum, v) => sum + v.length + Math.max(1, Math.ceil(v.length / TXT_STRING_MAX)), 0);
}

/**
 * Plans for every domain, sorted by domain name so output never depends on the order of the file, with
 * what needs more than one domain: DMARC report authorizations (RFC 7489 §7.1) in the report domain's
 * zone, and the checks that every record set is written once and every TXT value fits Route 53.
 * Throws ConfigError listing every such problem.
 */
export function planDomains(specs: readonly DomainSpec[]): DomainPlan[] {
  const sorted = [...specs].sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  const collectIssues: ConfigIssue[] = [];
  const plans = withReportCollection(sorted, withReportAuthorizations(sorted, sorted.map(planDomain)), collectIssues);
  const issues = [...collectIssues, ...recordSetConflicts(plans), ...txtProblems(plans), ...configurationSetConflicts(plans)];
  if (issues.length > 0) throw new ConfigError(issues);
  return plans.map((plan) => ({ ...plan, warnings: [...plan.warnings, ...txtSizeWarnings(plan)] }));
}

/**
 * A rua/ruf address in another organizational domain (Public Suffix List) only gets reports when that
 * domain publishes `<policy-domain>._report._dmarc.<report-domain> TXT "v=DMARC1"`. When the report
 * domain is in this config, the record goes into its zone; otherwise a warning gives the exact record.
 */
function withReportAuthorizations(specs: readonly DomainSpec[], plans: DomainPlan[]): DomainPlan[] {
  const extra = new Map<string, DnsRecord[]>();
  const warnings = new Map<string, Warning[]>();
  for (const spec of specs) {
    if (!spec.dmarc) continue;
    const seen = new Set<string>();
    for (const field of ["rua", "ruf"] as const) {
      for (const uri of spec.dmarc[field] ?? []) {
        const host = reportHost(uri);
        if (seen.has(host) || sameOrganization(host, spec.domain)) continue;
        seen.add(host);
        const name = reportAuthorizationName(spec.domain, host);
        const owner = specs.filter((s) => isWithin(host, s.domain)).sort((a, b) => b.domain.length - a.domain.length)[0];
        if (owner) {
          const records = extra.get(owner.domain) ?? [];
          records.push({
            id: `dmarc_report_${domainSlug(spec.domain).replace(/^_/, "")}`,
            name,
            type: "TXT",
            ttl: owner.ttl,
            values: ["v=DMARC1"],
            path: ["domains", spec.domain, "dmarc", field],
          });
          extra.set(owner.domain, records);
        } else {
          const list = warnings.get(spec.domain) ?? [];
          list.push({
            code: "dmarc-report-authorization",
            path: ["domains", spec.domain, "dmarc", field],
            message: `${host} is outside ${spec.domain}'s organization and not in this config: it must publish TXT ${name} "v=DMARC1", or receivers will not send it ${spec.domain}'s reports (RFC 7489 §7.1)`,
          });
          warnings.set(spec.domain, list);
        }
      }
    }
  }
  return plans.map((plan) => ({
    ...plan,
    records: [...plan.records, ...(extra.get(plan.domain) ?? [])],
    warnings: [...plan.warnings, ...(warnings.get(plan.domain) ?? [])],
  }));
}

function sameOrganization(a: string, b: string): boolean {
  const orgA = getDomain(a, { allowPrivateDomains: true }) ?? a;
  const orgB = getDomain(b, { allowPrivateDomains: true }) ?? b;
  return orgA === orgB;
}

/** Route 53 holds one record set per name and type: a second would fail or overwrite the first at apply. */
function recordSetConflicts(plans: readonly DomainPlan[]): ConfigIssue[] {
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
  return issues;
}

/** SES names configuration sets per account and region: two domains may not share one. */
function configurationSetConflicts(plans: readonly DomainPlan[]): ConfigIssue[] {
  const owners = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const plan of plans) {
    for (const set of plan.identities.flatMap((i) => (i.configurationSet ? [i.configurationSet] : []))) {
      const key = `${set.region} ${set.name}`;
      const first = owners.get(key);
      if (first !== undefined && first !== plan.domain) {
        issues.push({
          path: ["domains", plan.domain, "configurationSet", "name"],
          message: `"${set.name}" is already the configuration set of ${first} in ${set.region}; names are unique per account and region`,
        });
      } else owners.set(key, plan.domain);
    }
  }
  return issues;
}

/** TXT values Route 53 or receivers would refuse: over 4000 characters, or a second SPF record at one name. */
function txtProblems(plans: readonly DomainPlan[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const record of plans.flatMap((p) => p.records)) {
    if (record.type !== "TXT") continue;
    for (const value of record.values) {
      if (value.length > TXT_VALUE_MAX) {
        issues.push({ path: record.path, message: `a TXT value at ${record.name} is ${value.length} characters; Route 53 accepts at most ${TXT_VALUE_MAX}` });
      }
    }
    if (record.values.filter(isSpfRecord).length > 1) {
      issues.push({
        path: record.path,
        message: `would publish ${record.values.filter(isSpfRecord).length} SPF records at ${record.name}; receivers fail SPF (permerror) when a name has more than one (RFC 7208 §3.2)`,
      });
    }
  }
  return issues;
}

function txtSizeWarnings(plan: DomainPlan): Warning[] {
  return plan.records
    .filter((r) => r.type === "TXT")
    .flatMap((record): Warning[] => {
      const octets = txtAnswerOctets(record.values);
      if (octets > TXT_ANSWER_HARD_LIMIT) {
        return [
          {
            code: "txt-answer-over-512",
            path: record.path,
            message: `the TXT answer at ${record.name} is ${octets} octets, over 512: receivers querying over UDP may get a truncated answer and fail SPF (RFC 7208 §3.4); move values elsewhere if you can`,
          },
        ];
      }
      if (octets > TXT_ANSWER_SOFT_LIMIT) {
        return [
          {
            code: "txt-answer-over-450",
            path: record.path,
            message: `the TXT answer at ${record.name} is ${octets} octets, over the 450 RFC 7208 §3.4 recommends`,
          },
        ];
      }
      return [];
    });
}
