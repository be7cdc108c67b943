/**
 * The baseline for `npm run bench`: a minimal hand-written cdktf app producing the same eleven resources
 * per domain as the project (identity, three DKIM CNAMEs, MAIL FROM attributes, MX, SPF, DMARC, a
 * configuration set and its two reputation alarms) and the same account stack (suppression list, two
 * alarms), with no config file, validation or record model. BENCH_DOMAINS sets how many domains.
 */
import { App, Fn, TerraformStack } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Sesv2AccountSuppressionAttributes } from "@cdktf/provider-aws/lib/sesv2-account-suppression-attributes";
import { Sesv2ConfigurationSet } from "@cdktf/provider-aws/lib/sesv2-configuration-set";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Sesv2EmailIdentity } from "@cdktf/provider-aws/lib/sesv2-email-identity";
import { Sesv2EmailIdentityMailFromAttributes } from "@cdktf/provider-aws/lib/sesv2-email-identity-mail-from-attributes";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

const count = Number(process.env.BENCH_DOMAINS ?? "1");
const app = new App();
const stack = new TerraformStack(app, "handwritten");
new AwsProvider(stack, "aws", { region: "us-east-1" });
const alarm = (scope: TerraformStack, id: string, metric: string, threshold: number, dimensions?: Record<string, string>) =>
  new CloudwatchMetricAlarm(scope, id, {
    alarmName: id,
    namespace: "AWS/SES",
    metricName: metric,
    dimensions,
    statistic: "Average",
    period: 3600,
    evaluationPeriods: 1,
    threshold,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "ignore",
    alarmActions: ["arn:aws:sns:us-east-1:111111111111:ops"],
    okActions: ["arn:aws:sns:us-east-1:111111111111:ops"],
  });
for (let i = 0; i < count; i++) {
  const domain = `d${i}.example.com`;
  const zoneId = "Z0123456789ABCDEFGHIJ";
  const set = new Sesv2ConfigurationSet(stack, `${i}_configuration_set`, {
    configurationSetName: `d${i}_example_com`,
    deliveryOptions: { tlsPolicy: "REQUIRE" },
    reputationOptions: { reputationMetricsEnabled: true },
    sendingOptions: { sendingEnabled: true },
    suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
  });
  alarm(stack, `${i}_bounce`, "Reputation.BounceRate", 0.04, { "ses:configuration-set": `d${i}_example_com` });
  alarm(stack, `${i}_complaint`, "Reputation.ComplaintRate", 0.0008, { "ses:configuration-set": `d${i}_example_com` });
  const id = new Sesv2EmailIdentity(stack, `${i}_identity`, {
    emailIdentity: domain,
    configurationSetName: set.configurationSetName,
    dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
  });
  for (let n = 0; n < 3; n++) {
    const token = Fn.element(id.dkimSigningAttributes.tokens, n);
    new Route53Record(stack, `${i}_dkim_${n}`, {
      zoneId,
      name: `${token}._domainkey.${domain}`,
      type: "CNAME",
      ttl: 600,
      records: [`${token}.dkim.amazonses.com`],
    });
  }
  new Sesv2EmailIdentityMailFromAttributes(stack, `${i}_mail_from`, {
    emailIdentity: id.emailIdentity,
    mailFromDomain: `mail.${domain}`,
    behaviorOnMxFailure: "USE_DEFAULT_VALUE",
  });
  new Route53Record(stack, `${i}_mx`, { zoneId, name: `mail.${domain}`, type: "MX", ttl: 600, records: ["10 feedback-smtp.us-east-1.amazonses.com"] });
  new Route53Record(stack, `${i}_spf`, { zoneId, name: `mail.${domain}`, type: "TXT", ttl: 600, records: ["v=spf1 include:amazonses.com ~all"] });
  new Route53Record(stack, `${i}_dmarc`, {
    zoneId,
    name: `_dmarc.${domain}`,
    type: "TXT",
    ttl: 600,
    records: ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"],
  });
}
const account = new TerraformStack(app, "account");
new AwsProvider(account, "aws", { region: "us-east-1" });
new Sesv2AccountSuppressionAttributes(account, "suppression", { suppressedReasons: ["BOUNCE", "COMPLAINT"] });
alarm(account, "bounce", "Reputation.BounceRate", 0.04);
alarm(account, "complaint", "Reputation.ComplaintRate", 0.0008);
app.synth();
