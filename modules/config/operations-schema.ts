/**
 * The operations part of the config contract (../shared/CONFIG.md "Operations"): configuration sets,
 * event destinations, reputation alarms, least-privilege senders, and the account-level settings.
 * Field rules only; the rules that need the merged view (thresholds against SES's rates, names unique
 * per region, tracking domain inside the identity) live in resolve.ts and the record model.
 */
import { z } from "zod";
import { hostnameProblem, normalizeDomain } from "../model/domain-name";
import { EVENT_TYPES, SES_REPUTATION } from "../model/operations";
import { rule, strict } from "./zod-helpers";

const bool = z.boolean({ error: () => "must be true or false" });

const reasons = rule(
  z.array(z.enum(["bounce", "complaint"], { error: () => 'each entry must be "bounce" or "complaint"' }), {
    error: () => 'must be a list of "bounce" and "complaint"',
  }),
  (v) => {
    const twice = v.find((r, i) => v.indexOf(r) !== i);
    return twice && `lists "${twice}" twice`;
  },
);

const hostname = (what: string) =>
  rule(z.string({ error: () => `must be ${what}` }), (v) => {
    const problem = hostnameProblem(normalizeDomain(v), 2);
    return problem && `must be ${what}; ${problem}, got ${JSON.stringify(v)}`;
  });

/** An SNS topic ARN; SES and CloudWatch publish only to Standard topics in their own region (checked later). */
export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const topicArn = rule(z.string({ error: () => "must be an SNS topic ARN such as arn:aws:sns:us-east-1:111111111111:ses-events" }), (v) =>
  !SNS_TOPIC_ARN.test(v)
    ? `must be an SNS topic ARN such as arn:aws:sns:us-east-1:111111111111:ses-events, got ${JSON.stringify(v)}`
    : v.endsWith(".fifo")
      ? "is a FIFO topic; SES and CloudWatch publish only to Standard topics"
      : undefined,
);

const eventType = z.enum(EVENT_TYPES, { error: () => `each entry must be one of ${EVENT_TYPES.join(", ")}` });

const events = strict({
  types: rule(z.array(eventType, { error: () => `must be a list of event types (${EVENT_TYPES.join(", ")})` }), (v) => {
    if (v.length === 0) return "must list at least one event type";
    const twice = v.find((t, i) => v.indexOf(t) !== i);
    return twice && `lists "${twice}" twice`;
  })
    .optional()
    .meta({ description: "Event types published. Default: send, delivery, bounce, complaint, reject, deliveryDelay." }),
  cloudwatch: bool.optional().meta({
    description: "Publish counts to CloudWatch, one metric per event type with the dimension ses:configuration-set (each is a billed custom metric).",
  }),
  sns: z
    .union([strict({ topicArn }), strict({ create: z.literal(true, { error: () => "must be true" }) })], {
      error: (issue) => (issue.code === "invalid_union" ? "must be { topicArn: <Standard topic in the set's region> } or { create: true }" : undefined),
    })
    .optional()
    .meta({ description: "Publish each event to SNS: an existing Standard topic in the same region, or one created with the policy SES needs." }),
  eventBridge: bool.optional().meta({ description: "Publish each event to the default EventBridge bus of the region." }),
}).meta({ description: "Event destinations of the configuration set. Unset: none." });

const trackingDomain = strict({
  domain: hostname("a DNS name under the identity domain, such as click.example.com").meta({
    description: "Custom open/click tracking domain: a name under the identity domain; gets a CNAME to SES's tracking host.",
  }),
  https: z
    .enum(["require", "requireOpenOnly", "optional"], { error: () => 'must be "require", "requireOpenOnly" or "optional"' })
    .optional()
    .meta({ description: "HTTPS for tracking links: require (open and click), requireOpenOnly, optional. Default: require." }),
  target: hostname("a DNS name such as d111111abcdef8.cloudfront.net").optional().meta({
    description:
      "CNAME target of the tracking domain. Default: r.<region>.awstrack.me (HTTP only). For HTTPS, a CloudFront distribution with a certificate for the tracking domain in front of it.",
  }),
});

