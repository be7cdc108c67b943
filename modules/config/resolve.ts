/**
 * From a parsed config object to one DomainSpec per domain: schema check, defaults merged (CONFIG.md:
 * dmarc, mailFrom, spf and tags merge field by field; dkim, dns, region/regions and ttl replace whole),
 * and the rules that need the merged view. Every problem is collected before anything is thrown.
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import { ConfigError, describeValue, type ConfigIssue } from "../errors";
import { normalizeDkimPublicKey } from "../model/dkim-key";
import { reportUri } from "../model/dmarc";
import { isWithin, normalizeDomain } from "../model/domain-name";
import { apexSpfRecord, checkSpf, spfDomainProblem } from "../model/spf";
import {
  ACCOUNT_STACK,
  DEFAULT_ACCOUNT_SUPPRESSION,
  DEFAULT_ALARM_THRESHOLDS,
  DEFAULT_CONFIGURATION_SET,
  DEFAULT_EVENT_TYPES,
  SES_REPUTATION,
} from "../model/operations";
import type {
  AccountSpec,
  AlarmsSpec,
  CollectSpec,
  ConfigurationSetSpec,
  DmarcSpec,
  DomainSpec,
  MailFromSpec,
  SenderSpec,
  SpfSpec,
  Warning,
  ZoneRef,
} from "../model/types";
import type { SesRegion } from "../model/regions";
import { ConfigSchema, type BackendConfig } from "./schema";

/** Used when a key is set neither on the domain nor in defaults. */
export const DEFAULT_TTL = 600;
export const DEFAULT_MAIL_FROM: MailFromSpec = { subdomain: "mail", onMxFailure: "useDefault", all: "~all" };
export const DEFAULT_KEY_LENGTH = 2048;

type Parsed = z.output<typeof ConfigSchema>;
type Common = Parsed["domains"][string];

/** Everything a synth needs from a config: the domains, the account settings, and how stacks keep their state. */
export interface ResolvedProject {
  readonly domains: DomainSpec[];
  /** Every stack name, sorted: the hash buckets (even empty ones) and the pins. */
  readonly stacks: string[];
  readonly backend?: BackendConfig;
  /** Account-level settings (the ses-account stack); false leaves them alone. */
  readonly account: AccountSpec | false;
  /** Where the shared alarm topic of each region sends: defaults.alarms.notify.email. */
  readonly alarmEmails: readonly string[];
  /** Warnings about the config as written (thresholds, alarms that tell nobody), before any domain is planned. */
  readonly warnings: readonly Warning[];
}

/** Validate `raw` (from YAML, JSON or code) and return one spec per domain, sorted by domain name. */
export function resolveConfig(raw: unknown, source?: string): DomainSpec[] {
  return resolveProject(raw, source).domains;
}

