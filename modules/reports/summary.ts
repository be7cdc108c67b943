/**
 * What a domain owner reads off a pile of reports, per policy domain: messages, the DMARC pass rate, and
 * the sources grouped by what they are. Reports are added one at a time and only totals are kept, so
 * memory grows with the number of distinct sources, not of reports or records.
 */
import type { AggregateReport, PolicyPublished, ReportRecord, ReportWarning } from "./types";
import { DEFAULT_THRESHOLDS, judge, type Thresholds, type Verdict } from "./verdict";
import { count, describePolicy, groupDigits } from "./words";

/**
 * - `ses`: sent through SES (SPF domain under amazonses.com, SES's own `d=amazonses.com` signature, or a
 *   DKIM `d=` of an identity signed with SES selectors), passing or not;
 * - `authorized`: another sender passing aligned SPF or DKIM;
 * - `forwarder`: failing, but the receiver reported a forwarder or mailing-list override;
 * - `failing`: failing, no override: an unconfigured sender of yours, or spoofing.
 */
export type SourceKind = "ses" | "authorized" | "forwarder" | "failing";

export const SOURCE_KINDS: readonly SourceKind[] = ["ses", "authorized", "forwarder", "failing"];

const FORWARDER_OVERRIDES = ["forwarded", "trusted_forwarder", "mailing_list"];

/** An SES identity from the config: recognise its DKIM signatures and MAIL FROM domain as SES. */
export interface SesIdentity {
  readonly domain: string;
  /** Easy DKIM: SES picks the selectors (32-character tokens). */
  readonly easyDkim: boolean;
  /** BYODKIM selectors (current, next, previous). */
  readonly selectors: readonly string[];
  readonly mailFromDomain?: string;
}

export interface SourceSummary {
  readonly ip: string;
  readonly kind: SourceKind;
  readonly messages: number;
  /** Messages that passed DMARC (aligned SPF or DKIM). */
  readonly aligned: number;
  readonly reporters: string[];
  /** `d=` of every DKIM result seen, with its result: `example.com pass`. */
  readonly dkim: string[];
  /** SPF domains seen, with their result: `mail.example.com pass`. */
  readonly spf: string[];
  /** Override reasons the receivers reported. */
  readonly overrides: string[];
}

export interface DomainSummary {
  readonly domain: string;
  readonly reports: number;
  readonly reporters: string[];
  /** ISO dates (UTC) of the earliest begin and the latest end. */
  readonly period: { readonly begin: string; readonly end: string };
  /** From the earliest begin to the latest end, in days, one decimal. */
  readonly days: number;
  /** The policy in the latest report. */
  readonly policy: PolicyPublished;
  readonly messages: number;
  readonly aligned: number;
  /** aligned / messages, 0–1 (0 when there are no messages). */
  readonly passRate: number;
  readonly kinds: Record<SourceKind, { readonly sources: number; readonly messages: number; readonly aligned: number }>;
  readonly sources: SourceSummary[];
  readonly warnings: ReportWarning[];
  readonly verdict: Verdict;
}

interface SourceAcc {
  ip: string;
  kind: SourceKind;
  messages: number;
  aligned: number;
  reporters: string[];
  dkim: string[];
  spf: string[];
  overrides: string[];
}

/**
 * A source keeps at most this many reporters, DKIM and SPF results, and a domain at most MAX_SOURCES
 * sources; the rest are counted under OTHER_SOURCES. A report of 100,000 records from distinct
 * addresses (anyone can send one) then costs bounded memory, and the output stays readable.
 */
const MAX_LIST = 10;
const MAX_SOURCES = 10_000;
export const OTHER_SOURCES = "(other sources)";

function addCapped(list: string[], value: string): void {
  if (list.length < MAX_LIST && !list.includes(value)) list.push(value);
}

const EASY_DKIM_SELECTOR = /^[a-z0-9]{32}$/;
const isAmazonSes = (domain: string) => domain === "amazonses.com" || domain.endsWith(".amazonses.com");

/** Which kind of source a record comes from; the config's identities make SES recognisable by them too. */
export class SourceClassifier {
  private readonly identities: Map<string, SesIdentity>;
  private readonly mailFromDomains: Set<string>;

