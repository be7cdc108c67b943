/**
 * The rules: what a change does to mail, in plain words a reviewer can act on. The contract (issue 10):
 * - breaks mail: identity deleted or replaced; a DKIM record deleted or replaced while its identity
 *   stays; BYODKIM selector switched with the old key no longer published; MAIL FROM MX or SPF removed
 *   or pointed at a region that does not send; DMARC record removed; apex SPF dropping an authorized
 *   sender, or its `all` moving to +all/?all.
 * - weakens protection: DMARC p/sp loosened, pct lowered, rua removed, adkim/aspf relaxed; SPF -all → ~all.
 * - routine: creates, TTL changes, tags, tightening.
 * Values are parsed with the engine's own parsers (parseSpf, parseDmarc), never re-implemented here.
 */
import { RESOURCE_TYPES, type RecordPurpose } from "../model/addresses";
import { parseDmarc } from "../model/dmarc";
import type { DmarcPolicy, DmarcSpec } from "../model/types";
import { isSesRegion } from "../model/regions";
import { isSpfRecord, parseSpf, type SpfMechanism } from "../model/spf";
import { destroys, type Item, type PlanFacts } from "./facts";
import { operationsReasons } from "./operations-rules";
import type { Reason } from "./types";
import { clip, field, firstBlock, isHidden, recordState, shown, stringAt, type Hidden, type RecordState, type Value } from "./values";

const breaks = (text: string): Reason => ({ severity: "breaks", text });
const weakens = (text: string): Reason => ({ severity: "weakens", text });
const routine = (text: string): Reason => ({ severity: "routine", text });

/** Every reason for one resource change. */
export function reasonsFor(item: Item, facts: PlanFacts): Reason[] {
  const { change } = item;
  if (change.deposed) {
    return [routine(`removes an object left over from an earlier failed replacement (deposed ${change.deposed}); the current one stays`)];
  }
  const reasons = [...byType(item, facts)];
  if (change.previousAddress && change.previousAddress !== change.address) reasons.push(routine(`moved from ${change.previousAddress}`));
  return reasons.length > 0 ? reasons : [routine(describeKind(item))];
}

function byType(item: Item, facts: PlanFacts): Reason[] {
  switch (item.kind) {
    case "no-op":
      return [];
    case "forget":
      return [routine("Terraform stops managing it; the object itself stays in AWS")];
    case "forget-replace":
      return [routine("Terraform forgets the current object (it stays in AWS) and creates a new one")];
    case "other":
      return [routine(`actions ${item.change.actions.join(", ")}: not known to this summary; review them in the plan`)];
    default:
      break;
  }
  switch (item.change.type) {
    case RESOURCE_TYPES.identity:
      return identityReasons(item, facts);
    case RESOURCE_TYPES.mailFrom:
      return mailFromReasons(item, facts);
    case RESOURCE_TYPES.record:
      return recordReasons(item, facts);
    default:
      return operationsReasons(item, facts) ?? genericReasons(item);
  }
}

function describeKind(item: Item): string {
  switch (item.kind) {
    case "create":
      return "created";
    case "delete":
      return "deleted";
    case "replace":
      return `replaced (deleted, then created${replacedBy(item)})`;
    default:
      return "updated in place";
  }
}

function replacedBy(item: Item): string {
  const paths = item.change.replacePaths?.map((p) => p.join(".")) ?? [];
  return paths.length > 0 ? `: ${paths.join(", ")} cannot change in place` : "";
}

/** Resources this summary has no email rules for (configuration sets, alarms, topics, policies…). */
function genericReasons(item: Item): Reason[] {
  const type = item.change.type;
  switch (item.kind) {
    case "delete":
      return [routine(`${type} deleted; this summary has no email rules for it: check what uses it`)];
    case "replace":
      return [routine(`${type} replaced (deleted, then created${replacedBy(item)}); this summary has no email rules for it: check what uses it`)];
    case "create":
      return [routine(`${type} created`)];
    default: {
      const changed = changedAttributes(item);
      return [routine(changed.length > 0 ? `updates ${changed.join(", ")}` : "updated in place")];
    }
  }
}

// ---------------------------------------------------------------------------------------------- SES

