/**
 * Hand-written `terraform show -json` fragments for the plan-summary unit tests: only the fields the
 * summary reads, shaped as Terraform writes them (checked against real plans in the terraform tier).
 */
import { resolveConfig } from "../../modules/config/resolve";
import type { SesDomainsConfig } from "../../modules/config/schema";
import { planDomains, type DomainPlan } from "../../modules/model/records";
import { parsePlan } from "../../modules/plan-summary/plan-file";
import { summarizePlans } from "../../modules/plan-summary/summarize";
import type { PlanSummary, SummaryChange } from "../../modules/plan-summary/types";

// biome-ignore lint/suspicious/noExplicitAny: hand-written plan JSON, shaped as Terraform writes it
export type Json = Record<string, any>;

export interface Fragment {
  readonly address: string;
  readonly actions: readonly string[];
  readonly before?: Json | null;
  readonly after?: Json | null;
  readonly after_unknown?: Json;
  readonly before_sensitive?: Json;
  readonly after_sensitive?: Json;
  readonly replace_paths?: (string | number)[][];
  readonly previous_address?: string;
  readonly deposed?: string;
}

/** One `resource_changes[]` entry. */
export function change(f: Fragment): Json {
  const data = f.address.startsWith("data.");
  const [type, name] = f.address.replace(/^data\./, "").split(".");
  return {
    address: f.address,
    mode: data ? "data" : "managed",
    type,
    name,
    provider_name: "registry.terraform.io/hashicorp/aws",
    ...(f.previous_address ? { previous_address: f.previous_address } : {}),
    ...(f.deposed ? { deposed: f.deposed } : {}),
    change: {
      actions: f.actions,
      before: f.before ?? null,
      after: f.after ?? null,
      after_unknown: f.after_unknown ?? {},
      before_sensitive: f.before_sensitive ?? (f.before ? {} : false),
      after_sensitive: f.after_sensitive ?? (f.after ? {} : false),
      ...(f.replace_paths ? { replace_paths: f.replace_paths } : {}),
    },
  };
}

export function planJson(changes: readonly Json[], outputs: Json = {}): Json {
  return { format_version: "1.2", terraform_version: "1.11.4", planned_values: { root_module: {} }, resource_changes: changes, output_changes: outputs };
}

/** An aws_route53_record's attributes. */
export function record(name: string, type: "TXT" | "MX" | "CNAME", records: string[], ttl = 600): Json {
  return { name, type, ttl, records, zone_id: "Z0123456789ABCDEFGHIJ", fqdn: name, id: `Z0123456789ABCDEFGHIJ_${name}_${type}` };
}

/** An aws_sesv2_email_identity's attributes: Easy DKIM, or BYODKIM with a selector and a (sensitive) key. */
export function identity(domain: string, byo?: { selector: string; key: string }, tags: Record<string, string> | null = null): Json {
  return {
    email_identity: domain,
    arn: `arn:aws:ses:us-east-1:111111111111:identity/${domain}`,
    dkim_signing_attributes: [
      byo
        ? { domain_signing_selector: byo.selector, domain_signing_private_key: byo.key, next_signing_key_length: "RSA_2048_BIT", tokens: [] }
        : { next_signing_key_length: "RSA_2048_BIT", tokens: ["t1", "t2", "t3"] },
    ],
    tags,
  };
}

/** after_sensitive / before_sensitive of a BYODKIM identity: the private key. */
export const KEY_SENSITIVE = { dkim_signing_attributes: [{ domain_signing_private_key: true, tokens: [] }] };

export function mailFrom(domain: string, mailFromDomain: string, behavior = "USE_DEFAULT_VALUE"): Json {
  return { email_identity: domain, mail_from_domain: mailFromDomain, behavior_on_mx_failure: behavior, id: domain };
}

export function models(config: SesDomainsConfig): DomainPlan[] {
  return planDomains(resolveConfig(config));
}

export function summarize(config: SesDomainsConfig, changes: readonly Json[], outputs: Json = {}): PlanSummary {
  return summarizePlans(models(config), [parsePlan("plan.json", JSON.stringify(planJson(changes, outputs)))]);
}

/** The summary's entry for `address`; throws listing what there is. */
export function changeAt(summary: PlanSummary, address: string): SummaryChange {
  const found = summary.changes.find((c) => c.address === address);
  if (!found) throw new Error(`${address} is not in the summary; have ${summary.changes.map((c) => c.address).join(", ")}`);
  return found;
}
