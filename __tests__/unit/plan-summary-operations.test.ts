import { describe, expect, test } from "vitest";
import type { SesDomainsConfig } from "../../modules/config/schema";
import { change, changeAt, identity, summarize, type Json } from "../helpers/plan-fragments";

const CONFIG: SesDomainsConfig = {
  defaults: { region: "us-east-1", dmarc: { p: "reject", rua: ["dmarc@example.com"] }, dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } } },
  domains: { "example.com": { configurationSet: { trackingDomain: { domain: "click.example.com", https: "optional" } } } },
};

const SET = "aws_sesv2_configuration_set.example_com_configuration_set";
const set = (over: Json = {}): Json => ({
  configuration_set_name: "example_com",
  delivery_options: [{ tls_policy: "REQUIRE", max_delivery_seconds: null, sending_pool_name: null }],
  reputation_options: [{ reputation_metrics_enabled: true }],
  sending_options: [{ sending_enabled: true }],
  suppression_options: [{ suppressed_reasons: ["BOUNCE", "COMPLAINT"] }],
  ...over,
});
const policy = (from: string[]) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["ses:SendEmail"],
        Resource: ["arn:aws:ses:us-east-1:111111111111:identity/example.com"],
        Condition: { StringLike: { "ses:FromAddress": from } },
      },
    ],
  });
const update = (address: string, before: Json, after: Json) => change({ address, actions: ["update"], before, after });
const del = (address: string, before: Json) => change({ address, actions: ["delete"], before });
const alarm = (threshold: number, over: Json = {}): Json => ({
  alarm_name: "ses-example_com-bounce-rate",
  metric_name: "Reputation.BounceRate",
  threshold,
  alarm_actions: ["arn:aws:sns:us-east-1:111111111111:ses-domains-alarms"],
  ...over,
});
const destination = (types: string[], enabled = true): Json => ({
  configuration_set_name: "example_com",
  event_destination_name: "sns",
  event_destination: [{ enabled, matching_event_types: types }],
});