/** Like resolveConfig, with the stack list and backend settings. */
export function resolveProject(raw: unknown, source?: string): ResolvedProject {
  // Key material is reported by path and blanked before anything else reads the config, so no later
  // message can echo it; the rest of the file is still checked in the same run.
  const secrets = privateKeyMaterial(raw, []);
  const checked = secrets.length > 0 ? redact(raw, new Set(secrets.map((s) => JSON.stringify(s.path))), []) : raw;
  const result = ConfigSchema.safeParse(checked, { reportInput: true });
  if (!result.success || secrets.length > 0) {
    const issues = result.success ? [] : result.error.issues.flatMap(zodIssue);
    const under = (path: readonly PropertyKey[], secret: readonly PropertyKey[]) => secret.every((key, i) => path[i] === key);
    const elsewhere = issues.filter((issue) => !secrets.some((secret) => under(issue.path, secret.path)));
    throw new ConfigError([...secrets, ...elsewhere], source);
  }
  const issues: ConfigIssue[] = [];
  const specs = resolveDomains(result.data, issues);
  const defaultAlarms = resolveAlarms(undefined, result.data.defaults?.alarms);
  checkAccountAlarmTopic(defaultAlarms, specs, issues);
  for (const spec of specs) {
    if (spec.stack === ACCOUNT_STACK) {
      issues.push({
        path: ["domains", spec.domain, "stack"],
        message: `"${ACCOUNT_STACK}" is the stack of account-level settings; pin the domain to another name`,
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues, source);
  const count = result.data.stacks?.count;
  const stacks = [...new Set([...(count === undefined ? [] : bucketStacks(count)), ...specs.map((s) => s.stack)])].sort();
  const account = result.data.account;
  const notify = defaultAlarms ? defaultAlarms.notify : undefined;
  return {
    domains: specs.sort((a, b) => (a.domain < b.domain ? -1 : 1)),
    stacks,
    ...(result.data.backend ? { backend: result.data.backend } : {}),
    account:
      account === false
        ? false
        : {
            suppression: account?.suppression ?? DEFAULT_ACCOUNT_SUPPRESSION,
            ...(account?.vdm ? { vdm: account.vdm } : {}),
            alarms: defaultAlarms,
          },
    alarmEmails: notify && "email" in notify ? notify.email : [],
    warnings: configWarnings(result.data, defaultAlarms),
  };
}

/** Merge defaults into each domain and check the rules that need the merged view; problems go to `issues`. */
function resolveDomains(config: Parsed, issues: ConfigIssue[]): DomainSpec[] {
  const defaults: Common = config.defaults ?? {};
  const specs: DomainSpec[] = [];
  for (const [key, d] of Object.entries(config.domains)) {
    const issuesBefore = issues.length;
    const at = (...rest: PropertyKey[]) => ["domains", key, ...rest];
    const domain = normalizeDomain(key);

    const regions = resolveRegions(d, defaults, at, issues);
    const ttl = d.ttl ?? defaults.ttl ?? DEFAULT_TTL;
    const dkim = d.dkim ?? defaults.dkim;
    const mailFrom = resolveMailFrom(domain, d.mailFrom, defaults.mailFrom, at, issues);
    const spf = resolveSpf(d.spf, defaults.spf, at, issues);
    const dmarc = resolveDmarc(d.dmarc, defaults.dmarc, mailFrom, at, issues);
    const zone = resolveZone(domain, d.dns ?? defaults.dns, d.dns ? at("dns") : ["defaults", "dns"], at, issues);
    const resolvedDkim = resolveDkim(dkim, d.dkim ? at("dkim") : ["defaults", "dkim"], issues);
    const configurationSet = regions ? resolveConfigurationSet(domain, regions, mailFrom, d.configurationSet, defaults.configurationSet, at, issues) : false;
    const alarms = resolveAlarms(d.alarms, defaults.alarms);
    if (alarms && regions)
      checkTopicRegion(
        alarms.notify,
        regions,
        (d.alarms ? d.alarms.notify : undefined) ? at("alarms", "notify", "topicArn") : ["defaults", "alarms", "notify", "topicArn"],
        "alarms",
        issues,
      );
    if (alarms && configurationSet && !configurationSet.reputationMetrics && d.alarms !== undefined) {
      issues.push({
        path: at("alarms"),
        message:
          "needs configurationSet.reputationMetrics: true: a configuration set publishes its bounce and complaint rates only then, so its alarms would never see data",
      });
    }
    const senders = resolveSenders(domain, d.senders, defaults.senders, at, issues);
    if (issues.length > issuesBefore || !regions || !zone) continue;
    specs.push({
      domain,
      stack: d.stack ?? stackFor(domain, config.stacks?.count),
      regions,
      ttl,
      dkim: resolvedDkim,
      mailFrom,
      spf,
      dmarc,
      tags: { ...defaults.tags, ...d.tags },
      zone,
      configurationSet,
      alarms: configurationSet !== false && configurationSet.reputationMetrics ? alarms : false,
      senders,
      ...((d.adopt ?? defaults.adopt) ? { adopt: true } : {}),
    });
  }
  return specs;
}

type At = (...rest: PropertyKey[]) => PropertyKey[];

/**
 * Where a merged field came from: the domain's own `section.field` when it set it, else the default's.
 * Errors point at the line the user wrote.
 */
function fieldPath(own: object | false | undefined, section: string, at: At): (field: string) => PropertyKey[] {
  return (field) => (own && (own as Record<string, unknown>)[field] !== undefined ? at(section, field) : ["defaults", section, field]);
}

/** The stack name while all domains share one state. */
export const DEFAULT_STACK = "ses-domains";

/**
 * The stack a domain lands in: with `stacks.count`, a bucket chosen by a hash of the domain name alone,
 * so adding or removing a domain never moves another one; without it, the one default stack.
 */
export function stackFor(domain: string, count: number | undefined): string {
  if (count === undefined) return DEFAULT_STACK;
  const bucket = createHash("sha256").update(domain).digest().readUInt32BE(0) % count;
  return `${DEFAULT_STACK}-${bucket}`;
}

/** Stack names for `stacks.count`, in order: every bucket has a stack, even while it is empty. */
export function bucketStacks(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${DEFAULT_STACK}-${i}`);
}

function resolveDkim(dkim: Common["dkim"], where: PropertyKey[], issues: ConfigIssue[]): DomainSpec["dkim"] {
  if (dkim?.type !== "byo") return { type: "easy", keyLength: dkim?.keyLength ?? DEFAULT_KEY_LENGTH };
  // The schema has checked every key; here they take their canonical SPKI form.
  const spki = (key: string) => {
    const normalized = normalizeDkimPublicKey(key);
    return "spki" in normalized ? normalized.spki : key;
  };
  const published = (key: { selector: string; publicKey: string }) => ({ selector: key.selector, publicKey: spki(key.publicKey) });
  const next = dkim.rotation?.next && published(dkim.rotation.next);
  const previous = dkim.rotation?.previous && published(dkim.rotation.previous);
  const keys = [
    { key: published(dkim), field: [] as string[] },
    ...(next ? [{ key: next, field: ["rotation", "next"] }] : []),
    ...(previous ? [{ key: previous, field: ["rotation", "previous"] }] : []),
  ];
  keys.forEach(({ key, field }, i) => {
    const twin = keys.slice(0, i).find((k) => k.key.selector.toLowerCase() === key.selector.toLowerCase());
    if (twin) {
      issues.push({
        path: [...where, ...field, "selector"],
        message: `"${key.selector}" is already the ${twin.field.length ? twin.field.join(".") : "signing"} selector; each key needs its own selector`,
      });
    }
  });
  return {
    type: "byo",
    ...published(dkim),
    privateKey: dkim.privateKey,
    ...(next ? { next } : {}),
    ...(previous ? { previous } : {}),
  };
}

function resolveRegions(d: Common, defaults: Common, at: At, issues: ConfigIssue[]): SesRegion[] | undefined {
  const owner = d.region !== undefined || d.regions !== undefined ? d : defaults;
  const regions = owner.regions ?? (owner.region !== undefined ? [owner.region] : undefined);
  if (!regions) {
    issues.push({ path: at("region"), message: "is required: set region (or regions) on the domain or in defaults" });
    return undefined;
  }
  return [...regions];
}

function resolveMailFrom(domain: string, own: Common["mailFrom"], fallback: Common["mailFrom"], at: At, issues: ConfigIssue[]): MailFromSpec | false {
  if (own === false || (own === undefined && fallback === false)) return false;
  const merged: MailFromSpec = { ...DEFAULT_MAIL_FROM, ...(fallback || {}), ...(own || {}) };
  const subdomain = normalizeDomain(merged.subdomain);
  if (`${subdomain}.${domain}`.length > 253) {
    issues.push({ path: fieldPath(own, "mailFrom", at)("subdomain"), message: `makes ${subdomain}.${domain}, longer than 253 characters` });
  }
  return { ...merged, subdomain };
}

const STRUCTURED_SPF = ["include", "ip4", "ip6", "a", "mx", "all"] as const;

function resolveSpf(own: Common["spf"], fallback: Common["spf"], at: At, issues: ConfigIssue[]): SpfSpec | undefined {
  if (own === undefined && fallback === undefined) return undefined;
  const m = { ...fallback, ...own };
  const where = fieldPath(own, "spf", at);
  const allowMacros = m.allowMacros ?? false;
  const spec: SpfSpec = {
    record: m.record,
    allowMacros,
    include: m.include ?? [],
    ip4: m.ip4 ?? [],
    ip6: m.ip6 ?? [],
    a: m.a ?? [],
    mx: m.mx ?? [],
    all: m.all ?? "~all",
    extraTxt: m.extraTxt ?? [],
  };
  if (m.record !== undefined) {
    const mixed = STRUCTURED_SPF.filter((field) => m[field] !== undefined);
    if (mixed.length > 0) {
      issues.push({
        path: where("record"),
        message: `set record or the structured fields (${STRUCTURED_SPF.join(", ")}), not both; also set: ${mixed.join(", ")}`,
      });
      return undefined;
    }
    for (const problem of checkSpf(m.record, { allowMacros }).problems) issues.push({ path: where("record"), message: problem });
    return spec;
  }
  const before = issues.length;
  for (const field of ["include", "a", "mx"] as const) {
    spec[field].forEach((value, i) => {
      if (field !== "include" && value === "") return;
      const problem = spfDomainProblem(value, allowMacros);
      if (problem) issues.push({ path: [...where(field), i], message: problem });
    });
  }
  if (issues.length > before) return undefined;
  for (const problem of checkSpf(apexSpfRecord(spec), { allowMacros }).problems) {
    issues.push({ path: problem.startsWith("spends") ? where("include") : at("spf"), message: problem });
  }
  return spec;
}

function resolveDmarc(own: Common["dmarc"], fallback: Common["dmarc"], mailFrom: MailFromSpec | false, at: At, issues: ConfigIssue[]): DmarcSpec | undefined {
  if (own === undefined && fallback === undefined) return undefined;
  const m = { ...fallback, ...own };
  const where = fieldPath(own, "dmarc", at);
  if (m.p === undefined) {
    issues.push({ path: at("dmarc", "p"), message: 'is required when dmarc is set: "none", "quarantine" or "reject"' });
    return undefined;
  }
  // The schema has checked every address; here they only take their mailto: form.
  const uris = (field: "rua" | "ruf") =>
    m[field]?.map((value) => {
      const r = reportUri(value);
      return "uri" in r ? r.uri : value;
    });
  if (m.aspf === "s" && mailFrom) {
    issues.push({
      path: where("aspf"),
      message: `"s" (strict) can never pass: SES's MAIL FROM is always a subdomain (${mailFrom.subdomain}.…), so SPF aligns only with aspf "r"`,
    });
  }
  const collect = m.collect && resolveCollect(m.collect, where("collect"));
  // Reports go to the collecting address unless the config names rua itself.
  const rua = m.rua === undefined && collect ? [`mailto:${collect.address}`] : uris("rua");
  const { collect: _raw, ...tags } = m;
  return { ...tags, p: m.p, rua, ruf: uris("ruf"), ...(collect ? { collect } : {}) };
}

