import { TerraformStack, TerraformVariable, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { resolveProject } from "../config/resolve";
import type { DefaultsConfig, DomainConfig } from "../config/schema";
import { ConfigError, formatPath, type ConfigIssue } from "../errors";
import { planDomains, type DomainPlan } from "../model/records";
import type { SesRegion } from "../model/regions";
import type { Warning } from "../model/types";
import { SesDomainResources, type SesDomainRecord } from "./ses-domain-resources";

/** A config domain entry (the same shape and schema as in ses.config.yaml), plus where to render it. */
export interface SesDomainProps extends Omit<DomainConfig, "stack" | "adopt"> {
  /** The identity domain: the key of the entry in a config file. */
  readonly domain: string;
  /**
   * Settings the entry inherits, as `defaults` in a config file (merged the same way).
   * @default - none
   */
  readonly defaults?: DefaultsConfig;
  /**
   * The AWS provider for the identity's region (one region).
   * @default - the stack's default AWS provider; its region must be the domain's
   */
  readonly provider?: TerraformProvider;
  /**
   * A provider per region, for a domain with several `regions`.
   * @default - `provider`, else the stack's default provider, for every region
   */
  readonly providers?: Readonly<Partial<Record<SesRegion, TerraformProvider>>>;
  /**
   * The provider Route 53 records (and a zoneName lookup) go through: one that assumes a role in the zone's account.
   * @default - the stack's default AWS provider
   */
  readonly dnsProvider?: TerraformProvider;
}

/**
 * One sending domain inside an existing cdktf app, configured like an entry of ses.config.yaml:
 *
 * ```ts
 * new SesDomain(stack, "example", { domain: "example.com", region: "eu-west-1", dns: { route53: { zoneId } }, dmarc: { p: "reject" } });
 * ```
 *
 * The entry is validated at construction with the config's own schema and rules; a problem throws a
 * ConfigError whose lines name the construct path and the field. It renders through the stack's AWS
 * provider unless `provider`/`providers`/`dnsProvider` are given, and exposes what the user's own
 * resources need: the identity ARN, the configuration set's name and the records.
 *
 * Differences from the app, which shares state across domains: notifications by email get a topic of the
 * domain's own; a sender's `role` gets an inline policy for this domain only; account-level settings and
 * `dmarc.collect` (the ses-account stack) are not rendered here.
 */
export class SesDomain extends Construct {
  /** The record model's plan for the domain. */
  readonly plan: DomainPlan;
  /** The rendered resources (identities, configuration sets, records, senders). */
  readonly resources: SesDomainResources;
  /** The SES identity's ARN in the first region. */
  readonly identityArn: string;
  /** The SES identity's ARN per region. */
  readonly identityArns: ReadonlyMap<SesRegion, string>;
  /** The default configuration set's name (the same in every region); undefined with `configurationSet: false`. */
  readonly configurationSetName?: string;
  /** Every DNS record the domain needs, for the user's own DNS resources or outputs. */
  readonly records: readonly SesDomainRecord[];
  /** Warnings about the entry (a domain without DMARC, weak settings), as synth prints them. */
  readonly warnings: readonly Warning[];

  constructor(scope: Construct, id: string, props: SesDomainProps) {
    super(scope, id);
    const { domain, defaults, provider, providers, dnsProvider, ...entry } = props;
    this.plan = planEntry(this.node.path, domain, entry, defaults);
    const plan = this.plan;
    const regions = plan.identities.map((i) => i.region);
    const providerFor = (region: SesRegion): TerraformProvider | undefined => providers?.[region] ?? provider;
    checkProviders(this, regions, providerFor);
    if (!dnsProvider && "assumeRoleArn" in plan.zone && plan.zone.assumeRoleArn) {
      throw constructError(this.node.path, [
        {
          path: ["dns", "route53", "assumeRoleArn"],
          message: "in a construct, pass dnsProvider (an AwsProvider that assumes the role) instead of assumeRoleArn",
        },
      ]);
    }

    let zoneId: string | undefined;
    if ("zoneId" in plan.zone) zoneId = plan.zone.zoneId;
    if ("zoneName" in plan.zone) zoneId = new DataAwsRoute53Zone(this, "zone", { provider: dnsProvider, name: plan.zone.zoneName, privateZone: false }).zoneId;

    const variables = new Map<string, TerraformVariable>();
    this.resources = new SesDomainResources(this, "Default", {
      plan,
      zoneId,
      dnsProvider,
      providerFor,
      variable: (name) => {
        if (!variables.has(name)) {
          variables.set(
            name,
            new TerraformVariable(this, name, {
              type: "string",
              sensitive: true,
              nullable: false,
              description: `BYODKIM private key for ${domain}. Pass it as TF_VAR_${name}.`,
            }),
          );
        }
        return variables.get(name)!.stringValue;
      },
      rolePolicies: true,
    });

    const arns = new Map<SesRegion, string>();
    for (const [region, identity] of this.resources.identities) arns.set(region, identity.arn);
    this.identityArns = arns;
    this.identityArn = arns.get(regions[0])!;
    const set = this.resources.configurationSets.get(regions[0]);
    this.configurationSetName = set?.name;
    this.records = this.resources.dnsRecords;
    this.warnings = plan.warnings;
  }
}

/** The entry resolved and planned as the app would, in construct terms. */
function planEntry(constructPath: string, domain: string, entry: Omit<DomainConfig, "stack" | "adopt">, defaults: DefaultsConfig | undefined): DomainPlan {
  try {
    const project = resolveProject({ ...(defaults ? { defaults } : {}), domains: { [domain]: entry } });
    const spec = project.domains[0];
    if (spec.adopt) {
      throw new ConfigError([
        {
          path: ["domains", domain, "adopt"],
          message:
            "is for the app's adoption file (ses-domains adopt); in your own stack, import existing objects with cdktf's importFrom on the construct's resources",
        },
      ]);
    }
    if (spec.dmarc?.collect) {
      throw new ConfigError([
        {
          path: ["domains", domain, "dmarc", "collect"],
          message:
            "needs the ses-account stack (one active receipt rule set per region): use SesDomainsStack and SesAccountStack, or the app, to collect reports",
        },
      ]);
    }
    // No shared ses-account topic here: a notify by email gets a topic of the domain's own.
    const alarms = spec.alarms ? { ...spec.alarms, ownNotify: true } : spec.alarms;
    return planDomains([{ ...spec, alarms }])[0];
  } catch (err) {
    if (err instanceof ConfigError)
      throw constructError(
        constructPath,
        err.issues.map((i) => ({ ...i, path: relative(i.path, domain) })),
      );
    throw err;
  }
}

/** `domains["example.com"].dmarc.p` → `dmarc.p`: in a construct the entry is the props. */
function relative(path: readonly PropertyKey[], domain: string): PropertyKey[] {
  if (path[0] === "domains" && path[1] === domain) return path.slice(2);
  if (path[0] === "domains" && path.length === 2) return ["domain"];
  return [...path];
}

/** A ConfigError whose lines read `<construct path>: <field>: <problem>`. */
function constructError(constructPath: string, issues: readonly ConfigIssue[]): ConfigError {
  return new ConfigError(
    issues.map((i) => ({ path: [], message: `${i.path.length > 0 ? `${formatPath(i.path)}: ` : ""}${i.message}` })),
    constructPath,
  );
}

/**
 * Without an explicit provider, a region renders through the stack's default AWS provider: refuse when
 * that provider is pinned to another region (the identity would be created in the wrong one).
 */
function checkProviders(scope: Construct, regions: readonly SesRegion[], providerFor: (region: SesRegion) => TerraformProvider | undefined): void {
  const stack = TerraformStack.of(scope);
  const fallback = stack.node.children.find((c): c is AwsProvider => c instanceof AwsProvider && c.alias === undefined);
  const issues: ConfigIssue[] = [];
  for (const region of regions) {
    if (providerFor(region)) continue;
    if (!fallback) {
      issues.push({
        path: ["region"],
        message: `no AWS provider for ${region}: add an AwsProvider to the stack or pass provider (providers for several regions)`,
      });
      continue;
    }
    const providerRegion = fallback.region;
    if (typeof providerRegion === "string" && !providerRegion.includes("${") && providerRegion !== region) {
      issues.push({
        path: ["region"],
        message: `is ${region}, but the stack's AWS provider is in ${providerRegion}: pass provider (or providers: { "${region}": … }) for ${region}`,
      });
    }
  }
  if (issues.length > 0) throw constructError(scope.node.path, issues);
}
