import { describe, expect, test } from "vitest";
import { resolveConfig, resolveProject } from "../../modules/config/resolve";
import { ConfigError } from "../../modules/errors";
import { billed } from "../../modules/app";
import { planAccount, ROLE_INLINE_POLICY_MAX } from "../../modules/model/account";
import { defaultConfigurationSetName, fillAccountId, identityPolicy, partitionOf, senderPolicy } from "../../modules/model/operations";
import { planDomains } from "../../modules/model/records";
import { sendDecision } from "../helpers/iam";
import { configProblems, oneDomain, type Json } from "../helpers/synth";

const plan = (domain: Json = {}, defaults: Json = {}, name = "example.com") => planDomains(resolveConfig(oneDomain(domain, defaults, name)))[0];
const set = (domain: Json = {}, defaults: Json = {}) => plan(domain, defaults).identities[0].configurationSet!;

describe("configuration set: defaults and merging", () => {
  test("every domain gets one, set as the identity's default: TLS required, reputation metrics on, bounces and complaints suppressed", () => {
    expect(set()).toEqual({
      id: "configuration_set",
      name: "example_com",
      region: "us-east-1",
      tlsPolicy: "REQUIRE",
      reputationMetrics: true,
      suppressedReasons: ["BOUNCE", "COMPLAINT"],
      events: [],
      alarms: [
        expect.objectContaining({ id: "bounce_rate_alarm", threshold: 0.04 }),
        expect.objectContaining({ id: "complaint_rate_alarm", threshold: 0.0008 }),
      ],
    });
  });

  test("configurationSet: false leaves it out, and the domain's alarms with it", () => {
    const p = plan({ configurationSet: false });
    expect(p.identities[0].configurationSet).toBeUndefined();
    expect(resolveConfig(oneDomain({ configurationSet: false }))[0].alarms).toBe(false);
  });

  test("a domain's fields merge over the defaults' (tls from the domain, suppress from defaults)", () => {
    expect(set({ configurationSet: { tls: "optional" } }, { configurationSet: { suppress: [] } })).toMatchObject({
      tlsPolicy: "OPTIONAL",
      suppressedReasons: [],
    });
  });

  test("names: derived from the domain, stable and within SES's 64 characters; a long one ends in a hash", () => {
    expect(defaultConfigurationSetName("news.example.com")).toBe("news_example_com");
    const long = `${"a".repeat(60)}.${"b".repeat(60)}.example.com`;
    const name = defaultConfigurationSetName(long);
    expect(name).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(defaultConfigurationSetName(long)).toBe(name);
    expect(defaultConfigurationSetName(`${"a".repeat(60)}.${"b".repeat(60)}.example.org`)).not.toBe(name);
  });

  test("a multi-region domain gets a set per region under the same name, each addressed by its region", () => {
    const p = plan({ regions: ["us-east-1", "eu-west-1"] });
    expect(p.identities.map((i) => [i.configurationSet!.id, i.configurationSet!.name, i.configurationSet!.region])).toEqual([
      ["us_east_1_configuration_set", "example_com", "us-east-1"],
      ["eu_west_1_configuration_set", "example_com", "eu-west-1"],
    ]);
  });

  test("events: the default types, destinations as chosen", () => {
    const s = set({ configurationSet: { events: { cloudwatch: true, eventBridge: true } } });
    expect(s.events.map((e) => [e.id, e.types])).toEqual([
      ["cloudwatch", ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT", "REJECT", "DELIVERY_DELAY"]],
      ["eventbridge", ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT", "REJECT", "DELIVERY_DELAY"]],
    ]);
    expect(s.events[0].target).toEqual({ kind: "cloudwatch", dimensionName: "ses:configuration-set", dimensionValue: "example_com" });
  });

  test("a tracking domain adds its CNAME to the record model, to the first region's tracking host unless a target is given", () => {
    const records = (target?: string) =>
      plan({
        regions: ["eu-west-1", "us-east-1"],
        configurationSet: { trackingDomain: { domain: "click.example.com", https: "optional", ...(target ? { target } : {}) } },
      }).records.filter((r) => r.id === "tracking");
    expect(records()).toEqual([expect.objectContaining({ name: "click.example.com", type: "CNAME", values: ["r.eu-west-1.awstrack.me"] })]);
    expect(records("d111.cloudfront.net")[0].values).toEqual(["d111.cloudfront.net"]);
  });

  test("https tracking without a target warns that SES's host has no certificate for the name", () => {
    const warn = (tracking: Json) => plan({ configurationSet: { trackingDomain: tracking } }).warnings.filter((w) => w.code === "tracking-https-needs-cdn");
    expect(warn({ domain: "click.example.com" })).toHaveLength(1);
    expect(warn({ domain: "click.example.com" })[0].message).toContain("set trackingDomain.target to the distribution's domain, or set https: optional");
    expect(warn({ domain: "click.example.com", https: "optional" })).toEqual([]);
    expect(warn({ domain: "click.example.com", target: "d111.cloudfront.net" })).toEqual([]);
  });

  test("the partition follows the region", () => {
    expect(partitionOf("us-gov-west-1")).toBe("aws-us-gov");
    expect(partitionOf("eu-west-1")).toBe("aws");
  });
});

describe("operations errors name the field, the value and what is allowed", () => {
  test.each<[string, unknown, string[]]>([
    [
      "a name in defaults",
      { ...oneDomain(), defaults: { region: "us-east-1", configurationSet: { name: "shared" } } },
      ["defaults.configurationSet.name: is per domain only: a configuration set name is unique per account and region, so it cannot be a default"],
    ],
    [
      "a name SES refuses",
      oneDomain({ configurationSet: { name: "my set" } }),
      ['domains["example.com"].configurationSet.name: must be 1–64 letters, digits, "-" and "_" (SES\'s rule for configuration set names), got "my set"'],
    ],
    [
      "two domains with one name",
      {
        defaults: { region: "us-east-1", dns: { route53: { zoneId: "Z1" } } },
        domains: { "a.example.com": { configurationSet: { name: "mail" } }, "b.example.com": { configurationSet: { name: "mail" } } },
      },
      [
        'domains["b.example.com"].configurationSet.name: "mail" is already the configuration set of a.example.com in us-east-1; names are unique per account and region',
      ],
    ],
    [
      "maxDeliverySeconds below SES's range",
      oneDomain({ configurationSet: { maxDeliverySeconds: 60 } }),
      ['domains["example.com"].configurationSet.maxDeliverySeconds: must be a whole number of seconds 300–50400 (SES\'s range: 5 minutes to 14 hours), got 60'],
    ],
    [
      "events with no destination",
      oneDomain({ configurationSet: { events: { types: ["bounce"] } } }),
      [
        'domains["example.com"].configurationSet.events: names no destination: set cloudwatch: true, sns: { topicArn } or { create: true }, or eventBridge: true',
      ],
    ],
    [
      "an unknown event type",
      oneDomain({ configurationSet: { events: { types: ["opened"], cloudwatch: true } } }),
      [
        'domains["example.com"].configurationSet.events.types[0]: each entry must be one of send, delivery, bounce, complaint, reject, deliveryDelay, open, click, renderingFailure, subscription, got "opened"',
      ],
    ],
    [
      "a FIFO topic",
      oneDomain({ configurationSet: { events: { sns: { topicArn: "arn:aws:sns:us-east-1:111111111111:events.fifo" } } } }),
      ['domains["example.com"].configurationSet.events.sns.topicArn: is a FIFO topic; SES and CloudWatch publish only to Standard topics'],
    ],
    [
      "an events topic in another region",
      oneDomain({ regions: ["us-east-1", "eu-west-1"], configurationSet: { events: { sns: { topicArn: "arn:aws:sns:us-east-1:111111111111:events" } } } }),
      [
        'domains["example.com"].configurationSet.events.sns.topicArn: is in us-east-1, but events in eu-west-1 can publish only to a topic in their own region; use sns: { create: true } (a topic per region)',
      ],
    ],
    [
      "a tracking domain outside the identity",
      oneDomain({ configurationSet: { trackingDomain: { domain: "click.example.net" } } }),
      [
        'domains["example.com"].configurationSet.trackingDomain.domain: must be a name under example.com (SES accepts a tracking domain only under a verified identity, and the apex cannot be a CNAME), got "click.example.net"',
      ],
    ],
    [
      "a tracking domain at the MAIL FROM name",
      oneDomain({ configurationSet: { trackingDomain: { domain: "mail.example.com" } } }),
      [
        'domains["example.com"].configurationSet.trackingDomain.domain: mail.example.com already holds the MAIL FROM MX and SPF records; a CNAME cannot share a name with other records',
      ],
    ],
    [
      "a bounce threshold at SES's pause rate",
      oneDomain({ alarms: { bounceRate: 0.1 } }),
      [
        'domains["example.com"].alarms.bounceRate: must be a fraction above 0 and below 0.1 (SES may pause sending at a bounce rate of 10 %, so an alarm at or above it comes too late); 0.04 means 4 %, got 0.1',
      ],
    ],
    [
      "a threshold written as a percentage",
      oneDomain({ alarms: { complaintRate: 0.08 } }),
      [
        'domains["example.com"].alarms.complaintRate: must be a fraction above 0 and below 0.005 (SES may pause sending at a complaint rate of 0.5 %, so an alarm at or above it comes too late); 0.04 means 4 %, got 0.08',
      ],
    ],
    [
      "a zero threshold",
      oneDomain({ alarms: { bounceRate: 0 } }),
      [
        'domains["example.com"].alarms.bounceRate: must be a fraction above 0 and below 0.1 (SES may pause sending at a bounce rate of 10 %, so an alarm at or above it comes too late); 0.04 means 4 %, got 0',
      ],
    ],
    [
      "alarms on a set without reputation metrics",
      oneDomain({ configurationSet: { reputationMetrics: false }, alarms: { bounceRate: 0.02 } }),
      [
        'domains["example.com"].alarms: needs configurationSet.reputationMetrics: true: a configuration set publishes its bounce and complaint rates only then, so its alarms would never see data',
      ],
    ],
    [
      "a notify topic in another region",
      oneDomain({ region: "eu-west-1", alarms: { notify: { topicArn: "arn:aws:sns:us-east-1:111111111111:ops" } } }),
      [
        'domains["example.com"].alarms.notify.topicArn: is in us-east-1, but alarms in eu-west-1 can publish only to a topic in their own region; use notify: { email: [...] } (a topic per region)',
      ],
    ],
    [
      "a sender's address at another domain",
      oneDomain({ senders: [{ name: "app", from: ["a@example.net"] }] }),
      [
        'domains["example.com"].senders[0].from[0]: is not at example.com: a sender of example.com may send only as its addresses; list it under the domain it belongs to',
      ],
    ],
    [
      "a local part with a space",
      oneDomain({ senders: [{ name: "app", from: ["no reply"] }] }),
      ['domains["example.com"].senders[0].from[0]: must be a local part (tickets), an address at example.com, or "*", got "no reply"'],
    ],
    [
      "a role ARN for a role name",
      oneDomain({ senders: [{ name: "app", role: "arn:aws:iam::111111111111:role/app", from: ["a"] }] }),
      ['domains["example.com"].senders[0].role: must be a role name, not an ARN: use "app"'],
    ],
    [
      "role and account together",
      oneDomain({ senders: [{ name: "app", role: "app", account: "222222222222", from: ["a"] }] }),
      ['domains["example.com"].senders[0]: set role or account, not both: a role sends from this account, an account is another one'],
    ],
    [
      "SMTP for another account",
      oneDomain({ senders: [{ name: "p", account: "222222222222", smtp: true, from: ["a"] }] }),
      ['domains["example.com"].senders[0]: smtp creates credentials in this account; a sender in another account makes its own'],
    ],
    [
      "an account ID YAML read as a number",
      oneDomain({ senders: [{ name: "p", account: 222222222222, from: ["a"] }] }),
      ['domains["example.com"].senders[0].account: must be a 12-digit AWS account ID in quotes, such as "222222222222", got 222222222222'],
    ],
    [
      "two senders of one name",
      oneDomain({
        senders: [
          { name: "app", from: ["a"] },
          { name: "app", from: ["b"] },
        ],
      }),
      ['domains["example.com"].senders: names sender "app" twice; each name is part of resource names and must be unique'],
    ],
    [
      "a domain pinned to the account stack",
      oneDomain({ stack: "ses-account" }),
      ['domains["example.com"].stack: "ses-account" is the stack of account-level settings; pin the domain to another name'],
    ],
  ])("%s", (_, config, lines) => {
    expect(configProblems(config)).toEqual(lines);
  });
});

describe("operations warnings", () => {
  test("a threshold at or above SES's review rate warns that the alarm would fire only once the account is under review", () => {
    const { warnings } = resolveProject(
      oneDomain({ alarms: { bounceRate: 0.05 } }, { alarms: { complaintRate: 0.001, notify: { email: ["ops@example.com"] } } }),
    );
    expect(warnings.map((w) => [w.code, w.path.join(".")])).toEqual([
      ["alarm-at-review-rate", "defaults.alarms.complaintRate"],
      ["alarm-at-review-rate", "domains.example.com.alarms.bounceRate"],
    ]);
    expect(warnings[1].message).toBe(
      "0.05 is at or above 0.05, the bounce rate at which SES puts the account under review: the alarm would fire only once the account is already under review; choose a lower value (default 0.04)",
    );
  });

  test("alarms that notify nobody are warned once", () => {
    expect(resolveProject(oneDomain()).warnings.map((w) => w.code)).toEqual(["alarms-no-notify"]);
    expect(resolveProject(oneDomain({}, { alarms: { notify: { email: ["ops@example.com"] } } })).warnings).toEqual([]);
    expect(resolveProject(oneDomain({}, { alarms: false })).warnings).toEqual([]);
  });
});

describe("senders", () => {
  test("local parts, full addresses and * become addresses at the domain; a domain's list replaces the default list", () => {
    const [spec] = resolveConfig(
      oneDomain({ senders: [{ name: "app", role: "r", from: ["tickets", "NoReply@Example.COM", "*"] }] }, { senders: [{ name: "default", from: ["x"] }] }),
    );
    expect(spec.senders).toEqual([
      {
        name: "app",
        role: "r",
        from: ["tickets@example.com", "NoReply@example.com", "*@example.com"],
        smtp: false,
        path: ["domains", "example.com", "senders", 0],
      },
    ]);
    expect(resolveConfig(oneDomain({}, { senders: [{ name: "default", from: ["x"] }] }))[0].senders!.map((s) => s.path)).toEqual([["defaults", "senders", 0]]);
  });

  test("a sender may send through the identity and the configuration set of every region of its domain", () => {
    const p = plan({ regions: ["us-east-1", "eu-west-1"], senders: [{ name: "app", role: "r", from: ["a"] }] });
    expect(p.senders[0].resources).toEqual([
      "arn:aws:ses:us-east-1:{{account-id}}:identity/example.com",
      "arn:aws:ses:us-east-1:{{account-id}}:configuration-set/example_com",
      "arn:aws:ses:eu-west-1:{{account-id}}:identity/example.com",
      "arn:aws:ses:eu-west-1:{{account-id}}:configuration-set/example_com",
    ]);
    expect(plan({ configurationSet: false, senders: [{ name: "app", from: ["a"] }] }).senders[0].resources).toEqual([
      "arn:aws:ses:us-east-1:{{account-id}}:identity/example.com",
    ]);
  });

  const account = "111111111111";
  const policyOf = (json: string) => JSON.parse(fillAccountId(json, account));

  test.each([
    ["tickets@example.com through the identity", "arn:aws:ses:us-east-1:111111111111:identity/example.com", "tickets@example.com", "Allowed"],
    ["tickets@example.com through the set", "arn:aws:ses:us-east-1:111111111111:configuration-set/example_com", "tickets@example.com", "Allowed"],
    ["ceo@example.com", "arn:aws:ses:us-east-1:111111111111:identity/example.com", "ceo@example.com", "ImplicitlyDenied"],
    [
      "Tickets@example.com (the condition is case-sensitive)",
      "arn:aws:ses:us-east-1:111111111111:identity/example.com",
      "Tickets@example.com",
      "ImplicitlyDenied",
    ],
    ["from another identity", "arn:aws:ses:us-east-1:111111111111:identity/example.org", "tickets@example.org", "ImplicitlyDenied"],
    ["in another region", "arn:aws:ses:eu-west-1:111111111111:identity/example.com", "tickets@example.com", "ImplicitlyDenied"],
  ])("an SMTP user's policy, judged by an IAM evaluator: %s", async (_, resource, from, decision) => {
    const sender = plan({ senders: [{ name: "smtp", smtp: true, from: ["tickets"] }] }).senders[0];
    expect(
      await sendDecision({
        identityPolicies: [policyOf(senderPolicy(sender))],
        principal: `arn:aws:iam::${account}:user/ses-smtp`,
        resource,
        from,
        action: "ses:SendRawEmail",
      }),
    ).toBe(decision);
  });

  test.each([
    ["the partner, as partner@example.com", "222222222222", "partner@example.com", "Allowed"],
    ["the partner, as tickets@example.com", "222222222222", "tickets@example.com", "ImplicitlyDenied"],
    ["another account, as partner@example.com", "333333333333", "partner@example.com", "ImplicitlyDenied"],
  ])("another account's sending authorization, judged by an IAM evaluator: %s", async (_, caller, from, decision) => {
    const sender = plan({ senders: [{ name: "partner", account: "222222222222", from: ["partner"] }] }).senders[0];
    // The delegate's own account allows its principal to send anywhere: the identity policy is what limits it.
    const delegate = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ses:SendEmail", "ses:SendRawEmail"], Resource: "*" }] };
    expect(
      await sendDecision({
        identityPolicies: [delegate],
        resourcePolicy: policyOf(identityPolicy(sender, "us-east-1")),
        principal: `arn:aws:iam::${caller}:role/mailer`,
        resource: "arn:aws:ses:us-east-1:111111111111:identity/example.com",
        from,
      }),
    ).toBe(decision);
  });
});

describe("the account plan", () => {
  const fleet = (domains: Json, defaults: Json = {}, extra: Json = {}) => {
    const project = resolveProject({ defaults: { region: "us-east-1", dns: { route53: { zoneId: "Z1" } }, ...defaults }, domains, ...extra });
    return { plans: planDomains(project.domains), project };
  };

  test("once per region in use: the suppression list, the account's alarms and the shared alarm topic", () => {
    const { plans, project } = fleet({ "a.example.com": {}, "b.example.com": { region: "eu-west-1" } }, { alarms: { notify: { email: ["ops@example.com"] } } });
    const account = planAccount(plans, project.account, project.alarmEmails)!;
    expect(account.regions.map((r) => [r.id, r.suppressedReasons, r.alarms.map((a) => a.name), r.alarmTopic])).toEqual([
      [
        "eu_west_1",
        ["BOUNCE", "COMPLAINT"],
        ["ses-account-bounce-rate", "ses-account-complaint-rate"],
        { name: "ses-domains-alarms", emails: ["ops@example.com"] },
      ],
      [
        "us_east_1",
        ["BOUNCE", "COMPLAINT"],
        ["ses-account-bounce-rate", "ses-account-complaint-rate"],
        { name: "ses-domains-alarms", emails: ["ops@example.com"] },
      ],
    ]);
    expect(account.regions[0].alarms[0].dimensions).toBeUndefined();
  });

  test("a role named by domains in different stacks gets one policy with a statement per domain", () => {
    const sender = (name: string) => ({ senders: [{ name, role: "app", from: ["noreply"] }] });
    const { plans, project } = fleet({ "a.example.com": { ...sender("x"), stack: "one" }, "b.example.com": { ...sender("y"), stack: "two" } });
    const account = planAccount(plans, project.account)!;
    expect(account.rolePolicies.map((p) => [p.id, p.role, p.policyName])).toEqual([["role_app", "app", "ses-domains-send"]]);
    expect(JSON.parse(account.rolePolicies[0].document).Statement.map((s: Json) => s.Sid)).toEqual(["SendAExampleComX", "SendBExampleComY"]);
  });

  test("a role's policy over IAM's 10,240 characters fails at synth, naming the role and the counts", () => {
    const domains = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`d${i}.example.com`, { senders: [{ name: "app", role: "big", from: ["noreply", "tickets", "alerts"] }] }]),
    );
    const { plans, project } = fleet(domains);
    let error: unknown;
    try {
      planAccount(plans, project.account);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).lines()).toEqual([
      expect.stringMatching(
        new RegExp(
          `^domains\\["d0\\.example\\.com"\\]\\.senders\\[0\\]: role "big" is named by 40 senders on 40 domains: their one sending policy would be \\d+ characters, over IAM's ${ROLE_INLINE_POLICY_MAX} for a role's inline policies; give some of these senders another role$`,
        ),
      ),
    ]);
  });

  test("account: false leaves account settings alone, but role policies still have their one home", () => {
    const { plans, project } = fleet({ "a.example.com": { senders: [{ name: "x", role: "app", from: ["a"] }] } }, { alarms: false }, { account: false });
    const account = planAccount(plans, project.account)!;
    expect(account.regions).toEqual([]);
    expect(account.rolePolicies).toHaveLength(1);
    expect(planAccount(fleet({ "a.example.com": {} }, { alarms: false }, { account: false }).plans, false)).toBeUndefined();
  });

  test("what CloudWatch bills: every alarm, and one metric per event type of each CloudWatch destination", () => {
    const { plans, project } = fleet(
      {
        "a.example.com": { configurationSet: { events: { types: ["bounce", "complaint", "delivery"], cloudwatch: true, eventBridge: true } } },
        "b.example.com": { regions: ["us-east-1", "eu-west-1"] },
      },
      { alarms: { notify: { email: ["ops@example.com"] } } },
    );
    // sets: a (1 region) + b (2 regions) = 3, 2 alarms each; account: 2 regions × 2 alarms
    expect(billed(plans, planAccount(plans, project.account, project.alarmEmails))).toEqual({ alarms: 10, eventMetrics: 3 });
  });
});
