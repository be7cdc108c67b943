import { describe, expect, test } from "vitest";
import type { SesDomainsConfig } from "../../modules/config/schema";
import { route53TxtValue } from "../../modules/model/txt";
import { formatJson, formatMarkdown } from "../../modules/plan-summary/format";
import { testKey } from "../helpers/keys";
import { change, changeAt, identity, KEY_SENSITIVE, mailFrom, record, summarize, type Json } from "../helpers/plan-fragments";

const CONFIG: SesDomainsConfig = {
  defaults: { region: "us-east-1", dmarc: { p: "reject", rua: ["dmarc@example.com"] }, dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } } },
  domains: {
    "example.com": { spf: { include: ["_spf.google.com"], all: "-all" } },
    "byo.example.com": { dkim: { type: "byo", selector: "s2", publicKey: testKey().publicPem, privateKey: { variable: "BYO_KEY" } } },
    "news.example": {},
  },
};

const R = (name: string) => `aws_route53_record.${name}`;
const ID = (name: string) => `aws_sesv2_email_identity.${name}`;
const MF = (name: string) => `aws_sesv2_email_identity_mail_from_attributes.${name}`;
const dmarcAt = "_dmarc.example.com";
const update = (address: string, before: Json, after: Json) => change({ address, actions: ["update"], before, after });
const noop = (address: string, value: Json, sensitive: Json = {}) =>
  change({ address, actions: ["no-op"], before: value, after: value, before_sensitive: sensitive, after_sensitive: sensitive });
const del = (address: string, before: Json, sensitive: Json = {}) => change({ address, actions: ["delete"], before, before_sensitive: sensitive });
const dmarc = (from: string, to: string) => update(R("example_com_dmarc"), record(dmarcAt, "TXT", [from]), record(dmarcAt, "TXT", [to]));
const apex = (from: string, to: string) => update(R("example_com_apex_txt"), record("example.com", "TXT", [from]), record("example.com", "TXT", [to]));
const byoIdentity = (selector: string, key = "PRIVATE-KEY-BODY-1") => identity("byo.example.com", { selector, key });
const byoKey = (selector: string) => record(`${selector}._domainkey.byo.example.com`, "TXT", ["v=DKIM1; k=rsa; p=MIIB"]);

