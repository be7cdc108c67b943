/**
 * The Terraform address of everything a domain plan (and the account plan) renders, from the record
 * model alone: tools that read plans (plan-summary) map an address back to its domain and purpose
 * through this, never by pattern-matching names. The stacks' readable logical ids (`<slug>_<fixed word>`)
 * are built from the same words; a synth test proves both agree.
 */
import type { AccountPlan, AccountRegionPlan, RolePolicyPlan } from "./account";
import { identityPolicyWord, type AlarmPlan, type ConfigurationSetPlan, type EventDestinationPlan, type SenderPlan } from "./operations";
import { bucketWord } from "./collect";
import type { DnsRecord, DomainPlan, IdentityPlan } from "./records";
import { regionWord, type SesRegion } from "./regions";

export type ResourceRole =
  | { readonly kind: "identity"; readonly identity: IdentityPlan }
  | { readonly kind: "mail-from"; readonly identity: IdentityPlan }
  | { readonly kind: "record"; readonly record: DnsRecord }
  | { readonly kind: "configuration-set"; readonly set: ConfigurationSetPlan }
  | { readonly kind: "event-destination"; readonly set: ConfigurationSetPlan; readonly destination: EventDestinationPlan }
  | { readonly kind: "events-topic" | "events-topic-policy"; readonly set: ConfigurationSetPlan }
  | { readonly kind: "alarm"; readonly alarm: AlarmPlan; readonly set?: ConfigurationSetPlan; readonly region: SesRegion }
  | { readonly kind: "alarm-topic"; readonly region: SesRegion }
  | { readonly kind: "alarm-subscription"; readonly region: SesRegion; readonly email: string }
  | { readonly kind: "smtp-user" | "smtp-policy" | "smtp-key" | "smtp-secret" | "smtp-credentials"; readonly sender: SenderPlan }
  | { readonly kind: "identity-policy"; readonly sender: SenderPlan; readonly region: SesRegion }
  | { readonly kind: "account-suppression" | "account-vdm"; readonly region: SesRegion }
  | { readonly kind: "role-policy"; readonly policy: RolePolicyPlan }
  | { readonly kind: "report-bucket" | "report-bucket-access" | "report-bucket-policy"; readonly bucket: string }
  | { readonly kind: "receipt-rule-set" | "active-receipt-rule-set"; readonly region: SesRegion }
  | { readonly kind: "receipt-rule"; readonly region: SesRegion; readonly address: string };

export interface PlannedResource {
  /** `aws_route53_record.example_com_dkim_1` */
  readonly address: string;
  /** The sending domain it belongs to; undefined for account-level resources. */
  readonly domain?: string;
  readonly role: ResourceRole;
}

export const RESOURCE_TYPES = {
  identity: "aws_sesv2_email_identity",
  mailFrom: "aws_sesv2_email_identity_mail_from_attributes",
  record: "aws_route53_record",
  configurationSet: "aws_sesv2_configuration_set",
  eventDestination: "aws_sesv2_configuration_set_event_destination",
  alarm: "aws_cloudwatch_metric_alarm",
  topic: "aws_sns_topic",
  topicPolicy: "aws_sns_topic_policy",
  subscription: "aws_sns_topic_subscription",
  user: "aws_iam_user",
  userPolicy: "aws_iam_user_policy",
  accessKey: "aws_iam_access_key",
  secret: "aws_secretsmanager_secret",
  secretVersion: "aws_secretsmanager_secret_version",
  identityPolicy: "aws_sesv2_email_identity_policy",
  accountSuppression: "aws_sesv2_account_suppression_attributes",
  accountVdm: "aws_sesv2_account_vdm_attributes",
  rolePolicy: "aws_iam_role_policy",
  bucket: "aws_s3_bucket",
  bucketAccess: "aws_s3_bucket_public_access_block",
  bucketPolicy: "aws_s3_bucket_policy",
  ruleSet: "aws_ses_receipt_rule_set",
  activeRuleSet: "aws_ses_active_receipt_rule_set",
  receiptRule: "aws_ses_receipt_rule",
} as const;