  constructor(identities: readonly SesIdentity[] = []) {
    this.identities = new Map(identities.map((i) => [i.domain, i]));
    this.mailFromDomains = new Set(identities.flatMap((i) => (i.mailFromDomain ? [i.mailFromDomain] : [])));
  }

  kind(record: ReportRecord, policyDomain: string): SourceKind {
    if (this.isSes(record, policyDomain)) return "ses";
    if (record.dkim === "pass" || record.spf === "pass") return "authorized";
    return record.reasons.some((r) => FORWARDER_OVERRIDES.includes(r.type)) ? "forwarder" : "failing";
  }

  /**
   * Sent from SES's own servers: SPF passed for an amazonses.com MAIL FROM (or the config's MAIL FROM
   * domain), or, when SPF did not fail, an SES DKIM signature verified. A signature that failed, or one
   * that passed while SPF failed, is SES mail relayed by someone else (a forwarder), not an SES source.
   */
  private isSes(record: ReportRecord, policyDomain: string): boolean {
    const spf = record.authResults.spf;
    if (spf.some((s) => s.result === "pass" && (isAmazonSes(s.domain) || this.mailFromDomains.has(s.domain)))) return true;
    if (spf.some((s) => s.result === "fail" || s.result === "softfail") && !spf.some((s) => s.result === "pass")) return false;
    return record.authResults.dkim.some((k) => k.result === "pass" && this.sesSignature(k.domain, k.selector, policyDomain));
  }

  private sesSignature(domain: string, selector: string | undefined, policyDomain: string): boolean {
    if (isAmazonSes(domain)) return true;
    if (!selector) return false;
    const identity = this.identities.get(domain);
    if (identity) return identity.easyDkim ? EASY_DKIM_SELECTOR.test(selector) : identity.selectors.includes(selector);
    // without a config, a 32-character token selector on the policy domain is Easy DKIM's shape
    return this.identities.size === 0 && EASY_DKIM_SELECTOR.test(selector) && (domain === policyDomain || domain.endsWith(`.${policyDomain}`));
  }
}

/**
 * Counts by source: of one report while it is read (records are counted and dropped, so a report's
 * size in records costs no memory), and of a domain, into which report tallies are merged.
 */
export class Tally {
  readonly sources = new Map<string, SourceAcc>();
  messages = 0;
  aligned = 0;
  /** SPF domain under amazonses.com → messages SES sent with it. */
  readonly sesMailFrom = new Map<string, number>();
  /** Messages counted under OTHER_SOURCES once MAX_SOURCES was reached. */
  folded = 0;

  add(record: ReportRecord, kind: SourceKind): void {
    const aligned = record.dkim === "pass" || record.spf === "pass" ? record.count : 0;
    const s = this.source(record.sourceIp, kind, record.count);
    s.messages += record.count;
    s.aligned += aligned;
    this.messages += record.count;
    this.aligned += aligned;
    for (const k of record.authResults.dkim) if (k.domain) addCapped(s.dkim, `${k.domain} ${k.result}`);
    for (const k of record.authResults.spf) {
      if (!k.domain) continue;
      addCapped(s.spf, `${k.domain} ${k.result}`);
      if (kind === "ses" && isAmazonSes(k.domain) && k.scope !== "helo" && record.spf !== "pass")
        this.sesMailFrom.set(k.domain, (this.sesMailFrom.get(k.domain) ?? 0) + record.count);
    }
    for (const r of record.reasons) if (r.type) addCapped(s.overrides, r.type);
  }

  /** Add `other` (a report's tally) into this one, its sources reported by `reporter`. */
  merge(other: Tally, reporter: string): void {
    for (const o of other.sources.values()) {
      const s = this.source(o.ip, o.kind, o.messages);
      s.messages += o.messages;
      s.aligned += o.aligned;
      addCapped(s.reporters, reporter);
      for (const x of o.dkim) addCapped(s.dkim, x);
      for (const x of o.spf) addCapped(s.spf, x);
      for (const x of o.overrides) addCapped(s.overrides, x);
    }
    this.messages += other.messages;
    this.aligned += other.aligned;
    this.folded += other.folded;
    for (const [domain, n] of other.sesMailFrom) this.sesMailFrom.set(domain, (this.sesMailFrom.get(domain) ?? 0) + n);
  }