function identityReasons(item: Item, facts: PlanFacts): Reason[] {
  const domain = item.domain ?? shown(stringAt(item.before ?? item.after ?? undefined, "email_identity"));
  const beforeDkim = firstBlock(item.before ?? undefined, "dkim_signing_attributes");
  const afterDkim = firstBlock(item.after ?? undefined, "dkim_signing_attributes");
  const wasByo = typeof stringAt(beforeDkim, "domain_signing_selector") === "string";
  switch (item.kind) {
    case "create":
      return [routine(`new SES identity for ${domain}: SES sends for it once DKIM verifies`)];
    case "delete":
      return [
        breaks(
          `SES identity ${domain} deleted: SES stops sending mail from ${domain}; re-creating it means new Easy DKIM tokens and verifying the domain again`,
        ),
      ];
    case "replace":
      return [
        breaks(
          `SES identity ${domain} replaced (deleted, then created${replacedBy(item)}): ${wasByo ? "" : "new Easy DKIM tokens, so every DKIM CNAME changes, and "}${domain} must verify again before SES sends`,
        ),
      ];
    default:
      break;
  }
  const reasons: Reason[] = [];
  const selectorBefore = stringAt(beforeDkim, "domain_signing_selector");
  const selectorAfter = stringAt(afterDkim, "domain_signing_selector");
  if (selectorBefore !== selectorAfter) reasons.push(...selectorSwitch(domain, selectorBefore, selectorAfter, facts));
  else if (typeof selectorAfter === "string" && keyChanged(item)) {
    reasons.push(
      breaks(
        `BYODKIM private key changes under the same selector ${selectorAfter}: mail signed with one key is checked against the other's public key and fails DKIM; rotate to a new selector instead`,
      ),
    );
  }
  const lengthBefore = stringAt(beforeDkim, "next_signing_key_length");
  const lengthAfter = stringAt(afterDkim, "next_signing_key_length");
  if (selectorAfter === undefined && typeof lengthAfter === "string" && typeof lengthBefore === "string" && lengthBefore !== lengthAfter) {
    reasons.push(routine(`Easy DKIM key length ${keyLength(lengthBefore)} → ${keyLength(lengthAfter)}: SES rotates to a new key under the same CNAMEs`));
  }
  const tags = changedKeys(field(item.before ?? undefined, "tags"), field(item.after ?? undefined, "tags"));
  if (tags.length > 0) reasons.push(routine(`tags change: ${tags.join(", ")}`));
  const other = changedAttributes(item).filter((a) => !["dkim_signing_attributes", "tags", "tags_all"].includes(a));
  if (other.length > 0) reasons.push(routine(`updates ${other.join(", ")}`));
  return reasons;
}

function selectorSwitch(domain: string, before: string | Value | undefined, after: string | Value | undefined, facts: PlanFacts): Reason[] {
  if (isHidden(before) || isHidden(after)) return [routine("DKIM signing changes (the selector is not shown in the plan)")];
  const keyAt = (selector: string) => `${selector}._domainkey.${domain}`;
  const reasons: Reason[] = [];
  if (typeof after === "string" && !facts.published("TXT", keyAt(after))) {
    reasons.push(breaks(`SES signs with selector ${after}, but no key is published at ${keyAt(after)}: receivers find no key and DKIM fails`));
  }
  if (typeof before === "string" && typeof after === "string") {
    if (facts.published("TXT", keyAt(before))) {
      reasons.push(routine(`BYODKIM signing switches from selector ${before} to ${after}; ${before}'s key stays published for mail already signed with it`));
    } else {
      reasons.push(
        breaks(
          `BYODKIM selector ${before} → ${after} without keeping ${before}'s key published: mail already signed with ${before} (queues, retries, forwarders) fails DKIM; keep it as rotation.previous for at least a week`,
        ),
      );
    }
  } else if (typeof after === "string") {
    reasons.push(routine(`DKIM switches from Easy DKIM to BYODKIM selector ${after}`));
  } else if (typeof before === "string") {
    reasons.push(routine(`DKIM switches from BYODKIM selector ${before} to Easy DKIM: SES makes new tokens, and the DKIM CNAMEs are known after apply`));
  }
  return reasons;
}

function selectorAfter(identity: Item): string | undefined {
  const selector = stringAt(firstBlock(identity.after ?? undefined, "dkim_signing_attributes"), "domain_signing_selector");
  return typeof selector === "string" ? selector : undefined;
}

