/**
 * `verify`: compare the DNS records the record model says each domain needs with what DNS answers,
 * and count the apex SPF's lookups live, through its includes. Reads the record model, never the
 * synthesized JSON. Every query is bounded by a timeout; nothing here can hang.
 */
import type { Resolver } from "node:dns/promises";
import { fillDkimTokens, type DnsRecord, type DomainPlan } from "../model/records";
import type { SesRegion } from "../model/regions";
import { normalizeDomain } from "../model/domain-name";
import { parseSpf, spendsLookup, SPF_LOOKUP_LIMIT, type SpfTerm } from "../model/spf";
import { mapConcurrent } from "./concurrency";

export type RecordStatus = "ok" | "missing" | "different" | "not-checked" | "timeout" | "error";

export interface RecordCheck {
  readonly status: RecordStatus;
  readonly domain: string;
  readonly type: DnsRecord["type"];
  readonly name: string;
  readonly expected: readonly string[];
  readonly found: readonly string[];
  readonly note?: string;
}

export interface SpfLiveCheck {
  readonly domain: string;
  readonly status: "ok" | "problem" | "timeout" | "error";
  /** DNS lookups the record spends, counted through includes and redirects. */
  readonly lookups: number;
  readonly voidLookups: number;
  readonly problems: readonly string[];
}

export interface VerifyReport {
  readonly records: readonly RecordCheck[];
  readonly spf: readonly SpfLiveCheck[];
  /** True when nothing is missing, different, timed out or failed. */
  readonly ok: boolean;
}

/** Easy DKIM tokens by domain and region, from `--tokens` or from terraform outputs. */
export type DkimTokens = Readonly<Record<string, Readonly<Partial<Record<SesRegion, readonly string[]>>>>>;

/** The DNS queries verify needs, shaped like node's dns.promises. */
export interface DnsLookup {
  resolveTxt(name: string): Promise<string[][]>;
  resolveMx(name: string): Promise<{ exchange: string; priority: number }[]>;
  resolveCname(name: string): Promise<string[]>;
}