function resolveCollect(collect: NonNullable<NonNullable<Common["dmarc"]>["collect"]>, path: PropertyKey[]): CollectSpec {
  const at = collect.address.lastIndexOf("@");
  const domain = normalizeDomain(collect.address.slice(at + 1));
  return {
    address: `${collect.address.slice(0, at)}@${domain}`,
    domain,
    region: collect.region,
    bucket: collect.bucket,
    existingBucket: collect.existingBucket ?? false,
    prefix: collect.prefix ?? "rua/",
    path,
  };
}

function resolveZone(domain: string, dns: Common["dns"], dnsPath: PropertyKey[], at: At, issues: ConfigIssue[]): ZoneRef | undefined {
  if (dns?.external) return { external: true };
  const route53 = dns?.route53;
  if (!route53) {
    issues.push({
      path: at("dns"),
      message: "is required: { route53: { zoneId: Z… } }, { route53: { zoneName: <zone> } } or { external: {} }, on the domain or in defaults",
    });
    return undefined;
  }
  const here = [...dnsPath, "route53"];
  const role = route53.assumeRoleArn !== undefined ? { assumeRoleArn: route53.assumeRoleArn } : {};
  if (route53.zoneId !== undefined) return { zoneId: route53.zoneId.replace(/^\/hostedzone\//, ""), ...role };
  if (route53.zoneName === undefined) {
    issues.push({ path: here, message: "needs zoneId or zoneName" });
    return undefined;
  }
  const zoneName = normalizeDomain(route53.zoneName);
  if (!isWithin(domain, zoneName)) {
    issues.push({
      path: [...here, "zoneName"],
      message: `must be ${domain} or a parent of it (the zone that holds its records), got ${describeValue(route53.zoneName)}`,
    });
    return undefined;
  }
  return { zoneName, ...role };
}

/**
 * Private key material anywhere in the config (a PEM private key block), found before anything else
 * so that no later message can echo it. Only paths are reported, never the value.
 */
function privateKeyMaterial(value: unknown, path: PropertyKey[]): ConfigIssue[] {
  if (typeof value === "string") {
    return /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(value)
      ? [
          {
            path,
            message:
              "holds a private key (a PEM PRIVATE KEY block), which must never be in the config: keep it in a sensitive Terraform variable, Secrets Manager or SSM and reference it from dkim.privateKey",
          },
        ]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => privateKeyMaterial(v, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => privateKeyMaterial(v, [...path, k]));
  }
  return [];
}

function redact(value: unknown, paths: ReadonlySet<string>, path: PropertyKey[]): unknown {
  if (paths.has(JSON.stringify(path))) return "";
  if (Array.isArray(value)) return value.map((v, i) => redact(v, paths, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, paths, [...path, k])]));
  }
  return value;
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
  // Custom rules write their own "got …"; unknown keys name themselves. A discriminator issue (dkim.type)
  // carries the whole object as its input: report the field's own value.
  const field = issue.path[issue.path.length - 1];
  const input =
    issue.input !== null && typeof issue.input === "object" && !Array.isArray(issue.input) && typeof field === "string" && field in issue.input
      ? (issue.input as Record<string, unknown>)[field]
      : issue.input;
  const got = issue.code === "unrecognized_keys" || issue.code === "custom" ? "" : `, got ${describeValue(input)}`;
  return [{ path: issue.path, message: `${issue.message}${got}` }];
}