/** An id word for an email address: `ops@example.com` → `ops_at_example_com`, stable whatever the list order. */
export function emailWord(email: string): string {
  return email
    .toLowerCase()
    .replace("@", "_at_")
    .replace(/[^a-z0-9_-]/g, "_");
}

/** Every managed resource the domain stack writes for `plan`, with its address. */
export function plannedResources(plan: DomainPlan): PlannedResource[] {
  const out: PlannedResource[] = [];
  const add = (type: string, word: string, role: ResourceRole) => out.push({ address: `${type}.${plan.slug}_${word}`, domain: plan.domain, role });
  for (const identity of plan.identities) {
    add(RESOURCE_TYPES.identity, identity.id, { kind: "identity", identity });
    if (identity.mailFrom) add(RESOURCE_TYPES.mailFrom, identity.mailFrom.id, { kind: "mail-from", identity });
    const set = identity.configurationSet;
    if (set) {
      add(RESOURCE_TYPES.configurationSet, set.id, { kind: "configuration-set", set });
      for (const destination of set.events) {
        add(RESOURCE_TYPES.eventDestination, `${set.id}_${destination.id}`, { kind: "event-destination", set, destination });
        if (destination.target.kind === "sns-created") {
          add(RESOURCE_TYPES.topic, `${set.id}_events_topic`, { kind: "events-topic", set });
          add(RESOURCE_TYPES.topicPolicy, `${set.id}_events_topic_policy`, { kind: "events-topic-policy", set });
        }
      }
      for (const alarm of set.alarms) add(RESOURCE_TYPES.alarm, `${set.id}_${alarm.id}`, { kind: "alarm", alarm, set, region: set.region });
      const own = set.alarms.map((a) => a.notify).find((n) => n.kind === "own-topic");
      if (own && own.kind === "own-topic") {
        add(RESOURCE_TYPES.topic, `${set.id}_alarm_topic`, { kind: "alarm-topic", region: set.region });
        for (const email of own.emails)
          add(RESOURCE_TYPES.subscription, `${set.id}_alarm_topic_${emailWord(email)}`, { kind: "alarm-subscription", region: set.region, email });
      }
    }
  }
  if (!("external" in plan.zone)) {
    for (const record of plan.records) add(RESOURCE_TYPES.record, record.id, { kind: "record", record });
  }
  for (const sender of plan.senders) {
    if (sender.account !== undefined) {
      const own = plan.identities.filter((i) => i.emailIdentity === undefined);
      for (const identity of own) {
        add(RESOURCE_TYPES.identityPolicy, `${sender.id}_${identityPolicyWord(identity.region, own.length > 1)}`, {
          kind: "identity-policy",
          sender,
          region: identity.region,
        });
      }
    }
    if (sender.smtp) {
      add(RESOURCE_TYPES.user, `${sender.id}_smtp_user`, { kind: "smtp-user", sender });
      add(RESOURCE_TYPES.userPolicy, `${sender.id}_smtp_policy`, { kind: "smtp-policy", sender });
      add(RESOURCE_TYPES.accessKey, `${sender.id}_smtp_key`, { kind: "smtp-key", sender });
      add(RESOURCE_TYPES.secret, `${sender.id}_smtp_secret`, { kind: "smtp-secret", sender });
      add(RESOURCE_TYPES.secretVersion, `${sender.id}_smtp_credentials`, { kind: "smtp-credentials", sender });
    }
  }
  return out;
}