export interface VerifyOptions {
  readonly dns: DnsLookup | Resolver;
  readonly tokens?: DkimTokens;
  /** Per query. @default 3000 */
  readonly timeoutMs?: number;
  /**
   * Most DNS queries in flight at once. Each check (a record, or one domain's SPF walk) has at most one
   * query in flight, so this is the number of checks running at once. @default 32
   */
  readonly concurrency?: number;
  /** Called after each check settles, with how many of `total` are done (for a progress line). */
  readonly onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_CONCURRENCY = 32;

class QueryTimeout extends Error {}

const NO_DATA = new Set(["ENOTFOUND", "ENODATA", "NXDOMAIN", "ENONAME"]);

function bounded<T>(query: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([query, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Check every record of every plan, then the live SPF of each domain that has an apex SPF. Checks run
 * concurrently (`concurrency`); the report lists them in plan order, as a one-at-a-time run would.
 */
export async function verifyDomains(plans: readonly DomainPlan[], options: VerifyOptions): Promise<VerifyReport> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const recordChecks = plans.flatMap((plan) => plan.records.map((record) => () => checkRecord(plan, record, options, timeoutMs)));
  const spfChecks = plans
    .filter((plan) => plan.records.some((r) => r.id === "apex_txt"))
    .map((plan) => () => checkSpfLive(plan.domain, options.dns, timeoutMs));
  const checks: (() => Promise<RecordCheck | SpfLiveCheck>)[] = [...recordChecks, ...spfChecks];
  let done = 0;
  const results = await mapConcurrent(checks, options.concurrency ?? DEFAULT_CONCURRENCY, async (check) => {
    const result = await check();
    options.onProgress?.(++done, checks.length);
    return result;
  });
  const records = results.slice(0, recordChecks.length) as RecordCheck[];
  const spf = results.slice(recordChecks.length) as SpfLiveCheck[];
  const bad = new Set<string>(["missing", "different", "timeout", "error"]);
  return { records, spf, ok: records.every((r) => !bad.has(r.status)) && spf.every((s) => s.status === "ok") };
}

async function checkRecord(plan: DomainPlan, record: DnsRecord, options: VerifyOptions, timeoutMs: number): Promise<RecordCheck> {
  const base = { domain: plan.domain, type: record.type };
  const placeholders = /\{\{dkim-token:/.test(record.name);
  let name = record.name;
  let expected = [...record.values];
  if (placeholders) {
    const tokens = options.tokens?.[plan.domain];
    let complete = true;
    const fill = (text: string) =>
      fillDkimTokens(text, (region, i) => {
        const token = tokens?.[region]?.[i];
        if (!token) complete = false;
        return token ?? "";
      });
    name = fill(name);
    expected = expected.map(fill);
    if (!complete) {
      return { ...base, status: "not-checked", name: record.name, expected: [], found: [], note: "Easy DKIM tokens not given (--tokens or --tf-outputs)" };
    }
  }
  try {
    const found = await bounded(query(options.dns, record.type, name), timeoutMs);
    const same =
      found.length === expected.length &&
      [...found].map(normalize(record.type)).sort().join("\n") === [...expected].map(normalize(record.type)).sort().join("\n");
    return { ...base, name, expected, found, status: same ? "ok" : "different" };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof QueryTimeout) return { ...base, name, expected, found: [], status: "timeout", note: err.message };
    if (code && NO_DATA.has(code)) return { ...base, name, expected, found: [], status: "missing" };
    if (code === "ETIMEOUT") return { ...base, name, expected, found: [], status: "timeout", note: "resolver timed out" };
    return { ...base, name, expected, found: [], status: "error", note: String(code ?? (err as Error).message) };
  }
}

function normalize(type: DnsRecord["type"]): (value: string) => string {
  return type === "TXT" ? (v) => v : normalizeDomain;
}

async function query(dns: DnsLookup | Resolver, type: DnsRecord["type"], name: string): Promise<string[]> {
  if (type === "TXT") return (await dns.resolveTxt(name)).map((strings) => strings.join(""));
  if (type === "MX") return (await dns.resolveMx(name)).map((mx) => `${mx.priority} ${normalizeDomain(mx.exchange)}`);
  return (await dns.resolveCname(name)).map(normalizeDomain);
}

/** SPF records (v=spf1) in a name's TXT answer. */
async function spfRecordsAt(dns: DnsLookup | Resolver, name: string, timeoutMs: number): Promise<string[] | "void"> {
  try {
    const txt = (await bounded(dns.resolveTxt(name), timeoutMs)).map((s) => s.join(""));
    const spf = txt.filter((v) => /^v=spf1( |$)/i.test(v));
    return spf.length === 0 ? "void" : spf;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && NO_DATA.has(code)) return "void";
    throw err;
  }
}

/**
 * Count the lookups an SPF evaluation of `domain` spends (RFC 7208 §4.6.4): include, a, mx, ptr,
 * exists and redirect cost one each, and included records are evaluated in turn. Also counts void
 * lookups (includes or redirects with no SPF record; the limit is 2) and flags a second SPF record.
 */
export async function checkSpfLive(domain: string, dns: DnsLookup | Resolver, timeoutMs = 3000): Promise<SpfLiveCheck> {
  const problems: string[] = [];
  let lookups = 0;
  let voidLookups = 0;
  const seen = new Set<string>();
  const walk = async (name: string, depth: number): Promise<void> => {
    const records = await spfRecordsAt(dns, name, timeoutMs);
    if (records === "void") {
      if (depth === 0) problems.push(`no SPF record at ${name}`);
      else voidLookups++;
      return;
    }
    if (records.length > 1) problems.push(`${name} has ${records.length} SPF records; receivers return permerror (RFC 7208 §3.2)`);
    const parsed = parseSpf(records[0]);
    if ("problems" in parsed) {
      problems.push(`${name}: ${parsed.problems.join("; ")}`);
      return;
    }
    for (const term of parsed.terms as SpfTerm[]) {
      if (!spendsLookup(term)) continue;
      lookups++;
      if (lookups > SPF_LOOKUP_LIMIT + 5) return;
      const target = term.kind === "modifier" ? term.value : term.name === "include" ? term.value : undefined;
      if (target && !seen.has(normalizeDomain(target)) && depth < 10) {
        seen.add(normalizeDomain(target));
        await walk(target, depth + 1);
      }
    }
  };
  try {
    await walk(domain, 0);
  } catch (err) {
    if (err instanceof QueryTimeout) return { domain, status: "timeout", lookups, voidLookups, problems: [err.message] };
    return { domain, status: "error", lookups, voidLookups, problems: [String((err as NodeJS.ErrnoException).code ?? err)] };
  }
  if (lookups > SPF_LOOKUP_LIMIT)
    problems.push(
      `spends ${lookups > SPF_LOOKUP_LIMIT + 5 ? `more than ${SPF_LOOKUP_LIMIT + 5}` : lookups} DNS lookups counting its includes; receivers fail SPF (permerror) past ${SPF_LOOKUP_LIMIT} (RFC 7208 §4.6.4)`,
    );
  if (voidLookups > 2) problems.push(`${voidLookups} void lookups (names with no SPF record); receivers fail SPF past 2 (RFC 7208 §4.6.4)`);
  return { domain, status: problems.length > 0 ? "problem" : "ok", lookups, voidLookups, problems };
}