/** The private key is compared, never read out: only whether it differs. */
function keyChanged(item: Item): boolean {
  const key = (value: unknown) => {
    const block = (value as { dkim_signing_attributes?: { domain_signing_private_key?: unknown }[] } | null)?.dkim_signing_attributes?.[0];
    return block?.domain_signing_private_key;
  };
  const before = key(item.change.before);
  const after = key(item.change.after);
  const unknown = (item.change.afterUnknown as { dkim_signing_attributes?: { domain_signing_private_key?: unknown }[] } | null)?.dkim_signing_attributes?.[0]
    ?.domain_signing_private_key;
  return typeof before === "string" && typeof after === "string" && unknown !== true && before !== after;
}

function keyLength(value: string): string {
  return value.replace(/^RSA_(\d+)_BIT$/, "$1-bit");
}

function mailFromReasons(item: Item, facts: PlanFacts): Reason[] {
  const domain = item.domain ?? "the domain";
  const before = stringAt(item.before ?? undefined, "mail_from_domain");
  const after = stringAt(item.after ?? undefined, "mail_from_domain");
  const onFailure = stringAt(item.after ?? undefined, "behavior_on_mx_failure");
  switch (item.kind) {
    case "create":
      return [routine(`custom MAIL FROM ${shown(after)}: SES uses it once it sees the MX`), ...mxMissing(after, onFailure, facts)];
    case "delete":
      if (facts.identityRemoved(domain)) return [routine(`removed along with the SES identity ${domain}`)];
      return [
        weakens(
          `custom MAIL FROM ${shown(before)} turned off: SES sends with its own amazonses.com MAIL FROM, so SPF no longer aligns with ${domain} and DMARC rests on DKIM alone`,
        ),
      ];
    default:
      break;
  }
  const reasons: Reason[] = [];
  if (before !== after) {
    reasons.push(routine(`MAIL FROM ${shown(before)} → ${shown(after)}: SES uses the new one once it sees its MX`));
    reasons.push(...mxMissing(after, onFailure, facts));
  }
  const failureBefore = stringAt(item.before ?? undefined, "behavior_on_mx_failure");
  if (failureBefore !== onFailure) {
    reasons.push(
      routine(
        onFailure === "REJECT_MESSAGE"
          ? "on MX failure SES now refuses to send instead of falling back to amazonses.com"
          : `on MX failure SES now falls back to its own MAIL FROM (${shown(failureBefore)} → ${shown(onFailure)})`,
      ),
    );
  }
  return reasons;
}

function mxMissing(mailFrom: string | Value | undefined, onFailure: string | Value | undefined, facts: PlanFacts): Reason[] {
  if (typeof mailFrom !== "string" || facts.published("MX", mailFrom)) return [];
  const effect = onFailure === "REJECT_MESSAGE" ? "SES refuses to send (REJECT_MESSAGE)" : "SES falls back to amazonses.com and SPF stops aligning";
  return [breaks(`MAIL FROM ${mailFrom} has no MX in these plans or the config: ${effect}`)];
}

// ------------------------------------------------------------------------------------------ records

/** One record set's change, from an aws_route53_record or from an external-DNS output entry. */
export interface RecordChange {
  readonly kind: "create" | "update" | "delete" | "replace";
  readonly domain: string;
  readonly purpose: RecordPurpose | "other";
  readonly before?: RecordState;
  readonly after?: RecordState;
  /** For a DKIM CNAME: its identity is deleted or replaced by the same plans (the CNAME follows it). */
  readonly identityGoes: boolean;
  /** For a DKIM CNAME: its identity switches to BYODKIM in the same plans (it stops signing with SES's key). */
  readonly identityToByo?: string;
  /** `: name cannot change in place`, or "". */
  readonly replacedBy: string;
  /** The raw values differ: known even when both sides are sensitive (compared, never shown). */
  readonly valuesDiffer: boolean;
}

