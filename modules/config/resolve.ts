/**
 * From a parsed config object to one DomainSpec per domain: schema check, defaults merged (CONFIG.md:
 * dmarc, mailFrom, spf and tags merge field by field; dkim, dns, region/regions and ttl replace whole),
 * and the rules that need the merged view. Every problem is collected before anything is thrown.
 */
import type { z } from "zod";
import { ConfigError, describeValue, type ConfigIssue } from "../errors";
import { foProblem, reportUri } from "../model/dmarc";
import { hostnameProblem, isWithin, normalizeDomain } from "../model/domain-name";
import { ipProblem, spfDomainProblem } from "../model/spf";
import type { DmarcSpec, DomainSpec, MailFromSpec, SpfSpec, ZoneRef } from "../model/types";
import type { SesRegion } from "../model/regions";
import { ConfigSchema, type DomainConfig, type SesDomainsConfig } from "./schema";

/** Used when a key is set neither on the domain nor in defaults. */
export const DEFAULT_TTL = 600;
export const DEFAULT_MAIL_FROM: MailFromSpec = { subdomain: "mail", onMxFailure: "useDefault", all: "~all" };
export const DEFAULT_KEY_LENGTH = 2048;

type Parsed = z.output<typeof ConfigSchema>;
type Common = z.output<typeof ConfigSchema>["domains"][string];

/** Validate `raw` (from YAML, JSON or code) and return one spec per domain, sorted by domain name. */
export function resolveConfig(raw: unknown, source?: string): DomainSpec[] {
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(result.error.issues.flatMap(zodIssue), source);
  }
  const issues: ConfigIssue[] = [];
  const specs = resolveDomains(result.data, issues);
  if (issues.length > 0) throw new ConfigError(issues, source);
  return specs.sort((a, b) => (a.domain < b.domain ? -1 : 1));
}

/** Library entry point with the public config type. */
export function resolveDomains(config: SesDomainsConfig | Parsed, issues: ConfigIssue[]): DomainSpec[] {
  const defaults: Common = config.defaults ?? {};
  const seen = new Map<string, string>();
  const specs: DomainSpec[] = [];
  if (Object.keys(config.domains).length === 0) {
    issues.push({ path: ["domains"], message: "must list at least one domain" });
  }
  for (const [key, domainConfig] of Object.entries(config.domains) as [string, DomainConfig][]) {
    const issuesBefore = issues.length;
    const at = (...rest: PropertyKey[]) => ["domains", key, ...rest];
    const domain = normalizeDomain(key);
    const nameProblem = hostnameProblem(domain, 2);
    if (nameProblem) {
      issues.push({ path: at(), message: `identity domain ${nameProblem}` });
      continue;
    }
    const twin = seen.get(domain);
    if (twin !== undefined) {
      issues.push({ path: at(), message: `is the same identity as domains["${twin}"] (names are case-insensitive)` });
      continue;
    }
    seen.set(domain, key);

    const d = domainConfig as Common;
    const regions = resolveRegions(d, defaults, at, issues);
    const ttl = d.ttl ?? defaults.ttl ?? DEFAULT_TTL;
    const dkim = d.dkim ?? defaults.dkim;
    const mailFrom = resolveMailFrom(domain, d.mailFrom, defaults.mailFrom, at, issues);
    const spf = resolveSpf(d.spf, defaults.spf, at, issues);
    const dmarc = resolveDmarc(d.dmarc, defaults.dmarc, mailFrom, at, issues);
    const zone = resolveZone(domain, d.dns ?? defaults.dns, d.dns ? at("dns") : ["defaults", "dns"], at, issues);
    if (issues.length > issuesBefore || !regions || !zone) continue;
    specs.push({
      domain,
      regions,
      ttl,
      dkim: { type: "easy", keyLength: dkim?.keyLength ?? DEFAULT_KEY_LENGTH },
      mailFrom,
      spf,
      dmarc,
      tags: { ...defaults.tags, ...d.tags },
      zone,
    });
  }
  return specs;
}

type At = (...rest: PropertyKey[]) => PropertyKey[];

function resolveRegions(d: Common, defaults: Common, at: At, issues: ConfigIssue[]): SesRegion[] | undefined {
  for (const [where, c] of [
    [at(), d],
    [["defaults"], defaults],
  ] as const) {
    if (c.region !== undefined && c.regions !== undefined) {
      issues.push({ path: [...where, "regions"], message: "set region or regions, not both" });
      return undefined;
    }
  }
  const owner = d.region !== undefined || d.regions !== undefined ? d : defaults;
  const regions = owner.regions ?? (owner.region !== undefined ? [owner.region] : undefined);
  if (!regions) {
    issues.push({ path: at("region"), message: "is required: set region (or regions) on the domain or in defaults" });
    return undefined;
  }
  const dup = regions.find((r, i) => regions.indexOf(r) !== i);
  if (dup) {
    issues.push({
      path: owner === d ? at("regions") : ["defaults", "regions"],
      message: `lists ${dup} twice; each region may appear once`,
    });
    return undefined;
  }
  return [...regions];
}

function resolveMailFrom(
  domain: string,
  own: Common["mailFrom"],
  fallback: Common["mailFrom"],
  at: At,
  issues: ConfigIssue[],
): MailFromSpec | false {
  if (own === false || (own === undefined && fallback === false)) return false;
  const merged: MailFromSpec = { ...DEFAULT_MAIL_FROM, ...(fallback || {}), ...(own || {}) };
  const subdomain = normalizeDomain(merged.subdomain);
  const problem = hostnameProblem(subdomain);
  const where = own && own.subdomain !== undefined ? at("mailFrom", "subdomain") : ["defaults", "mailFrom", "subdomain"];
  if (problem) {
    issues.push({ path: where, message: `must be a DNS name under ${domain}; ${problem}, got ${describeValue(merged.subdomain)}` });
  } else if (`${subdomain}.${domain}`.length > 253) {
    issues.push({ path: where, message: `makes ${subdomain}.${domain}, longer than 253 characters` });
  }
  return { ...merged, subdomain };
}