  private source(ip: string, kind: SourceKind, messages: number): SourceAcc {
    let key = `${ip}\0${kind}`;
    let s = this.sources.get(key);
    if (!s && this.sources.size >= MAX_SOURCES) {
      key = `${OTHER_SOURCES}\0${kind}`;
      s = this.sources.get(key);
      if (ip !== OTHER_SOURCES) this.folded += messages;
    }
    if (!s) {
      s = { ip: key.slice(0, key.indexOf("\0")), kind, messages: 0, aligned: 0, reporters: [], dkim: [], spf: [], overrides: [] };
      this.sources.set(key, s);
    }
    return s;
  }
}

/** A report as the summary needs it: its header (records may be left out) and its counts by source. */
export interface ReportDigest {
  readonly report: AggregateReport;
  readonly tally: Tally;
}

interface DomainAcc {
  domain: string;
  reports: number;
  reporters: Set<string>;
  begin: number;
  end: number;
  latest: { end: number; policy: PolicyPublished };
  policies: Map<string, number>;
  tally: Tally;
}

export class ReportSummary {
  private readonly domains = new Map<string, DomainAcc>();
  private readonly seen = new Map<string, string>();
  readonly classifier: SourceClassifier;

  constructor(identities: readonly SesIdentity[] = []) {
    this.classifier = new SourceClassifier(identities);
  }

  /** Count `report` and its records; see addDigest. */
  add(report: AggregateReport, file: string): string | undefined {
    const tally = new Tally();
    for (const record of report.records) tally.add(record, this.classifier.kind(record, report.policy.domain));
    return this.addDigest({ report, tally }, file);
  }

  /**
   * Count a report. A report already counted (same reporter, report id, domain and period: a resend,
   * or the same report as .xml and .gz) is not counted again; the first file that had it is returned.
   */
  addDigest({ report, tally }: ReportDigest, file: string): string | undefined {
    const key = [report.reporter.orgName, report.reporter.email, report.reportId, report.policy.domain, report.period.begin, report.period.end].join("\0");
    if (report.reportId) {
      const first = this.seen.get(key);
      if (first !== undefined) return first;
      this.seen.set(key, file);
    }
    const d = this.domain(report.policy.domain);
    d.reports++;
    d.reporters.add(report.reporter.orgName);
    d.begin = Math.min(d.begin, report.period.begin);
    d.end = Math.max(d.end, report.period.end);
    if (report.period.end > d.latest.end) d.latest = { end: report.period.end, policy: report.policy };
    const policyText = describePolicy(report.policy);
    d.policies.set(policyText, (d.policies.get(policyText) ?? 0) + 1);
    d.tally.merge(tally, report.reporter.orgName);
    return undefined;
  }

  private domain(name: string): DomainAcc {
    let d = this.domains.get(name);
    if (!d) {
      d = {
        domain: name,
        reports: 0,
        reporters: new Set(),
        begin: Infinity,
        end: -Infinity,
        latest: { end: -Infinity, policy: { domain: name } },
        policies: new Map(),
        tally: new Tally(),
      };
      this.domains.set(name, d);
    }
    return d;
  }

  /** Every domain, sorted by name, with its sources, warnings and verdict. */
  result(thresholds: Thresholds = DEFAULT_THRESHOLDS): DomainSummary[] {
    return [...this.domains.values()].sort((a, b) => compare(a.domain, b.domain)).map((d) => summarise(d, thresholds));
  }
}

