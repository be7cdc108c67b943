/**
 * The plan summary: every change in one or more plans (one per stack), mapped to its sending domain
 * through the record model, classified by what it does to mail. Pure: the plans and the config's record
 * model in, data out; the formatters render it.
 */
import type { AccountPlan } from "../model/account";
import { domainSlug, type DomainPlan } from "../model/records";
import type { RecordPurpose } from "../model/addresses";
import { PlanFacts, purposeFromValues } from "./facts";
import type { OutputChange, PlanDocument, SummaryDocument } from "./plan-file";
import { reasonsFor, recordChangeReasons, type RecordChange } from "./rules";
import { SEVERITIES, worst, type PlanSummary, type Reason, type Severity, type SummaryChange } from "./types";
import { isHidden, recordState, view, type RecordState, type Value } from "./values";

/** `summaries`: earlier runs' --format json output, merged in as they are (each domain lives in one stack). */
export function summarizePlans(
  models: readonly DomainPlan[],
  documents: readonly PlanDocument[],
  summaries: readonly SummaryDocument[] = [],
  account?: AccountPlan,
): PlanSummary {
  const managed = documents.flatMap((d) => d.resourceChanges.filter((c) => c.mode !== "data").map((change) => ({ source: d.source, change })));
  const facts = new PlanFacts(models, managed, account);
  // Every item first: the rules for one change read what the others do (does the identity stay?).
  const items = managed.map(({ source, change }) => facts.add(source, change));
  const changes: SummaryChange[] = [];
  let unchanged = 0;
  for (const item of items) {
    const moved = item.change.previousAddress !== undefined && item.change.previousAddress !== item.change.address;
    if ((item.kind === "no-op" && !moved) || item.kind === "read") {
      unchanged++;
      continue;
    }
    changes.push(summaryChange(item.change.address, item.domain, item.change.actions, item.source, reasonsFor(item, facts)));
  }
  for (const document of documents) {
    for (const output of document.outputChanges) {
      const change = externalRecordsChange(output, document.source, facts);
      if (change) changes.push(change);
    }
  }
  for (const summary of summaries) changes.push(...summary.changes);
  const counts = { breaks: 0, weakens: 0, routine: 0 } as Record<Severity, number>;
  for (const change of changes) counts[change.severity]++;
  return { counts, changes: ordered(changes), unchanged: summaries.length > 0 ? undefined : unchanged };
}

function summaryChange(address: string, domain: string | null, actions: readonly string[], source: string, reasons: readonly Reason[]): SummaryChange {
  const sorted = [...reasons].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  return { address, domain, actions: [...actions], severity: worst(sorted.map((r) => r.severity)), reasons: [...new Set(sorted.map((r) => r.text))], source };
}

/**
 * A domain on external DNS has no Route 53 resources: its records live in the output
 * `<slug>_dns_records`, which a pipeline copies to the other provider. A change to that output is judged
 * record by record with the same rules, so lowering DMARC there is flagged like in Route 53.
 */
function externalRecordsChange(output: OutputChange, source: string, facts: PlanFacts): SummaryChange | undefined {
  if (!output.name.endsWith("_dns_records")) return undefined;
  const kind = output.actions.join(",");
  if (kind === "no-op") return undefined;
  const domain = facts.domainOfName(output.name);
  if (domain === null || `${domainSlug(domain)}_dns_records` !== output.name) return undefined;
  const before = entries(view(output.before, output.beforeSensitive));
  const after = entries(view(output.after, output.afterSensitive, output.afterUnknown));
  const identityGoes = facts.identityRemoved(domain) || identityReplaced(facts, domain);
  const key = (r: RecordState) => (typeof r.name === "string" && typeof r.type === "string" ? `${r.type} ${r.name}` : undefined);
  const afterByKey = new Map(after.flatMap((r) => (key(r) ? [[key(r)!, r] as const] : [])));
  const beforeKeys = new Set(before.map(key));
  const reasons: Reason[] = [];
  const judge = (kind: RecordChange["kind"], b: RecordState | undefined, a: RecordState | undefined) =>
    reasons.push(
      ...recordChangeReasons(
        { kind, domain, purpose: purposeOf(b ?? a, domain), before: b, after: a, identityGoes, replacedBy: "", valuesDiffer: true },
        facts,
      ).map((r) => ({
        ...r,
        text: `external DNS: ${r.text}`,
      })),
    );
  for (const b of before) {
    const k = key(b);
    const a = k ? afterByKey.get(k) : undefined;
    // Easy DKIM CNAMEs whose new names are known only after apply replace the old ones.
    const renamed = !a && purposeOf(b, domain) === "dkim-cname" && after.some((r) => isHidden(r.name));
    judge(a ? "update" : renamed ? "replace" : "delete", b, a ?? (renamed ? after.find((r) => isHidden(r.name)) : undefined));
  }
  for (const a of after) if (!key(a) || !beforeKeys.has(key(a))) if (!isHidden(a.name) || before.length === 0) judge("create", undefined, a);
  if (reasons.length === 0) return undefined;
  return summaryChange(`output.${output.name}`, domain, output.actions, source, reasons);
}

function identityReplaced(facts: PlanFacts, domain: string): boolean {
  const model = facts.model(domain);
  return (model?.identities ?? []).some((i) => facts.item(`aws_sesv2_email_identity.${model!.slug}_${i.id}`)?.kind === "replace");
}

function entries(value: Value): RecordState[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const state = recordState(entry, "values");
    return state ? [state] : [];
  });
}

function purposeOf(state: RecordState | undefined, domain: string): RecordPurpose | "other" {
  return purposeFromValues(state, domain, "");
}

/** Domains with the worst changes first, then by name (no domain last); within one, worst first, then by address. */
function ordered(changes: SummaryChange[]): SummaryChange[] {
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  const domainRank = new Map<string | null, number>();
  for (const c of changes) domainRank.set(c.domain, Math.min(domainRank.get(c.domain) ?? SEVERITIES.length, rank(c.severity)));
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...changes].sort(
    (a, b) =>
      (a.domain === null ? 1 : 0) - (b.domain === null ? 1 : 0) ||
      domainRank.get(a.domain)! - domainRank.get(b.domain)! ||
      compare(a.domain ?? "", b.domain ?? "") ||
      rank(a.severity) - rank(b.severity) ||
      compare(a.address, b.address) ||
      compare(a.source, b.source),
  );
}
