/**
 * Rules for the operations resources (issue 9): configuration sets, event destinations, reputation
 * alarms, the account-level suppression list, and sending permissions. What each change does, in words:
 * - breaks mail: a sender loses permission it had (a policy, an address, SMTP credentials deleted);
 *   sending paused on a set; a set renamed or replaced while senders' policies name it.
 * - weakens protection: TLS no longer required; reputation metrics, suppression, an event destination or
 *   an alarm removed or turned down; a sender may send as more addresses.
 * - routine: creates, tightening, and anything that goes along with its domain's identity.
 */
import { RESOURCE_TYPES } from "../model/addresses";
import { destroys, type Item, type PlanFacts } from "./facts";
import type { Reason } from "./types";
import { field, firstBlock, isHidden, shown, stringAt, type Value } from "./values";

const breaks = (text: string): Reason => ({ severity: "breaks", text });
const weakens = (text: string): Reason => ({ severity: "weakens", text });
const routine = (text: string): Reason => ({ severity: "routine", text });

/** Reasons for an operations resource, or undefined for any other type. */
export function operationsReasons(item: Item, facts: PlanFacts): Reason[] | undefined {
  const goesWithIdentity = item.domain !== null && destroys(item) && facts.identityRemoved(item.domain);
  switch (item.change.type) {
    case RESOURCE_TYPES.configurationSet:
      return goesWithIdentity ? [routine(`configuration set ${setName(item)} removed along with the SES identity ${item.domain}`)] : configurationSet(item);
    case RESOURCE_TYPES.eventDestination:
      return goesWithIdentity || setGoes(item, facts) ? [routine(`event destination removed along with its configuration set`)] : eventDestination(item);
    case RESOURCE_TYPES.alarm:
      return goesWithIdentity || setGoes(item, facts) ? [routine(`alarm ${alarmName(item)} removed along with its configuration set`)] : alarm(item);
    case RESOURCE_TYPES.accountSuppression:
      return suppression(item, "the account-level suppression list");
    case RESOURCE_TYPES.rolePolicy:
    case RESOURCE_TYPES.userPolicy:
      return goesWithIdentity ? [routine(`sending policy removed along with the SES identity ${item.domain}`)] : sendPolicy(item);
    case RESOURCE_TYPES.identityPolicy:
      return goesWithIdentity ? [routine(`sending authorization removed along with the SES identity ${item.domain}`)] : sendPolicy(item);
    case RESOURCE_TYPES.accessKey:
    case RESOURCE_TYPES.user:
      if (goesWithIdentity)
        return [routine(`SMTP ${item.change.type === RESOURCE_TYPES.user ? "user" : "credentials"} removed along with the SES identity ${item.domain}`)];
      if (item.kind === "delete")
        return [
          breaks(
            `SMTP ${item.change.type === RESOURCE_TYPES.user ? "user" : "access key"} deleted: whatever sends through SES's SMTP endpoint with these credentials fails to authenticate`,
          ),
        ];
      if (item.kind === "replace")
        return [breaks(`SMTP credentials replaced: the old password stops working at once; whatever uses it must read the new secret before it can send`)];
      return undefined;
    default:
      return undefined;
  }
}

function after(item: Item): Value | undefined {
  return item.after ?? undefined;
}
function before(item: Item): Value | undefined {
  return item.before ?? undefined;
}

function setName(item: Item): string {
  return shown(stringAt(after(item), "configuration_set_name") ?? stringAt(before(item), "configuration_set_name"));
}

function alarmName(item: Item): string {
  return shown(stringAt(after(item), "alarm_name") ?? stringAt(before(item), "alarm_name"));
}

/**
 * The configuration set this resource belongs to is destroyed by the same plans. A set's children are
 * named `<set>_<word>` (the ConfigurationSet construct's ids), so the set's address is the name up to
 * `_configuration_set`, whether or not the config still has it.
 */
function setGoes(item: Item, facts: PlanFacts): boolean {
  if (!destroys(item)) return false;
  const match = /^(.*_configuration_set)_/.exec(item.change.name);
  const set = match ? facts.item(`${RESOURCE_TYPES.configurationSet}.${match[1]}`) : undefined;
  return set !== undefined && destroys(set);
}

