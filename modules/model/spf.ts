/**
 * SPF records (RFC 7208): build from intent, parse, and check every rule the project enforces.
 * Pure: no DNS. Lookups spent inside included records are not counted here (that needs DNS: `verify`).
 */
import { isIPv4, isIPv6 } from "node:net";
import type { SpfSpec } from "./types";

export type SpfQualifier = "+" | "-" | "~" | "?";
export const SPF_MECHANISMS = ["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"] as const;
export type SpfMechanismName = (typeof SPF_MECHANISMS)[number];

export interface SpfMechanism {
  readonly kind: "mechanism";
  readonly qualifier: SpfQualifier;
  readonly name: SpfMechanismName;
  /** Domain-spec (include, a, mx, ptr, exists) or address (ip4, ip6); undefined when absent. */
  readonly value?: string;
  readonly cidr4?: number;
  readonly cidr6?: number;
  /** The term as written. */
  readonly text: string;
}

export interface SpfModifier {
  readonly kind: "modifier";
  readonly name: string;
  readonly value: string;
  readonly text: string;
}

export type SpfTerm = SpfMechanism | SpfModifier;

/** The DNS-lookup limit per SPF evaluation (RFC 7208 §4.6.4). */
export const SPF_LOOKUP_LIMIT = 10;
/** Mechanisms and modifiers that each spend one DNS lookup (RFC 7208 §4.6.4). */
const LOOKUP_TERMS = new Set(["include", "a", "mx", "ptr", "exists", "redirect"]);

/** True when evaluating `term` costs a DNS lookup toward the limit of 10. */
export function spendsLookup(term: SpfTerm): boolean {
  return LOOKUP_TERMS.has(term.name);
}

/** The SPF record SES needs at the MAIL FROM domain (SES developer guide, custom MAIL FROM). */
export function mailFromSpfRecord(all: "~all" | "-all"): string {
  return `v=spf1 include:amazonses.com ${all}`;
}

/** The apex SPF record: the raw `record` as given, or the mechanisms in a fixed order (a, mx, ip4, ip6, include) then `all`. */
export function apexSpfRecord(spec: SpfSpec): string {
  if (spec.record !== undefined) return spec.record.trim().replace(/ +/g, " ");
  const terms = ["v=spf1"];
  for (const d of spec.a) terms.push(d === "" ? "a" : `a:${d}`);
  for (const d of spec.mx) terms.push(d === "" ? "mx" : `mx:${d}`);
  for (const ip of spec.ip4) terms.push(`ip4:${ip}`);
  for (const ip of spec.ip6) terms.push(`ip6:${ip}`);
  for (const d of spec.include) terms.push(`include:${d}`);
  terms.push(spec.all);
  return terms.join(" ");
}

/** True when a TXT value is an SPF record: `v=spf1` followed by a space or the end (RFC 7208 §4.5). */
export function isSpfRecord(value: string): boolean {
  return /^v=spf1( |$)/i.test(value);
}

export type SpfParse = { readonly terms: readonly SpfTerm[] } | { readonly problems: readonly string[] };

const MODIFIER = /^([A-Za-z][A-Za-z0-9_.-]*)=(.*)$/;
const MECHANISM = /^([+\-~?]?)([A-Za-z0-9]+)(.*)$/;
const CIDR4 = "(?:/(0|[1-9][0-9]?))";
const CIDR6 = "(?://(0|[1-9][0-9]{0,2}))";

/**
 * Parse an SPF record into terms. Syntax problems (unknown mechanism, bad address, missing or
 * unexpected argument) come back as messages naming the term; rules about the record as a whole are
 * checked by `spfProblems`.
 */
export function parseSpf(text: string): SpfParse {
  if (!isSpfRecord(text)) return { problems: [`must start with "v=spf1", got ${JSON.stringify(text.slice(0, 20))}`] };
  if (/[^\x20-\x7e]/.test(text)) return { problems: ["may contain only printable 7-bit ASCII and spaces (RFC 7208 §3)"] };
  const terms: SpfTerm[] = [];
  const problems: string[] = [];
  for (const word of text
    .slice("v=spf1".length)
    .split(" ")
    .filter((w) => w !== "")) {
    const term = parseTerm(word);
    if (typeof term === "string") problems.push(term);
    else terms.push(term);
  }
  return problems.length > 0 ? { problems } : { terms };
}

