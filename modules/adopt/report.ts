/**
 * The heart of `adopt`: compare what each adopting domain's plan writes with what is live, say per
 * resource whether the first apply adopts it unchanged, adopts and changes it, or creates it, and list
 * the live TXT values the config lacks (the apply would delete them). The adoption file is built from
 * the same comparison: it lists exactly the resources found to exist. Pure: findings come in as data.
 */
import { plannedResources } from "../model/addresses";
import {
  adoptableResources,
  ADOPTION_VERSION,
  withTokens,
  zoneIdOf,
  type AdoptedResource,
  type AdoptionEvidence,
  type AdoptionFile,
  type DomainAdoption,
} from "../model/adoption";
import { normalizeDomain } from "../model/domain-name";
import type { DnsRecord, DomainPlan, IdentityPlan } from "../model/records";
import type { SesRegion } from "../model/regions";
import type { ConfigurationSetPlan } from "../model/operations";
import type { DkimTokens } from "../verify/verify";
import { dnsKey, type DnsFinding, type SesFindings, type SesIdentityFinding } from "./live";
import type { DnsQuestion } from "./dns";

export type ItemStatus =
  /** Exists and matches the config: imported, the apply leaves it as it is. */
  | "unchanged"
  /** Exists and differs: imported, the apply changes it (see `changes`). */
  | "changed"
  /** Exists and is imported; its settings were not read (SES without --from-aws): the plan shows any change. */
  | "adopt"
  /** Does not exist: the apply creates it. */
  | "create"
  /** Could not be looked at (Easy DKIM tokens unknown, SES not read): not imported. */
  | "not-checked"
  /** A CNAME holds the name: Route 53 cannot put the record beside it. */
  | "conflict"
  /** DNS did not answer. */
  | "error";

export interface Change {
  readonly field: string;
  readonly from: string;
  readonly to: string;
}

export interface AdoptItem {
  readonly address: string;
  readonly kind: "identity" | "mail-from" | "configuration-set" | "record";
  /** `SES identity example.com (us-east-1)`, `TXT _dmarc.example.com`. */
  readonly what: string;
  readonly region?: SesRegion;
  readonly type?: DnsRecord["type"];
  /** Record name with the tokens filled; unset while they are unknown. */
  readonly name?: string;
  readonly status: ItemStatus;
  /** Live values of a record (TXT strings joined), when it exists. */
  readonly current?: readonly string[];
  /** What the apply writes, for a record whose name is known. */
  readonly desired?: readonly string[];
  /** For SES resources that change: each setting, old → new. */
  readonly changes?: readonly Change[];
  /** Set when the resource is imported. */
  readonly importId?: string;
  readonly seenIn?: AdoptionEvidence;
  readonly note?: string;
}

/** A live TXT value the config does not have and nothing in it replaces: the first apply deletes it. */
export interface LostValue {
  readonly address: string;
  readonly name: string;
  readonly value: string;
}

export interface DomainReport {
  readonly domain: string;
  /** The hosted zone of the record imports (Route 53 domains). */
  readonly zoneId?: string;
  readonly items: readonly AdoptItem[];
  readonly lost: readonly LostValue[];
  /** Resources of the domain that are never adopted (alarms, event destinations, senders…): created. */
  readonly alsoCreated: number;
  readonly notes: readonly string[];
}

export interface AdoptCounts {
  readonly unchanged: number;
  readonly changed: number;
  readonly adopt: number;
  readonly create: number;
  readonly notChecked: number;
  readonly conflict: number;
  readonly error: number;
  readonly lost: number;
  readonly imports: number;
}

export interface AdoptReport {
  readonly domains: readonly DomainReport[];
  readonly counts: AdoptCounts;
  /** Lost values were accepted with --accept-changes. */
  readonly accepted: boolean;
  /** Nothing in conflict or unanswered, and no lost value unless accepted: the file may be written. */
  readonly ok: boolean;
  /** The adoption file's content. */
  readonly file: AdoptionFile;
}

export interface AdoptInputs {
  /** The adopting domains' plans. */
  readonly plans: readonly DomainPlan[];
  /** Zone ids found for `zoneName` domains (`--zone-id`, or ListHostedZonesByName). */
  readonly zoneIds: ReadonlyMap<string, string>;
  /** Easy DKIM tokens from --tokens / --tf-outputs (without --from-aws). */
  readonly tokens?: DkimTokens;
  /** SES as read with --from-aws; undefined when SES was not read. */
  readonly ses?: SesFindings;
  readonly dns: ReadonlyMap<string, DnsFinding>;
  readonly acceptChanges?: boolean;
}

