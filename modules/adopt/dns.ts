/**
 * Live DNS for adopt: each record set the plan writes, asked for its type, and — for TXT and MX names —
 * for a CNAME too (Route 53 cannot hold a TXT beside a CNAME, and a resolver silently follows one). Every
 * query is bounded by a timeout; at most `concurrency` are in flight.
 */
import type { Resolver } from "node:dns/promises";
import { normalizeDomain } from "../model/domain-name";
import { mapConcurrent } from "../verify/concurrency";
import type { DnsLookup } from "../verify/verify";
import { dnsKey, type DnsFinding } from "./live";

export interface DnsQuestion {
  readonly name: string;
  readonly type: "TXT" | "MX" | "CNAME";
}

export interface DnsOptions {
  readonly dns: DnsLookup | Resolver;
  /** Per query. @default 3000 */
  readonly timeoutMs?: number;
  /** @default 32 */
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

const NO_DATA = new Set(["ENOTFOUND", "ENODATA", "NXDOMAIN", "ENONAME"]);

class QueryTimeout extends Error {}

function bounded<T>(query: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([query, timeout]).finally(() => clearTimeout(timer));
}

async function ask(dns: DnsLookup | Resolver, question: DnsQuestion, timeoutMs: number): Promise<DnsFinding> {
  try {
    const values =
      question.type === "TXT"
        ? (await bounded(dns.resolveTxt(question.name), timeoutMs)).map((strings) => strings.join(""))
        : question.type === "MX"
          ? (await bounded(dns.resolveMx(question.name), timeoutMs)).map((mx) => `${mx.priority} ${normalizeDomain(mx.exchange)}`)
          : (await bounded(dns.resolveCname(question.name), timeoutMs)).map(normalizeDomain);
    return values.length === 0 ? { status: "absent" } : { status: "found", values };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && NO_DATA.has(code)) return { status: "absent" };
    if (err instanceof QueryTimeout) return { status: "error", message: err.message };
    if (code === "ETIMEOUT") return { status: "error", message: "the resolver timed out" };
    return { status: "error", message: String(code ?? (err as Error).message) };
  }
}

/**
 * What DNS answers for each question, keyed `TYPE name`. A TXT or MX name that is a CNAME is reported
 * as `cname` (whatever the target holds is not a record Route 53 could import at that name).
 */
export async function discoverDns(questions: readonly DnsQuestion[], options: DnsOptions): Promise<Map<string, DnsFinding>> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const unique = [...new Map(questions.map((q) => [dnsKey(q.type, q.name), q])).values()];
  const asks: DnsQuestion[] = unique.flatMap((q) => (q.type === "CNAME" ? [q] : [q, { name: q.name, type: "CNAME" as const }]));
  const cnameAsked = new Set(asks.filter((q) => q.type === "CNAME").map((q) => q.name));
  let done = 0;
  const answers = await mapConcurrent(asks, options.concurrency ?? 32, async (q) => {
    const finding = await ask(options.dns, q, timeoutMs);
    options.onProgress?.(++done, asks.length);
    return [dnsKey(q.type, q.name), finding] as const;
  });
  const byKey = new Map(answers);
  const out = new Map<string, DnsFinding>();
  for (const q of unique) {
    const key = dnsKey(q.type, q.name);
    const cname = q.type !== "CNAME" && cnameAsked.has(q.name) ? byKey.get(dnsKey("CNAME", q.name)) : undefined;
    out.set(key, cname && cname.status === "found" ? { status: "cname", target: cname.values[0] } : byKey.get(key)!);
  }
  return out;
}
