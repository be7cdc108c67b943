/**
 * What the rules need to know beyond one change: which domain a resource belongs to (through the record
 * model's addresses, then the plan's own values), whether its identity stays, which DKIM selector signs
 * before and after, which records exist after apply. Built once per summary from every plan file.
 */
import { addressIndex, RESOURCE_TYPES, recordPurpose, type PlannedResource, type RecordPurpose } from "../model/addresses";
import type { AccountPlan } from "../model/account";
import { domainSlug, type DomainPlan } from "../model/records";
import type { ResourceChange } from "./plan-file";
import { firstBlock, normalizeName, recordState, stringAt, view, type RecordState, type Value } from "./values";

export type Kind = "create" | "update" | "delete" | "replace" | "no-op" | "read" | "forget" | "forget-replace" | "other";

/** One resource change with its views and where it belongs. */
export interface Item {
  readonly source: string;
  readonly change: ResourceChange;
  readonly kind: Kind;
  /** Null when the object does not exist on that side (create / delete). */
  readonly before: Value | null;
  readonly after: Value | null;
  readonly domain: string | null;
  /** The record model's entry for this address, when the config still has it. */
  readonly planned?: PlannedResource;
}

export function kindOf(actions: readonly string[]): Kind {
  const key = actions.join(",");
  switch (key) {
    case "no-op":
    case "create":
    case "update":
    case "delete":
    case "read":
    case "forget":
      return key;
    case "delete,create":
    case "create,delete":
      return "replace";
    case "create,forget":
      return "forget-replace";
    default:
      return "other";
  }
}

const KEEPS = new Set<Kind>(["create", "update", "no-op", "replace", "forget-replace"]);

/** The object exists after apply (possibly a new one). */
export function keeps(item: Item): boolean {
  return KEEPS.has(item.kind);
}

/** The object that exists now is destroyed by apply (delete, or the first half of a replace). */
export function destroys(item: Item): boolean {
  return item.kind === "delete" || item.kind === "replace";
}

export class PlanFacts {
  private readonly index: Map<string, PlannedResource>;
  private readonly models: Map<string, DomainPlan>;
  private readonly byAddress = new Map<string, Item>();
  private readonly identities = new Map<string, Item[]>();
  private readonly mailFroms = new Map<string, Item[]>();
  private readonly publishedAfter = new Set<string>();
  private readonly dmarcRemoved = new Set<string>();
  /** Domains the plans or the config name, for addresses that values cannot place. */
  private readonly known: string[];

  constructor(models: readonly DomainPlan[], changes: readonly { source: string; change: ResourceChange }[], account?: AccountPlan) {
    this.index = addressIndex(models, account);
    this.models = new Map(models.map((m) => [m.domain, m]));
    const identityDomains = new Set<string>();
    for (const { change } of changes) {
      if (change.type === RESOURCE_TYPES.identity || change.type === RESOURCE_TYPES.mailFrom) {
        for (const side of [change.before, change.after]) {
          const domain = side && typeof side === "object" && !Array.isArray(side) ? side.email_identity : undefined;
          if (typeof domain === "string") identityDomains.add(normalizeName(domain));
        }
      }
    }
    // Longest first: `news_example_com_` must win over `example_com_`… and never the reverse.
    this.known = [...new Set([...this.models.keys(), ...identityDomains])].sort((a, b) => domainSlug(b).length - domainSlug(a).length || (a < b ? -1 : 1));
    for (const model of models) {
      for (const record of model.records) this.publishedAfter.add(`${record.type} ${normalizeName(record.name)}`);
    }
  }

  /** Build the item for one change and record what it tells about the others. */
  add(source: string, change: ResourceChange): Item {
    const kind = kindOf(change.actions);
    const before = change.before === null ? null : view(change.before, change.beforeSensitive);
    const after = change.after === null && !isObjectJson(change.afterUnknown) ? null : view(change.after, change.afterSensitive, change.afterUnknown);
    const planned = this.index.get(change.address);
    const draft: Omit<Item, "domain"> = {
      source,
      change,
      kind,
      before: kind === "create" ? null : before,
      after: kind === "delete" || kind === "forget" ? null : after,
      planned,
    };
    const item: Item = { ...draft, domain: planned?.domain ?? this.domainOf(change, draft.before, draft.after) };
    if (!this.byAddress.has(change.address)) this.byAddress.set(change.address, item);
    if (item.domain !== null && !change.deposed) {
      if (change.type === RESOURCE_TYPES.identity) push(this.identities, item.domain, item);
      if (change.type === RESOURCE_TYPES.mailFrom) push(this.mailFroms, item.domain, item);
    }
    if (change.type === RESOURCE_TYPES.record) {
      const after = recordState(item.after ?? undefined);
      if (after && keeps(item) && typeof after.name === "string" && typeof after.type === "string") this.publishedAfter.add(`${after.type} ${after.name}`);
      if (item.domain !== null && destroys(item) && this.purposeOf(item) === "dmarc") {
        const stays = after && typeof after.name === "string" && after.name === `_dmarc.${item.domain}`;
        if (!stays) this.dmarcRemoved.add(item.domain);
      }
    }
    return item;
  }