describe("plan-summary rules: what each change does to mail", () => {
  test.each<[string, Json[], string, "breaks" | "weakens" | "routine", string]>([
    // DMARC
    [
      "DMARC p reject → none",
      [dmarc("v=DMARC1; p=reject", "v=DMARC1; p=none")],
      R("example_com_dmarc"),
      "weakens",
      "DMARC p reject → none: receivers stop rejecting spoofed mail",
    ],
    [
      "DMARC p reject → quarantine",
      [dmarc("v=DMARC1; p=reject", "v=DMARC1; p=quarantine")],
      R("example_com_dmarc"),
      "weakens",
      "DMARC p reject → quarantine: receivers quarantine spoofed mail instead of rejecting it",
    ],
    [
      "DMARC p quarantine → none",
      [dmarc("v=DMARC1; p=quarantine", "v=DMARC1; p=none")],
      R("example_com_dmarc"),
      "weakens",
      "DMARC p quarantine → none: receivers stop quarantining spoofed mail",
    ],
    [
      "DMARC sp loosened",
      [dmarc("v=DMARC1; p=reject; sp=reject", "v=DMARC1; p=reject; sp=none")],
      R("example_com_dmarc"),
      "weakens",
      "DMARC sp reject → none: receivers stop rejecting spoofed mail from subdomains of example.com",
    ],
    [
      "DMARC pct lowered",
      [dmarc("v=DMARC1; p=reject", "v=DMARC1; p=reject; pct=50")],
      R("example_com_dmarc"),
      "weakens",
      "DMARC pct 100 → 50: the policy applies to only 50% of failing mail",
    ],
    [
      "DMARC rua removed",
      [dmarc("v=DMARC1; p=reject; rua=mailto:d@example.com", "v=DMARC1; p=reject")],
      R("example_com_dmarc"),
      "weakens",
      "DMARC rua removed: nobody receives aggregate reports",
    ],
    [
      "DMARC adkim relaxed",
      [dmarc("v=DMARC1; p=reject; adkim=s", "v=DMARC1; p=reject")],
      R("example_com_dmarc"),
      "weakens",
      "DMARC adkim s → r: DKIM alignment accepts any subdomain of example.com",
    ],
    [
      "DMARC aspf relaxed",
      [dmarc("v=DMARC1; p=reject; aspf=s", "v=DMARC1; p=reject; aspf=r")],
      R("example_com_dmarc"),
      "weakens",
      "DMARC aspf s → r: SPF alignment",
    ],
    [
      "DMARC one of two rua addresses dropped",
      [dmarc("v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@example.com", "v=DMARC1; p=reject; rua=mailto:a@example.com")],
      R("example_com_dmarc"),
      "routine",
      "DMARC rua drops mailto:b@example.com (reports still go to mailto:a@example.com)",
    ],
    ["DMARC tightened none → reject", [dmarc("v=DMARC1; p=none", "v=DMARC1; p=reject")], R("example_com_dmarc"), "routine", "DMARC p none → reject (tightens)"],
    [
      "DMARC record deleted",
      [del(R("example_com_dmarc"), record(dmarcAt, "TXT", ["v=DMARC1; p=reject"]))],
      R("example_com_dmarc"),
      "breaks",
      "DMARC record at _dmarc.example.com deleted: receivers apply no policy to mail spoofing example.com",
    ],
    [
      "DMARC record no longer parses",
      [dmarc("v=DMARC1; p=reject", "v=DMARC1; p=sometimes")],
      R("example_com_dmarc"),
      "breaks",
      "DMARC record at _dmarc.example.com no longer parses (p=sometimes: must be none | quarantine | reject)",
    ],
    // apex SPF
    [
      "apex SPF drops an include",
      [apex("v=spf1 include:_spf.google.com include:mailgun.org -all", "v=spf1 include:_spf.google.com -all")],
      R("example_com_apex_txt"),
      "breaks",
      "apex SPF at example.com drops include:mailgun.org: mail from the servers it authorized fails SPF",
    ],
    [
      "apex SPF -all → ~all",
      [apex("v=spf1 include:_spf.google.com -all", "v=spf1 include:_spf.google.com ~all")],
      R("example_com_apex_txt"),
      "weakens",
      "apex SPF at example.com -all → ~all: mail from servers it does not list soft-fails instead of failing",
    ],
    [
      "apex SPF ~all → ?all",
      [apex("v=spf1 include:_spf.google.com ~all", "v=spf1 include:_spf.google.com ?all")],
      R("example_com_apex_txt"),
      "breaks",
      "apex SPF at example.com ~all → ?all: mail from servers it does not list is neutral",
    ],
    [
      "apex SPF -all → +all",
      [apex("v=spf1 include:_spf.google.com -all", "v=spf1 include:_spf.google.com +all")],
      R("example_com_apex_txt"),
      "breaks",
      "apex SPF at example.com -all → +all: every server on the internet passes SPF as example.com",
    ],
    [
      "apex SPF tightened ~all → -all",
      [apex("v=spf1 include:_spf.google.com ~all", "v=spf1 include:_spf.google.com -all")],
      R("example_com_apex_txt"),
      "routine",
      "apex SPF at example.com tightens ~all → -all",
    ],
    [
      "apex SPF deleted",
      [del(R("example_com_apex_txt"), record("example.com", "TXT", ["v=spf1 include:_spf.google.com -all", "google-site-verification=x"]))],
      R("example_com_apex_txt"),
      "breaks",
      "apex SPF at example.com deleted: the servers it authorized (include:_spf.google.com) no longer pass SPF",
    ],
    // MAIL FROM
    [
      "MAIL FROM SPF loses amazonses.com",
      [
        update(
          R("example_com_mail_from_spf"),
          record("mail.example.com", "TXT", ["v=spf1 include:amazonses.com ~all"]),
          record("mail.example.com", "TXT", ["v=spf1 ip4:192.0.2.1 ~all"]),
        ),
      ],
      R("example_com_mail_from_spf"),
      "breaks",
      "SPF at mail.example.com no longer includes amazonses.com: SES's servers fail SPF",
    ],
    [
      "MAIL FROM MX deleted while SES still uses it",
      [
        del(R("example_com_mail_from_mx"), record("mail.example.com", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"])),
        noop(MF("example_com_mail_from"), mailFrom("example.com", "mail.example.com")),
      ],
      R("example_com_mail_from_mx"),
      "breaks",
      "MX at mail.example.com deleted while SES still sends with MAIL FROM mail.example.com: bounces have no way back",
    ],
    [
      "MAIL FROM MX pointed at a region where the domain does not send",
      [
        update(
          R("example_com_mail_from_mx"),
          record("mail.example.com", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"]),
          record("mail.example.com", "MX", ["10 feedback-smtp.eu-west-1.amazonses.com"]),
        ),
      ],
      R("example_com_mail_from_mx"),
      "breaks",
      "MX at mail.example.com now points at eu-west-1, where example.com has no SES identity (it sends from us-east-1)",
    ],
    [
      "MAIL FROM MX pointed at a host that is not SES",
      [
        update(
          R("example_com_mail_from_mx"),
          record("mail.example.com", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"]),
          record("mail.example.com", "MX", ["10 mx.example.net"]),
        ),
      ],
      R("example_com_mail_from_mx"),
      "breaks",
      "MX at mail.example.com now points at mx.example.net, which is not an SES feedback host",
    ],
    [
      "MAIL FROM MX moved back to a sending region",
      [
        update(
          R("example_com_mail_from_mx"),
          record("mail.example.com", "MX", ["10 feedback-smtp.eu-west-1.amazonses.com"]),
          record("mail.example.com", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"]),
        ),
      ],
      R("example_com_mail_from_mx"),
      "routine",
      "MX at mail.example.com now points at us-east-1",
    ],
    [
      "custom MAIL FROM turned off",
      [del(MF("example_com_mail_from"), mailFrom("example.com", "mail.example.com")), noop(ID("example_com_identity"), identity("example.com"))],
      MF("example_com_mail_from"),
      "weakens",
      "custom MAIL FROM mail.example.com turned off: SES sends with its own amazonses.com MAIL FROM, so SPF no longer aligns with example.com",
    ],
    // DKIM and identities
    [
      "Easy DKIM CNAME deleted while its identity stays",
      [
        del(R("example_com_dkim_1"), record("t1._domainkey.example.com", "CNAME", ["t1.dkim.amazonses.com"])),
        noop(ID("example_com_identity"), identity("example.com")),
      ],
      R("example_com_dkim_1"),
      "breaks",
      "DKIM CNAME t1._domainkey.example.com deleted while its identity stays and signs with that key",
    ],
    [
      "Easy DKIM CNAME deleted with its identity",
      [
        del(R("example_com_dkim_1"), record("t1._domainkey.example.com", "CNAME", ["t1.dkim.amazonses.com"])),
        del(ID("example_com_identity"), identity("example.com")),
      ],
      R("example_com_dkim_1"),
      "routine",
      "DKIM CNAME t1._domainkey.example.com goes with its identity",
    ],
    [
      "Easy DKIM CNAMEs deleted in the switch to BYODKIM",
      [
        del(R("example_com_dkim_1"), record("t1._domainkey.example.com", "CNAME", ["t1.dkim.amazonses.com"])),
        change({
          address: ID("example_com_identity"),
          actions: ["update"],
          before: identity("example.com"),
          after: identity("example.com", { selector: "s1", key: "K" }),
          after_sensitive: KEY_SENSITIVE,
        }),
      ],
      R("example_com_dkim_1"),
      "breaks",
      "DKIM CNAME t1._domainkey.example.com deleted in the same apply that switches the identity to BYODKIM selector s1: mail already signed with SES's key (queues, retries, forwarders) fails DKIM",
    ],
    [
      "identity deleted",
      [del(ID("example_com_identity"), identity("example.com"))],
      ID("example_com_identity"),
      "breaks",
      "SES identity example.com deleted: SES stops sending mail from example.com",
    ],
    [
      "identity replaced",
      [
        change({
          address: ID("example_com_identity"),
          actions: ["delete", "create"],
          before: identity("example.com"),
          after: identity("example.com"),
          replace_paths: [["email_identity"]],
        }),
      ],
      ID("example_com_identity"),
      "breaks",
      "SES identity example.com replaced (deleted, then created: email_identity cannot change in place): new Easy DKIM tokens, so every DKIM CNAME changes",
    ],
    [
      "BYODKIM selector switched without keeping the old key",
      [
        change({
          address: ID("byo_example_com_identity"),
          actions: ["update"],
          before: byoIdentity("s1"),
          after: byoIdentity("s2", "PRIVATE-KEY-BODY-2"),
          before_sensitive: KEY_SENSITIVE,
          after_sensitive: KEY_SENSITIVE,
        }),
        del(R("byo_example_com_dkim_s1"), byoKey("s1")),
        change({ address: R("byo_example_com_dkim_s2"), actions: ["create"], after: byoKey("s2") }),
      ],
      ID("byo_example_com_identity"),
      "breaks",
      "BYODKIM selector s1 → s2 without keeping s1's key published: mail already signed with s1 (queues, retries, forwarders) fails DKIM",
    ],
    [
      "the old selector's key deleted in the same switch",
      [
        change({
          address: ID("byo_example_com_identity"),
          actions: ["update"],
          before: byoIdentity("s1"),
          after: byoIdentity("s2"),
          before_sensitive: KEY_SENSITIVE,
          after_sensitive: KEY_SENSITIVE,
        }),
        del(R("byo_example_com_dkim_s1"), byoKey("s1")),
      ],
      R("byo_example_com_dkim_s1"),
      "breaks",
      "DKIM key s1._domainkey.byo.example.com deleted in the same change that switches signing away from s1",
    ],
    [
      "BYODKIM selector switched, the old key kept",
      [
        change({
          address: ID("byo_example_com_identity"),
          actions: ["update"],
          before: byoIdentity("s1"),
          after: byoIdentity("s2"),
          before_sensitive: KEY_SENSITIVE,
          after_sensitive: KEY_SENSITIVE,
        }),
        noop(R("byo_example_com_dkim_s1"), byoKey("s1")),
      ],
      ID("byo_example_com_identity"),
      "routine",
      "BYODKIM signing switches from selector s1 to s2; s1's key stays published",
    ],
    [
      "BYODKIM switched to a selector with no key anywhere",
      [
        change({
          address: ID("byo_example_com_identity"),
          actions: ["update"],
          before: byoIdentity("s2"),
          after: byoIdentity("s3"),
          before_sensitive: KEY_SENSITIVE,
          after_sensitive: KEY_SENSITIVE,
        }),
      ],
      ID("byo_example_com_identity"),
      "breaks",
      "SES signs with selector s3, but no key is published at s3._domainkey.byo.example.com",
    ],
    [
      "the previous key removed: a rotation's last step",
      [noop(ID("byo_example_com_identity"), byoIdentity("s2"), KEY_SENSITIVE), del(R("byo_example_com_dkim_s1"), byoKey("s1"))],
      R("byo_example_com_dkim_s1"),
      "routine",
      "DKIM key s1._domainkey.byo.example.com removed; byo.example.com signs with s2 (a rotation's last step)",
    ],
    [
      "the signing key's record deleted",
      [noop(ID("byo_example_com_identity"), byoIdentity("s2"), KEY_SENSITIVE), del(R("byo_example_com_dkim_s2"), byoKey("s2"))],
      R("byo_example_com_dkim_s2"),
      "breaks",
      "DKIM key s2._domainkey.byo.example.com deleted while byo.example.com signs with selector s2",
    ],
    [
      "BYODKIM private key changed under the same selector",
      [
        change({
          address: ID("byo_example_com_identity"),
          actions: ["update"],
          before: byoIdentity("s2", "KEY-A"),
          after: byoIdentity("s2", "KEY-B"),
          before_sensitive: KEY_SENSITIVE,
          after_sensitive: KEY_SENSITIVE,
        }),
      ],
      ID("byo_example_com_identity"),
      "breaks",
      "BYODKIM private key changes under the same selector s2",
    ],
    // routine
    [
      "TTL change",
      [
        update(
          R("example_com_dkim_1"),
          record("t1._domainkey.example.com", "CNAME", ["t1.dkim.amazonses.com"]),
          record("t1._domainkey.example.com", "CNAME", ["t1.dkim.amazonses.com"], 300),
        ),
      ],
      R("example_com_dkim_1"),
      "routine",
      "TTL 600 → 300",
    ],
    [
      "tags change",
      [update(ID("example_com_identity"), identity("example.com", undefined, { team: "a" }), identity("example.com", undefined, { team: "b", env: "prod" }))],
      ID("example_com_identity"),
      "routine",
      "tags change: env, team",
    ],
    [
      "a record created",
      [change({ address: R("example_com_dmarc"), actions: ["create"], after: record(dmarcAt, "TXT", ["v=DMARC1; p=reject"]) })],
      R("example_com_dmarc"),
      "routine",
      "new DMARC record _dmarc.example.com",
    ],
    [
      "an Easy DKIM CNAME created, its name known after apply",
      [
        change({
          address: R("example_com_dkim_2"),
          actions: ["create"],
          after: { type: "CNAME", ttl: 600, zone_id: "Z1" },
          after_unknown: { name: true, records: true },
        }),
      ],
      R("example_com_dkim_2"),
      "routine",
      "new DKIM CNAME (known after apply)",
    ],
    [
      "an identity created",
      [change({ address: ID("example_com_identity"), actions: ["create"], after: identity("example.com"), after_unknown: { arn: true } })],
      ID("example_com_identity"),
      "routine",
      "new SES identity for example.com",
    ],
    [
      "an unknown resource type deleted",
      [del("aws_sns_topic.example_com_bounces", { name: "bounces" })],
      "aws_sns_topic.example_com_bounces",
      "routine",
      "aws_sns_topic deleted; this summary has no email rules for it: check what uses it",
    ],
    [
      "an unknown resource type replaced",
      [
        change({
          address: "aws_ses_configuration_set.example_com",
          actions: ["delete", "create"],
          before: { name: "a" },
          after: { name: "b" },
          replace_paths: [["name"]],
        }),
      ],
      "aws_ses_configuration_set.example_com",
      "routine",
      "aws_ses_configuration_set replaced (deleted, then created: name cannot change in place)",
    ],
    [
      "a deposed leftover removed",
      [change({ address: ID("example_com_identity"), actions: ["delete"], before: identity("example.com"), deposed: "0badf00d" })],
      ID("example_com_identity"),
      "routine",
      "removes an object left over from an earlier failed replacement (deposed 0badf00d)",
    ],
    [
      "a move with nothing else",
      [
        change({
          address: R("example_com_dmarc"),
          actions: ["no-op"],
          before: record(dmarcAt, "TXT", ["v=DMARC1; p=reject"]),
          after: record(dmarcAt, "TXT", ["v=DMARC1; p=reject"]),
          previous_address: R("old_dmarc"),
        }),
      ],
      R("example_com_dmarc"),
      "routine",
      "moved from aws_route53_record.old_dmarc",
    ],
    [
      "Terraform forgets a resource",
      [change({ address: ID("example_com_identity"), actions: ["forget"], before: identity("example.com") })],
      ID("example_com_identity"),
      "routine",
      "Terraform stops managing it; the object itself stays in AWS",
    ],
    [
      "a report authorization dropped while the policy domain keeps DMARC",
      [del(R("example_com_dmarc_report_partner_example_org"), record("partner.example.org._report._dmarc.example.com", "TXT", ["v=DMARC1"]))],
      R("example_com_dmarc_report_partner_example_org"),
      "weakens",
      "example.com stops authorizing DMARC reports for partner.example.org",
    ],
  ])("%s", (_title, changes, address, severity, reason) => {
    const found = changeAt(summarize(CONFIG, changes), address);
    expect(found.severity).toBe(severity);
    expect(found.reasons.join("\n")).toContain(reason);
  });

  test("Route 53's TXT chunks are joined before comparing: a record split differently is the same record", () => {
    const value = `v=spf1 ${Array.from({ length: 20 }, (_, i) => `ip4:192.0.2.${i}`).join(" ")} include:_spf.google.com -all`;
    expect(value.length).toBeGreaterThan(255);
    const before = record("example.com", "TXT", [route53TxtValue(value)]);
    const after = record("example.com", "TXT", [`${value.slice(0, 100)}""${value.slice(100)}`], 300);
    const found = changeAt(summarize(CONFIG, [update(R("example_com_apex_txt"), before, after)]), R("example_com_apex_txt"));
    expect(found).toMatchObject({ severity: "routine", reasons: ["TTL 600 → 300"] });
  });

  test("each loosened DMARC tag is a reason of its own", () => {
    const found = changeAt(
      summarize(CONFIG, [dmarc("v=DMARC1; p=reject; adkim=s; pct=100; rua=mailto:d@example.com", "v=DMARC1; p=none; pct=10")]),
      R("example_com_dmarc"),
    );
    expect(found.severity).toBe("weakens");
    expect(found.reasons).toEqual([
      "DMARC p reject → none: receivers stop rejecting spoofed mail",
      "DMARC pct 100 → 10: the policy applies to only 10% of failing mail",
      "DMARC rua removed: nobody receives aggregate reports, so failures go unseen",
      "DMARC adkim s → r: DKIM alignment accepts any subdomain of example.com, not only example.com itself",
    ]);
  });

  test("a change with a breaking and a routine reason is breaks, the breaking reason first", () => {
    const before = record("example.com", "TXT", ["v=spf1 include:_spf.google.com include:mailgun.org -all"]);
    const after = record("example.com", "TXT", ["v=spf1 include:_spf.google.com ip4:192.0.2.0/24 -all"], 300);
    const found = changeAt(summarize(CONFIG, [update(R("example_com_apex_txt"), before, after)]), R("example_com_apex_txt"));
    expect(found.severity).toBe("breaks");
    expect(found.reasons).toEqual([
      "apex SPF at example.com drops include:mailgun.org: mail from the servers it authorized fails SPF",
      "apex SPF at example.com adds ip4:192.0.2.0/24",
      "TTL 600 → 300",
    ]);
  });
});

describe("plan-summary grouping: every change under its sending domain", () => {
  test("addresses the config still has map through the record model", () => {
    const summary = summarize(CONFIG, [
      dmarc("v=DMARC1; p=reject", "v=DMARC1; p=none"),
      noop(ID("byo_example_com_identity"), byoIdentity("s2"), KEY_SENSITIVE),
    ]);
    expect(summary.changes.map((c) => [c.address, c.domain])).toEqual([[R("example_com_dmarc"), "example.com"]]);
    expect(summary.unchanged).toBe(1);
  });

  test("a domain no longer in the config is grouped by its values, never by a configured domain whose slug is a prefix", () => {
    // news.example is configured; news.example.com is not: its slug news_example_com starts with news_example_.
    const summary = summarize(CONFIG, [
      del(R("news_example_com_dmarc"), record("_dmarc.news.example.com", "TXT", ["v=DMARC1; p=reject"])),
      del(R("news_example_com_mail_from_mx"), record("mail.news.example.com", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"])),
      del(ID("news_example_com_identity"), identity("news.example.com")),
      del(R("gone_example_org_dkim_1"), record("t9._domainkey.gone.example.org", "CNAME", ["t9.dkim.amazonses.com"])),
    ]);
    expect(Object.fromEntries(summary.changes.map((c) => [c.address, c.domain]))).toEqual({
      [R("news_example_com_dmarc")]: "news.example.com",
      [R("news_example_com_mail_from_mx")]: "news.example.com",
      [ID("news_example_com_identity")]: "news.example.com",
      [R("gone_example_org_dkim_1")]: "gone.example.org",
    });
    expect(changeAt(summary, ID("news_example_com_identity")).severity).toBe("breaks");
    expect(changeAt(summary, R("news_example_com_mail_from_mx")).reasons).toEqual([
      "MAIL FROM MX mail.news.example.com removed along with the SES identity news.example.com",
    ]);
  });

  test("resources of other types go under the domain their name starts with, or under no domain", () => {
    const summary = summarize(CONFIG, [
      change({ address: "aws_cloudwatch_metric_alarm.example_com_bounce_rate", actions: ["create"], after: { alarm_name: "x" } }),
      change({
        address: "aws_sesv2_account_suppression_attributes.main",
        actions: ["update"],
        before: { suppressed_reasons: ["BOUNCE"] },
        after: { suppressed_reasons: [] },
      }),
    ]);
    expect(changeAt(summary, "aws_cloudwatch_metric_alarm.example_com_bounce_rate").domain).toBe("example.com");
    expect(changeAt(summary, "aws_sesv2_account_suppression_attributes.main")).toMatchObject({
      domain: null,
      severity: "weakens",
      reasons: [
        "the account-level suppression list stops suppressing addresses that bounced: SES keeps sending to them, and bounces and complaints count against your reputation",
      ],
    });
  });

  test("no-ops and data source reads are not changes; they are counted as unchanged", () => {
    const summary = summarize(CONFIG, [
      noop(R("example_com_dmarc"), record(dmarcAt, "TXT", ["v=DMARC1; p=reject"])),
      change({ address: "data.aws_route53_zone.zone_example_com", actions: ["read"], after: { name: "example.com" } }),
    ]);
    expect(summary).toEqual({ counts: { breaks: 0, weakens: 0, routine: 0 }, changes: [], unchanged: 1 });
  });

  test("domains with the worst changes come first, and within a domain the worst change first", () => {
    const summary = summarize(CONFIG, [
      update(
        R("example_com_dkim_1"),
        record("t1._domainkey.example.com", "CNAME", ["t1.dkim.amazonses.com"]),
        record("t1._domainkey.example.com", "CNAME", ["t1.dkim.amazonses.com"], 300),
      ),
      dmarc("v=DMARC1; p=reject", "v=DMARC1; p=none"),
      del(ID("news_example_identity"), identity("news.example")),
    ]);
    expect(summary.changes.map((c) => [c.domain, c.severity])).toEqual([
      ["news.example", "breaks"],
      ["example.com", "weakens"],
      ["example.com", "routine"],
    ]);
    expect(summary.counts).toEqual({ breaks: 1, weakens: 1, routine: 1 });
  });
});

describe("plan-summary never prints a sensitive value", () => {
  const summary = summarize(CONFIG, [
    change({
      address: ID("byo_example_com_identity"),
      actions: ["update"],
      before: byoIdentity("s2", "SECRET-KEY-BODY-AAAA"),
      after: byoIdentity("s2", "SECRET-KEY-BODY-BBBB"),
      before_sensitive: KEY_SENSITIVE,
      after_sensitive: KEY_SENSITIVE,
    }),
    change({
      address: R("example_com_dmarc"),
      actions: ["update"],
      before: record(dmarcAt, "TXT", ["v=DMARC1; p=reject; SECRET-DMARC-BEFORE"]),
      after: record(dmarcAt, "TXT", ["v=DMARC1; p=none; SECRET-DMARC-AFTER"]),
      before_sensitive: { records: [true] },
      after_sensitive: { records: [true] },
    }),
    change({
      address: "aws_ssm_parameter.example_com_key",
      actions: ["update"],
      before: { value: "SECRET-PARAM-1" },
      after: { value: "SECRET-PARAM-2" },
      before_sensitive: { value: true },
      after_sensitive: { value: true },
    }),
  ]);
  const outputs = [formatMarkdown(summary), formatJson(summary)];

  test.each(["SECRET-KEY-BODY", "SECRET-DMARC", "SECRET-PARAM"])("neither format holds %s", (secret) => {
    for (const output of outputs) expect(output).not.toContain(secret);
  });

  test("sensitive values are still compared, and the reason says what changed without the value", () => {
    expect(changeAt(summary, ID("byo_example_com_identity")).reasons).toContain(
      "BYODKIM private key changes under the same selector s2: mail signed with one key is checked against the other's public key and fails DKIM; rotate to a new selector instead",
    );
    expect(changeAt(summary, R("example_com_dmarc")).reasons).toEqual([
      "DMARC record _dmarc.example.com: the value is (sensitive), so this summary cannot judge the change",
    ]);
    expect(changeAt(summary, "aws_ssm_parameter.example_com_key").reasons).toEqual(["updates value"]);
  });
});

describe("plan-summary on external DNS: the records output is judged record by record", () => {
  const config: SesDomainsConfig = { ...CONFIG, domains: { "example.net": { dns: { external: {} } } } };
  const entry = (name: string, type: string, values: string[], ttl = 600) => ({ name, type, ttl, values });

  test("lowering DMARC in <domain>_dns_records weakens protection, under the domain", () => {
    const summary = summarize(config, [], {
      example_net_dns_records: {
        actions: ["update"],
        before: [entry("mail.example.net", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"]), entry("_dmarc.example.net", "TXT", ["v=DMARC1; p=reject"])],
        after: [entry("mail.example.net", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"]), entry("_dmarc.example.net", "TXT", ["v=DMARC1; p=none"])],
        after_unknown: false,
        before_sensitive: false,
        after_sensitive: false,
      },
    });
    expect(summary.changes).toEqual([
      {
        address: "output.example_net_dns_records",
        domain: "example.net",
        actions: ["update"],
        severity: "weakens",
        reasons: ["external DNS: DMARC p reject → none: receivers stop rejecting spoofed mail"],
        source: "plan.json",
      },
    ]);
  });

  test("a record dropped from the output breaks mail the same way a deleted Route 53 record does", () => {
    const summary = summarize(config, [], {
      example_net_dns_records: {
        actions: ["update"],
        before: [entry("mail.example.net", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"]), entry("_dmarc.example.net", "TXT", ["v=DMARC1; p=reject"])],
        after: [entry("mail.example.net", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"])],
      },
    });
    expect(changeAt(summary, "output.example_net_dns_records")).toMatchObject({
      severity: "breaks",
      reasons: ["external DNS: DMARC record at _dmarc.example.net deleted: receivers apply no policy to mail spoofing example.net, and aggregate reports stop"],
    });
  });
});
