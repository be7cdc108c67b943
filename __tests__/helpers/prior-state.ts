/**
 * A Terraform state (format 4) built from a plan's planned_values, as if that plan had been applied:
 * the values known only after apply (Easy DKIM tokens, ids, ARNs, the DKIM CNAMEs that use the tokens)
 * are filled in. Planning a changed config against it with -refresh=false gives real update, delete and
 * replace actions offline, which is how the plan-summary tests get real plans to review.
 */
import { createHash } from "node:crypto";
import { addressIndex } from "../../modules/model/addresses";
import { fillDkimTokens, type DomainPlan } from "../../modules/model/records";
import type { Json } from "./synth";

/** Made-up Easy DKIM tokens, stable per identity address. */
export function fakeTokens(identityAddress: string): string[] {
  return [1, 2, 3].map((n) => createHash("sha256").update(`${identityAddress}#${n}`).digest("hex").slice(0, 32));
}

export function priorState(plan: Json, models: readonly DomainPlan[]): Json {
  const index = addressIndex(models);
  const providers = new Map((plan.configuration.root_module.resources as Json[]).map((r) => [r.address, r.provider_config_key as string]));
  const unknowns = new Map((plan.resource_changes as Json[]).map((c) => [c.address, c.change.after_unknown as Json]));
  const planned = (plan.planned_values.root_module.resources ?? []) as Json[];
  const tokens = new Map<string, string[]>();
  for (const r of planned) if (r.type === "aws_sesv2_email_identity") tokens.set(r.address, fakeTokens(r.address));

  const resources = planned
    .filter((r) => r.mode === "managed")
    .map((r) => {
      const values = structuredClone(r.values) as Json;
      if (r.type === "aws_sesv2_email_identity") {
        const dkim = values.dkim_signing_attributes[0];
        const byo = typeof dkim.domain_signing_selector === "string";
        Object.assign(values, {
          arn: `arn:aws:ses:us-east-1:111111111111:identity/${values.email_identity}`,
          id: values.email_identity,
          identity_type: "DOMAIN",
          tags_all: values.tags ?? {},
          verified_for_sending_status: true,
        });
        Object.assign(dkim, {
          current_signing_key_length: "RSA_2048_BIT",
          last_key_generation_timestamp: "2026-01-01T00:00:00Z",
          next_signing_key_length: dkim.next_signing_key_length ?? "RSA_2048_BIT",
          signing_attributes_origin: byo ? "EXTERNAL" : "AWS_SES",
          status: "SUCCESS",
          tokens: byo ? [] : tokens.get(r.address),
        });
      } else if (r.type === "aws_sesv2_email_identity_mail_from_attributes") {
        values.id = values.email_identity;
      } else if (r.type === "aws_route53_record") {
        const role = index.get(r.address)?.role;
        if (values.name === undefined && role?.kind === "record") {
          // An Easy DKIM CNAME: element(tokens, n) of its identity, as the model's placeholders say.
          const identityAddress = r.address.replace("aws_route53_record.", "aws_sesv2_email_identity.").replace(/dkim_[123]$/, "identity");
          const token = (_region: string, i: number) => tokens.get(identityAddress)![i];
          values.name = fillDkimTokens(role.record.name, token);
          values.records = role.record.values.map((v) => fillDkimTokens(v, token));
        }
        Object.assign(values, { id: `${values.zone_id}_${values.name}_${values.type}`, fqdn: values.name, allow_overwrite: null });
      }
      const region = providers.get(r.address)?.split(".")[1] ?? "us-east-1";
      for (const path of unknownPaths(unknowns.get(r.address)).filter((p) => valueAt(values, p) === undefined)) {
        const filled = computedValue(r.type, r.name, values, path, region);
        if (filled !== undefined) setAt(values, path, filled);
      }
      const missing = unknownPaths(unknowns.get(r.address)).filter((path) => valueAt(values, path) === undefined);
      if (missing.length > 0) throw new Error(`priorState cannot fill ${r.address}: ${missing.map((p) => p.join(".")).join(", ")}`);
      const alias = providers.get(r.address)?.split(".")[1];
      return {
        mode: "managed",
        type: r.type,
        name: r.name,
        provider: `provider["registry.terraform.io/hashicorp/aws"]${alias ? `.${alias}` : ""}`,
        instances: [{ schema_version: r.schema_version, attributes: values, sensitive_attributes: sensitivePaths(r.sensitive_values), dependencies: [] }],
      };
    });
  return {
    version: 4,
    terraform_version: plan.terraform_version,
    serial: 1,
    lineage: "00000000-0000-4000-8000-000000000000",
    outputs: {},
    resources,
    check_results: null,
  };
}

/** Paths marked `true` in an after_unknown mask. */
function unknownPaths(mask: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (mask === true) return [path];
  if (Array.isArray(mask)) return mask.flatMap((m, i) => unknownPaths(m, [...path, i]));
  if (mask && typeof mask === "object") return Object.entries(mask).flatMap(([k, m]) => unknownPaths(m, [...path, k]));
  return [];
}

const ACCOUNT = "111111111111";

/**
 * What AWS would have filled in for a computed attribute of the operations resources (configuration
 * sets, alarms, topics, IAM, secrets): ARNs in the resource's own region and account, ids, tags_all;
 * any other computed leaf is left unset (null), as a provider leaves an attribute it has no value for.
 */
function computedValue(type: string, name: string, values: Json, path: (string | number)[], region: string): unknown {
  const key = path[path.length - 1];
  const resourceName = values.configuration_set_name ?? values.alarm_name ?? values.name ?? name;
  const arn = (): string => {
    switch (type) {
      case "aws_sesv2_configuration_set":
        return `arn:aws:ses:${region}:${ACCOUNT}:configuration-set/${resourceName}`;
      case "aws_cloudwatch_metric_alarm":
        return `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${resourceName}`;
      case "aws_sns_topic":
        return `arn:aws:sns:${region}:${ACCOUNT}:${resourceName}`;
      case "aws_iam_user":
        return `arn:aws:iam::${ACCOUNT}:user/${resourceName}`;
      case "aws_secretsmanager_secret":
        return `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${resourceName}-AbCdEf`;
      default:
        return `arn:aws:${type.split("_")[1]}:${region}:${ACCOUNT}:${name}`;
    }
  };
  if (path.length === 1 && key === "arn") return arn();
  if (path.length === 1 && key === "id") return type === "aws_sns_topic" || type === "aws_secretsmanager_secret" ? arn() : String(resourceName);
  if (path.length === 1 && key === "tags_all") return values.tags ?? {};
  if (path.length === 1 && key === "owner") return ACCOUNT;
  return null;
}

function setAt(value: Json, path: (string | number)[], leaf: unknown): void {
  let node = value;
  for (const step of path.slice(0, -1)) {
    if (node[step] === undefined || node[step] === null) node[step] = typeof path[path.indexOf(step) + 1] === "number" ? [] : {};
    node = node[step];
  }
  node[path[path.length - 1]] = leaf;
}

function valueAt(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, step) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[step] : undefined), value);
}

/** A sensitive_values mask as state format 4's sensitive_attributes paths. */
function sensitivePaths(mask: unknown, path: Json[] = []): Json[][] {
  if (mask === true) return [path];
  if (Array.isArray(mask)) return mask.flatMap((m, i) => sensitivePaths(m, [...path, { type: "index", value: { value: i, type: "number" } }]));
  if (mask && typeof mask === "object") return Object.entries(mask).flatMap(([k, m]) => sensitivePaths(m, [...path, { type: "get_attr", value: k }]));
  return [];
}