const setName = rule(z.string({ error: () => "must be a configuration set name such as tickets" }), (v) =>
  /^[A-Za-z0-9_-]{1,64}$/.test(v) ? undefined : `must be 1–64 letters, digits, "-" and "_" (SES's rule for configuration set names), got ${JSON.stringify(v)}`,
);

const configurationSetFields = {
  name: setName
    .optional()
    .meta({ description: "Per domain only: the configuration set's name, unique per account and region. Default: derived from the domain (example_com)." }),
  tls: z
    .enum(["require", "optional"], { error: () => 'must be "require" or "optional"' })
    .optional()
    .meta({ description: "require: deliver only over TLS; optional: fall back to plain text. Default: require." }),
  reputationMetrics: bool.optional().meta({ description: "Publish the set's bounce and complaint rates to CloudWatch. Default: true." }),
  suppress: reasons
    .optional()
    .meta({ description: "Suppression-list reasons for the set; [] means only the account-level list applies. Default: [bounce, complaint]." }),
  maxDeliverySeconds: z
    .number({ error: () => "must be a whole number of seconds 300–50400" })
    .int({ error: () => "must be a whole number of seconds 300–50400" })
    .min(300, { error: () => "must be a whole number of seconds 300–50400 (SES's range: 5 minutes to 14 hours)" })
    .max(50400, { error: () => "must be a whole number of seconds 300–50400 (SES's range: 5 minutes to 14 hours)" })
    .optional()
    .meta({ description: "Give up delivering after this many seconds (300–50400). Default: SES's own (14 hours)." }),
  trackingDomain: trackingDomain.optional().meta({ description: "Custom domain for open and click tracking." }),
  vdm: strict({
    engagementMetrics: bool.optional().meta({ description: "VDM engagement tracking (rewrites links) for this set." }),
    optimizedSharedDelivery: bool.optional().meta({ description: "VDM optimized shared delivery for this set (may delay mail)." }),
  })
    .optional()
    .meta({ description: "Virtual Deliverability Manager options for this set, overriding the account's. Unset: the account's." }),
  events: events.optional(),
};

const configurationSetObject = strict(configurationSetFields);
/** In defaults the name is refused: a name is unique per account and region, so one name cannot serve every domain. */
const defaultsConfigurationSetObject = configurationSetObject.superRefine((v, ctx) => {
  if (v.name !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["name"],
      message: "is per domain only: a configuration set name is unique per account and region, so it cannot be a default",
    });
  }
});

const configurationSetUnion = <T extends z.ZodType>(object: T) =>
  z
    .union([z.literal(false), object], {
      error: (issue) => (issue.code === "invalid_union" ? "must be false or an object { tls, reputationMetrics, suppress, … }" : undefined),
    })
    .meta({ description: "The domain's configuration set (one per region), set as the identity's default; false: none." });

const fraction = (metric: "bounce" | "complaint") => {
  const { review, pause } = SES_REPUTATION[metric];
  const message = `must be a fraction above 0 and below ${pause} (SES may pause sending at a ${metric} rate of ${pause * 100} %, so an alarm at or above it comes too late); 0.04 means 4 %`;
  return z
    .number({ error: () => message })
    .gt(0, { error: () => message })
    .lt(pause, { error: () => message })
    .meta({ description: `Alarm when the ${metric} rate reaches this fraction. SES reviews an account at ${review} and may pause it at ${pause}.` });
};

const email = rule(z.string({ error: () => "each entry must be an email address" }), (v) =>
  /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v) ? undefined : `must be an email address, got ${JSON.stringify(v)}`,
);

const alarmsObject = strict({
  bounceRate: fraction("bounce").optional(),
  complaintRate: fraction("complaint").optional(),
  notify: z
    .union(
      [
        strict({
          email: z.array(email, { error: () => "must be a list of email addresses" }).min(1, { error: () => "must list at least one address" }),
        }),
        strict({ topicArn }),
      ],
      { error: (issue) => (issue.code === "invalid_union" ? "must be { email: [addresses] } or { topicArn: <SNS topic in the alarm's region> }" : undefined) },
    )
    .optional()
    .meta({ description: "Who is told: email addresses (an SNS topic is created; each address must confirm) or an existing topic." }),
});