describe("plan-summary rules for operations: what each change does to sending", () => {
  test.each<[string, Json[], string, "breaks" | "weakens" | "routine", string]>([
    [
      "TLS no longer required",
      [update(SET, set(), set({ delivery_options: [{ tls_policy: "OPTIONAL" }] }))],
      SET,
      "weakens",
      "configuration set example_com: TLS no longer required: mail to a receiver without TLS now goes in plain text",
    ],
    [
      "TLS required",
      [update(SET, set({ delivery_options: [{ tls_policy: "OPTIONAL" }] }), set())],
      SET,
      "routine",
      "configuration set example_com: TLS now required",
    ],
    [
      "reputation metrics off",
      [update(SET, set(), set({ reputation_options: [{ reputation_metrics_enabled: false }] }))],
      SET,
      "weakens",
      "reputation metrics off: its bounce and complaint rates, and the alarms on them, go dark",
    ],
    [
      "sending paused",
      [update(SET, set(), set({ sending_options: [{ sending_enabled: false }] }))],
      SET,
      "breaks",
      "configuration set example_com: sending paused: every send through it is refused",
    ],
    [
      "complaints no longer suppressed",
      [update(SET, set(), set({ suppression_options: [{ suppressed_reasons: ["BOUNCE"] }] }))],
      SET,
      "weakens",
      "stops suppressing addresses that complained",
    ],
    [
      "the set deleted",
      [del(SET, set())],
      SET,
      "weakens",
      "configuration set example_com deleted: its TLS requirement, suppression, reputation metrics, event destinations and alarms stop",
    ],
    [
      "the set replaced",
      [change({ address: SET, actions: ["delete", "create"], before: set(), after: set({ configuration_set_name: "mail" }) })],
      SET,
      "breaks",
      "IAM policies naming the old set deny sending through the new one until the ses-account stack is applied too",
    ],
    [
      "an event destination removed",
      [del(`aws_sesv2_configuration_set_event_destination.example_com_configuration_set_sns`, destination(["BOUNCE", "COMPLAINT"]))],
      "aws_sesv2_configuration_set_event_destination.example_com_configuration_set_sns",
      "weakens",
      "event destination sns removed from example_com: its events (BOUNCE, COMPLAINT) stop reaching it",
    ],
    [
      "an event destination stops receiving bounces",
      [update("aws_sesv2_configuration_set_event_destination.example_com_configuration_set_sns", destination(["BOUNCE", "SEND"]), destination(["SEND"]))],
      "aws_sesv2_configuration_set_event_destination.example_com_configuration_set_sns",
      "weakens",
      "stops receiving BOUNCE",
    ],
    [
      "an event destination disabled",
      [update("aws_sesv2_configuration_set_event_destination.example_com_configuration_set_sns", destination(["BOUNCE"]), destination(["BOUNCE"], false))],
      "aws_sesv2_configuration_set_event_destination.example_com_configuration_set_sns",
      "weakens",
      "disabled: no events reach it",
    ],
    [
      "an alarm removed",
      [del("aws_cloudwatch_metric_alarm.example_com_configuration_set_bounce_rate_alarm", alarm(0.04))],
      "aws_cloudwatch_metric_alarm.example_com_configuration_set_bounce_rate_alarm",
      "weakens",
      "alarm ses-example_com-bounce-rate removed: nobody is told when this bounce rate climbs toward SES's review and pause rates",
    ],
    [
      "an alarm threshold raised",
      [update("aws_cloudwatch_metric_alarm.example_com_configuration_set_bounce_rate_alarm", alarm(0.02), alarm(0.045))],
      "aws_cloudwatch_metric_alarm.example_com_configuration_set_bounce_rate_alarm",
      "weakens",
      "threshold 0.02 → 0.045: it fires later",
    ],
    [
      "an alarm threshold lowered",
      [update("aws_cloudwatch_metric_alarm.example_com_configuration_set_bounce_rate_alarm", alarm(0.04), alarm(0.02))],
      "aws_cloudwatch_metric_alarm.example_com_configuration_set_bounce_rate_alarm",
      "routine",
      "threshold 0.04 → 0.02",
    ],
    [
      "an alarm that stops notifying",
      [update("aws_cloudwatch_metric_alarm.example_com_configuration_set_bounce_rate_alarm", alarm(0.04), alarm(0.04, { alarm_actions: [] }))],
      "aws_cloudwatch_metric_alarm.example_com_configuration_set_bounce_rate_alarm",
      "weakens",
      "no longer notifies anyone",
    ],
    [
      "a role loses an address",
      [
        update(
          "aws_iam_role_policy.role_app",
          { role: "app", policy: policy(["tickets@example.com", "noreply@example.com"]) },
          { role: "app", policy: policy(["noreply@example.com"]) },
        ),
      ],
      "aws_iam_role_policy.role_app",
      "breaks",
      "role app may no longer send as tickets@example.com: those sends fail with AccessDenied",
    ],
    [
      "a role gains an address",
      [update("aws_iam_role_policy.role_app", { role: "app", policy: policy(["noreply@example.com"]) }, { role: "app", policy: policy(["*@example.com"]) })],
      "aws_iam_role_policy.role_app",
      "weakens",
      "role app may now also send as *@example.com",
    ],
    [
      "a role's policy deleted",
      [del("aws_iam_role_policy.role_app", { role: "app", policy: policy(["noreply@example.com"]) })],
      "aws_iam_role_policy.role_app",
      "breaks",
      "role app loses its permission to send as noreply@example.com: its sends fail with AccessDenied",
    ],
    [
      "SMTP credentials replaced",
      [change({ address: "aws_iam_access_key.example_com_sender_app_smtp_key", actions: ["delete", "create"], before: { user: "u" }, after: { user: "u" } })],
      "aws_iam_access_key.example_com_sender_app_smtp_key",
      "breaks",
      "the old password stops working at once",
    ],
    [
      "the tracking CNAME deleted",
      [del("aws_route53_record.example_com_tracking", { name: "click.example.com", type: "CNAME", ttl: 600, records: ["r.us-east-1.awstrack.me"] })],
      "aws_route53_record.example_com_tracking",
      "breaks",
      "open and click links in mail already sent point at click.example.com, which no longer resolves",
    ],
    [
      "account suppression of complaints dropped",
      [
        update(
          "aws_sesv2_account_suppression_attributes.us_east_1_suppression",
          { suppressed_reasons: ["BOUNCE", "COMPLAINT"] },
          { suppressed_reasons: ["BOUNCE"] },
        ),
      ],
      "aws_sesv2_account_suppression_attributes.us_east_1_suppression",
      "weakens",
      "the account-level suppression list stops suppressing addresses that complained",
    ],
  ])("%s", (_, changes, address, severity, reason) => {
    const found = changeAt(summarize(CONFIG, changes), address);
    expect(found.severity).toBe(severity);
    expect(found.reasons.join("\n")).toContain(reason);
  });

  test("a configuration set, its alarms and event destinations deleted with their identity are routine: the identity's deletion is the one that breaks mail", () => {
    const summary = summarize(CONFIG, [
      del("aws_sesv2_email_identity.example_com_identity", identity("example.com")),
      del(SET, set()),
      del("aws_cloudwatch_metric_alarm.example_com_configuration_set_bounce_rate_alarm", alarm(0.04)),
    ]);
    expect(changeAt(summary, "aws_sesv2_email_identity.example_com_identity").severity).toBe("breaks");
    expect(changeAt(summary, SET).severity).toBe("routine");
    expect(changeAt(summary, "aws_cloudwatch_metric_alarm.example_com_configuration_set_bounce_rate_alarm")).toMatchObject({
      severity: "routine",
      domain: "example.com",
    });
  });

  test("account-level resources are grouped apart from every sending domain", () => {
    const summary = summarize(CONFIG, [
      update(
        "aws_sesv2_account_suppression_attributes.us_east_1_suppression",
        { suppressed_reasons: ["BOUNCE"] },
        { suppressed_reasons: ["BOUNCE", "COMPLAINT"] },
      ),
    ]);
    expect(changeAt(summary, "aws_sesv2_account_suppression_attributes.us_east_1_suppression")).toMatchObject({ domain: null, severity: "routine" });
  });
});