function resolveSpf(own: Common["spf"], fallback: Common["spf"], at: At, issues: ConfigIssue[]): SpfSpec | undefined {
  if (own === undefined && fallback === undefined) return undefined;
  const m = { ...fallback, ...own };
  const spec: SpfSpec = {
    include: m.include ?? [],
    ip4: m.ip4 ?? [],
    ip6: m.ip6 ?? [],
    a: m.a ?? [],
    mx: m.mx ?? [],
    all: m.all ?? "~all",
    extraTxt: m.extraTxt ?? [],
  };
  const where = (field: keyof SpfSpec) => (own && own[field] !== undefined ? at("spf", field) : ["defaults", "spf", field]);
  spec.ip4.forEach((v, i) => check(ipProblem(v, 4), [...where("ip4"), i], issues));
  spec.ip6.forEach((v, i) => check(ipProblem(v, 6), [...where("ip6"), i], issues));
  spec.include.forEach((v, i) => check(spfDomainProblem(v), [...where("include"), i], issues));
  spec.a.forEach((v, i) => check(v === "" ? undefined : spfDomainProblem(v), [...where("a"), i], issues));
  spec.mx.forEach((v, i) => check(v === "" ? undefined : spfDomainProblem(v), [...where("mx"), i], issues));
  spec.extraTxt.forEach((v, i) => {
    if (/^v=spf1(\s|$)/i.test(v)) {
      issues.push({
        path: [...where("extraTxt"), i],
        message: "is a second SPF record; a name may hold only one (RFC 7208 §3.2): put its terms in spf instead",
      });
    }
  });
  return spec;
}

function resolveDmarc(
  own: Common["dmarc"],
  fallback: Common["dmarc"],
  mailFrom: MailFromSpec | false,
  at: At,
  issues: ConfigIssue[],
): DmarcSpec | undefined {
  if (own === undefined && fallback === undefined) return undefined;
  const m = { ...fallback, ...own };
  const where = (field: string) =>
    own && (own as Record<string, unknown>)[field] !== undefined ? at("dmarc", field) : ["defaults", "dmarc", field];
  if (m.p === undefined) {
    issues.push({ path: at("dmarc", "p"), message: 'is required when dmarc is set: "none", "quarantine" or "reject"' });
    return undefined;
  }
  const uris = (field: "rua" | "ruf") =>
    m[field]?.map((value, i) => {
      const r = reportUri(value);
      if ("problem" in r) issues.push({ path: [...where(field), i], message: r.problem });
      return "uri" in r ? r.uri : value;
    });
  if (m.fo !== undefined) check(foProblem(m.fo), where("fo"), issues);
  if (m.aspf === "s" && mailFrom) {
    issues.push({
      path: where("aspf"),
      message: `"s" (strict) can never pass: SES's MAIL FROM is always a subdomain (${mailFrom.subdomain}.…), so SPF aligns only with aspf "r"`,
    });
  }
  return { ...m, p: m.p, rua: uris("rua"), ruf: uris("ruf") };
}

function resolveZone(
  domain: string,
  dns: Common["dns"],
  dnsPath: PropertyKey[],
  at: At,
  issues: ConfigIssue[],
): ZoneRef | undefined {
  const route53 = dns?.route53;
  if (!route53) {
    issues.push({ path: at("dns", "route53"), message: "is required: { zoneId: Z… } or { zoneName: <zone> }, on the domain or in defaults" });
    return undefined;
  }
  const here = [...dnsPath, "route53"];
  if (route53.zoneId !== undefined && route53.zoneName !== undefined) {
    issues.push({ path: here, message: "set zoneId or zoneName, not both" });
    return undefined;
  }
  if (route53.zoneId !== undefined) return { zoneId: route53.zoneId.replace(/^\/hostedzone\//, "") };
  if (route53.zoneName === undefined) {
    issues.push({ path: here, message: "needs zoneId or zoneName" });
    return undefined;
  }
  const zoneName = normalizeDomain(route53.zoneName);
  const problem = hostnameProblem(zoneName);
  if (problem) {
    issues.push({ path: [...here, "zoneName"], message: `${problem}, got ${describeValue(route53.zoneName)}` });
    return undefined;
  }
  if (!isWithin(domain, zoneName)) {
    issues.push({
      path: [...here, "zoneName"],
      message: `must be ${domain} or a parent of it (the zone that holds its records), got ${describeValue(route53.zoneName)}`,
    });
    return undefined;
  }
  return { zoneName };
}

function check(problem: string | undefined, path: PropertyKey[], issues: ConfigIssue[]): void {
  if (problem) issues.push({ path, message: problem });
}

/** A zod issue in the project's words: the field, what is allowed, and what was given. */
function zodIssue(issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code === "invalid_union") {
    // Report the branch the value was meant for: the one that failed deeper than "wrong kind of value".
    const meant = issue.errors.filter(
      (branch) => !branch.every((sub) => sub.path.length === 0 && (sub.code === "invalid_type" || sub.code === "invalid_value")),
    );
    if (meant.length === 1) return meant[0].flatMap((sub) => zodIssue({ ...sub, path: [...issue.path, ...sub.path] }));
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return [{ path: issue.path, message: `is required; ${issue.message}` }];
  }
  const got = issue.code === "unrecognized_keys" ? "" : `, got ${describeValue(issue.input)}`;
  return [{ path: issue.path, message: `${issue.message}${got}` }];
}
