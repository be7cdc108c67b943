import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../helpers/cli";
import { sendDecision } from "../helpers/iam";
import { startStsStub, TEST_ACCOUNT, type StsStub } from "../helpers/sts-stub";
import { synthConfig, tempDir, type Json } from "../helpers/synth";
import { requireTerraform, terraform, terraformEnv, writeOfflineProviderOverride } from "../helpers/terraform";

/** examples/operations.yaml uses every operations option, with two regions: both stacks are planned offline. */
let sts: StsStub;
const plans: Record<string, Json> = {};
const changes = new Map<string, Json>();

beforeAll(async () => {
  requireTerraform();
  const env = terraformEnv(tempDir("ses-domains-tf-"));
  sts = await startStsStub();
  const out = synthConfig(parse(readFileSync(join(ROOT, "examples", "operations.yaml"), "utf8")));
  for (const stack of ["ses-domains", "ses-account"]) {
    const dir = join(out.result.outdir, "stacks", stack);
    const json = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as Json;
    writeOfflineProviderOverride(dir, json.provider.aws, sts.url);
    terraform(dir, ["init", "-input=false"], env);
    terraform(dir, ["plan", "-refresh=false", "-input=false", "-lock=false", "-out=plan.bin"], env);
    plans[stack] = JSON.parse(terraform(dir, ["show", "-json", "plan.bin"], env).stdout);
    for (const change of plans[stack].resource_changes as Json[]) changes.set(`${stack} ${change.address}`, change);
  }
});
afterAll(async () => sts?.close());

const after = (stack: string, address: string): Json => {
  const change = changes.get(`${stack} ${address}`);
  if (!change) throw new Error(`${address} is not in the ${stack} plan`);
  return change.change.after;
};
const unknown = (stack: string, address: string): Json => changes.get(`${stack} ${address}`)!.change.after_unknown;
const providerOf = (stack: string, address: string) =>
  (plans[stack].configuration.root_module.resources as Json[]).find((r) => r.address === address)?.provider_config_key;