function configurationSet(item: Item): Reason[] {
  const name = setName(item);
  switch (item.kind) {
    case "create":
      return [routine(`new configuration set ${name}`)];
    case "delete":
      return [
        weakens(
          `configuration set ${name} deleted: its TLS requirement, suppression, reputation metrics, event destinations and alarms stop; mail from the identity goes out without them`,
        ),
      ];
    case "replace":
      return [
        breaks(
          `configuration set ${name} replaced (deleted, then created): while it is gone, sends through an identity whose default set it is fail, and IAM policies naming the old set deny sending through the new one until the ses-account stack is applied too`,
        ),
      ];
    default:
      break;
  }
  const reasons: Reason[] = [];
  const tlsBefore = stringAt(firstBlock(before(item), "delivery_options"), "tls_policy");
  const tlsAfter = stringAt(firstBlock(after(item), "delivery_options"), "tls_policy");
  if (tlsBefore === "REQUIRE" && tlsAfter !== "REQUIRE")
    reasons.push(weakens(`configuration set ${name}: TLS no longer required: mail to a receiver without TLS now goes in plain text`));
  if (tlsBefore !== "REQUIRE" && tlsAfter === "REQUIRE")
    reasons.push(routine(`configuration set ${name}: TLS now required; mail to receivers without TLS is dropped rather than sent in plain text`));
  const metricsBefore = field(firstBlock(before(item), "reputation_options"), "reputation_metrics_enabled");
  const metricsAfter = field(firstBlock(after(item), "reputation_options"), "reputation_metrics_enabled");
  if (metricsBefore === true && metricsAfter === false)
    reasons.push(weakens(`configuration set ${name}: reputation metrics off: its bounce and complaint rates, and the alarms on them, go dark`));
  const sendingBefore = field(firstBlock(before(item), "sending_options"), "sending_enabled");
  const sendingAfter = field(firstBlock(after(item), "sending_options"), "sending_enabled");
  if (sendingBefore !== false && sendingAfter === false) reasons.push(breaks(`configuration set ${name}: sending paused: every send through it is refused`));
  if (sendingBefore === false && sendingAfter === true) reasons.push(routine(`configuration set ${name}: sending resumed`));
  reasons.push(
    ...suppression(
      item,
      `configuration set ${name}'s suppression list`,
      firstBlock(before(item), "suppression_options"),
      firstBlock(after(item), "suppression_options"),
    ),
  );
  const trackingBefore = stringAt(firstBlock(before(item), "tracking_options"), "custom_redirect_domain");
  const trackingAfter = stringAt(firstBlock(after(item), "tracking_options"), "custom_redirect_domain");
  if (trackingBefore !== trackingAfter) reasons.push(routine(`configuration set ${name}: tracking domain ${shown(trackingBefore)} → ${shown(trackingAfter)}`));
  return reasons.length > 0 ? reasons : [routine(`configuration set ${name} updated`)];
}

const REASON_WORDS: Record<string, string> = { BOUNCE: "bounced", COMPLAINT: "complained" };

function suppression(item: Item, what: string, beforeBlock = before(item), afterBlock = after(item)): Reason[] {
  const key = "suppressed_reasons";
  if (item.change.type === RESOURCE_TYPES.accountSuppression) {
    if (item.kind === "create") return [routine(`${what}: suppresses ${list(afterBlock, key)}`)];
    if (item.kind === "delete") return [weakens(`${what} no longer managed here; SES keeps its current setting (deleting this resource does not clear it)`)];
  }
  const was = strings(field(beforeBlock, key));
  const now = strings(field(afterBlock, key));
  if (was === undefined || now === undefined) return [];
  const dropped = was.filter((r) => !now.includes(r));
  const added = now.filter((r) => !was.includes(r));
  const reasons: Reason[] = [];
  if (dropped.length > 0) {
    reasons.push(
      weakens(
        `${what} stops suppressing addresses that ${dropped.map((r) => REASON_WORDS[r] ?? r).join(" or ")}: SES keeps sending to them, and bounces and complaints count against your reputation`,
      ),
    );
  }
  if (added.length > 0) reasons.push(routine(`${what} now also suppresses addresses that ${added.map((r) => REASON_WORDS[r] ?? r).join(" or ")}`));
  return reasons;
}

function list(value: Value | undefined, key: string): string {
  const values = strings(field(value, key));
  return values && values.length > 0 ? values.join(", ") : "nothing";
}

function strings(value: Value | undefined): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === "string").sort();
}

function destinationOf(value: Value | undefined): Value | undefined {
  return firstBlock(value, "event_destination");
}

function eventDestination(item: Item): Reason[] {
  const name = shown(stringAt(after(item), "event_destination_name") ?? stringAt(before(item), "event_destination_name"));
  const set = setName(item);
  if (item.kind === "create") return [routine(`new event destination ${name} on ${set}: ${list(destinationOf(after(item)), "matching_event_types")}`)];
  if (item.kind === "delete")
    return [
      weakens(`event destination ${name} removed from ${set}: its events (${list(destinationOf(before(item)), "matching_event_types")}) stop reaching it`),
    ];
  const wasOn = field(destinationOf(before(item)), "enabled");
  const isOn = field(destinationOf(after(item)), "enabled");
  const reasons: Reason[] = [];
  if (wasOn === true && isOn !== true) reasons.push(weakens(`event destination ${name} on ${set} disabled: no events reach it`));
  const was = strings(field(destinationOf(before(item)), "matching_event_types")) ?? [];
  const now = strings(field(destinationOf(after(item)), "matching_event_types")) ?? [];
  const dropped = was.filter((t) => !now.includes(t));
  if (dropped.length > 0) {
    const severe = dropped.some((t) => t === "BOUNCE" || t === "COMPLAINT");
    reasons.push((severe ? weakens : routine)(`event destination ${name} on ${set} stops receiving ${dropped.join(", ")}`));
  }
  const added = now.filter((t) => !was.includes(t));
  if (added.length > 0) reasons.push(routine(`event destination ${name} on ${set} now also receives ${added.join(", ")}`));
  if (item.kind === "replace") reasons.push(routine(`event destination ${name} replaced: events in between are not delivered`));
  return reasons.length > 0 ? reasons : [routine(`event destination ${name} on ${set} updated`)];
}

