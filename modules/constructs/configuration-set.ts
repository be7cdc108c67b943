import { TerraformLocal, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { Sesv2ConfigurationSet } from "@cdktf/provider-aws/lib/sesv2-configuration-set";
import { Sesv2ConfigurationSetEventDestination } from "@cdktf/provider-aws/lib/sesv2-configuration-set-event-destination";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { partitionOf, type ConfigurationSetPlan, type EventDestinationPlan } from "../model/operations";
import { reputationAlarms } from "./private/alarms";
import { accountIdOf } from "./private/arn";

export interface ConfigurationSetProps {
  /** What to render: an identity's `configurationSet` from the record model. */
  readonly plan: ConfigurationSetPlan;
  /**
   * The AWS provider of the set's region.
   * @default - the stack's default provider
   */
  readonly provider?: TerraformProvider;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/**
 * One SESv2 configuration set: delivery (TLS), reputation metrics, suppression, sending on, tracking
 * and VDM options when asked; its event destinations (each `enabled = true`: the provider's default is
 * false); a Standard SNS topic with the policy SES needs when asked to create one; and the set's
 * reputation alarms. The set's own resource is its `Default` child, so its address is the construct's.
 */
export class ConfigurationSet extends Construct {
  readonly resource: Sesv2ConfigurationSet;
  /** The set's name, for `configuration_set_name` references (creates the dependency). */
  readonly name: string;

  constructor(scope: Construct, id: string, props: ConfigurationSetProps) {
    super(scope, id);
    const { plan, provider, tags } = props;
    const set = new Sesv2ConfigurationSet(this, "Default", {
      provider,
      configurationSetName: plan.name,
      deliveryOptions: { tlsPolicy: plan.tlsPolicy, ...(plan.maxDeliverySeconds !== undefined ? { maxDeliverySeconds: plan.maxDeliverySeconds } : {}) },
      reputationOptions: { reputationMetricsEnabled: plan.reputationMetrics },
      sendingOptions: { sendingEnabled: true },
      suppressionOptions: { suppressedReasons: [...plan.suppressedReasons] },
      trackingOptions: plan.tracking ? { customRedirectDomain: plan.tracking.domain, httpsPolicy: plan.tracking.httpsPolicy } : undefined,
      vdmOptions: plan.vdm
        ? {
            dashboardOptions: plan.vdm.engagementMetrics ? { engagementMetrics: plan.vdm.engagementMetrics } : undefined,
            guardianOptions: plan.vdm.optimizedSharedDelivery ? { optimizedSharedDelivery: plan.vdm.optimizedSharedDelivery } : undefined,
          }
        : undefined,
      tags,
    });
    this.resource = set;
    this.name = set.configurationSetName;
    // The account comes from the set's own ARN: no caller-identity lookup at plan time. A local keeps the
    // expression out of the policy documents, which then read as JSON.
    const accountId = new TerraformLocal(this, "account_id", accountIdOf(set.arn)).asString;
    for (const destination of plan.events) this.eventDestination(destination, accountId, props);
    reputationAlarms(this, plan.alarms, { provider, accountId, tags, topicId: "alarm_topic" });
  }

  private eventDestination(destination: EventDestinationPlan, accountId: string, props: ConfigurationSetProps): void {
    const { plan, provider, tags } = props;
    const target = destination.target;
    let topicArn: string | undefined;
    if (target.kind === "sns") topicArn = target.topicArn;
    if (target.kind === "sns-created") {
      const topic = new SnsTopic(this, "events_topic", { provider, name: target.topicName, fifoTopic: false, tags });
      new SnsTopicPolicy(this, "events_topic_policy", {
        provider,
        arn: topic.arn,
        // SES publishes only for this account and this configuration set (SES developer guide, event publishing to SNS).
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AllowSesEventPublishing",
              Effect: "Allow",
              Principal: { Service: "ses.amazonaws.com" },
              Action: "sns:Publish",
              Resource: topic.arn,
              Condition: { StringEquals: { "AWS:SourceAccount": accountId, "AWS:SourceArn": this.resource.arn } },
            },
          ],
        }),
      });
      topicArn = topic.arn;
    }
    new Sesv2ConfigurationSetEventDestination(this, destination.id, {
      provider,
      configurationSetName: this.name,
      eventDestinationName: destination.name,
      eventDestination: {
        enabled: true,
        matchingEventTypes: [...destination.types],
        cloudWatchDestination:
          target.kind === "cloudwatch"
            ? {
                dimensionConfiguration: [
                  { dimensionName: target.dimensionName, dimensionValueSource: "MESSAGE_TAG", defaultDimensionValue: target.dimensionValue },
                ],
              }
            : undefined,
        snsDestination: topicArn !== undefined ? { topicArn } : undefined,
        eventBridgeDestination:
          target.kind === "eventbridge" ? { eventBusArn: `arn:${partitionOf(plan.region)}:events:${plan.region}:${accountId}:event-bus/default` } : undefined,
      },
    });
  }
}