describe("terraform plan of every operations option, offline", () => {
  test("both stacks plan; every change is a create; the account stack read the caller identity from STS", async () => {
    const managed = [...changes.values()].filter((c) => c.mode === "managed");
    expect(managed.length).toBeGreaterThan(60);
    for (const change of managed) expect(change.change.actions, change.address).toEqual(["create"]);
    expect(await sts.calls()).toBeGreaterThan(0);
  });

  test("configuration sets: TLS, reputation metrics, suppression, sending on, delivery limit, tracking and VDM", () => {
    expect(after("ses-domains", "aws_sesv2_configuration_set.example_com_configuration_set")).toMatchObject({
      configuration_set_name: "example-transactional",
      delivery_options: [{ tls_policy: "REQUIRE", max_delivery_seconds: 3600 }],
      reputation_options: [{ reputation_metrics_enabled: true }],
      sending_options: [{ sending_enabled: true }],
      suppression_options: [{ suppressed_reasons: ["BOUNCE", "COMPLAINT"] }],
      tracking_options: [{ custom_redirect_domain: "click.example.com", https_policy: "REQUIRE" }],
      vdm_options: [{ dashboard_options: [{ engagement_metrics: "ENABLED" }], guardian_options: [{ optimized_shared_delivery: "DISABLED" }] }],
    });
    expect(after("ses-domains", "aws_sesv2_configuration_set.shop_example_org_eu_west_1_configuration_set")).toMatchObject({
      configuration_set_name: "shop_example_org",
      delivery_options: [{ tls_policy: "OPTIONAL" }],
    });
    expect(providerOf("ses-domains", "aws_sesv2_configuration_set.shop_example_org_eu_west_1_configuration_set")).toBe("aws.eu-west-1");
  });

  test("each identity's default configuration set is its own region's", () => {
    const config = (address: string) =>
      (plans["ses-domains"].configuration.root_module.resources as Json[]).find((r) => r.address === address)!.expressions.configuration_set_name.references;
    expect(config("aws_sesv2_email_identity.shop_example_org_eu_west_1_identity")).toContain(
      "aws_sesv2_configuration_set.shop_example_org_eu_west_1_configuration_set",
    );
    expect(config("aws_sesv2_email_identity.example_com_identity")).toContain("aws_sesv2_configuration_set.example_com_configuration_set");
  });

  test("event destinations are enabled, with the default event types and a low-cardinality CloudWatch dimension", () => {
    const types = ["BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "REJECT", "SEND"];
    const cloudwatch = after("ses-domains", "aws_sesv2_configuration_set_event_destination.example_com_configuration_set_cloudwatch");
    expect(cloudwatch.event_destination[0]).toMatchObject({
      enabled: true,
      cloud_watch_destination: [
        {
          dimension_configuration: [
            { dimension_name: "ses:configuration-set", dimension_value_source: "MESSAGE_TAG", default_dimension_value: "example-transactional" },
          ],
        },
      ],
    });
    expect([...cloudwatch.event_destination[0].matching_event_types].sort()).toEqual(types);
    for (const id of ["sns", "eventbridge"]) {
      expect(after("ses-domains", `aws_sesv2_configuration_set_event_destination.example_com_configuration_set_${id}`).event_destination[0].enabled).toBe(true);
    }
    expect(
      unknown("ses-domains", "aws_sesv2_configuration_set_event_destination.example_com_configuration_set_eventbridge").event_destination[0]
        .event_bridge_destination[0].event_bus_arn,
    ).toBe(true);
    expect(
      [
        ...after("ses-domains", "aws_sesv2_configuration_set_event_destination.shop_example_org_us_east_1_configuration_set_sns").event_destination[0]
          .matching_event_types,
      ].sort(),
    ).toEqual(["BOUNCE", "COMPLAINT"]);
  });

  test("SNS topics SES publishes to are Standard, one per set and region", () => {
    for (const address of [
      "aws_sns_topic.example_com_configuration_set_events_topic",
      "aws_sns_topic.shop_example_org_eu_west_1_configuration_set_events_topic",
    ]) {
      expect(after("ses-domains", address)).toMatchObject({ fifo_topic: false });
    }
    expect(after("ses-domains", "aws_sns_topic.shop_example_org_eu_west_1_configuration_set_events_topic").name).toBe("shop_example_org-ses-events");
    expect(providerOf("ses-domains", "aws_sns_topic.shop_example_org_eu_west_1_configuration_set_events_topic")).toBe("aws.eu-west-1");
  });

  test("reputation alarms per configuration set: AWS/SES fractions, dimension ses:configuration-set, missing data ignored", () => {
    expect(after("ses-domains", "aws_cloudwatch_metric_alarm.shop_example_org_eu_west_1_configuration_set_bounce_rate_alarm")).toMatchObject({
      namespace: "AWS/SES",
      metric_name: "Reputation.BounceRate",
      dimensions: { "ses:configuration-set": "shop_example_org" },
      statistic: "Average",
      threshold: 0.02,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "ignore",
    });
    expect(after("ses-domains", "aws_cloudwatch_metric_alarm.example_com_configuration_set_complaint_rate_alarm")).toMatchObject({
      metric_name: "Reputation.ComplaintRate",
      threshold: 0.0008,
    });
    expect(providerOf("ses-domains", "aws_cloudwatch_metric_alarm.shop_example_org_eu_west_1_configuration_set_bounce_rate_alarm")).toBe("aws.eu-west-1");
  });

  test("the account stack: suppression and VDM per region, account alarms with no dimension, one alarm topic per region", () => {
    for (const region of ["us_east_1", "eu_west_1"]) {
      expect(after("ses-account", `aws_sesv2_account_suppression_attributes.${region}_suppression`).suppressed_reasons.sort()).toEqual(["BOUNCE", "COMPLAINT"]);
      expect(after("ses-account", `aws_sesv2_account_vdm_attributes.${region}_vdm`)).toMatchObject({ vdm_enabled: "ENABLED" });
      expect(after("ses-account", `aws_cloudwatch_metric_alarm.${region}_bounce_rate_alarm`)).toMatchObject({
        namespace: "AWS/SES",
        threshold: 0.04,
        dimensions: null,
      });
      expect(after("ses-account", `aws_sns_topic.${region}_alarm_topic`)).toMatchObject({ name: "ses-domains-alarms", fifo_topic: false });
      expect(after("ses-account", `aws_sns_topic_subscription.${region}_alarm_topic_ops_at_example_com`)).toMatchObject({
        protocol: "email",
        endpoint: "ops@example.com",
      });
    }
    expect(providerOf("ses-account", "aws_sesv2_account_suppression_attributes.eu_west_1_suppression")).toBe("aws.eu-west-1");
  });

  test("the SMTP user's credentials go to Secrets Manager: the password is never in the plan's known values", () => {
    expect(after("ses-domains", "aws_iam_user.example_com_sender_ticketing_smtp_user").name).toBe("ses-smtp-example.com-ticketing");
    expect(after("ses-domains", "aws_secretsmanager_secret.example_com_sender_ticketing_smtp_secret").name).toBe("ses-domains/smtp/example.com/ticketing");
    const version = changes.get("ses-domains aws_secretsmanager_secret_version.example_com_sender_ticketing_smtp_credentials")!.change;
    expect(version.after_unknown.secret_string).toBe(true);
    expect(version.after_sensitive.secret_string).toBe(true);
  });
});

describe("collecting DMARC reports with SES, planned", () => {
  test("the bucket policy admits SES only for this account and the receipt rule, with the account known at plan time", () => {
    const policy = JSON.parse(after("ses-account", "aws_s3_bucket_policy.dmarc_reports_bucket_acme_dmarc_reports_policy").policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "ses.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::acme-dmarc-reports/rua/*",
        Condition: {
          StringEquals: {
            "AWS:SourceAccount": TEST_ACCOUNT,
            "AWS:SourceArn": `arn:aws:ses:us-east-1:${TEST_ACCOUNT}:receipt-rule-set/ses-domains-dmarc-reports:receipt-rule/dmarc-reports-at-reports.example.com`,
          },
        },
      }),
    ]);
  });

  test("the rule set is made active and its rule stores mail for the reports address in the bucket", () => {
    expect(after("ses-account", "aws_ses_active_receipt_rule_set.dmarc_reports_us_east_1_active_rule_set")).toMatchObject({
      rule_set_name: "ses-domains-dmarc-reports",
    });
    expect(after("ses-account", "aws_ses_receipt_rule.dmarc_reports_us_east_1_dmarc_reports_at_reports_example_com")).toMatchObject({
      recipients: ["dmarc-reports@reports.example.com"],
      enabled: true,
      scan_enabled: true,
      s3_action: [expect.objectContaining({ bucket_name: "acme-dmarc-reports", object_key_prefix: "rua/", position: 1 })],
    });
    expect(after("ses-domains", "aws_route53_record.example_com_dmarc_collect_reports_mx")).toMatchObject({
      name: "reports.example.com",
      type: "MX",
      records: ["10 inbound-smtp.us-east-1.amazonaws.com"],
    });
  });
});