function alarm(item: Item): Reason[] {
  const name = alarmName(item);
  if (item.kind === "create") return [routine(`new alarm ${name} at ${shown(numberAt(after(item), "threshold"))}`)];
  if (item.kind === "delete")
    return [weakens(`alarm ${name} removed: nobody is told when this ${metricWord(before(item))} rate climbs toward SES's review and pause rates`)];
  const reasons: Reason[] = [];
  const was = numberAt(before(item), "threshold");
  const now = numberAt(after(item), "threshold");
  if (typeof was === "number" && typeof now === "number" && was !== now) {
    reasons.push(
      (now > was ? weakens : routine)(`alarm ${name}: threshold ${was} → ${now}${now > was ? ": it fires later, closer to SES's own review rate" : ""}`),
    );
  }
  const actionsWere = strings(field(before(item), "alarm_actions")) ?? [];
  const actionsAre = field(after(item), "alarm_actions");
  if (actionsWere.length > 0 && Array.isArray(actionsAre) && actionsAre.length === 0) reasons.push(weakens(`alarm ${name} no longer notifies anyone`));
  if (field(before(item), "actions_enabled") !== false && field(after(item), "actions_enabled") === false)
    reasons.push(weakens(`alarm ${name}: actions disabled`));
  return reasons.length > 0 ? reasons : [routine(`alarm ${name} updated`)];
}

function metricWord(value: Value | undefined): string {
  const metric = stringAt(value, "metric_name");
  return metric === "Reputation.ComplaintRate" ? "complaint" : metric === "Reputation.BounceRate" ? "bounce" : "metric's";
}

function numberAt(value: Value | undefined, key: string): number | undefined | string {
  const leaf = field(value, key);
  if (typeof leaf === "number") return leaf;
  return isHidden(leaf) ? shown(leaf) : undefined;
}

/** The From addresses and resources an IAM or identity policy allows sending as / through. */
function grants(value: Value | undefined): { from: Set<string>; resources: Set<string> } | undefined {
  const text = stringAt(value, "policy");
  if (typeof text !== "string") return undefined;
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const from = new Set<string>();
  const resources = new Set<string>();
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  for (const s of statements as Record<string, unknown>[]) {
    if (s.Effect !== "Allow") continue;
    const condition = (s.Condition as Record<string, Record<string, unknown>> | undefined)?.StringLike?.["ses:FromAddress"];
    for (const a of [condition].flat()) if (typeof a === "string") from.add(a);
    for (const r of [s.Resource].flat()) if (typeof r === "string") resources.add(r);
  }
  return { from, resources };
}

function sendPolicy(item: Item): Reason[] {
  const who =
    item.change.type === RESOURCE_TYPES.rolePolicy
      ? `role ${shown(stringAt(after(item), "role") ?? stringAt(before(item), "role"))}`
      : item.change.type === RESOURCE_TYPES.userPolicy
        ? `SMTP user ${shown(stringAt(after(item), "user") ?? stringAt(before(item), "user"))}`
        : `the account allowed by ${shown(stringAt(after(item), "policy_name") ?? stringAt(before(item), "policy_name"))}`;
  const was = grants(before(item));
  const now = grants(after(item));
  if (item.kind === "create") return [routine(`${who} may send as ${now ? [...now.from].sort().join(", ") || "(no addresses)" : "(known after apply)"}`)];
  if (item.kind === "delete")
    return [breaks(`${who} loses its permission to send${was ? ` as ${[...was.from].sort().join(", ")}` : ""}: its sends fail with AccessDenied`)];
  if (!was || !now) return [routine(`${who}: sending policy changes (${!now ? "known after apply" : "the old one could not be read"})`)];
  const reasons: Reason[] = [];
  // StringLike patterns: an address (or narrower pattern) is still allowed when a new pattern matches it.
  const covered = (address: string, patterns: Set<string>) => [...patterns].some((p) => p === address || globMatch(p, address));
  const lostFrom = [...was.from].filter((a) => !covered(a, now.from)).sort();
  const gainedFrom = [...now.from].filter((a) => !covered(a, was.from)).sort();
  const lostResources = [...was.resources].filter((r) => !now.resources.has(r)).sort();
  if (lostFrom.length > 0) reasons.push(breaks(`${who} may no longer send as ${lostFrom.join(", ")}: those sends fail with AccessDenied`));
  if (lostResources.length > 0) reasons.push(breaks(`${who} may no longer send through ${lostResources.join(", ")}`));
  if (gainedFrom.length > 0) reasons.push(weakens(`${who} may now also send as ${gainedFrom.join(", ")}`));
  return reasons.length > 0 ? reasons : [routine(`${who}: sending policy rewritten, same addresses and resources`)];
}

/** IAM StringLike: `*` any run of characters, `?` one character, case-sensitive. */
function globMatch(pattern: string, text: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(text);
}
