import { TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SesDomainResources } from "../constructs/ses-domain-resources";
import type { DomainPlan } from "../model/records";

import { importExisting } from "./private/imports";
import { awsProviders, DEFAULT_PROVIDER_REGION, ReadableStack, type StackBackend } from "./private/readable-stack";

export { DEFAULT_PROVIDER_REGION, type StackBackend } from "./private/readable-stack";

export interface SesDomainsStackProps {
  /** Domains to render, from `planDomains`: this stack's share. */
  readonly plans: readonly DomainPlan[];
  /**
   * The state backend.
   * @default - cdktf's own default, a local file at an absolute path (main.ts always sets one)
   */
  readonly backend?: StackBackend;
  /**
   * Resources that already exist, by Terraform address, with their import ids (`adoptionImports` in
   * model/adoption.ts): each gets an `import` block.
   * @default - none: everything is created
   */
  readonly imports?: ReadonlyMap<string, string>;
}

/**
 * The provider alias for Route 53 through a role in another account: `dns-<account>-<role name>`,
 * readable in plans and stable for as long as the role is.
 */
export function dnsProviderAlias(roleArn: string): string {
  const [, , , , account, resource] = roleArn.split(":");
  const role = resource.slice(resource.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9_-]/g, "_");
  return `dns-${account}-${role}`;
}

/**
 * One Terraform state holding a group of domains: the AWS providers (the default in us-east-1 for
 * Route 53 and us-east-1 identities, one alias per other region, one per DNS role in another account),
 * the hosted-zone lookups, the private-key variables and a SesDomain per domain. Resource addresses
 * are readable: `aws_route53_record.example_com_dkim_1`.
 */
export class SesDomainsStack extends ReadableStack {
  constructor(scope: Construct, name: string, props: SesDomainsStackProps) {
    super(scope, name, props.backend);

    const regionProviders = awsProviders(
      this,
      props.plans.flatMap((p) => p.identities.map((i) => i.region)),
    );

    const roleProviders = new Map<string, AwsProvider>();
    const aliases = new Map<string, string>();
    for (const roleArn of sorted(props.plans.flatMap((p) => ("assumeRoleArn" in p.zone && p.zone.assumeRoleArn ? [p.zone.assumeRoleArn] : [])))) {
      const alias = dnsProviderAlias(roleArn);
      const twin = aliases.get(alias);
      if (twin) throw new Error(`DNS roles ${twin} and ${roleArn} would share the provider alias ${alias}`);
      aliases.set(alias, roleArn);
      roleProviders.set(roleArn, new AwsProvider(this, `aws_${alias}`, { region: DEFAULT_PROVIDER_REGION, alias, assumeRole: [{ roleArn }] }));
    }
    const dnsProvider = (plan: DomainPlan) =>
      "assumeRoleArn" in plan.zone && plan.zone.assumeRoleArn ? roleProviders.get(plan.zone.assumeRoleArn) : undefined;

    // One lookup per zone name (and role), shared by every domain in that zone.
    const zoneKey = (plan: DomainPlan, zoneName: string) => {
      const provider = dnsProvider(plan);
      return provider ? `${zoneName}_${provider.alias}` : zoneName;
    };
    const zones = new Map<string, DataAwsRoute53Zone>();
    for (const plan of props.plans) {
      if (!("zoneName" in plan.zone)) continue;
      const key = zoneKey(plan, plan.zone.zoneName);
      if (!zones.has(key)) {
        zones.set(key, new DataAwsRoute53Zone(this, `zone_${key}`, { provider: dnsProvider(plan), name: plan.zone.zoneName, privateZone: false }));
      }
    }
    const zoneIdFor = (plan: DomainPlan): string | undefined => {
      if ("zoneId" in plan.zone) return plan.zone.zoneId;
      return "zoneName" in plan.zone ? zones.get(zoneKey(plan, plan.zone.zoneName))!.zoneId : undefined;
    };

    // One sensitive variable per name, however many domains share it: passed as TF_VAR_<name>.
    const variables = new Map<string, TerraformVariable>();
    const domainsByVariable = new Map<string, string[]>();
    for (const plan of props.plans) {
      const ref = plan.identities.map((i) => i.dkim).find((d) => d.type === "byo")?.privateKey;
      if (ref && "variable" in ref) domainsByVariable.set(ref.variable, [...(domainsByVariable.get(ref.variable) ?? []), plan.domain]);
    }
    for (const [name, domains] of [...domainsByVariable].sort(([a], [b]) => (a < b ? -1 : 1))) {
      variables.set(
        name,
        new TerraformVariable(this, name, {
          type: "string",
          sensitive: true,
          nullable: false,
          description: `BYODKIM private key (PEM, or its base64 body) for ${domains.join(", ")}. Pass it as TF_VAR_${name}.`,
        }),
      );
    }

    for (const plan of props.plans) {
      new SesDomainResources(this, plan.slug, {
        plan,
        zoneId: zoneIdFor(plan),
        dnsProvider: dnsProvider(plan),
        providerFor: (region) => (region === DEFAULT_PROVIDER_REGION ? undefined : regionProviders.get(region)),
        variable: (name) => variables.get(name)!.stringValue,
      });
    }

    // After every construct exists, so the pass sees each resource under its final address.
    const imports = props.imports ?? new Map<string, string>();
    const imported = importExisting(this, imports);
    const missed = [...imports.keys()].filter((address) => !imported.has(address));
    if (missed.length > 0) throw new Error(`no resource in stack ${name} has the address to import: ${missed.join(", ")}`);
  }
}

function sorted<T extends string>(values: readonly T[]): T[] {
  return [...new Set(values)].sort();
}
