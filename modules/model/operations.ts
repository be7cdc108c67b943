/**
 * Operations in the record model: what a domain's configuration set, event destinations, reputation
 * alarms and senders are, and what the account needs once per region. Pure: no cdktf, no I/O.
 *
 * Sources (OPERATIONS-FACTS.md): SES reviews an account at a 5 % bounce or 0.1 % complaint rate and may
 * pause it at 10 % / 0.5 % (SES developer guide, reputationdashboardmessages); the reputation metrics are
 * fractions in AWS/SES, per configuration set under the dimension `ses:configuration-set`; sending needs
 * ses:SendEmail/ses:SendRawEmail on the identity and on the configuration set (aws-cdk issue 34402).
 */
import { createHash } from "node:crypto";
import { regionWord, type SesRegion } from "./regions";
import type { AlarmsSpec, ConfigurationSetSpec, DomainSpec, EventType, NotifySpec, SenderSpec, SuppressionReason } from "./types";

/** The stack that holds account-level resources, whatever the number of domain stacks. */
export const ACCOUNT_STACK = "ses-account";
/** Per region, in the account stack: the topic alarms notify when notify is by email and not the domain's own. */
export const SHARED_ALARM_TOPIC = "ses-domains-alarms";
/** Stands for the AWS account ID in ARNs; each stack fills it (from an ARN in the stack, or the caller identity). */
export const ACCOUNT_ID = "{{account-id}}";

export const EVENT_TYPES = [
  "send",
  "delivery",
  "bounce",
  "complaint",
  "reject",
  "deliveryDelay",
  "open",
  "click",
  "renderingFailure",
  "subscription",
] as const satisfies readonly EventType[];
export const DEFAULT_EVENT_TYPES: readonly EventType[] = ["send", "delivery", "bounce", "complaint", "reject", "deliveryDelay"];

/** The SESv2 API's EventType values (matching_event_types). */
const EVENT_TYPE_API: Record<EventType, string> = {
  send: "SEND",
  delivery: "DELIVERY",
  bounce: "BOUNCE",
  complaint: "COMPLAINT",
  reject: "REJECT",
  deliveryDelay: "DELIVERY_DELAY",
  open: "OPEN",
  click: "CLICK",
  renderingFailure: "RENDERING_FAILURE",
  subscription: "SUBSCRIPTION",
};

/** SES's own lines, as fractions: review puts the account under review, pause may stop its sending. */
export const SES_REPUTATION = {
  bounce: { review: 0.05, pause: 0.1 },
  complaint: { review: 0.001, pause: 0.005 },
} as const;

export const DEFAULT_ALARM_THRESHOLDS = { bounceRate: 0.04, complaintRate: 0.0008 } as const;

export const DEFAULT_CONFIGURATION_SET: ConfigurationSetSpec = {
  tls: "require",
  reputationMetrics: true,
  suppress: ["bounce", "complaint"],
};

export const DEFAULT_ACCOUNT_SUPPRESSION: readonly SuppressionReason[] = ["bounce", "complaint"];

/** SES names: letters, digits, `-`, `_`, at most 64. */
const SET_NAME_MAX = 64;

/**
 * The configuration set name derived from the domain: dots become `_` (domain labels have no `_`, so
 * two domains never share a name); past 64 characters the end becomes a hash, still stable.
 */
export function defaultConfigurationSetName(domain: string): string {
  const name = domain.replace(/\./g, "_");
  return name.length <= SET_NAME_MAX ? name : `${name.slice(0, SET_NAME_MAX - 9)}-${createHash("sha256").update(domain).digest("hex").slice(0, 8)}`;
}