/** The Easy DKIM tokens adopt works with for a domain: SES's own when read, else the ones given. */
export function tokensFor(plan: DomainPlan, inputs: Pick<AdoptInputs, "tokens" | "ses">): Partial<Record<SesRegion, readonly string[]>> {
  const out: Partial<Record<SesRegion, readonly string[]>> = {};
  for (const identity of plan.identities) {
    if (identity.dkim.type !== "easy") continue;
    if (inputs.ses) {
      const live = inputs.ses.identities.get(identity.emailIdentity ?? plan.domain)?.get(identity.region);
      if (live?.exists && live.dkimOrigin === "AWS_SES" && live.tokens?.length === 3) out[identity.region] = live.tokens;
    } else {
      const given = inputs.tokens?.[plan.domain]?.[identity.region];
      if (given) out[identity.region] = given;
    }
  }
  return out;
}

/** Every DNS question adopt asks for these plans: each record set whose name is known. */
export function dnsQuestions(plans: readonly DomainPlan[], inputs: Pick<AdoptInputs, "tokens" | "ses">): DnsQuestion[] {
  return plans.flatMap((plan) => {
    if ("external" in plan.zone) return [];
    const tokens = tokensFor(plan, inputs);
    return plan.records.flatMap((record) => {
      const name = withTokens(record.name, tokens);
      return name === undefined ? [] : [{ name, type: record.type }];
    });
  });
}

export function buildReport(inputs: AdoptInputs): AdoptReport {
  const domains = inputs.plans.map((plan) => domainReport(plan, inputs));
  const all = domains.flatMap((d) => d.items);
  const count = (status: ItemStatus) => all.filter((i) => i.status === status).length;
  const lost = domains.reduce((n, d) => n + d.lost.length, 0);
  const counts: AdoptCounts = {
    unchanged: count("unchanged"),
    changed: count("changed"),
    adopt: count("adopt"),
    create: count("create"),
    notChecked: count("not-checked"),
    conflict: count("conflict"),
    error: count("error"),
    lost,
    imports: all.filter((i) => i.importId !== undefined).length,
  };
  const accepted = lost > 0 && inputs.acceptChanges === true;
  return {
    domains,
    counts,
    accepted,
    ok: counts.conflict === 0 && counts.error === 0 && (lost === 0 || accepted),
    file: {
      version: ADOPTION_VERSION,
      domains: Object.fromEntries(domains.map((d, i) => [d.domain, fileEntry(inputs.plans[i], d, tokensFor(inputs.plans[i], inputs))])),
    },
  };
}

function fileEntry(plan: DomainPlan, report: DomainReport, tokens: Partial<Record<SesRegion, readonly string[]>>): DomainAdoption {
  const resources: AdoptedResource[] = report.items
    .filter((i) => i.importId !== undefined)
    .map((i) => ({ address: i.address, id: i.importId!, what: i.what, seenIn: i.seenIn! }));
  return {
    ...(report.zoneId !== undefined && !("external" in plan.zone) ? { zoneId: report.zoneId } : {}),
    ...(Object.keys(tokens).length > 0 ? { dkimTokens: Object.fromEntries(Object.entries(tokens).sort(([a], [b]) => (a < b ? -1 : 1))) } : {}),
    resources,
  };
}

function domainReport(plan: DomainPlan, inputs: AdoptInputs): DomainReport {
  const tokens = tokensFor(plan, inputs);
  const zoneId = zoneIdOf(plan, { zoneId: inputs.zoneIds.get(plan.domain) });
  const adoptable = adoptableResources(plan, { zoneId, dkimTokens: tokens });
  const items: AdoptItem[] = [];
  const lost: LostValue[] = [];
  const notes: string[] = [];
  for (const a of adoptable) {
    const role = a.resource.role;
    if (role.kind === "identity") items.push(identityItem(role.identity, a.resource.address, a.id!, a.what, inputs, tokens, notes));
    else if (role.kind === "mail-from") items.push(mailFromItem(role.identity, a.resource.address, a.id!, a.what, inputs));
    else if (role.kind === "configuration-set") items.push(configurationSetItem(role.set, a.resource.address, a.what, inputs));
    else if (role.kind === "record") {
      const item = recordItem(plan, role.record, a.resource.address, a.name, a.id, inputs);
      items.push(item);
      if (item.type === "TXT" && item.current && item.desired) {
        for (const value of lostValues(item.current, item.desired)) lost.push({ address: item.address, name: item.name!, value });
      }
    }
  }
  if ("external" in plan.zone) notes.push("DNS is external: the records are Terraform outputs for another DNS provider, not resources to import");
  return {
    domain: plan.domain,
    ...(zoneId !== undefined ? { zoneId } : {}),
    items,
    lost,
    alsoCreated: plannedResources(plan).length - adoptable.length,
    notes,
  };
}

const sesNotRead = "SES not read (add --from-aws)";