function recordReasons(item: Item, facts: PlanFacts): Reason[] {
  const purpose = facts.purposeOf(item);
  const identity = purpose === "dkim-cname" ? facts.identityOfDkimRecord(item) : undefined;
  return recordChangeReasons(
    {
      kind: item.kind === "create" || item.kind === "delete" || item.kind === "replace" ? item.kind : "update",
      domain: item.domain ?? "the domain",
      purpose,
      before: recordState(item.before ?? undefined),
      after: recordState(item.after ?? undefined),
      identityGoes: identity !== undefined && destroys(identity),
      identityToByo: identity?.kind === "update" ? selectorAfter(identity) : undefined,
      replacedBy: replacedBy(item),
      valuesDiffer: JSON.stringify(rawField(item.change.before, "records")) !== JSON.stringify(rawField(item.change.after, "records")),
    },
    facts,
  );
}

export function recordChangeReasons(change: RecordChange, facts: PlanFacts): Reason[] {
  const { before, after, purpose } = change;
  if (change.kind === "create") return [routine(`new ${describeRecord(after, purpose)}`)];
  // A replace that keeps the name is the same record set rewritten (zone change): judge the values.
  const nameGoes = change.kind === "delete" || (change.kind === "replace" && (before?.name !== after?.name || typeof after?.name !== "string"));
  const reasons = nameGoes ? removed(change, facts) : changed(change, facts);
  if (change.kind === "replace" && !nameGoes) reasons.push(routine(`replaced (deleted, then created${change.replacedBy}): the record is missing for a moment`));
  return [...reasons, ...ttlReason(change)];
}

function describeRecord(state: RecordState | undefined, purpose: RecordPurpose | "other"): string {
  const label: Record<RecordPurpose | "other", string> = {
    "dkim-cname": "DKIM CNAME",
    "dkim-key": "DKIM key",
    "mail-from-mx": "MAIL FROM MX",
    "mail-from-spf": "MAIL FROM SPF",
    "apex-txt": "apex TXT",
    dmarc: "DMARC record",
    "dmarc-report-authorization": "DMARC report authorization",
    tracking: "tracking CNAME",
    "dmarc-collect-mx": "DMARC reports MX",
    other: `${shown(state?.type)} record`,
  };
  return `${label[purpose]} ${shown(state?.name)}`;
}

function ttlReason({ kind, before, after }: RecordChange): Reason[] {
  if (kind === "create" || kind === "delete" || !before || !after) return [];
  if (typeof before.ttl !== "number" || typeof after.ttl !== "number" || before.ttl === after.ttl) return [];
  return [routine(`TTL ${before.ttl} → ${after.ttl}`)];
}