/** Every managed resource of the ses-account stack. */
export function accountResources(plan: AccountPlan): PlannedResource[] {
  const out: PlannedResource[] = [];
  const add = (type: string, word: string, role: ResourceRole) => out.push({ address: `${type}.${word}`, role });
  for (const region of plan.regions) accountRegionResources(region, add);
  for (const policy of plan.rolePolicies) add(RESOURCE_TYPES.rolePolicy, policy.id, { kind: "role-policy", policy });
  const rules = plan.collect.flatMap((c) => c.rules);
  for (const bucket of [...new Set(rules.filter((r) => !r.existingBucket).map((r) => r.bucket))].sort()) {
    const word = `dmarc_reports_${bucketWord(bucket)}`;
    add(RESOURCE_TYPES.bucket, word, { kind: "report-bucket", bucket });
    add(RESOURCE_TYPES.bucketAccess, `${word}_public_access_block`, { kind: "report-bucket-access", bucket });
    add(RESOURCE_TYPES.bucketPolicy, `${word}_policy`, { kind: "report-bucket-policy", bucket });
  }
  for (const collect of plan.collect) {
    const region = regionWord(collect.region);
    add(RESOURCE_TYPES.ruleSet, `dmarc_reports_${region}_rule_set`, { kind: "receipt-rule-set", region: collect.region });
    add(RESOURCE_TYPES.activeRuleSet, `dmarc_reports_${region}_active_rule_set`, { kind: "active-receipt-rule-set", region: collect.region });
    for (const rule of collect.rules)
      add(RESOURCE_TYPES.receiptRule, `dmarc_reports_${region}_${rule.id}`, { kind: "receipt-rule", region: collect.region, address: rule.address });
  }
  return out;
}

function accountRegionResources(region: AccountRegionPlan, add: (type: string, word: string, role: ResourceRole) => void): void {
  if (region.suppressedReasons) add(RESOURCE_TYPES.accountSuppression, `${region.id}_suppression`, { kind: "account-suppression", region: region.region });
  if (region.vdm) add(RESOURCE_TYPES.accountVdm, `${region.id}_vdm`, { kind: "account-vdm", region: region.region });
  if (region.alarmTopic) {
    add(RESOURCE_TYPES.topic, `${region.id}_alarm_topic`, { kind: "alarm-topic", region: region.region });
    for (const email of region.alarmTopic.emails)
      add(RESOURCE_TYPES.subscription, `${region.id}_alarm_topic_${emailWord(email)}`, { kind: "alarm-subscription", region: region.region, email });
  }
  for (const alarm of region.alarms) add(RESOURCE_TYPES.alarm, `${region.id}_${alarm.id}`, { kind: "alarm", alarm, region: region.region });
}

/** Address → resource for every plan (and the account plan): how a plan's addresses are mapped back to domains. */
export function addressIndex(plans: readonly DomainPlan[], account?: AccountPlan): Map<string, PlannedResource> {
  return new Map([...plans.flatMap(plannedResources), ...(account ? accountResources(account) : [])].map((r) => [r.address, r]));
}

/** What a DNS record is for, in the words a reviewer uses: the rules that judge a change to it depend on this. */
export type RecordPurpose =
  /** Easy DKIM: `<token>._domainkey` CNAME to SES's key. */
  | "dkim-cname"
  /** BYODKIM: the public key at `<selector>._domainkey`. */
  | "dkim-key"
  | "mail-from-mx"
  | "mail-from-spf"
  /** The apex TXT record set: SPF and `extraTxt`. */
  | "apex-txt"
  | "dmarc"
  /** `<policy domain>._report._dmarc.<report domain>`: RFC 7489 §7.1. */
  | "dmarc-report-authorization"
  /** dmarc.collect: the reports domain's MX to SES's inbound host. */
  | "dmarc-collect-mx"
  /** The configuration set's custom open/click tracking domain: a CNAME to SES's tracking host. */
  | "tracking";

/** The purpose of a record from the model, read from its fixed word (the end of its address). */
export function recordPurpose(record: DnsRecord): RecordPurpose {
  const id = record.id;
  if (id === "mail_from_mx") return "mail-from-mx";
  if (id === "mail_from_spf") return "mail-from-spf";
  if (id === "apex_txt") return "apex-txt";
  if (id === "dmarc") return "dmarc";
  if (id.startsWith("dmarc_report_")) return "dmarc-report-authorization";
  if (id === "tracking") return "tracking";
  if (id.startsWith("dmarc_collect_") && id.endsWith("_mx")) return "dmarc-collect-mx";
  return record.type === "CNAME" ? "dkim-cname" : "dkim-key";
}
