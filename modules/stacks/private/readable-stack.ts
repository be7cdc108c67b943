import { LocalBackend, S3Backend, TerraformStack, type S3BackendConfig, type TerraformElement } from "cdktf";
import { Node, type Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { SesRegion } from "../../model/regions";

/** Route 53 and IAM are global services whose APIs live in us-east-1: the default provider's region. */
export const DEFAULT_PROVIDER_REGION: SesRegion = "us-east-1";

/** Where a stack keeps its state. */
export type StackBackend = { readonly local: { readonly path: string } } | { readonly s3: S3BackendConfig };

/**
 * A stack with readable, stable Terraform addresses and the given backend. Logical ids are the
 * construct path below the stack joined with `_` (`Default` ids dropped), with no hash suffix: the ids
 * are domain slugs, regions and the record model's fixed words, so an address reads
 * `aws_route53_record.example_com_dkim_1`. Duplicates are a bug in the model, so they throw.
 */
export class ReadableStack extends TerraformStack {
  private readonly logicalIds = new Map<string, string>();

  constructor(scope: Construct, name: string, backend?: StackBackend) {
    super(scope, name);
    if (backend && "local" in backend) new LocalBackend(this, { path: backend.local.path });
    if (backend && "s3" in backend) new S3Backend(this, backend.s3);
  }

  /**
   * The construct path below the stack joined with `_`; zone lookups are `zone_<zone name>` with dots
   * as underscores.
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

/**
 * The AWS providers of a stack: the default one in us-east-1 (Route 53, IAM, and us-east-1 identities),
 * and one alias per other region, named after it (`aws.eu-west-1`).
 */
export function awsProviders(stack: Construct, regions: readonly SesRegion[]): Map<SesRegion, AwsProvider> {
  const providers = new Map<SesRegion, AwsProvider>([[DEFAULT_PROVIDER_REGION, new AwsProvider(stack, "aws", { region: DEFAULT_PROVIDER_REGION })]]);
  for (const region of [...new Set(regions)].sort()) {
    if (!providers.has(region)) providers.set(region, new AwsProvider(stack, `aws_${region}`, { region, alias: region }));
  }
  return providers;
}