type SetConfig = Exclude<Common["configurationSet"], undefined>;

/**
 * The configuration set: on unless `false`, top-level fields merged over defaults (nested objects such
 * as events replace whole), then the rules that need the domain: the tracking domain lies under it and
 * is no other record's name, an existing SNS topic is in every region of the domain, events name a destination.
 */
function resolveConfigurationSet(
  domain: string,
  regions: readonly SesRegion[],
  mailFrom: MailFromSpec | false,
  own: Common["configurationSet"],
  fallback: Common["configurationSet"],
  at: At,
  issues: ConfigIssue[],
): ConfigurationSetSpec | false {
  if (own === false || (own === undefined && fallback === false)) return false;
  const m: Exclude<SetConfig, false> = { ...(fallback || {}), ...(own || {}) };
  const where = fieldPath(own, "configurationSet", at);
  const spec: { -readonly [K in keyof ConfigurationSetSpec]: ConfigurationSetSpec[K] } = {
    ...DEFAULT_CONFIGURATION_SET,
    ...(m.name !== undefined ? { name: m.name } : {}),
    ...(m.tls !== undefined ? { tls: m.tls } : {}),
    ...(m.reputationMetrics !== undefined ? { reputationMetrics: m.reputationMetrics } : {}),
    ...(m.suppress !== undefined ? { suppress: m.suppress } : {}),
    ...(m.maxDeliverySeconds !== undefined ? { maxDeliverySeconds: m.maxDeliverySeconds } : {}),
    ...(m.vdm !== undefined ? { vdm: m.vdm } : {}),
  };
  if (m.trackingDomain) {
    const tracking = normalizeDomain(m.trackingDomain.domain);
    const path = [...where("trackingDomain"), "domain"];
    const mailFromDomain = mailFrom ? `${mailFrom.subdomain}.${domain}` : undefined;
    if (!isWithin(tracking, domain) || tracking === domain) {
      issues.push({
        path,
        message: `must be a name under ${domain} (SES accepts a tracking domain only under a verified identity, and the apex cannot be a CNAME), got ${JSON.stringify(m.trackingDomain.domain)}`,
      });
    } else if (tracking === mailFromDomain || tracking === `_dmarc.${domain}`) {
      issues.push({
        path,
        message: `${tracking} already holds the ${tracking === mailFromDomain ? "MAIL FROM MX and SPF" : "DMARC"} records; a CNAME cannot share a name with other records`,
      });
    } else {
      spec.trackingDomain = {
        domain: tracking,
        https: m.trackingDomain.https ?? "require",
        ...(m.trackingDomain.target !== undefined ? { target: normalizeDomain(m.trackingDomain.target) } : {}),
      };
    }
  }
  if (m.events) {
    const events = m.events;
    const path = where("events");
    if (!events.cloudwatch && !events.sns && !events.eventBridge) {
      issues.push({ path, message: "names no destination: set cloudwatch: true, sns: { topicArn } or { create: true }, or eventBridge: true" });
    }
    if (events.sns && "topicArn" in events.sns) checkTopicRegion(events.sns, regions, [...path, "sns", "topicArn"], "events", issues);
    spec.events = {
      types: events.types ?? DEFAULT_EVENT_TYPES,
      cloudwatch: events.cloudwatch ?? false,
      eventBridge: events.eventBridge ?? false,
      ...(events.sns ? { sns: events.sns } : {}),
    };
  }
  return spec;
}