/** The record set at this name goes away (deleted, or replaced by one at another name). */
function removed(change: RecordChange, facts: PlanFacts): Reason[] {
  const { domain, purpose, before, after } = change;
  const name = shown(before?.name);
  const movesTo = change.kind === "replace" ? ` (moves to ${shown(after?.name)})` : "";
  const withIdentity = facts.identityRemoved(domain);
  switch (purpose) {
    case "dkim-cname":
      if (change.identityGoes) return [routine(`DKIM CNAME ${name} goes with its identity`)];
      if (change.identityToByo) {
        return [
          breaks(
            `DKIM CNAME ${name} deleted in the same apply that switches the identity to BYODKIM selector ${change.identityToByo}: mail already signed with SES's key (queues, retries, forwarders) fails DKIM; remove the CNAMEs a week after the switch`,
          ),
        ];
      }
      return [
        breaks(
          `DKIM CNAME ${name} ${change.kind === "delete" ? "deleted" : "replaced"}${movesTo} while its identity stays and signs with that key: receivers find no key and DKIM fails`,
        ),
      ];
    case "dkim-key":
      return removedKey(domain, name, facts);
    case "mail-from-mx":
    case "mail-from-spf": {
      if (withIdentity)
        return [routine(`${purpose === "mail-from-mx" ? "MAIL FROM MX" : "MAIL FROM SPF"} ${name} removed along with the SES identity ${domain}`)];
      const inUse = typeof before?.name === "string" && facts.mailFromAfter(domain).has(before.name);
      if (purpose === "mail-from-mx") {
        return [
          breaks(
            inUse
              ? `MX at ${name} deleted${movesTo} while SES still sends with MAIL FROM ${name}: bounces have no way back and SES marks the MAIL FROM failed (with REJECT_MESSAGE it stops sending)`
              : `MX at ${name} deleted${movesTo}: bounces and complaints for mail already sent with MAIL FROM ${name} have no way back to SES`,
          ),
        ];
      }
      return [
        breaks(
          inUse
            ? `SPF at ${name} deleted${movesTo} while SES still sends with MAIL FROM ${name}: SES's mail gets no SPF pass and DMARC rests on DKIM alone`
            : `SPF at ${name} deleted${movesTo}: mail already sent with MAIL FROM ${name} and checked later (retries, forwarders) gets no SPF pass`,
        ),
      ];
    }
    case "apex-txt": {
      const spf = spfOf(before);
      if (spf === undefined) return [routine(`TXT record set at ${name} deleted${movesTo} (it holds no SPF record)`)];
      return [
        breaks(
          `apex SPF at ${name} deleted${movesTo}: the servers it authorized (${authorized(spf).join(" ") || "none"}) no longer pass SPF for ${domain}, and DMARC rests on DKIM for their mail`,
        ),
      ];
    }
    case "dmarc":
      return [breaks(`DMARC record at ${name} deleted${movesTo}: receivers apply no policy to mail spoofing ${domain}, and aggregate reports stop`)];
    case "dmarc-collect-mx":
      return [weakens(`MX at ${name} deleted${movesTo}: DMARC aggregate reports sent there bounce, so failures go unseen`)];
    case "tracking":
      if (withIdentity) return [routine(`tracking CNAME ${name} removed along with the SES identity ${domain}`)];
      return [
        breaks(
          `tracking CNAME ${name} ${change.kind === "delete" ? "deleted" : "replaced"}${movesTo}: open and click links in mail already sent point at ${name}, which no longer resolves, so recipients' clicks fail`,
        ),
      ];
    case "dmarc-report-authorization": {
      const policyDomain = typeof before?.name === "string" ? before.name.split("._report._dmarc.")[0] : "the policy domain";
      if (facts.dmarcDeleted(policyDomain)) return [routine(`report authorization ${name} removed along with ${policyDomain}'s DMARC record`)];
      return [
        weakens(`${domain} stops authorizing DMARC reports for ${policyDomain}: receivers stop sending ${policyDomain}'s aggregate reports to ${domain}`),
      ];
    }
    default:
      return [
        routine(`${shown(before?.type)} record ${name} ${change.kind === "delete" ? "deleted" : "replaced"}${movesTo}; this summary has no email rules for it`),
      ];
  }
}

function removedKey(domain: string, name: string, facts: PlanFacts): Reason[] {
  const selector = name.split("._domainkey.")[0];
  if (facts.identityRemoved(domain)) return [routine(`DKIM key ${name} removed along with the SES identity ${domain}`)];
  const signsBefore = facts.selectors(domain, "before");
  const signsAfter = facts.selectors(domain, "after");
  if (signsAfter.has(selector))
    return [breaks(`DKIM key ${name} deleted while ${domain} signs with selector ${selector}: receivers find no key and DKIM fails for all its mail`)];
  if (signsBefore.has(selector)) {
    return [
      breaks(
        `DKIM key ${name} deleted in the same change that switches signing away from ${selector}: mail already signed with it (queues, retries, forwarders) fails DKIM; keep it as rotation.previous for at least a week`,
      ),
    ];
  }
  const now = [...signsAfter].join(", ");
  return [routine(`DKIM key ${name} removed; ${domain} ${now ? `signs with ${now}` : "no longer signs with it"} (a rotation's last step)`)];
}

