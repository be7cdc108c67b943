/**
 * The baseline for `npm run bench`: a minimal hand-written cdktf app producing the same eight resources
 * per domain as the project (identity, three DKIM CNAMEs, MAIL FROM attributes, MX, SPF, DMARC), with
 * no config file, validation or record model. BENCH_DOMAINS sets how many domains.
 */
import { App, Fn, TerraformStack } from "cdktf";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Sesv2EmailIdentity } from "@cdktf/provider-aws/lib/sesv2-email-identity";
import { Sesv2EmailIdentityMailFromAttributes } from "@cdktf/provider-aws/lib/sesv2-email-identity-mail-from-attributes";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

const count = Number(process.env.BENCH_DOMAINS ?? "1");
const app = new App();
const stack = new TerraformStack(app, "handwritten");
new AwsProvider(stack, "aws", { region: "us-east-1" });
for (let i = 0; i < count; i++) {
  const domain = `d${i}.example.com`;
  const zoneId = "Z0123456789ABCDEFGHIJ";
  const id = new Sesv2EmailIdentity(stack, `${i}_identity`, {
    emailIdentity: domain,
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
  new Route53Record(stack, `${i}_dmarc`, { zoneId, name: `_dmarc.${domain}`, type: "TXT", ttl: 600, records: ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"] });
}
app.synth();
