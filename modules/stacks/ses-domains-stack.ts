import { LocalBackend, TerraformStack, TerraformVariable, type TerraformElement } from "cdktf";
import { Node, type Construct } from "constructs";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SesDomain } from "../constructs/ses-domain";
import type { DomainPlan } from "../model/records";
import type { SesRegion } from "../model/regions";

/** Route 53 is a global service whose API lives in us-east-1: the default provider's region. */
export const DEFAULT_PROVIDER_REGION: SesRegion = "us-east-1";

export interface SesDomainsStackProps {
  /** Domains to render, from `planDomains`. */
  readonly plans: readonly DomainPlan[];
  /**
   * Path of the local state file, relative to the stack's directory in the output.
   * @default - cdktf's own default, an absolute path (not deterministic: main.ts always sets this)
   */
  readonly localStatePath?: string;
}

/**
 * One Terraform state holding a group of domains: the AWS providers (the default in us-east-1 for
 * Route 53 and us-east-1 identities, one alias per other region), the hosted-zone lookups, and a
 * SesDomain per domain. Resource addresses are readable: `aws_route53_record.example_com_dkim_1`.
 */
export class SesDomainsStack extends TerraformStack {
  private readonly logicalIds = new Map<string, string>();

  constructor(scope: Construct, name: string, props: SesDomainsStackProps) {
    super(scope, name);
    if (props.localStatePath !== undefined) new LocalBackend(this, { path: props.localStatePath });

    const defaultProvider = new AwsProvider(this, "aws", { region: DEFAULT_PROVIDER_REGION });
    const providers = new Map<SesRegion, AwsProvider>([[DEFAULT_PROVIDER_REGION, defaultProvider]]);
    const regions = [...new Set(props.plans.flatMap((p) => p.identities.map((i) => i.region)))].sort();
    for (const region of regions) {
      if (!providers.has(region)) {
        providers.set(region, new AwsProvider(this, `aws_${region}`, { region, alias: region }));
      }
    }

    const zones = new Map<string, DataAwsRoute53Zone>();
    const zoneNames = [...new Set(props.plans.flatMap((p) => ("zoneName" in p.zone ? [p.zone.zoneName] : [])))].sort();
    for (const zoneName of zoneNames) {
      zones.set(zoneName, new DataAwsRoute53Zone(this, `zone_${zoneName}`, { name: zoneName, privateZone: false }));
    }

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
      const zoneId = "zoneId" in plan.zone ? plan.zone.zoneId : zones.get(plan.zone.zoneName)!.zoneId;
      new SesDomain(this, plan.slug, {
        plan,
        zoneId,
        providerFor: (region) => (region === DEFAULT_PROVIDER_REGION ? undefined : providers.get(region)),
        variable: (name) => variables.get(name)!.stringValue,
      });
    }
  }

  /**
   * `<construct path below the stack>` joined with `_`, with no hash suffix: the child ids are the
   * domain slug and the model's fixed words, so the address is `example_com_dkim_1`. Zone lookups are
   * `zone_<zone name>` with dots as underscores. Duplicates are a bug in the model, so they throw.
   */
  public allocateLogicalId(element: TerraformElement | Node): string {
    const node = element instanceof Node ? element : element.node;
    const path = node.scopes
      .slice(node.scopes.indexOf(this) + 1)
      .map((scope) => scope.node.id)
      .filter((id) => id !== "Default");
    const logicalId = path.join("_").replace(/\./g, "_");
    const owner = this.logicalIds.get(logicalId);
    if (owner !== undefined && owner !== node.path) {
      throw new Error(`two resources would share the Terraform name ${logicalId}: ${owner} and ${node.path}`);
    }
    this.logicalIds.set(logicalId, node.path);
    return logicalId;
  }
}