/** The record set stays at its name; its values or TTL change. */
function changed(change: RecordChange, facts: PlanFacts): Reason[] {
  const { domain, purpose, before, after } = change;
  if (!before || !after) return [];
  const name = shown(after.name);
  const was = before.values;
  const now = after.values;
  if (isHidden(was) || isHidden(now)) {
    if (was === now && !change.valuesDiffer) return [];
    return [
      routine(`${describeRecord(after, purpose)}: the value is ${shown(isHidden(now) ? now : (was as Hidden))}, so this summary cannot judge the change`),
    ];
  }
  if (sameValues(was, now)) return [];
  switch (purpose) {
    case "dkim-cname": {
      if (change.identityGoes) return [routine(`DKIM CNAME ${name} follows its identity's new tokens`)];
      return [breaks(`DKIM CNAME ${name} now points at ${clip(now.join(", "))}: the identity still signs with the key the old target held, so DKIM fails`)];
    }
    case "dkim-key": {
      const selector = name.split("._domainkey.")[0];
      if (facts.selectors(domain, "before").has(selector) || facts.selectors(domain, "after").has(selector)) {
        return [
          breaks(
            `DKIM key at ${name} changes in place while ${domain} signs with ${selector}: mail signed with the other key fails DKIM; rotate to a new selector instead`,
          ),
        ];
      }
      return [routine(`DKIM key at ${name} changes (no identity signs with ${selector})`)];
    }
    case "mail-from-mx":
      return mxChanged(name, domain, was, now, facts);
    case "mail-from-spf":
      return spfChanged(`SPF at ${name}`, spfOf(before), spfOf(after), { mailFrom: true, domain });
    case "apex-txt": {
      const reasons = spfChanged(`apex SPF at ${name}`, spfOf(before), spfOf(after), { mailFrom: false, domain });
      const others = (s: readonly string[]) => s.filter((v) => !isSpfRecord(v));
      const added = others(now).filter((v) => !was.includes(v)).length;
      const dropped = others(was).filter((v) => !now.includes(v)).length;
      if (added + dropped > 0) reasons.push(routine(`other TXT values at ${name}: ${added} added, ${dropped} removed`));
      return reasons;
    }
    case "dmarc":
      return dmarcChanged(name, domain, was, now);
    case "dmarc-report-authorization":
      return [routine(`report authorization ${name} changes`)];
    case "tracking":
      return [routine(`tracking CNAME ${name} now points at ${clip(now.join(", "))}`)];
    case "dmarc-collect-mx":
      return [routine(`DMARC reports MX at ${name} now points at ${clip(now.join(", "))}: reports are received in that region from now on`)];
    default:
      return [routine(`${shown(after.type)} record ${name} changes value; this summary has no email rules for it`)];
  }
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((v, i) => v === sortedB[i]);
}

const FEEDBACK_HOST = /^feedback-smtp\.([a-z0-9-]+)\.amazonses\.com\.?$/i;

function mxChanged(name: string, domain: string, before: readonly string[], after: readonly string[], facts: PlanFacts): Reason[] {
  const regions = facts.regions(domain);
  const reasons: Reason[] = [];
  for (const value of after.filter((v) => !before.includes(v))) {
    const host = value.trim().split(/\s+/)[1] ?? value;
    const region = FEEDBACK_HOST.exec(host)?.[1]?.toLowerCase();
    if (region === undefined || !isSesRegion(region)) {
      reasons.push(
        breaks(
          `MX at ${name} now points at ${clip(host)}, which is not an SES feedback host: bounces do not reach SES and SES cannot use ${name} as MAIL FROM`,
        ),
      );
    } else if (regions && !regions.has(region)) {
      reasons.push(
        breaks(
          `MX at ${name} now points at ${region}, where ${domain} has no SES identity (it sends from ${[...regions].join(", ")}): SES cannot verify the MAIL FROM and bounces go to a region that does not send`,
        ),
      );
    } else {
      reasons.push(routine(`MX at ${name} now points at ${region}`));
    }
  }
  if (reasons.length === 0) reasons.push(routine(`MX at ${name} changes: ${clip(before.join(", "))} → ${clip(after.join(", "))}`));
  return reasons;
}

// ------------------------------------------------------------------------------------------- SPF

function spfOf(state: RecordState | undefined): string | undefined {
  return state && Array.isArray(state.values) ? state.values.find(isSpfRecord) : undefined;
}

/** Mechanisms that let a server pass: pass-qualified, other than all. */
function authorized(record: string): string[] {
  const parsed = parseSpf(record);
  if ("problems" in parsed) return [];
  return parsed.terms
    .filter((t): t is SpfMechanism => t.kind === "mechanism" && t.name !== "all" && t.qualifier === "+")
    .map((t) => t.text.replace(/^\+/, "").toLowerCase());
}

/** How the record ends: the `all` qualifier, `redirect` when it delegates, `?` when it says nothing (RFC 7208 §4.7: neutral). */
function ending(record: string): string {
  const parsed = parseSpf(record);
  if ("problems" in parsed) return "?";
  const all = parsed.terms.find((t) => t.kind === "mechanism" && t.name === "all") as SpfMechanism | undefined;
  if (all) return all.qualifier;
  return parsed.terms.some((t) => t.kind === "modifier" && t.name === "redirect") ? "redirect" : "?";
}

