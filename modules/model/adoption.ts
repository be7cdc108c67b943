/**
 * Adoption in the record model: which of a domain's planned resources can be imported instead of
 * created, the Terraform import id of each, and — from an adoption file written by `ses-domains adopt` —
 * the import blocks a synth writes. Pure: no cdktf, no I/O.
 *
 * Import ids (terraform-provider-aws 5.x import docs): aws_sesv2_email_identity and
 * aws_sesv2_email_identity_mail_from_attributes take the identity (the domain);
 * aws_sesv2_configuration_set its name; aws_route53_record `<zoneId>_<name>_<type>`, the name as
 * Route 53 holds it (Easy DKIM names with the real tokens). Importing something that does not exist
 * fails the plan, so only what the adoption file says exists is ever imported.
 */
import { ConfigError, type ConfigIssue } from "../errors";
import { plannedResources, type PlannedResource } from "./addresses";
import { fillDkimTokens, type DomainPlan } from "./records";
import type { SesRegion } from "./regions";
import type { Warning } from "./types";

/** The adoption file's name when none is given: beside the config. */
export const ADOPTION_FILE = "ses-adopt.json";
/** The adoption file's format version; a reader refuses any other. */
export const ADOPTION_VERSION = 1;

/** Where a resource was seen to exist. */
export type AdoptionEvidence =
  /** SES answered for it (GetEmailIdentity, GetConfigurationSet). */
  | "ses"
  /** Live DNS answered for its name and type. */
  | "dns"
  /** Easy DKIM tokens were given for its region: SES issues them only to an identity that exists. */
  | "tokens";

export interface AdoptedResource {
  /** `aws_route53_record.example_com_dkim_1` */
  readonly address: string;
  /** The Terraform import id. */
  readonly id: string;
  /** What it is, for the reviewer of the file: `CNAME abc._domainkey.example.com`. */
  readonly what: string;
  readonly seenIn: AdoptionEvidence;
}

/** One domain in the adoption file. */
export interface DomainAdoption {
  /** The hosted zone the record import ids name (Route 53 domains only). */
  readonly zoneId?: string;
  /** Easy DKIM tokens per region, as SES issued them. */
  readonly dkimTokens?: Readonly<Partial<Record<SesRegion, readonly string[]>>>;
  /** Everything that exists and is imported, in plan order. */
  readonly resources: readonly AdoptedResource[];
}

/** `ses-adopt.json`: written by `ses-domains adopt`, committed by the user, read by synth. */
export interface AdoptionFile {
  readonly version: typeof ADOPTION_VERSION;
  readonly domains: Readonly<Record<string, DomainAdoption>>;
}

/** What a domain's imports are computed from: the zone and the Easy DKIM tokens. */
export interface AdoptionContext {
  /** Needed for records of a `zoneName` domain; a `zoneId` domain's own id is used otherwise. */
  readonly zoneId?: string;
  readonly dkimTokens?: Readonly<Partial<Record<SesRegion, readonly string[]>>>;
}

/** A planned resource that can be adopted, with its import id when it can be computed. */
export interface AdoptableResource {
  readonly resource: PlannedResource;
  /** Undefined while something it depends on is unknown: the zone id, or the Easy DKIM tokens of its region. */
  readonly id?: string;
  /** The record name as Route 53 holds it (tokens filled) for records; undefined when tokens are missing. */
  readonly name?: string;
  readonly what: string;
}

/** The zone id record imports use: the config's, else the one the adoption found. */
export function zoneIdOf(plan: DomainPlan, context: AdoptionContext): string | undefined {
  return "zoneId" in plan.zone ? plan.zone.zoneId : context.zoneId;
}

/** A record name (or value) with the Easy DKIM tokens filled, or undefined when a needed token is missing. */
export function withTokens(text: string, tokens: AdoptionContext["dkimTokens"]): string | undefined {
  let complete = true;
  const filled = fillDkimTokens(text, (region, i) => {
    const token = tokens?.[region]?.[i];
    if (token === undefined) complete = false;
    return token ?? "";
  });
  return complete ? filled : undefined;
}

/**
 * The resources of `plan` that can be imported: identities, MAIL FROM attributes, configuration sets
 * and Route 53 records (not alarms, event destinations, topics or senders: those are created), each
 * with its import id. Records of a domain with external DNS are not Terraform resources at all.
 */