/** SES and CloudWatch publish only to an SNS topic in their own region. */
function checkTopicRegion(
  notify: { topicArn?: string } | { email: readonly string[] } | undefined,
  regions: readonly SesRegion[],
  path: PropertyKey[],
  what: string,
  issues: ConfigIssue[],
): void {
  if (!notify || !("topicArn" in notify) || notify.topicArn === undefined) return;
  const topicRegion = notify.topicArn.split(":")[3];
  const others = regions.filter((r) => r !== topicRegion);
  if (others.length > 0) {
    const fix = what === "events" ? "use sns: { create: true } (a topic per region)" : "use notify: { email: [...] } (a topic per region)";
    issues.push({ path, message: `is in ${topicRegion}, but ${what} in ${others.join(", ")} can publish only to a topic in their own region; ${fix}` });
  }
}

/** Account alarms run in every region in use: an existing topic must be in all of them. */
function checkAccountAlarmTopic(alarms: AlarmsSpec | false, specs: readonly DomainSpec[], issues: ConfigIssue[]): void {
  if (!alarms) return;
  const regions = [...new Set(specs.flatMap((s) => s.regions))].sort();
  checkTopicRegion(alarms.notify, regions, ["defaults", "alarms", "notify", "topicArn"], "account alarms", issues);
}