const STRICTNESS: Record<string, number> = { "+": 0, "?": 1, "~": 2, "-": 3 };

export function spfChanged(what: string, before: string | undefined, after: string | undefined, context: { mailFrom: boolean; domain: string }): Reason[] {
  if (before === after) return [];
  if (after === undefined) {
    return [
      breaks(
        `${what} removed: ${context.mailFrom ? "SES's mail gets no SPF pass and DMARC rests on DKIM alone" : `the servers it authorized no longer pass SPF for ${context.domain}`}`,
      ),
    ];
  }
  if (before === undefined) return [routine(`${what}: new SPF record ${clip(after)}`)];
  const parsed = parseSpf(after);
  if ("problems" in parsed)
    return [breaks(`${what} no longer parses (${clip(parsed.problems[0], 120)}): receivers return permerror and SPF fails for all mail`)];
  const reasons: Reason[] = [];
  const was = authorized(before);
  const now = authorized(after);
  const dropped = was.filter((t) => !now.includes(t));
  const added = now.filter((t) => !was.includes(t));
  if (context.mailFrom && dropped.includes("include:amazonses.com")) {
    reasons.push(breaks(`${what} no longer includes amazonses.com: SES's servers fail SPF for mail sent with this MAIL FROM`));
  } else if (dropped.length > 0) {
    reasons.push(breaks(`${what} drops ${dropped.join(" ")}: mail from the servers ${dropped.length === 1 ? "it" : "they"} authorized fails SPF`));
  }
  if (added.length > 0) reasons.push(routine(`${what} adds ${added.join(" ")}`));
  const from = ending(before);
  const to = ending(after);
  if (from !== to) {
    const show = (q: string) => (q === "redirect" ? "redirect=" : `${q}all`);
    if (to === "+") reasons.push(breaks(`${what} ${show(from)} → +all: every server on the internet passes SPF as ${context.domain}`));
    else if (to === "?" && from !== "+")
      reasons.push(
        breaks(
          `${what} ${show(from)} → ?all: mail from servers it does not list is neutral instead of failing SPF, so spoofed mail is no longer refused on SPF`,
        ),
      );
    else if (from === "-" && to === "~") reasons.push(weakens(`${what} -all → ~all: mail from servers it does not list soft-fails instead of failing`));
    else if (to === "redirect" || from === "redirect") reasons.push(routine(`${what} ends with ${show(to)} instead of ${show(from)}`));
    else if (STRICTNESS[to] > STRICTNESS[from]) reasons.push(routine(`${what} tightens ${show(from)} → ${show(to)}`));
  }
  if (reasons.length === 0) reasons.push(routine(`${what} changes: ${clip(after, 120)}`));
  return reasons;
}

// ----------------------------------------------------------------------------------------- DMARC

const POLICY_RANK: Record<DmarcPolicy, number> = { none: 0, quarantine: 1, reject: 2 };

function policyEffect(from: DmarcPolicy, to: DmarcPolicy, whose: string): string {
  if (to === "none") return `receivers stop ${from === "reject" ? "rejecting" : "quarantining"} spoofed mail${whose}`;
  return `receivers quarantine spoofed mail${whose} instead of rejecting it`;
}

function dmarcOf(values: readonly string[]): string | undefined {
  return values.find((v) => /^v\s*=\s*DMARC1/i.test(v));
}

export function dmarcChanged(name: string, domain: string, beforeValues: readonly string[], afterValues: readonly string[]): Reason[] {
  const beforeText = dmarcOf(beforeValues);
  const afterText = dmarcOf(afterValues);
  if (afterText === undefined) return [breaks(`DMARC record at ${name} no longer holds a DMARC policy: receivers apply none to mail spoofing ${domain}`)];
  const after = parseDmarc(afterText);
  if ("problems" in after)
    return [breaks(`DMARC record at ${name} no longer parses (${clip(after.problems[0], 120)}): receivers ignore it, as if there were none`)];
  const before = beforeText === undefined ? undefined : parseDmarc(beforeText);
  if (before === undefined || "problems" in before) return [routine(`DMARC record at ${name} now p=${after.spec.p}`)];
  return dmarcDiff(before.spec, after.spec, domain);
}

