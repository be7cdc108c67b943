import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import type { SesDomainsConfig } from "../../modules/config/schema";
import { accountResources, plannedResources } from "../../modules/model/addresses";
import { ROOT } from "../helpers/cli";
import { oneDomain, synthConfig, tempDir, type Json, type Synthesized } from "../helpers/synth";

const operations = () => parse(readFileSync(join(ROOT, "examples", "operations.yaml"), "utf8")) as SesDomainsConfig;
const strip = (resource: Json) => Object.fromEntries(Object.entries(resource).filter(([k]) => k !== "//"));

/** Every stack's cdk.tf.json of a synth. */
function stacksOf(out: Synthesized): Record<string, Json> {
  const dir = join(out.result.outdir, "stacks");
  return Object.fromEntries(readdirSync(dir).map((s) => [s, JSON.parse(readFileSync(join(dir, s, "cdk.tf.json"), "utf8"))]));
}
const addressesOf = (json: Json) => Object.entries<Json>(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`));

describe("defaults: a configuration set and reputation alarms for every domain", () => {
  let out: Synthesized;
  beforeAll(() => {
    out = synthConfig(oneDomain({}, { alarms: { notify: { email: ["ops@example.com"] } } }));
  });

  test("the set requires TLS, publishes reputation metrics, suppresses bounces and complaints, and sends", () => {
    expect(strip(out.resource("aws_sesv2_configuration_set", "example_com_configuration_set"))).toEqual({
      configuration_set_name: "example_com",
      delivery_options: { tls_policy: "REQUIRE" },
      reputation_options: { reputation_metrics_enabled: true },
      sending_options: { sending_enabled: true },
      suppression_options: { suppressed_reasons: ["BOUNCE", "COMPLAINT"] },
    });
  });

  test("it is the identity's default configuration set", () => {
    expect(out.resource("aws_sesv2_email_identity", "example_com_identity").configuration_set_name).toBe(
      "${aws_sesv2_configuration_set.example_com_configuration_set.configuration_set_name}",
    );
  });

  test("no event destinations, no tracking and no VDM unless asked", () => {
    expect(out.resources("aws_sesv2_configuration_set_event_destination")).toEqual({});
    const set = out.resource("aws_sesv2_configuration_set", "example_com_configuration_set");
    expect(set.tracking_options).toBeUndefined();
    expect(set.vdm_options).toBeUndefined();
  });

  test("two alarms on the set's reputation metrics, notifying the account's shared topic in the region", () => {
    expect(strip(out.resource("aws_cloudwatch_metric_alarm", "example_com_configuration_set_bounce_rate_alarm"))).toEqual({
      alarm_name: "ses-example_com-bounce-rate",
      alarm_description:
        "SES bounce rate of configuration set example_com is at or above 4 %; SES reviews an account at 5 % and may pause its sending at 10 %.",
      namespace: "AWS/SES",
      metric_name: "Reputation.BounceRate",
      dimensions: { "ses:configuration-set": "example_com" },
      statistic: "Average",
      period: 3600,
      evaluation_periods: 1,
      threshold: 0.04,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "ignore",
      alarm_actions: ["arn:aws:sns:us-east-1:${local.example_com_configuration_set_account_id}:ses-domains-alarms"],
      ok_actions: ["arn:aws:sns:us-east-1:${local.example_com_configuration_set_account_id}:ses-domains-alarms"],
    });
    // The account comes from the set's own ARN: nothing is looked up at plan time.
    expect(out.json.locals).toEqual({
      example_com_configuration_set_account_id: '${element(split(":", aws_sesv2_configuration_set.example_com_configuration_set.arn), 4)}',
    });
    expect(out.json.data).toBeUndefined();
    expect(out.resource("aws_cloudwatch_metric_alarm", "example_com_configuration_set_complaint_rate_alarm")).toMatchObject({
      metric_name: "Reputation.ComplaintRate",
      threshold: 0.0008,
    });
  });

  test("the ses-account stack: the suppression list, the account's alarms (no dimension) and the shared topic with its email subscription", () => {
    const account = stacksOf(out)["ses-account"];
    expect(addressesOf(account).sort()).toEqual([
      "aws_cloudwatch_metric_alarm.us_east_1_bounce_rate_alarm",
      "aws_cloudwatch_metric_alarm.us_east_1_complaint_rate_alarm",
      "aws_sesv2_account_suppression_attributes.us_east_1_suppression",
      "aws_sns_topic.us_east_1_alarm_topic",
      "aws_sns_topic_subscription.us_east_1_alarm_topic_ops_at_example_com",
    ]);
    expect(strip(account.resource.aws_sesv2_account_suppression_attributes.us_east_1_suppression)).toEqual({ suppressed_reasons: ["BOUNCE", "COMPLAINT"] });
    expect(account.resource.aws_cloudwatch_metric_alarm.us_east_1_bounce_rate_alarm.dimensions).toBeUndefined();
    expect(account.resource.aws_cloudwatch_metric_alarm.us_east_1_bounce_rate_alarm.alarm_actions).toEqual(["${aws_sns_topic.us_east_1_alarm_topic.arn}"]);
    expect(strip(account.resource.aws_sns_topic.us_east_1_alarm_topic)).toEqual({ name: "ses-domains-alarms", fifo_topic: false });
    expect(strip(account.resource.aws_sns_topic_subscription.us_east_1_alarm_topic_ops_at_example_com)).toEqual({
      topic_arn: "${aws_sns_topic.us_east_1_alarm_topic.arn}",
      protocol: "email",
      endpoint: "ops@example.com",
    });
    expect(account.data).toBeUndefined();
  });

  test("the synth result counts what CloudWatch bills", () => {
    expect(out.result.billed).toEqual({ alarms: 4, eventMetrics: 0 });
  });
});

describe("examples/operations.yaml: every option", () => {
  let out: Synthesized;
  let stacks: Record<string, Json>;
  beforeAll(() => {
    out = synthConfig(operations());
    stacks = stacksOf(out);
  });
  const domainStack = () => stacks["ses-domains"];
  const res = (type: string, name: string) => {
    const found = domainStack().resource[type]?.[name];
    if (!found) throw new Error(`no ${type}.${name}`);
    return found;
  };

  test("the record model names every resource of both stacks (plannedResources and accountResources)", () => {
    expect(
      out.result.plans
        .flatMap(plannedResources)
        .map((r) => r.address)
        .sort(),
    ).toEqual(addressesOf(domainStack()).sort());
    expect(
      accountResources(out.result.account!)
        .map((r) => r.address)
        .sort(),
    ).toEqual(addressesOf(stacks["ses-account"]).sort());
  });

  test("a named set with a delivery limit, a tracking domain over HTTPS and VDM options", () => {
    expect(strip(res("aws_sesv2_configuration_set", "example_com_configuration_set"))).toMatchObject({
      configuration_set_name: "example-transactional",
      delivery_options: { tls_policy: "REQUIRE", max_delivery_seconds: 3600 },
      tracking_options: { custom_redirect_domain: "click.example.com", https_policy: "REQUIRE" },
      vdm_options: { dashboard_options: { engagement_metrics: "ENABLED" }, guardian_options: { optimized_shared_delivery: "DISABLED" } },
    });
    expect(res("aws_sesv2_configuration_set", "shop_example_org_eu_west_1_configuration_set").delivery_options).toEqual({ tls_policy: "OPTIONAL" });
  });

  test("the tracking domain's CNAME is a Route 53 record like the others", () => {
    expect(strip(res("aws_route53_record", "example_com_tracking"))).toEqual({
      zone_id: "Z0123456789ABCDEFGHIJ",
      name: "click.example.com",
      type: "CNAME",
      ttl: 600,
      records: ["d111111abcdef8.cloudfront.net"],
    });
  });

  test("event destinations are enabled; CloudWatch uses the set's name as its one dimension value; EventBridge the default bus", () => {
    const cloudwatch = res("aws_sesv2_configuration_set_event_destination", "example_com_configuration_set_cloudwatch");
    expect(cloudwatch.event_destination).toEqual({
      enabled: true,
      matching_event_types: ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT", "REJECT", "DELIVERY_DELAY"],
      cloud_watch_destination: {
        dimension_configuration: [
          { dimension_name: "ses:configuration-set", dimension_value_source: "MESSAGE_TAG", default_dimension_value: "example-transactional" },
        ],
      },
    });
    expect(
      res("aws_sesv2_configuration_set_event_destination", "example_com_configuration_set_eventbridge").event_destination.event_bridge_destination,
    ).toEqual({
      event_bus_arn: "arn:aws:events:us-east-1:${local.example_com_configuration_set_account_id}:event-bus/default",
    });
    expect(res("aws_sesv2_configuration_set_event_destination", "example_com_configuration_set_sns").event_destination.sns_destination).toEqual({
      topic_arn: "${aws_sns_topic.example_com_configuration_set_events_topic.arn}",
    });
  });

  test("a created events topic is Standard, and its policy lets only SES publish, for this account and this set", () => {
    expect(strip(res("aws_sns_topic", "example_com_configuration_set_events_topic"))).toEqual({ name: "example-transactional-ses-events", fifo_topic: false });
    const policy = res("aws_sns_topic_policy", "example_com_configuration_set_events_topic_policy");
    expect(policy.arn).toBe("${aws_sns_topic.example_com_configuration_set_events_topic.arn}");
    expect(JSON.parse(policy.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowSesEventPublishing",
          Effect: "Allow",
          Principal: { Service: "ses.amazonaws.com" },
          Action: "sns:Publish",
          Resource: "${aws_sns_topic.example_com_configuration_set_events_topic.arn}",
          Condition: {
            StringEquals: {
              "AWS:SourceAccount": "${local.example_com_configuration_set_account_id}",
              "AWS:SourceArn": "${aws_sesv2_configuration_set.example_com_configuration_set.arn}",
            },
          },
        },
      ],
    });
  });

  test("a domain's own notify gets its own topic per region, in its own stack, instead of the shared one", () => {
    expect(strip(res("aws_sns_topic", "shop_example_org_eu_west_1_configuration_set_alarm_topic"))).toEqual({
      provider: "aws.eu-west-1",
      name: "shop_example_org-ses-alarms",
      fifo_topic: false,
    });
    expect(res("aws_cloudwatch_metric_alarm", "shop_example_org_eu_west_1_configuration_set_bounce_rate_alarm")).toMatchObject({
      provider: "aws.eu-west-1",
      threshold: 0.02,
      alarm_actions: ["${aws_sns_topic.shop_example_org_eu_west_1_configuration_set_alarm_topic.arn}"],
    });
  });

  test("configurationSet: false and alarms: false leave a domain with neither", () => {
    expect(
      addressesOf(domainStack())
        .filter((a) => a.includes("quiet_example_net"))
        .every((a) => /aws_route53_record|identity|mail_from/.test(a)),
    ).toBe(true);
    expect(res("aws_sesv2_email_identity", "quiet_example_net_identity").configuration_set_name).toBeUndefined();
  });

  test("SMTP: an IAM user with the sending policy, a key in the SMTP region, and the credentials in a secret — no password in the output", () => {
    expect(strip(res("aws_iam_user", "example_com_sender_ticketing_smtp_user"))).toEqual({ name: "ses-smtp-example.com-ticketing" });
    expect(res("aws_iam_user_policy", "example_com_sender_ticketing_smtp_policy")).toMatchObject({
      name: "ses-domains-send",
      user: "${aws_iam_user.example_com_sender_ticketing_smtp_user.name}",
    });
    expect(res("aws_secretsmanager_secret_version", "example_com_sender_ticketing_smtp_credentials").secret_string).toBe(
      '${jsonencode({"username" = aws_iam_access_key.example_com_sender_ticketing_smtp_key.id, "password" = aws_iam_access_key.example_com_sender_ticketing_smtp_key.ses_smtp_password_v4, "host" = "email-smtp.us-east-1.amazonaws.com", "port" = 587})}',
    );
    expect(res("aws_secretsmanager_secret", "example_com_sender_ticketing_smtp_secret").name).toBe("ses-domains/smtp/example.com/ticketing");
  });

  test("another account's sending authorization is an identity policy naming that account and only its addresses", () => {
    const policy = res("aws_sesv2_email_identity_policy", "example_com_sender_partner_identity_policy");
    expect(policy).toMatchObject({ email_identity: "${aws_sesv2_email_identity.example_com_identity.email_identity}", policy_name: "ses-domains-partner" });
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: "SendExampleComPartner",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: ["ses:SendEmail", "ses:SendRawEmail"],
        Resource: "arn:aws:ses:us-east-1:${local.example_com_account_id}:identity/example.com",
        Condition: { StringLike: { "ses:FromAddress": ["partner@example.com"] } },
      },
    ]);
  });

  test("a sender with neither role nor account is only an output, for the user to attach", () => {
    const output = domainStack().output.example_com_sender_reports_policy;
    expect(JSON.parse(output.value).Statement[0].Condition).toEqual({ StringLike: { "ses:FromAddress": ["reports@example.com"] } });
  });

  test("role policies live in the account stack, with the caller's account read at plan time", () => {
    const account = stacks["ses-account"];
    expect(Object.keys(account.data.aws_caller_identity)).toEqual(["current"]);
    const policy = account.resource.aws_iam_role_policy["role_movie-booker-app"];
    expect(policy).toMatchObject({ role: "movie-booker-app", name: "ses-domains-send" });
    expect(JSON.parse(policy.policy).Statement[0].Resource).toEqual([
      "arn:aws:ses:us-east-1:${data.aws_caller_identity.current.account_id}:identity/example.com",
      "arn:aws:ses:us-east-1:${data.aws_caller_identity.current.account_id}:configuration-set/example-transactional",
    ]);
    expect(domainStack().resource.aws_iam_role_policy).toBeUndefined();
    // shop.example.org's only sender has a role: nothing of it, not even the account local, is in its domain stack.
    expect(Object.keys(domainStack().locals).filter((l) => l.startsWith("shop_example_org_account"))).toEqual([]);
  });

  test("account VDM only when asked, once per region in use", () => {
    expect(Object.keys(stacks["ses-account"].resource.aws_sesv2_account_vdm_attributes).sort()).toEqual(["eu_west_1_vdm", "us_east_1_vdm"]);
    expect(strip(stacks["ses-account"].resource.aws_sesv2_account_vdm_attributes.eu_west_1_vdm)).toEqual({
      provider: "aws.eu-west-1",
      vdm_enabled: "ENABLED",
      dashboard_attributes: { engagement_metrics: "DISABLED" },
      guardian_attributes: { optimized_shared_delivery: "DISABLED" },
    });
  });

  test("the same config gives byte-identical files, twice", () => {
    const again = stacksOf(synthConfig(operations(), join(tempDir(), "cdktf.out")));
    for (const stack of Object.keys(stacks)) expect(JSON.stringify(again[stack])).toBe(JSON.stringify(stacks[stack]));
  });
});

describe("a sharded fleet has exactly one account-level stack", () => {
  test("40 domains over 4 stacks: one ses-account, and every account-level resource exists once across all stacks", () => {
    const domains = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [
        `d${String(i).padStart(2, "0")}.example.com`,
        i % 10 === 0 ? { regions: ["us-east-1", "eu-west-1"], senders: [{ name: "app", role: "mailer", from: ["noreply"] }] } : {},
      ]),
    );
    const out = synthConfig(
      {
        defaults: { region: "us-east-1", dns: { route53: { zoneId: "Z1" } }, alarms: { notify: { email: ["ops@example.com"] } } },
        stacks: { count: 4 },
        domains,
      } as SesDomainsConfig,
      join(tempDir(), "cdktf.out"),
      "ses-account",
    );
    const stacks = stacksOf(out);
    expect(Object.keys(stacks).sort()).toEqual(["ses-account", "ses-domains-0", "ses-domains-1", "ses-domains-2", "ses-domains-3"]);
    const accountTypes = ["aws_sesv2_account_suppression_attributes", "aws_sesv2_account_vdm_attributes", "aws_iam_role_policy"];
    const seen = new Map<string, string[]>();
    for (const [stack, json] of Object.entries(stacks)) {
      for (const address of addressesOf(json)) seen.set(address, [...(seen.get(address) ?? []), stack]);
      if (stack !== "ses-account") for (const type of accountTypes) expect(json.resource[type], `${stack} holds ${type}`).toBeUndefined();
    }
    for (const [address, where] of seen) expect(where, address).toHaveLength(1);
    expect(addressesOf(stacks["ses-account"]).sort()).toEqual([
      "aws_cloudwatch_metric_alarm.eu_west_1_bounce_rate_alarm",
      "aws_cloudwatch_metric_alarm.eu_west_1_complaint_rate_alarm",
      "aws_cloudwatch_metric_alarm.us_east_1_bounce_rate_alarm",
      "aws_cloudwatch_metric_alarm.us_east_1_complaint_rate_alarm",
      "aws_iam_role_policy.role_mailer",
      "aws_sesv2_account_suppression_attributes.eu_west_1_suppression",
      "aws_sesv2_account_suppression_attributes.us_east_1_suppression",
      "aws_sns_topic.eu_west_1_alarm_topic",
      "aws_sns_topic.us_east_1_alarm_topic",
      "aws_sns_topic_subscription.eu_west_1_alarm_topic_ops_at_example_com",
      "aws_sns_topic_subscription.us_east_1_alarm_topic_ops_at_example_com",
    ]);
    // One policy for the role, a statement for each of the four domains that name it, whatever their stacks.
    expect(JSON.parse(stacks["ses-account"].resource.aws_iam_role_policy.role_mailer.policy).Statement).toHaveLength(4);
  });
});

describe("dmarc.collect in examples/operations.yaml: SES receives the reports", () => {
  let stacks: Record<string, Json>;
  beforeAll(() => {
    stacks = stacksOf(synthConfig(operations()));
  });

  test("the reports domain's MX is a Route 53 record of the domain whose zone holds it", () => {
    expect(strip(stacks["ses-domains"].resource.aws_route53_record.example_com_dmarc_collect_reports_mx)).toEqual({
      zone_id: "Z0123456789ABCDEFGHIJ",
      name: "reports.example.com",
      type: "MX",
      ttl: 600,
      records: ["10 inbound-smtp.us-east-1.amazonaws.com"],
    });
    expect(stacks["ses-domains"].resource.aws_route53_record.example_com_dmarc.records).toEqual([
      "v=DMARC1; p=reject; rua=mailto:dmarc-reports@reports.example.com",
    ]);
  });

  test("ses-account: a private bucket, its policy, the rule set made active, and a rule that waits for the policy", () => {
    const account = stacks["ses-account"].resource;
    expect(strip(account.aws_s3_bucket.dmarc_reports_bucket_acme_dmarc_reports)).toEqual({ bucket: "acme-dmarc-reports" });
    expect(strip(account.aws_s3_bucket_public_access_block.dmarc_reports_bucket_acme_dmarc_reports_public_access_block)).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(strip(account.aws_ses_receipt_rule_set.dmarc_reports_us_east_1_rule_set)).toEqual({ rule_set_name: "ses-domains-dmarc-reports" });
    expect(strip(account.aws_ses_active_receipt_rule_set.dmarc_reports_us_east_1_active_rule_set)).toEqual({
      rule_set_name: "${aws_ses_receipt_rule_set.dmarc_reports_us_east_1_rule_set.rule_set_name}",
    });
    expect(strip(account.aws_ses_receipt_rule.dmarc_reports_us_east_1_dmarc_reports_at_reports_example_com)).toEqual({
      name: "dmarc-reports-at-reports.example.com",
      rule_set_name: "${aws_ses_receipt_rule_set.dmarc_reports_us_east_1_rule_set.rule_set_name}",
      recipients: ["dmarc-reports@reports.example.com"],
      enabled: true,
      scan_enabled: true,
      s3_action: [{ bucket_name: "acme-dmarc-reports", object_key_prefix: "rua/", position: 1 }],
      depends_on: ["aws_s3_bucket_policy.dmarc_reports_bucket_acme_dmarc_reports_policy"],
    });
    const policy = JSON.parse(account.aws_s3_bucket_policy.dmarc_reports_bucket_acme_dmarc_reports_policy.policy);
    expect(policy.Statement[0].Condition.StringEquals["AWS:SourceArn"]).toBe(
      "arn:aws:ses:us-east-1:${data.aws_caller_identity.current.account_id}:receipt-rule-set/ses-domains-dmarc-reports:receipt-rule/dmarc-reports-at-reports.example.com",
    );
  });

  test("a bucket managed elsewhere gets no resources: its policy statement is an output to merge", () => {
    const config = operations();
    (config.defaults!.dmarc as Json).collect.existingBucket = true;
    const account = stacksOf(synthConfig(config, join(tempDir(), "cdktf.out")))["ses-account"];
    expect(account.resource.aws_s3_bucket).toBeUndefined();
    expect(account.resource.aws_ses_receipt_rule.dmarc_reports_us_east_1_dmarc_reports_at_reports_example_com.depends_on).toBeUndefined();
    expect(JSON.parse(account.output.dmarc_reports_bucket_acme_dmarc_reports_policy.value).Statement[0].Principal).toEqual({ Service: "ses.amazonaws.com" });
  });
});
