import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { Sesv2AccountSuppressionAttributes } from "@cdktf/provider-aws/lib/sesv2-account-suppression-attributes";
import { Sesv2AccountVdmAttributes } from "@cdktf/provider-aws/lib/sesv2-account-vdm-attributes";
import type { AccountRegionPlan } from "../model/account";
import { emailTopic, reputationAlarms } from "./private/alarms";

export interface SesAccountRegionProps {
  readonly plan: AccountRegionPlan;
  /** @default - the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * Account-level settings in one region, which must exist once per account and region: the
 * account-level suppression list, VDM when asked, the account's reputation alarms (no dimension), and
 * the shared topic that alarms notify by email.
 */
export class SesAccountRegion extends Construct {
  constructor(scope: Construct, id: string, props: SesAccountRegionProps) {
    super(scope, id);
    const { plan, provider } = props;
    if (plan.suppressedReasons) {
      new Sesv2AccountSuppressionAttributes(this, "suppression", { provider, suppressedReasons: [...plan.suppressedReasons] });
    }
    if (plan.vdm) {
      new Sesv2AccountVdmAttributes(this, "vdm", {
        provider,
        vdmEnabled: plan.vdm.enabled,
        dashboardAttributes: plan.vdm.engagementMetrics ? { engagementMetrics: plan.vdm.engagementMetrics } : undefined,
        guardianAttributes: plan.vdm.optimizedSharedDelivery ? { optimizedSharedDelivery: plan.vdm.optimizedSharedDelivery } : undefined,
      });
    }
    const topic = plan.alarmTopic && emailTopic(this, "alarm_topic", { name: plan.alarmTopic.name, emails: plan.alarmTopic.emails, provider });
    reputationAlarms(this, plan.alarms, { provider, sharedTopicArn: topic?.arn, topicId: "alarm_topic" });
  }
}