/** Each tag that loosens is a reason of its own: a reviewer sees every way protection drops. */
export function dmarcDiff(before: DmarcSpec, after: DmarcSpec, domain: string): Reason[] {
  const reasons: Reason[] = [];
  const policy = (tag: "p" | "sp" | "np", from: DmarcPolicy, to: DmarcPolicy, whose: string) => {
    if (from === to) return;
    if (POLICY_RANK[to] < POLICY_RANK[from]) reasons.push(weakens(`DMARC ${tag} ${from} → ${to}: ${policyEffect(from, to, whose)}`));
    else reasons.push(routine(`DMARC ${tag} ${from} → ${to} (tightens)`));
  };
  policy("p", before.p, after.p, "");
  // sp and np default to p (np to sp): judged only when one side sets them, or p's change already says it.
  if (before.sp !== undefined || after.sp !== undefined) policy("sp", before.sp ?? before.p, after.sp ?? after.p, ` from subdomains of ${domain}`);
  if (before.np !== undefined || after.np !== undefined) {
    policy("np", before.np ?? before.sp ?? before.p, after.np ?? after.sp ?? after.p, ` from non-existent subdomains of ${domain}`);
  }
  const pctBefore = before.pct ?? 100;
  const pctAfter = after.pct ?? 100;
  if (pctAfter < pctBefore) reasons.push(weakens(`DMARC pct ${pctBefore} → ${pctAfter}: the policy applies to only ${pctAfter}% of failing mail`));
  else if (pctAfter > pctBefore) reasons.push(routine(`DMARC pct ${pctBefore} → ${pctAfter} (tightens)`));
  const ruaBefore = before.rua ?? [];
  const ruaAfter = after.rua ?? [];
  if (ruaBefore.length > 0 && ruaAfter.length === 0) reasons.push(weakens("DMARC rua removed: nobody receives aggregate reports, so failures go unseen"));
  else {
    const dropped = ruaBefore.filter((u) => !ruaAfter.includes(u));
    const added = ruaAfter.filter((u) => !ruaBefore.includes(u));
    if (dropped.length > 0) reasons.push(routine(`DMARC rua drops ${dropped.join(", ")} (reports still go to ${ruaAfter.join(", ")})`));
    if (added.length > 0) reasons.push(routine(`DMARC rua adds ${added.join(", ")}`));
  }
  for (const tag of ["adkim", "aspf"] as const) {
    const from = before[tag] ?? "r";
    const to = after[tag] ?? "r";
    if (from === to) continue;
    const what = tag === "adkim" ? "DKIM" : "SPF";
    if (to === "r") reasons.push(weakens(`DMARC ${tag} s → r: ${what} alignment accepts any subdomain of ${domain}, not only ${domain} itself`));
    else reasons.push(routine(`DMARC ${tag} r → s (tightens)`));
  }
  for (const tag of ["fo", "ri", "rf", "ruf", "t", "psd"] as const) {
    const from = JSON.stringify(before[tag] ?? null);
    const to = JSON.stringify(after[tag] ?? null);
    if (from !== to) reasons.push(routine(`DMARC ${tag} changes`));
  }
  return reasons;
}

// ----------------------------------------------------------------------------------------- helpers

/** Top-level attributes whose raw values differ: compared even when sensitive, only their names shown. */
function changedAttributes(item: Item): string[] {
  const before = asRaw(item.change.before);
  const after = asRaw(item.change.after);
  const unknown = asRaw(item.change.afterUnknown);
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown).filter((k) => unknown[k] === true)]);
  return [...keys].filter((k) => unknown[k] === true || JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)).sort();
}

function asRaw(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function changedKeys(before: Value | undefined, after: Value | undefined): string[] {
  const a = asObject(before ?? null);
  const b = asObject(after ?? null);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => JSON.stringify(a[k] ?? null, symbols) !== JSON.stringify(b[k] ?? null, symbols))
    .sort();
}

function rawField(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function asObject(value: Value | null): Record<string, Value> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, Value>) : {};
}

function symbols(_key: string, value: unknown): unknown {
  return typeof value === "symbol" ? String(value) : value;
}