function parseTerm(text: string): SpfTerm | string {
  const modifier = MODIFIER.exec(text);
  if (modifier) return { kind: "modifier", name: modifier[1].toLowerCase(), value: modifier[2], text };
  const m = MECHANISM.exec(text);
  const name = m?.[2].toLowerCase();
  if (!m || !(SPF_MECHANISMS as readonly string[]).includes(name!)) {
    return `"${text}" is not an SPF mechanism (all, include, a, mx, ptr, ip4, ip6, exists) or modifier (name=value) (RFC 7208 §5, §6)`;
  }
  const qualifier = (m[1] || "+") as SpfQualifier;
  const rest = m[3];
  const base = { kind: "mechanism" as const, qualifier, name: name as SpfMechanismName, text };
  switch (name) {
    case "all":
      return rest === "" ? base : `"${text}": all takes no argument (RFC 7208 §5.1)`;
    case "include":
    case "exists":
      return rest.startsWith(":") && rest.length > 1
        ? { ...base, value: rest.slice(1) }
        : `"${text}": ${name} needs a domain, as ${name}:example.com (RFC 7208 §5.2, §5.7)`;
    case "ptr":
      return rest === "" || (rest.startsWith(":") && rest.length > 1)
        ? { ...base, value: rest.slice(1) || undefined }
        : `"${text}": ptr takes an optional :domain only`;
    case "a":
    case "mx": {
      const dual = new RegExp(`^(?::([^/]+))?${CIDR4}?${CIDR6}?$`).exec(rest);
      if (!dual) return `"${text}": ${name} takes an optional :domain, /prefix (0–32) and //prefix (0–128) (RFC 7208 §5.3, §5.4)`;
      const [, value, c4, c6] = dual;
      return withCidr({ ...base, value }, c4, c6, text);
    }
    case "ip4":
    case "ip6": {
      const family = name === "ip4" ? 4 : 6;
      if (!rest.startsWith(":")) return `"${text}": ${name} needs an address, as ${family === 4 ? "ip4:192.0.2.0/24" : "ip6:2001:db8::/32"}`;
      const problem = ipProblem(rest.slice(1), family);
      if (problem) return `"${text}": ${problem}`;
      const [address, prefix] = rest.slice(1).split("/");
      return { ...base, value: address, ...(prefix !== undefined ? (family === 4 ? { cidr4: Number(prefix) } : { cidr6: Number(prefix) }) : {}) };
    }
  }
  return `"${text}" is not an SPF mechanism`;
}

function withCidr(term: SpfMechanism, c4: string | undefined, c6: string | undefined, text: string): SpfMechanism | string {
  if (c4 !== undefined && Number(c4) > 32) return `"${text}": IPv4 prefix length must be 0–32`;
  if (c6 !== undefined && Number(c6) > 128) return `"${text}": IPv6 prefix length must be 0–128`;
  return { ...term, ...(c4 !== undefined ? { cidr4: Number(c4) } : {}), ...(c6 !== undefined ? { cidr6: Number(c6) } : {}) };
}