function identityItem(
  identity: IdentityPlan,
  address: string,
  id: string,
  what: string,
  inputs: AdoptInputs,
  tokens: Partial<Record<SesRegion, readonly string[]>>,
  notes: string[],
): AdoptItem {
  const base = { address, kind: "identity" as const, what, region: identity.region };
  if (!inputs.ses) {
    if (identity.dkim.type === "easy" && tokens[identity.region]) {
      return {
        ...base,
        status: "adopt",
        importId: id,
        seenIn: "tokens",
        note: `Easy DKIM tokens were given for ${identity.region}, and SES issues them only to an identity that exists; ${sesNotRead}: the plan shows any change to its settings`,
      };
    }
    return {
      ...base,
      status: "not-checked",
      note: `${sesNotRead}, and no Easy DKIM tokens were given for ${identity.region}: not imported; if it exists, the first apply fails with AlreadyExistsException`,
    };
  }
  const live = inputs.ses.identities.get(id)?.get(identity.region);
  if (!live?.exists) return { ...base, status: "create" };
  const changes: Change[] = [];
  const desiredDkim = identity.dkim.type === "easy" ? `Easy DKIM ${identity.dkim.keyLength}` : `BYODKIM selector ${identity.dkim.selector}`;
  const currentDkim = liveDkim(live);
  if (currentDkim !== desiredDkim) changes.push({ field: "DKIM", from: currentDkim, to: desiredDkim });
  else if (identity.dkim.type === "byo") changes.push({ field: "DKIM private key", from: "not readable", to: "sent again from the config's key reference" });
  const desiredSet = identity.configurationSet?.name;
  if ((live.configurationSetName ?? "") !== (desiredSet ?? "")) {
    changes.push({ field: "default configuration set", from: live.configurationSetName ?? "none", to: desiredSet ?? "none" });
    if (live.configurationSetName !== undefined)
      notes.push(`configuration set ${live.configurationSetName} (${identity.region}) stops being ${id}'s default; the set itself is left alone, unmanaged`);
  }
  const desiredTags = tagText(identity.tags);
  const currentTags = tagText(live.tags);
  if (desiredTags !== currentTags) changes.push({ field: "tags", from: currentTags, to: desiredTags });
  return { ...base, status: changes.length > 0 ? "changed" : "unchanged", ...(changes.length > 0 ? { changes } : {}), importId: id, seenIn: "ses" };
}

function liveDkim(live: Extract<SesIdentityFinding, { exists: true }>): string {
  if (live.dkimOrigin === "AWS_SES") return `Easy DKIM ${live.keyLength ?? "unknown key length"}`;
  if (live.dkimOrigin === "EXTERNAL") return `BYODKIM${live.tokens?.[0] ? ` selector ${live.tokens[0]}` : ""}`;
  return live.dkimOrigin ? `DKIM origin ${live.dkimOrigin}` : "no DKIM";
}

function tagText(tags: Readonly<Record<string, string>>): string {
  const keys = Object.keys(tags).sort();
  return keys.length === 0 ? "none" : keys.map((k) => `${k}=${tags[k]}`).join(", ");
}

function mailFromItem(identity: IdentityPlan, address: string, id: string, what: string, inputs: AdoptInputs): AdoptItem {
  const mailFrom = identity.mailFrom!;
  const base = { address, kind: "mail-from" as const, what, region: identity.region };
  const desired = `${mailFrom.domain}, on MX failure ${mailFrom.behaviorOnMxFailure}`;
  if (!inputs.ses) {
    // Creating MAIL FROM attributes is a PutEmailIdentityMailFromAttributes, which overwrites: nothing fails.
    return { ...base, status: "create", note: `${sesNotRead}: the apply sets ${desired}, replacing any MAIL FROM set in the console` };
  }
  const live = inputs.ses.identities.get(id)?.get(identity.region);
  if (!live?.exists || live.mailFromDomain === undefined) return { ...base, status: "create" };
  const current = `${live.mailFromDomain}, on MX failure ${live.behaviorOnMxFailure ?? "USE_DEFAULT_VALUE"}`;
  if (current === desired) return { ...base, status: "unchanged", importId: id, seenIn: "ses" };
  return { ...base, status: "changed", changes: [{ field: "MAIL FROM", from: current, to: desired }], importId: id, seenIn: "ses" };
}