function summarise(d: DomainAcc, thresholds: Thresholds): DomainSummary {
  const sources: SourceSummary[] = [...d.tally.sources.values()]
    .sort((a, b) => b.messages - a.messages || compare(a.ip, b.ip) || compare(a.kind, b.kind))
    .map((s) => ({
      ip: s.ip,
      kind: s.kind,
      messages: s.messages,
      aligned: s.aligned,
      reporters: [...s.reporters].sort(compare),
      dkim: [...s.dkim].sort(compare),
      spf: [...s.spf].sort(compare),
      overrides: [...s.overrides].sort(compare),
    }));
  const kinds = Object.fromEntries(SOURCE_KINDS.map((k) => [k, { sources: 0, messages: 0, aligned: 0 }])) as Record<
    SourceKind,
    { sources: number; messages: number; aligned: number }
  >;
  for (const s of sources) {
    kinds[s.kind].sources++;
    kinds[s.kind].messages += s.messages;
    kinds[s.kind].aligned += s.aligned;
  }
  const { messages, aligned } = d.tally;
  const passRate = messages === 0 ? 0 : aligned / messages;
  const days = Math.round(((d.end - d.begin + 1) / 86400) * 10) / 10;
  const warnings = domainWarnings(d, sources, kinds);
  const summary = {
    domain: d.domain,
    reports: d.reports,
    reporters: sorted(d.reporters),
    period: { begin: isoDate(d.begin), end: isoDate(d.end) },
    days,
    policy: d.latest.policy,
    messages,
    aligned,
    passRate,
    kinds,
    sources,
    warnings,
  };
  return { ...summary, verdict: judge(summary, thresholds) };
}

function domainWarnings(d: DomainAcc, sources: readonly SourceSummary[], kinds: DomainSummary["kinds"]): ReportWarning[] {
  const warnings: ReportWarning[] = [];
  if (d.tally.sesMailFrom.size > 0) {
    const spfDomains = [...d.tally.sesMailFrom.keys()].sort(compare);
    const messages = [...d.tally.sesMailFrom.values()].reduce((a, b) => a + b, 0);
    warnings.push({
      code: "mail-from-not-aligned",
      message:
        `${count(messages, "message")} sent through SES had the SPF domain ${spfDomains.join(", ")}: the custom MAIL FROM domain is missing or not working, ` +
        `so SPF does not align and DMARC rests on DKIM alone. Set mailFrom (e.g. mailFrom: { subdomain: mail }) and check its MX and SPF records with ` +
        `ses-domains verify before tightening aspf.`,
    });
  }
  const sesFailing = sources.filter((s) => s.kind === "ses" && s.aligned < s.messages);
  if (sesFailing.length > 0) {
    const failed = sesFailing.reduce((n, s) => n + s.messages - s.aligned, 0);
    warnings.push({
      code: "ses-not-aligned",
      message:
        `${count(failed, "message")} sent through SES failed DMARC (from ${list(sesFailing.map((s) => s.ip))}): neither DKIM nor SPF aligned with the From domain. ` +
        `Check the identity's DKIM records with ses-domains verify, and that the From domain is the identity's domain or under it.`,
    });
  }
  if (kinds.forwarder.messages > 0) {
    const overrides = sorted(new Set(sources.filter((s) => s.kind === "forwarder").flatMap((s) => s.overrides)));
    warnings.push({
      code: "forwarded",
      message: `${count(kinds.forwarder.messages, "message")} failed DMARC after forwarding or a mailing list (reported override: ${overrides.join(", ")}); receivers applied local policy instead of yours.`,
    });
  }
  if (d.tally.folded > 0) {
    warnings.push({
      code: "sources-capped",
      message: `more than ${groupDigits(MAX_SOURCES)} distinct sources: ${count(d.tally.folded, "message")} from the rest are counted under "${OTHER_SOURCES}".`,
    });
  }
  if (d.policies.size > 1) {
    const seen = [...d.policies.entries()].sort((a, b) => compare(a[0], b[0])).map(([p, n]) => `${p} in ${count(n, "report")}`);
    warnings.push({
      code: "policy-changed",
      message: `the published policy changed during the period: ${seen.join(", ")}; the latest is used for the verdict.`,
    });
  }
  return warnings;
}

function list(items: readonly string[], max = 3): string {
  return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

function isoDate(seconds: number): string {
  return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString().replace(".000Z", "Z") : "";
}

function sorted(set: Iterable<string>): string[] {
  return [...set].sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