const alarms = z
  .union([z.literal(false), alarmsObject], {
    error: (issue) => (issue.code === "invalid_union" ? "must be false or an object { bounceRate, complaintRate, notify }" : undefined),
  })
  .meta({ description: "CloudWatch alarms on the reputation metrics, below SES's own thresholds. false: none. Default: 0.04 and 0.0008." });

const sender = rule(
  strict({
    name: rule(z.string({ error: () => "must be a sender name such as ticketing" }), (v) =>
      /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/.test(v) ? undefined : `must be 1–32 lowercase letters, digits and "-", got ${JSON.stringify(v)}`,
    ),
    role: rule(z.string({ error: () => "must be an IAM role name such as movie-booker-app" }), (v) =>
      v.startsWith("arn:")
        ? `must be a role name, not an ARN: use ${JSON.stringify(v.slice(v.lastIndexOf("/") + 1))}`
        : /^[\w+=,.@-]{1,64}$/.test(v)
          ? undefined
          : `must be an IAM role name (1–64 letters, digits and +=,.@_-), got ${JSON.stringify(v)}`,
    )
      .optional()
      .meta({ description: "An existing IAM role in this account: the sending policy is attached to it." }),
    account: rule(z.string({ error: () => 'must be a 12-digit AWS account ID in quotes, such as "222222222222"' }), (v) =>
      /^\d{12}$/.test(v) ? undefined : `must be a 12-digit AWS account ID, got ${JSON.stringify(v)}`,
    )
      .optional()
      .meta({ description: "Another AWS account allowed to send as the listed addresses (an identity policy)." }),
    from: z
      .array(z.string({ error: () => 'each entry must be a local part, an address under the domain, or "*"' }), {
        error: () => 'must be a list of local parts (tickets), addresses under the domain, or "*"',
      })
      .min(1, { error: () => "must list at least one address" })
      .meta({ description: 'From addresses allowed: local parts under the domain, full addresses, or "*" for any address of the domain.' }),
    smtp: bool.optional().meta({ description: "Also create an IAM user with SMTP credentials in Secrets Manager." }),
  }),
  (v) =>
    v.role !== undefined && v.account !== undefined
      ? "set role or account, not both: a role sends from this account, an account is another one"
      : v.account !== undefined && v.smtp
        ? "smtp creates credentials in this account; a sender in another account makes its own"
        : undefined,
);

const senders = rule(z.array(sender, { error: () => "must be a list of senders { name, from, role | account, smtp }" }), (v) => {
  const names = v.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  return twice && `names sender "${twice}" twice; each name is part of resource names and must be unique`;
}).meta({
  description:
    "Who may send as which From addresses: an IAM policy for a role, SMTP credentials, or another account. A domain's list replaces the default list.",
});

/** Operations keys a domain may set. */
export const operationsFields = {
  configurationSet: configurationSetUnion(configurationSetObject).optional(),
  alarms: alarms.optional(),
  senders: senders.optional(),
};

/** Operations keys defaults may set: the same, without a configuration set name. */
export const defaultsOperationsFields = {
  ...operationsFields,
  configurationSet: configurationSetUnion(defaultsConfigurationSetObject).optional(),
};

export const AccountSchema = z
  .union(
    [
      z.literal(false),
      strict({
        suppression: reasons.optional().meta({ description: "Account-level suppression list reasons in every region in use. Default: [bounce, complaint]." }),
        vdm: strict({
          enabled: bool.meta({ description: "Turn on Virtual Deliverability Manager (a paid add-on)." }),
          engagementMetrics: bool.optional(),
          optimizedSharedDelivery: bool.optional(),
        })
          .optional()
          .meta({ description: "Virtual Deliverability Manager for the account, only when set." }),
      }),
    ],
    { error: (issue) => (issue.code === "invalid_union" ? "must be false or an object { suppression, vdm }" : undefined) },
  )
  .meta({ description: "Account-level settings, once per account and region in use, in their own stack (ses-account). false: leave them alone." });

export { sender as SenderSchema };

export type ConfigurationSetConfig = Exclude<z.input<typeof operationsFields.configurationSet>, undefined>;
export type AlarmsConfig = Exclude<z.input<typeof operationsFields.alarms>, undefined>;
export type SenderConfig = z.input<typeof sender>;
export type AccountConfig = z.input<typeof AccountSchema>;