describe("the planned role policies, judged by an IAM evaluator", () => {
  const rolePolicy = (role: string) => JSON.parse(after("ses-account", `aws_iam_role_policy.role_${role}`).policy);
  const identity = (region: string, domain: string) => `arn:aws:ses:${region}:${TEST_ACCOUNT}:identity/${domain}`;
  const set = (region: string, name: string) => `arn:aws:ses:${region}:${TEST_ACCOUNT}:configuration-set/${name}`;
  const principal = `arn:aws:iam::${TEST_ACCOUNT}:role/movie-booker-app`;

  test("the role policy is known at plan time, with the caller's account in its ARNs", () => {
    expect(after("ses-account", "aws_iam_role_policy.role_movie-booker-app")).toMatchObject({ role: "movie-booker-app", name: "ses-domains-send" });
    expect(JSON.stringify(rolePolicy("movie-booker-app"))).toContain(`:${TEST_ACCOUNT}:identity/example.com`);
  });

  test.each([
    ["tickets@example.com through the identity", identity("us-east-1", "example.com"), "tickets@example.com", "Allowed"],
    ["tickets@example.com through the domain's configuration set", set("us-east-1", "example-transactional"), "tickets@example.com", "Allowed"],
    ["noreply@example.com, raw", identity("us-east-1", "example.com"), "noreply@example.com", "Allowed"],
    ["ceo@example.com", identity("us-east-1", "example.com"), "ceo@example.com", "ImplicitlyDenied"],
    ["from another identity", identity("us-east-1", "shop.example.org"), "tickets@shop.example.org", "ImplicitlyDenied"],
    ["in another region", identity("eu-west-1", "example.com"), "tickets@example.com", "ImplicitlyDenied"],
    ["through another configuration set", set("us-east-1", "shop_example_org"), "tickets@example.com", "ImplicitlyDenied"],
  ])("movie-booker-app sends as %s: %s", async (_, resource, from, decision) => {
    expect(
      await sendDecision({
        identityPolicies: [rolePolicy("movie-booker-app")],
        principal,
        resource,
        from,
        action: from.startsWith("noreply") ? "ses:SendRawEmail" : "ses:SendEmail",
      }),
    ).toBe(decision);
  });

  test("a role named by a multi-region domain may send in each of its regions, and only as its addresses", async () => {
    const policy = rolePolicy("platform-mailer");
    const mailer = `arn:aws:iam::${TEST_ACCOUNT}:role/platform-mailer`;
    for (const region of ["us-east-1", "eu-west-1"]) {
      expect(
        await sendDecision({ identityPolicies: [policy], principal: mailer, resource: identity(region, "shop.example.org"), from: "noreply@shop.example.org" }),
      ).toBe("Allowed");
      expect(
        await sendDecision({ identityPolicies: [policy], principal: mailer, resource: set(region, "shop_example_org"), from: "noreply@shop.example.org" }),
      ).toBe("Allowed");
    }
    expect(
      await sendDecision({
        identityPolicies: [policy],
        principal: mailer,
        resource: identity("us-east-1", "shop.example.org"),
        from: "sales@shop.example.org",
      }),
    ).toBe("ImplicitlyDenied");
    expect(
      await sendDecision({ identityPolicies: [policy], principal: mailer, resource: identity("us-east-1", "example.com"), from: "noreply@example.com" }),
    ).toBe("ImplicitlyDenied");
  });
});