export function adoptableResources(plan: DomainPlan, context: AdoptionContext): AdoptableResource[] {
  const zoneId = zoneIdOf(plan, context);
  const out: AdoptableResource[] = [];
  for (const resource of plannedResources(plan)) {
    const role = resource.role;
    if (role.kind === "identity") {
      const name = role.identity.emailIdentity ?? plan.domain;
      out.push({ resource, id: name, what: `SES identity ${name} (${role.identity.region})` });
    } else if (role.kind === "mail-from") {
      const name = role.identity.emailIdentity ?? plan.domain;
      out.push({ resource, id: name, what: `MAIL FROM of ${name} (${role.identity.region})` });
    } else if (role.kind === "configuration-set") {
      out.push({ resource, id: role.set.name, what: `configuration set ${role.set.name} (${role.set.region})` });
    } else if (role.kind === "record") {
      const record = role.record;
      const name = withTokens(record.name, context.dkimTokens);
      out.push({
        resource,
        ...(name !== undefined && zoneId !== undefined ? { id: recordImportId(zoneId, name, record.type) } : {}),
        ...(name !== undefined ? { name } : {}),
        what: `${record.type} ${name ?? record.name}`,
      });
    }
  }
  return out;
}

/** aws_route53_record's import id: `<zoneId>_<name>_<type>` (the provider splits at the first and last `_`). */
export function recordImportId(zoneId: string, name: string, type: string): string {
  return `${zoneId}_${name}_${type}`;
}

export interface AdoptionImports {
  /** Per adopting domain: Terraform address → import id. */
  readonly imports: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly warnings: readonly Warning[];
}

export interface AdoptionSource {
  readonly file: AdoptionFile;
  /** How to name the file in messages (as the user gave it, or relative to the working directory). */
  readonly name: string;
}

/**
 * The import blocks a synth writes: for each domain with `adopt: true`, exactly the resources its
 * adoption entry lists, each checked against the plan as it is now (a resource the config no longer
 * plans, or whose import id changed, means the file is stale). A domain with `adopt: true` and no
 * entry is a config error naming the domain and the command to run. Throws ConfigError with every problem.
 */
export function adoptionImports(
  plans: readonly DomainPlan[],
  adopting: ReadonlySet<string>,
  source: AdoptionSource | undefined,
  command = "ses-domains adopt",
): AdoptionImports {
  const issues: ConfigIssue[] = [];
  const warnings: Warning[] = [];
  const imports = new Map<string, Map<string, string>>();
  const rerun = `run ${command} (add --from-aws to read SES, or give --tokens) and commit the file it writes`;
  const stale = `the file is stale: run ${command} again, or, if it was applied already, remove adopt: true (the state holds everything now)`;
  for (const plan of plans) {
    if (!adopting.has(plan.domain)) continue;
    const at = ["domains", plan.domain, "adopt"];
    const entry = source?.file.domains[plan.domain];
    if (!source) {
      issues.push({ path: at, message: `is true, but there is no adoption file (${ADOPTION_FILE} beside the config, SES_ADOPTION or --adoption): ${rerun}` });
      continue;
    }
    if (!entry) {
      issues.push({ path: at, message: `is true, but ${source.name} has no entry for ${plan.domain}: ${rerun}` });
      continue;
    }
    const adoptable = new Map(adoptableResources(plan, entry).map((a) => [a.resource.address, a]));
    const mine = new Map<string, string>();
    imports.set(plan.domain, mine);
    for (const resource of entry.resources) {
      const planned = adoptable.get(resource.address);
      if (!planned) {
        issues.push({ path: at, message: `${source.name} imports ${resource.address} (${resource.what}), which the config no longer writes: ${stale}` });
      } else if (planned.id !== resource.id) {
        issues.push({
          path: at,
          message: `${source.name} imports ${resource.address} as "${resource.id}", but the config now makes its import id ${planned.id === undefined ? "unknown (tokens or zone id missing from the file)" : `"${planned.id}"`}: ${stale}`,
        });
      } else mine.set(resource.address, resource.id);
    }
  }
  for (const domain of Object.keys(source?.file.domains ?? {}).sort()) {
    if (!adopting.has(domain)) {
      warnings.push({
        code: "adoption-unused",
        path: ["domains", domain, "adopt"],
        message: plans.some((p) => p.domain === domain)
          ? `${source!.name} lists ${domain}, which does not set adopt: true: nothing of it is imported`
          : `${source!.name} lists ${domain}, which is not in the config: nothing of it is imported`,
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { imports, warnings };
}
