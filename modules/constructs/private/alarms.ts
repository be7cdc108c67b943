import type { TerraformProvider } from "cdktf";
import type { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { emailWord } from "../../model/addresses";
import { fillAccountId, type AlarmPlan } from "../../model/operations";

/** A Standard SNS topic with one email subscription per address (each stays pending until its owner confirms). */
export function emailTopic(
  scope: Construct,
  id: string,
  props: { name: string; emails: readonly string[]; provider?: TerraformProvider; tags?: Record<string, string> },
): SnsTopic {
  const topic = new SnsTopic(scope, id, { provider: props.provider, name: props.name, fifoTopic: false, tags: props.tags });
  for (const email of [...props.emails].sort()) {
    new SnsTopicSubscription(scope, `${id}_${emailWord(email)}`, { provider: props.provider, topicArn: topic.arn, protocol: "email", endpoint: email });
  }
  return topic;
}

/**
 * The reputation alarms of a configuration set or of the account. `accountId` fills `{{account-id}}` in a
 * shared topic's ARN (an expression on an ARN in the same stack, so no lookup is needed at plan time).
 */
export function reputationAlarms(
  scope: Construct,
  alarms: readonly AlarmPlan[],
  props: {
    provider?: TerraformProvider;
    /** Fills `{{account-id}}` in the shared topic's ARN, when the topic is in another stack. */
    accountId?: string;
    /** The shared topic itself, when it is in this stack. */
    sharedTopicArn?: string;
    tags?: Record<string, string>;
    topicId: string;
  },
): void {
  let ownTopic: SnsTopic | undefined;
  for (const alarm of alarms) {
    const notify = alarm.notify;
    let actions: string[] | undefined;
    if (notify.kind === "topic") actions = [notify.arn];
    if (notify.kind === "shared-topic") actions = [props.sharedTopicArn ?? fillAccountId(notify.arn, props.accountId!)];
    if (notify.kind === "own-topic") {
      ownTopic ??= emailTopic(scope, props.topicId, { name: notify.name, emails: notify.emails, provider: props.provider, tags: props.tags });
      actions = [ownTopic.arn];
    }
    new CloudwatchMetricAlarm(scope, alarm.id, {
      provider: props.provider,
      alarmName: alarm.name,
      alarmDescription: alarm.description,
      namespace: "AWS/SES",
      metricName: alarm.metricName,
      dimensions: alarm.dimensions ? { ...alarm.dimensions } : undefined,
      statistic: alarm.statistic,
      period: alarm.period,
      evaluationPeriods: alarm.evaluationPeriods,
      threshold: alarm.threshold,
      comparisonOperator: alarm.comparisonOperator,
      treatMissingData: alarm.treatMissingData,
      alarmActions: actions,
      okActions: actions,
      tags: props.tags,
    });
  }
}
