/**
 * The Terraform address of everything a domain plan renders, from the record model alone: tools that
 * read plans (plan-summary) map an address back to its domain and purpose through this, never by
 * pattern-matching names. The stack's readable logical ids (`<slug>_<fixed word>`) are built from the
 * same words; a synth test proves both agree.
 */
import type { DnsRecord, DomainPlan, IdentityPlan } from "./records";

export type ResourceRole =
  | { readonly kind: "identity"; readonly identity: IdentityPlan }
  | { readonly kind: "mail-from"; readonly identity: IdentityPlan }
  | { readonly kind: "record"; readonly record: DnsRecord };

export interface PlannedResource {
  /** `aws_route53_record.example_com_dkim_1` */
  readonly address: string;
  readonly domain: string;
  readonly role: ResourceRole;
}

export const RESOURCE_TYPES = {
  identity: "aws_sesv2_email_identity",
  mailFrom: "aws_sesv2_email_identity_mail_from_attributes",
  record: "aws_route53_record",
} as const;

/** Every managed resource the stack writes for `plan`, with its address. */
export function plannedResources(plan: DomainPlan): PlannedResource[] {
  const at = (type: string, word: string) => `${type}.${plan.slug}_${word}`;
  const out: PlannedResource[] = [];
  for (const identity of plan.identities) {
    out.push({ address: at(RESOURCE_TYPES.identity, identity.id), domain: plan.domain, role: { kind: "identity", identity } });
    if (identity.mailFrom) out.push({ address: at(RESOURCE_TYPES.mailFrom, identity.mailFrom.id), domain: plan.domain, role: { kind: "mail-from", identity } });
  }
  if (!("external" in plan.zone)) {
    for (const record of plan.records) out.push({ address: at(RESOURCE_TYPES.record, record.id), domain: plan.domain, role: { kind: "record", record } });
  }
  return out;
}

/** What a DNS record is for, in the words a reviewer uses: the rules that judge a change to it depend on this. */
export type RecordPurpose =
  /** Easy DKIM: `<token>._domainkey` CNAME to SES's key. */
  | "dkim-cname"
  /** BYODKIM: the public key at `<selector>._domainkey`. */
  | "dkim-key"
  | "mail-from-mx"
  | "mail-from-spf"
  /** The apex TXT record set: SPF and `extraTxt`. */
  | "apex-txt"
  | "dmarc"
  /** `<policy domain>._report._dmarc.<report domain>`: RFC 7489 §7.1. */
  | "dmarc-report-authorization";

/** The purpose of a record from the model, read from its fixed word (the end of its address). */
export function recordPurpose(record: DnsRecord): RecordPurpose {
  const id = record.id;
  if (id === "mail_from_mx") return "mail-from-mx";
  if (id === "mail_from_spf") return "mail-from-spf";
  if (id === "apex_txt") return "apex-txt";
  if (id === "dmarc") return "dmarc";
  if (id.startsWith("dmarc_report_")) return "dmarc-report-authorization";
  return record.type === "CNAME" ? "dkim-cname" : "dkim-key";
}

/** Address → resource for every plan: how a plan's addresses are mapped back to domains. */
export function addressIndex(plans: readonly DomainPlan[]): Map<string, PlannedResource> {
  return new Map(plans.flatMap(plannedResources).map((r) => [r.address, r]));
}