  /**
   * A resource the config no longer names: an identity by its `email_identity`; a record by the longest
   * suffix of its name whose slug starts the resource name (`mail.news.example.com` in
   * `news_example_com_mail_from_mx` is news.example.com, never example.com); anything else by the
   * longest known domain whose slug starts its name.
   */
  private domainOf(change: ResourceChange, before: Value | null, after: Value | null): string | null {
    const sides: (Value | null)[] = [after, before];
    for (const side of sides) {
      if (change.type === RESOURCE_TYPES.identity || change.type === RESOURCE_TYPES.mailFrom) {
        const identity = stringAt(side ?? undefined, "email_identity");
        if (typeof identity === "string") return normalizeName(identity);
      }
      if (change.type === RESOURCE_TYPES.record) {
        const name = stringAt(side ?? undefined, "name");
        if (typeof name === "string") {
          const labels = normalizeName(name).split(".");
          for (let i = 0; i < labels.length - 1; i++) {
            const candidate = labels.slice(i).join(".");
            if (change.name.startsWith(`${domainSlug(candidate)}_`)) return candidate;
          }
        }
      }
    }
    return this.domainOfName(change.name);
  }

  /** The longest known domain whose slug starts `name` (a resource or output name). */
  domainOfName(name: string): string | null {
    return this.known.find((d) => name.startsWith(`${domainSlug(d)}_`)) ?? null;
  }

  model(domain: string): DomainPlan | undefined {
    return this.models.get(domain);
  }

  item(address: string): Item | undefined {
    return this.byAddress.get(address);
  }

  /** What a record is for: from the model when the config has it, else from its values. */
  purposeOf(item: Item): RecordPurpose | "other" {
    if (item.planned?.role.kind === "record") return recordPurpose(item.planned.role.record);
    const state = recordState(item.before ?? undefined) ?? recordState(item.after ?? undefined);
    return purposeFromValues(state, item.domain, item.change.name);
  }

  /** Every identity of the domain is deleted by these plans (the domain leaves SES). */
  identityRemoved(domain: string): boolean {
    const items = this.identities.get(domain) ?? [];
    return items.length > 0 && items.every((i) => i.kind === "delete");
  }

  /** The identity an Easy DKIM CNAME belongs to: `<slug>_[<region>_]dkim_<n>` ↔ `<slug>_[<region>_]identity`. */
  identityOfDkimRecord(item: Item): Item | undefined {
    const name = item.change.name.replace(/dkim_[123]$/, "identity");
    return this.byAddress.get(`${RESOURCE_TYPES.identity}.${name}`);
  }

  /** BYODKIM selectors the domain's identities sign with, before or after apply (lowercase). */
  selectors(domain: string, side: "before" | "after"): Set<string> {
    const out = new Set<string>();
    for (const item of this.identities.get(domain) ?? []) {
      const value = side === "before" ? item.before : keeps(item) ? item.after : null;
      const selector = stringAt(firstBlock(value ?? undefined, "dkim_signing_attributes"), "domain_signing_selector");
      if (typeof selector === "string") out.add(selector.toLowerCase());
    }
    if (side === "after" && !this.identities.has(domain)) {
      for (const identity of this.models.get(domain)?.identities ?? []) {
        if (identity.dkim.type === "byo") out.add(identity.dkim.selector.toLowerCase());
      }
    }
    return out;
  }

  /** A record of this type and name exists after apply: in the plans, or (external DNS) in the config. */
  published(type: string, name: string): boolean {
    return this.publishedAfter.has(`${type} ${normalizeName(name)}`);
  }

  /** MAIL FROM domains SES uses for the domain after apply. */
  mailFromAfter(domain: string): Set<string> {
    const out = new Set<string>();
    const items = this.mailFroms.get(domain);
    for (const item of items ?? []) {
      const value = keeps(item) ? stringAt(item.after ?? undefined, "mail_from_domain") : undefined;
      if (typeof value === "string") out.add(normalizeName(value));
    }
    if (!items) for (const identity of this.models.get(domain)?.identities ?? []) if (identity.mailFrom) out.add(identity.mailFrom.domain);
    return out;
  }

  /** Regions the domain has an identity in, from the config; undefined when the config does not have the domain. */
  regions(domain: string): Set<string> | undefined {
    const model = this.models.get(domain);
    return model ? new Set(model.identities.map((i) => i.region)) : undefined;
  }

  /** The plans delete the DMARC record of this policy domain. */
  dmarcDeleted(domain: string): boolean {
    return this.dmarcRemoved.has(domain);
  }
}

/** What a record the config no longer has was for, read from its name, type and values. */
export function purposeFromValues(state: RecordState | undefined, domain: string | null, resourceName: string): RecordPurpose | "other" {
  const name = state && typeof state.name === "string" ? state.name : undefined;
  const type = state && typeof state.type === "string" ? state.type : undefined;
  if (name === undefined) return /dkim_[123]$/.test(resourceName) ? "dkim-cname" : "other";
  if (type === "TXT" && name.includes("._report._dmarc.")) return "dmarc-report-authorization";
  if (type === "TXT" && name.startsWith("_dmarc.")) return "dmarc";
  if (name.includes("._domainkey.")) return type === "CNAME" ? "dkim-cname" : type === "TXT" ? "dkim-key" : "other";
  if (type === "MX" && name !== domain) return "mail-from-mx";
  if (type === "TXT" && name === domain) return "apex-txt";
  if (type === "TXT" && Array.isArray(state?.values) && state.values.some((v) => /^v=spf1( |$)/i.test(v))) return "mail-from-spf";
  return "other";
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function isObjectJson(value: unknown): boolean {
  return value !== null && typeof value === "object";
}
