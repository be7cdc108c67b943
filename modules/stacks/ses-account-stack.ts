import type { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { DmarcCollection } from "../constructs/dmarc-collection";
import { SesAccountRegion } from "../constructs/ses-account";
import type { SesRegion } from "../model/regions";
import type { AccountPlan } from "../model/account";
import { fillAccountId } from "../model/operations";
import { awsProviders, DEFAULT_PROVIDER_REGION, ReadableStack, type StackBackend } from "./private/readable-stack";

export interface SesAccountStackProps {
  /** From `planAccount`. */
  readonly plan: AccountPlan;
  /** @default - cdktf's own default, a local file at an absolute path (the app always sets one) */
  readonly backend?: StackBackend;
}

/**
 * The one state that holds account-level resources, however many stacks the domains are sharded over:
 * per region in use (`us_east_1_suppression`, `eu_west_1_bounce_rate_alarm`, …), and one inline
 * sending policy per IAM role (`role_<name>`), covering every domain that names the role. Roles' ARNs
 * need the account ID, read from the caller identity at plan time.
 */
export class SesAccountStack extends ReadableStack {
  constructor(scope: Construct, name: string, props: SesAccountStackProps) {
    super(scope, name, props.backend);
    const providers = awsProviders(this, [...props.plan.regions.map((r) => r.region), ...props.plan.collect.map((c) => c.region)]);
    const providerFor = (region: SesRegion) => (region === DEFAULT_PROVIDER_REGION ? undefined : providers.get(region));
    for (const region of props.plan.regions) {
      new SesAccountRegion(this, region.id, { plan: region, provider: providerFor(region.region) });
    }
    const caller = props.plan.rolePolicies.length > 0 || props.plan.collect.length > 0 ? new DataAwsCallerIdentity(this, "current", {}) : undefined;
    for (const role of props.plan.rolePolicies) {
      new IamRolePolicy(this, role.id, { role: role.role, name: role.policyName, policy: fillAccountId(role.document, caller!.accountId) });
    }
    if (props.plan.collect.length > 0) {
      new DmarcCollection(this, "dmarc_reports", { plans: props.plan.collect, accountId: caller!.accountId, providerFor });
    }
  }
}