function configurationSetItem(set: ConfigurationSetPlan, address: string, what: string, inputs: AdoptInputs): AdoptItem {
  const base = { address, kind: "configuration-set" as const, what, region: set.region };
  if (!inputs.ses)
    return {
      ...base,
      status: "not-checked",
      note: `${sesNotRead}: not imported; if a set named ${set.name} exists in ${set.region}, the first apply fails with AlreadyExistsException`,
    };
  const live = inputs.ses.configurationSets.get(set.name)?.get(set.region);
  if (!live?.exists) return { ...base, status: "create" };
  const changes: Change[] = [];
  const compare = (field: string, from: string | undefined, to: string) => {
    if ((from ?? "unset") !== to) changes.push({ field, from: from ?? "unset", to });
  };
  compare("TLS policy", live.tlsPolicy, set.tlsPolicy);
  compare("reputation metrics", live.reputationMetrics === undefined ? undefined : String(live.reputationMetrics), String(set.reputationMetrics));
  compare("sending", live.sendingEnabled === undefined ? undefined : live.sendingEnabled ? "enabled" : "paused", "enabled");
  compare(
    "suppressed reasons",
    live.suppressedReasons === undefined ? undefined : live.suppressedReasons.join(", ") || "none",
    [...set.suppressedReasons].sort().join(", ") || "none",
  );
  return { ...base, status: changes.length > 0 ? "changed" : "unchanged", ...(changes.length > 0 ? { changes } : {}), importId: set.name, seenIn: "ses" };
}

function recordItem(plan: DomainPlan, record: DnsRecord, address: string, name: string | undefined, id: string | undefined, inputs: AdoptInputs): AdoptItem {
  const base = { address, kind: "record" as const, what: `${record.type} ${name ?? record.name}`, type: record.type };
  if (name === undefined) {
    // Tokens are unknown: either the identity is new (SES issues them at apply) or nobody gave them.
    const identity = identityOfToken(plan, record.name);
    const live = identity && inputs.ses?.identities.get(identity.emailIdentity ?? plan.domain)?.get(identity.region);
    if (inputs.ses && (!live?.exists || live.dkimOrigin !== "AWS_SES")) {
      return { ...base, status: "create", note: "named by Easy DKIM tokens SES issues at apply" };
    }
    return { ...base, status: "not-checked", note: "Easy DKIM tokens not known (give --tokens or --tf-outputs, or --from-aws): not imported" };
  }
  const desired = record.values.map((v) => normalizeValue(record.type, withTokens(v, tokensFor(plan, inputs)) ?? v));
  const named = (status: ItemStatus, extra: { current?: string[]; note?: string } = {}): AdoptItem => ({
    ...base,
    name,
    status,
    ...(extra.current ? { current: extra.current } : {}),
    desired,
    ...(extra.current && id !== undefined ? { importId: id, seenIn: "dns" as const } : {}),
    ...(extra.note !== undefined ? { note: extra.note } : {}),
  });
  const finding = inputs.dns.get(dnsKey(record.type, name));
  if (!finding) return named("error", { note: "not asked" });
  if (finding.status === "error") return named("error", { note: finding.message });
  if (finding.status === "absent") return named("create");
  if (finding.status === "cname") {
    return named("conflict", {
      note: `${name} is a CNAME to ${finding.target}: Route 53 cannot hold a ${record.type} beside it; remove the CNAME (or take this record out of the config) and run adopt again`,
    });
  }
  const current = finding.values.map((v) => normalizeValue(record.type, v));
  const same = current.length === desired.length && [...current].sort().join("\n") === [...desired].sort().join("\n");
  return named(same ? "unchanged" : "changed", { current });
}

function identityOfToken(plan: DomainPlan, name: string): IdentityPlan | undefined {
  const region = /\{\{dkim-token:([a-z0-9-]+):/.exec(name)?.[1];
  return plan.identities.find((i) => i.region === region);
}

function normalizeValue(type: DnsRecord["type"], value: string): string {
  if (type === "TXT") return value;
  if (type === "MX") {
    const [priority, host] = value.trim().split(/\s+/);
    return `${Number(priority)} ${normalizeDomain(host ?? "")}`;
  }
  return normalizeDomain(value);
}

/** A TXT value's kind when a record of that kind is one the config replaces (SPF, DMARC, DKIM key). */
function txtKind(value: string): string | undefined {
  const tag = /^v=(spf1|dmarc1|dkim1)(\s|;|$)/i.exec(value.trim())?.[1];
  if (tag) return tag.toLowerCase();
  return /(^|;)\s*p=/.test(value) ? "dkim1" : undefined;
}

/**
 * Live values the apply deletes without replacing: not in the config, and not a record of a kind the
 * config writes there (a live SPF is replaced by the config's SPF — a change, shown as one; a
 * google-site-verification token is simply gone).
 */
export function lostValues(current: readonly string[], desired: readonly string[]): string[] {
  const kinds = new Set(desired.map(txtKind));
  return current.filter((value) => {
    const kind = txtKind(value);
    return !desired.includes(value) && !(kind !== undefined && kinds.has(kind));
  });
}