/** Alarms: on unless `false`, fields merged over defaults; thresholds were checked by the schema. */
function resolveAlarms(own: Common["alarms"], fallback: Common["alarms"]): AlarmsSpec | false {
  if (own === false || (own === undefined && fallback === false)) return false;
  const m = { ...(fallback || {}), ...(own || {}) };
  return {
    bounceRate: m.bounceRate ?? DEFAULT_ALARM_THRESHOLDS.bounceRate,
    complaintRate: m.complaintRate ?? DEFAULT_ALARM_THRESHOLDS.complaintRate,
    ...(m.notify ? { notify: m.notify } : {}),
    ownNotify: own ? own.notify !== undefined : false,
  };
}

/**
 * Senders: a domain's list replaces the default list. `from` entries become addresses at the domain:
 * a local part gets `@<domain>`, `*` means any address of the domain, a full address must be at the domain.
 */
function resolveSenders(domain: string, own: Common["senders"], fallback: Common["senders"], at: At, issues: ConfigIssue[]): SenderSpec[] {
  const list = own ?? fallback ?? [];
  const base = own ? at("senders") : ["defaults", "senders"];
  return list.map((sender, i) => {
    const from = sender.from.flatMap((entry, j) => {
      const path = [...base, i, "from", j];
      if (entry === "*") return [`*@${domain}`];
      const at = entry.lastIndexOf("@");
      const local = at === -1 ? entry : entry.slice(0, at);
      const host = at === -1 ? domain : normalizeDomain(entry.slice(at + 1));
      if (!/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/.test(local)) {
        issues.push({ path, message: `must be a local part (tickets), an address at ${domain}, or "*", got ${JSON.stringify(entry)}` });
        return [];
      }
      if (host !== domain) {
        issues.push({ path, message: `is not at ${domain}: a sender of ${domain} may send only as its addresses; list it under the domain it belongs to` });
        return [];
      }
      return [`${local}@${domain}`];
    });
    return {
      name: sender.name,
      from: [...new Set(from)],
      ...(sender.role !== undefined ? { role: sender.role } : {}),
      ...(sender.account !== undefined ? { account: sender.account } : {}),
      smtp: sender.smtp ?? false,
      path: [...base, i],
    };
  });
}

/** Warnings about the config as written, once per place the user wrote the value. */
function configWarnings(config: Parsed, defaultAlarms: AlarmsSpec | false): Warning[] {
  const warnings: Warning[] = [];
  const thresholds = (alarms: Common["alarms"], path: PropertyKey[]) => {
    if (!alarms) return;
    for (const [field, metric] of [
      ["bounceRate", "bounce"],
      ["complaintRate", "complaint"],
    ] as const) {
      const value = alarms[field];
      const { review } = SES_REPUTATION[metric];
      if (value !== undefined && value >= review) {
        warnings.push({
          code: "alarm-at-review-rate",
          path: [...path, field],
          message: `${value} is at or above ${review}, the ${metric} rate at which SES puts the account under review: the alarm would fire only once the account is already under review; choose a lower value (default ${DEFAULT_ALARM_THRESHOLDS[field]})`,
        });
      }
    }
  };
  thresholds(config.defaults?.alarms, ["defaults", "alarms"]);
  for (const [key, d] of Object.entries(config.domains)) thresholds(d.alarms, ["domains", key, "alarms"]);
  if (defaultAlarms && !defaultAlarms.notify) {
    warnings.push({
      code: "alarms-no-notify",
      path: ["defaults", "alarms", "notify"],
      message:
        "reputation alarms are on but notify nobody: they change state in CloudWatch and no one hears; set defaults.alarms.notify to { email: [...] } or { topicArn }",
    });
  }
  return warnings;
}