/** Why an ip4/ip6 value is invalid (RFC 7208 §5.6), or undefined. */
export function ipProblem(value: string, family: 4 | 6): string | undefined {
  const [address, prefix, ...rest] = value.split("/");
  const max = family === 4 ? 32 : 128;
  const ok = family === 4 ? isIPv4(address) : isIPv6(address);
  if (!ok || rest.length > 0) {
    return `must be an IPv${family} address or CIDR range such as ${family === 4 ? "192.0.2.0/24" : "2001:db8::/32"}, got ${JSON.stringify(value)}`;
  }
  if (prefix !== undefined && !(/^(0|[1-9][0-9]{0,2})$/.test(prefix) && Number(prefix) <= max)) {
    return `prefix length must be 0–${max}, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/**
 * Why a domain-spec is unusable, or undefined. Macros (RFC 7208 §7) are refused unless allowed; the
 * last label must be a valid top label (RFC 7208 §7.1 domain-end: letters and digits, one letter).
 */
export function spfDomainProblem(value: string, allowMacros = false): string | undefined {
  if (value.includes("%")) {
    if (!allowMacros) return `uses SPF macros (RFC 7208 §7), which are refused unless spf.allowMacros is true, got ${JSON.stringify(value)}`;
    return undefined;
  }
  const name = value.replace(/\.$/, "");
  const labels = name.split(".");
  const bad =
    name.length === 0 ||
    name.length > 253 ||
    labels.length < 2 ||
    labels.some((l) => !/^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l)) ||
    !/^(?=.*[A-Za-z])[A-Za-z0-9-]+$/.test(labels[labels.length - 1]);
  return bad ? `must be a domain name such as _spf.google.com, got ${JSON.stringify(value)}` : undefined;
}

export interface SpfCheck {
  /** Rule violations, each naming the term and the rule. */
  readonly problems: readonly string[];
  /** The terms that spend a DNS lookup, in order. */
  readonly lookups: readonly string[];
}

/**
 * Every rule the project enforces on an SPF record (../shared/EMAIL-AUTH-FACTS.md, RFC 7208): valid
 * syntax; no ptr; macros only when allowed; at most one redirect and one exp; exactly one `all`
 * (-all, ~all or ?all) or one redirect, ending the mechanisms, never both; at most 10 lookups.
 */
export function checkSpf(text: string, options: { allowMacros?: boolean } = {}): SpfCheck {
  const parsed = parseSpf(text);
  if ("problems" in parsed) return { problems: parsed.problems, lookups: [] };
  const { terms } = parsed;
  const problems: string[] = [];
  const lookups = terms.filter(spendsLookup).map((t) => t.text);

  for (const term of terms) {
    if (term.kind === "mechanism") {
      if (term.name === "ptr") problems.push(`"${term.text}": ptr must not be used: it is slow and unreliable (RFC 7208 §5.5)`);
      if (term.value !== undefined && term.name !== "ip4" && term.name !== "ip6") {
        const problem = spfDomainProblem(term.value, options.allowMacros);
        if (problem) problems.push(`"${term.text}": domain ${problem}`);
      }
    } else if (term.name === "redirect" || term.name === "exp") {
      const problem = spfDomainProblem(term.value, options.allowMacros);
      if (problem) problems.push(`"${term.text}": domain ${problem}`);
    }
  }
  for (const name of ["redirect", "exp"]) {
    if (terms.filter((t) => t.kind === "modifier" && t.name === name).length > 1) {
      problems.push(`${name}= may appear only once (RFC 7208 §6)`);
    }
  }

  const alls = terms.filter((t): t is SpfMechanism => t.kind === "mechanism" && t.name === "all");
  const redirect = terms.find((t) => t.kind === "modifier" && t.name === "redirect");
  if (alls.length > 1) problems.push(`has ${alls.length} "all" terms; exactly one may end the record (RFC 7208 §5.1)`);
  for (const all of alls) {
    if (all.qualifier === "+") {
      problems.push(`"${all.text}" authorizes every host on the internet; use -all, ~all or ?all`);
    }
  }
  if (alls.length > 0 && redirect) {
    problems.push(`has both "all" and "${redirect.text}"; redirect is ignored when all is present, so use one (RFC 7208 §6.1)`);
  }
  if (alls.length === 0 && !redirect) {
    problems.push("must end with -all, ~all or ?all (or a redirect=), so receivers know what to do with other senders");
  }
  const end = alls.length > 0 ? terms.indexOf(alls[0]) : redirect ? terms.indexOf(redirect) : -1;
  if (end >= 0) {
    const after = terms.slice(end + 1).filter((t) => !(t.kind === "modifier" && t.name === "exp"));
    if (after.length > 0) {
      problems.push(
        `"${after.map((t) => t.text).join(" ")}" comes after "${terms[end].text}", which must end the record (only exp= may follow; RFC 7208 §5.1)`,
      );
    }
  }
  if (lookups.length > SPF_LOOKUP_LIMIT) {
    problems.push(`spends ${lookups.length} DNS lookups; receivers fail SPF (permerror) past ${SPF_LOOKUP_LIMIT} (RFC 7208 §4.6.4): ${lookups.join(" ")}`);
  }
  return { problems, lookups };
}