/** The AWS partition of a region: GovCloud regions are aws-us-gov, every other SES region is aws. */
export function partitionOf(region: SesRegion): string {
  return region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** SES's open and click tracking host in a region, the CNAME target of a custom tracking domain over HTTP. */
export function trackingHost(region: SesRegion): string {
  return `r.${region}.awstrack.me`;
}

/** SES's SMTP endpoint in a region (STARTTLS on 587). */
export function smtpHost(region: SesRegion): string {
  return `email-smtp.${region}.amazonaws.com`;
}

export function sesArn(kind: "identity" | "configuration-set", region: SesRegion, name: string): string {
  return `arn:${partitionOf(region)}:ses:${region}:${ACCOUNT_ID}:${kind}/${name}`;
}

export function snsArn(region: SesRegion, topic: string): string {
  return `arn:${partitionOf(region)}:sns:${region}:${ACCOUNT_ID}:${topic}`;
}

/** Where an alarm's notifications go. */
export type NotifyPlan =
  | { readonly kind: "none" }
  /** An existing topic. */
  | { readonly kind: "topic"; readonly arn: string }
  /** The account stack's shared topic in the alarm's region. */
  | { readonly kind: "shared-topic"; readonly arn: string }
  /** A topic created beside the alarm, with email subscriptions. */
  | { readonly kind: "own-topic"; readonly name: string; readonly emails: readonly string[] };

export interface AlarmPlan {
  /** Fixed word in the Terraform address. */
  readonly id: "bounce_rate_alarm" | "complaint_rate_alarm";
  readonly name: string;
  readonly metricName: "Reputation.BounceRate" | "Reputation.ComplaintRate";
  readonly threshold: number;
  /** `ses:configuration-set` for a set's alarm; none for the account's. */
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly description: string;
  readonly notify: NotifyPlan;
  readonly statistic: "Average";
  /** Seconds. */
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly comparisonOperator: "GreaterThanOrEqualToThreshold";
  /** AWS's advice for these metrics: a quiet period keeps the alarm's state. */
  readonly treatMissingData: "ignore";
}

export type EventTarget =
  | { readonly kind: "cloudwatch"; readonly dimensionName: string; readonly dimensionValue: string }
  | { readonly kind: "sns"; readonly topicArn: string }
  | { readonly kind: "sns-created"; readonly topicName: string }
  | { readonly kind: "eventbridge" };

export interface EventDestinationPlan {
  readonly id: "cloudwatch" | "sns" | "eventbridge";
  /** event_destination_name, unique within the set. */
  readonly name: string;
  /** SESv2 EventType values. */
  readonly types: readonly string[];
  readonly target: EventTarget;
}

export interface ConfigurationSetPlan {
  /** Fixed word(s) in the Terraform address: `configuration_set`, or `<region>_configuration_set`. */
  readonly id: string;
  readonly name: string;
  readonly region: SesRegion;
  readonly tlsPolicy: "REQUIRE" | "OPTIONAL";
  readonly reputationMetrics: boolean;
  readonly suppressedReasons: readonly ("BOUNCE" | "COMPLAINT")[];
  readonly maxDeliverySeconds?: number;
  readonly tracking?: { readonly domain: string; readonly httpsPolicy: "REQUIRE" | "REQUIRE_OPEN_ONLY" | "OPTIONAL" };
  readonly vdm?: { readonly engagementMetrics?: "ENABLED" | "DISABLED"; readonly optimizedSharedDelivery?: "ENABLED" | "DISABLED" };
  readonly events: readonly EventDestinationPlan[];
  readonly alarms: readonly AlarmPlan[];
}

const enabled = (on: boolean | undefined) => (on === undefined ? undefined : on ? ("ENABLED" as const) : ("DISABLED" as const));
const upper = (reasons: readonly SuppressionReason[]) => reasons.map((r) => (r === "bounce" ? ("BOUNCE" as const) : ("COMPLAINT" as const)));

export function configurationSetName(spec: Pick<DomainSpec, "domain">, set: ConfigurationSetSpec): string {
  return set.name ?? defaultConfigurationSetName(spec.domain);
}

/** One region's configuration set of a domain. */
export function planConfigurationSet(spec: DomainSpec, set: ConfigurationSetSpec, region: SesRegion, id: string): ConfigurationSetPlan {
  const name = configurationSetName(spec, set);
  const events: EventDestinationPlan[] = [];
  if (set.events) {
    const types = set.events.types.map((t) => EVENT_TYPE_API[t]);
    if (set.events.cloudwatch) {
      // The auto-tag ses:configuration-set has one value per set: one custom metric per event type, never one per sender or recipient.
      events.push({
        id: "cloudwatch",
        name: "cloudwatch",
        types,
        target: { kind: "cloudwatch", dimensionName: "ses:configuration-set", dimensionValue: name },
      });
    }
    if (set.events.sns) {
      const target: EventTarget =
        "topicArn" in set.events.sns ? { kind: "sns", topicArn: set.events.sns.topicArn } : { kind: "sns-created", topicName: `${name}-ses-events` };
      events.push({ id: "sns", name: "sns", types, target });
    }
    if (set.events.eventBridge) events.push({ id: "eventbridge", name: "eventbridge", types, target: { kind: "eventbridge" } });
  }
  const alarms =
    spec.alarms && set.reputationMetrics ? reputationAlarms(spec.alarms, region, { name: `ses-${name}`, setName: name, ownTopic: `${name}-ses-alarms` }) : [];
  return {
    id,
    name,
    region,
    tlsPolicy: set.tls === "require" ? "REQUIRE" : "OPTIONAL",
    reputationMetrics: set.reputationMetrics,
    suppressedReasons: upper(set.suppress),
    ...(set.maxDeliverySeconds !== undefined ? { maxDeliverySeconds: set.maxDeliverySeconds } : {}),
    ...(set.trackingDomain
      ? {
          tracking: {
            domain: set.trackingDomain.domain,
            httpsPolicy: set.trackingDomain.https === "require" ? "REQUIRE" : set.trackingDomain.https === "requireOpenOnly" ? "REQUIRE_OPEN_ONLY" : "OPTIONAL",
          },
        }
      : {}),
    ...(set.vdm ? { vdm: { engagementMetrics: enabled(set.vdm.engagementMetrics), optimizedSharedDelivery: enabled(set.vdm.optimizedSharedDelivery) } } : {}),
    events,
    alarms,
  };
}

const percent = (fraction: number) => `${Number((fraction * 100).toPrecision(6))} %`;

/**
 * The two reputation alarms: Average of the rate over an hour, at or above the threshold (AWS's own
 * recipe: GreaterThanOrEqualToThreshold, missing data ignored so a quiet hour keeps the state).
 */
export function reputationAlarms(
  alarms: AlarmsSpec,
  region: SesRegion,
  owner: { readonly name: string; readonly setName?: string; readonly ownTopic: string },
): AlarmPlan[] {
  // A set notifies the shared topic unless the domain set its own notify; the account always does.
  const notify = notifyPlan(alarms.notify, owner.setName !== undefined && alarms.ownNotify, region, owner.ownTopic);
  const what = owner.setName ? `configuration set ${owner.setName}` : `the account in ${region}`;
  const alarm = (metric: "bounce" | "complaint"): AlarmPlan => {
    const threshold = metric === "bounce" ? alarms.bounceRate : alarms.complaintRate;
    const { review, pause } = SES_REPUTATION[metric];
    return {
      id: metric === "bounce" ? "bounce_rate_alarm" : "complaint_rate_alarm",
      name: `${owner.name}-${metric}-rate`,
      metricName: metric === "bounce" ? "Reputation.BounceRate" : "Reputation.ComplaintRate",
      threshold,
      ...(owner.setName ? { dimensions: { "ses:configuration-set": owner.setName } } : {}),
      description: `SES ${metric} rate of ${what} is at or above ${percent(threshold)}; SES reviews an account at ${percent(review)} and may pause its sending at ${percent(pause)}.`,
      notify,
      statistic: "Average",
      period: 3600,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "ignore",
    };
  };
  return [alarm("bounce"), alarm("complaint")];
}

function notifyPlan(notify: NotifySpec | undefined, own: boolean, region: SesRegion, ownTopic: string): NotifyPlan {
  if (!notify) return { kind: "none" };
  if ("topicArn" in notify) return { kind: "topic", arn: notify.topicArn };
  return own ? { kind: "own-topic", name: ownTopic, emails: [...notify.email] } : { kind: "shared-topic", arn: snsArn(region, SHARED_ALARM_TOPIC) };
}

/** What a sender is granted, per region of its domain. */
export interface SenderPlan {
  /** Fixed word in the Terraform address: `sender_<name>`. */
  readonly id: string;
  readonly name: string;
  readonly domain: string;
  readonly from: readonly string[];
  readonly role?: string;
  readonly account?: string;
  /** The identity (and configuration set) ARNs it may send through, with `{{account-id}}`. */
  readonly resources: readonly string[];
  readonly smtp?: { readonly userName: string; readonly secretName: string; readonly region: SesRegion; readonly host: string; readonly port: 587 };
  /** IAM Sid: letters and digits only. */
  readonly sid: string;
  /** The config field this sender comes from, for errors. */
  readonly path: readonly PropertyKey[];
}

const IAM_USER_MAX = 64;

export function planSender(spec: DomainSpec, sender: SenderSpec, sets: readonly ConfigurationSetPlan[]): SenderPlan {
  const resources = spec.regions.flatMap((region) => {
    const set = sets.find((s) => s.region === region);
    return [sesArn("identity", region, spec.domain), ...(set ? [sesArn("configuration-set", region, set.name)] : [])];
  });
  const region = spec.regions[0];
  let userName = `ses-smtp-${spec.domain}-${sender.name}`;
  if (userName.length > IAM_USER_MAX) {
    userName = `${userName.slice(0, IAM_USER_MAX - 9)}-${createHash("sha256").update(`${spec.domain}/${sender.name}`).digest("hex").slice(0, 8)}`;
  }
  return {
    id: `sender_${sender.name}`,
    name: sender.name,
    domain: spec.domain,
    from: sender.from,
    ...(sender.role !== undefined ? { role: sender.role } : {}),
    ...(sender.account !== undefined ? { account: sender.account } : {}),
    resources,
    ...(sender.smtp
      ? { smtp: { userName, secretName: `ses-domains/smtp/${spec.domain}/${sender.name}`, region, host: smtpHost(region), port: 587 as const } }
      : {}),
    sid: `Send${pascal(spec.domain)}${pascal(sender.name)}`,
    path: sender.path ?? ["domains", spec.domain, "senders"],
  };
}

const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");

export const SEND_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail"] as const;

/** One Allow statement: send through these resources, only as these From addresses (case-sensitive StringLike). */
export function sendStatement(sid: string, resources: readonly string[], from: readonly string[], principalAccount?: { account: string; partition: string }) {
  return {
    Sid: sid,
    Effect: "Allow",
    ...(principalAccount ? { Principal: { AWS: `arn:${principalAccount.partition}:iam::${principalAccount.account}:root` } } : {}),
    Action: [...SEND_ACTIONS],
    Resource: resources.length === 1 ? resources[0] : [...resources],
    Condition: { StringLike: { "ses:FromAddress": [...from] } },
  };
}

/** A policy document as compact JSON: what IAM counts against its size limits (whitespace is not counted). */
export function policyJson(statements: readonly object[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The IAM policy for a sender in this account (a role's share, or an SMTP user's), with `{{account-id}}`. */
export function senderPolicy(sender: SenderPlan): string {
  return policyJson([sendStatement(sender.sid, sender.resources, sender.from)]);
}

/** The identity policy that lets another account send through one region's identity as the sender's addresses. */
export function identityPolicy(sender: SenderPlan, region: SesRegion): string {
  const identity = sesArn("identity", region, sender.domain);
  return policyJson([sendStatement(sender.sid, [identity], sender.from, { account: sender.account!, partition: partitionOf(region) })]);
}

/** The id word of a sender's identity policy: qualified by region when the domain has identities in more than one. */
export function identityPolicyWord(region: SesRegion, multiRegion: boolean): string {
  return multiRegion ? `${regionWord(region)}_identity_policy` : "identity_policy";
}

/** Replace `{{account-id}}` by an account ID or a Terraform expression. */
export function fillAccountId(text: string, account: string): string {
  return text.split(ACCOUNT_ID).join(account);
}
