/**
 * `adopt`'s comparison, from findings given as data: per resource adopt unchanged / with changes /
 * create / not checked, the live TXT values the apply would delete, and the file built from it.
 */
import { describe, expect, test } from "vitest";
import { zoneIdsFor, AdoptUsageError } from "../../modules/adopt/adopt";
import { awsErrorLine } from "../../modules/adopt/aws";
import { discoverDns } from "../../modules/adopt/dns";
import { formatJson, formatText } from "../../modules/adopt/format";
import { dnsKey, type DnsFinding, type SesFindings, type SesIdentityFinding } from "../../modules/adopt/live";
import { buildReport, dnsQuestions, lostValues, type AdoptInputs, type AdoptItem } from "../../modules/adopt/report";
import { zoneIdFlags } from "../../modules/cli/adopt";
import { UsageError } from "../../modules/cli/common";
import { resolveConfig } from "../../modules/config/resolve";
import { planDomains } from "../../modules/model/records";
import type { SesRegion } from "../../modules/model/regions";
import { testKey } from "../helpers/keys";

const TEST_PUBLIC_KEY = testKey(2048).publicBase64;

const Z = "Z0123456789ABCDEFGHIJ";
const T = ["tok1aaaaaaaa", "tok2bbbbbbbb", "tok3cccccccc"];

const plans = (domain: Record<string, unknown> = {}, defaults: Record<string, unknown> = {}) =>
  planDomains(
    resolveConfig({
      defaults: { region: "us-east-1", alarms: false, ...defaults },
      domains: {
        "example.com": {
          adopt: true,
          dns: { route53: { zoneId: Z } },
          spf: { include: ["_spf.google.com"] },
          dmarc: { p: "reject", rua: ["d@example.com"] },
          ...domain,
        },
      },
    }),
  );

const found = (...values: string[]): DnsFinding => ({ status: "found", values });
const absent: DnsFinding = { status: "absent" };

/** A console-made domain as DNS serves it: DKIM, MAIL FROM, an SPF and a site-verification token, DMARC p=none. */
function liveDns(overrides: Record<string, DnsFinding> = {}): Map<string, DnsFinding> {
  return new Map(
    Object.entries({
      [dnsKey("CNAME", `${T[0]}._domainkey.example.com`)]: found(`${T[0]}.dkim.amazonses.com`),
      [dnsKey("CNAME", `${T[1]}._domainkey.example.com`)]: found(`${T[1]}.dkim.amazonses.com`),
      [dnsKey("CNAME", `${T[2]}._domainkey.example.com`)]: found(`${T[2]}.dkim.amazonses.com`),
      [dnsKey("MX", "mail.example.com")]: found("10 feedback-smtp.us-east-1.amazonses.com"),
      [dnsKey("TXT", "mail.example.com")]: found("v=spf1 include:amazonses.com ~all"),
      [dnsKey("TXT", "example.com")]: found("v=spf1 include:amazonses.com ~all", "google-site-verification=abc"),
      [dnsKey("TXT", "_dmarc.example.com")]: found("v=DMARC1; p=none"),
      ...overrides,
    }),
  );
}

function ses(identity: SesIdentityFinding | undefined, sets: Record<string, Record<string, unknown> | false> = {}): SesFindings {
  return {
    identities: new Map(identity ? [["example.com", new Map<SesRegion, SesIdentityFinding>([["us-east-1", identity]])]] : []),
    configurationSets: new Map(
      Object.entries(sets).map(([name, set]) => [
        name,
        new Map([["us-east-1" as SesRegion, set ? { exists: true as const, ...set } : { exists: false as const }]]),
      ]),
    ),
  };
}

const easy = (extra: Partial<Extract<SesIdentityFinding, { exists: true }>> = {}): SesIdentityFinding => ({
  exists: true,
  dkimOrigin: "AWS_SES",
  keyLength: "RSA_2048_BIT",
  tokens: T,
  tags: {},
  ...extra,
});

function report(inputs: Partial<AdoptInputs> & { plans?: AdoptInputs["plans"] }) {
  return buildReport({ plans: inputs.plans ?? plans(), zoneIds: new Map(), dns: liveDns(), ...inputs });
}
const item = (items: readonly AdoptItem[], suffix: string) => items.find((i) => i.address.endsWith(suffix))!;

describe("records, compared with live DNS", () => {
  const r = report({ tokens: { "example.com": { "us-east-1": T } } });
  const items = r.domains[0].items;

  test.each<[string, string, string | undefined]>([
    ["_dkim_1", "unchanged", `${Z}_${T[0]}._domainkey.example.com_CNAME`],
    ["_mail_from_mx", "unchanged", `${Z}_mail.example.com_MX`],
    ["_apex_txt", "changed", `${Z}_example.com_TXT`],
    ["_dmarc", "changed", `${Z}__dmarc.example.com_TXT`],
  ])("%s: %s, imported as %s", (suffix, status, id) => {
    expect(item(items, suffix).status).toBe(status);
    expect(item(items, suffix).importId).toBe(id);
  });

  test("a changed record shows old and new values", () => {
    expect(item(items, "_dmarc")).toMatchObject({ current: ["v=DMARC1; p=none"], desired: ["v=DMARC1; p=reject; rua=mailto:d@example.com"] });
  });

  test("the apex site-verification token the config lacks is a lost value; the live SPF is replaced, not lost", () => {
    expect(r.domains[0].lost).toEqual([{ address: "aws_route53_record.example_com_apex_txt", name: "example.com", value: "google-site-verification=abc" }]);
    expect(r.ok).toBe(false);
    expect(r.counts.lost).toBe(1);
  });

  test("--accept-changes lets the file be written, and says the values were accepted", () => {
    const accepted = report({ tokens: { "example.com": { "us-east-1": T } }, acceptChanges: true });
    expect(accepted).toMatchObject({ ok: true, accepted: true });
    expect(formatText(accepted)).toContain("DELETES, accepted");
  });

  test("keeping the token in spf.extraTxt: nothing is lost", () => {
    const kept = report({
      plans: plans({ spf: { include: ["_spf.google.com"], extraTxt: ["google-site-verification=abc"] } }),
      tokens: { "example.com": { "us-east-1": T } },
    });
    expect(kept.domains[0].lost).toEqual([]);
    expect(kept.ok).toBe(true);
  });

  test("absent records are created and never imported", () => {
    const r2 = report({ tokens: { "example.com": { "us-east-1": T } }, dns: liveDns({ [dnsKey("TXT", "_dmarc.example.com")]: absent }) });
    expect(item(r2.domains[0].items, "_dmarc")).toMatchObject({ status: "create", desired: ["v=DMARC1; p=reject; rua=mailto:d@example.com"] });
    expect(item(r2.domains[0].items, "_dmarc").importId).toBeUndefined();
    expect(r2.file.domains["example.com"].resources.map((x) => x.address)).not.toContain("aws_route53_record.example_com_dmarc");
  });

  test("a TXT name held by a CNAME is a conflict: not imported, and the file is not written", () => {
    const r2 = report({
      tokens: { "example.com": { "us-east-1": T } },
      acceptChanges: true,
      dns: liveDns({ [dnsKey("TXT", "_dmarc.example.com")]: { status: "cname", target: "example.com.dmarc.provider.net" } }),
    });
    expect(item(r2.domains[0].items, "_dmarc")).toMatchObject({ status: "conflict" });
    expect(item(r2.domains[0].items, "_dmarc").note).toContain("_dmarc.example.com is a CNAME to example.com.dmarc.provider.net");
    expect(r2.ok).toBe(false);
  });

  test("an unanswered query blocks the file", () => {
    const r2 = report({
      tokens: { "example.com": { "us-east-1": T } },
      acceptChanges: true,
      dns: liveDns({ [dnsKey("MX", "mail.example.com")]: { status: "error", message: "no answer within 3000 ms" } }),
    });
    expect(item(r2.domains[0].items, "_mail_from_mx")).toMatchObject({ status: "error", note: "no answer within 3000 ms" });
    expect(r2.ok).toBe(false);
  });

  test("without tokens, Easy DKIM records are not checked and not imported; DNS is not asked for them", () => {
    const r2 = report({});
    expect(item(r2.domains[0].items, "_dkim_1")).toMatchObject({ status: "not-checked" });
    expect(item(r2.domains[0].items, "_dkim_1").importId).toBeUndefined();
    expect(dnsQuestions(plans(), {}).map((q) => q.name)).not.toContainEqual(expect.stringContaining("_domainkey"));
  });

  test("MX hosts and CNAME targets compare case-insensitively, without the trailing dot", () => {
    const r2 = report({
      tokens: { "example.com": { "us-east-1": T } },
      dns: liveDns({ [dnsKey("MX", "mail.example.com")]: found("10 Feedback-SMTP.us-east-1.amazonses.com.") }),
    });
    expect(item(r2.domains[0].items, "_mail_from_mx").status).toBe("unchanged");
  });
});

describe("SES resources", () => {
  test("without --from-aws: the identity is adopted on the evidence of its tokens; MAIL FROM is set anew; the set is not checked", () => {
    const items = report({ tokens: { "example.com": { "us-east-1": T } } }).domains[0].items;
    expect(item(items, "_identity")).toMatchObject({ status: "adopt", importId: "example.com", seenIn: "tokens" });
    expect(item(items, "_mail_from")).toMatchObject({ status: "create" });
    expect(item(items, "_configuration_set")).toMatchObject({ status: "not-checked" });
    expect(item(items, "_configuration_set").importId).toBeUndefined();
  });

  test("without --from-aws or tokens: the identity is not checked, and the note says what the apply would do", () => {
    const identity = item(report({}).domains[0].items, "_identity");
    expect(identity.status).toBe("not-checked");
    expect(identity.note).toContain("AlreadyExistsException");
  });

  test("with --from-aws: tokens come from SES, and what matches is unchanged", () => {
    const r = report({
      plans: plans({ configurationSet: false }),
      ses: ses(easy({ mailFromDomain: "mail.example.com", behaviorOnMxFailure: "USE_DEFAULT_VALUE" })),
    });
    const items = r.domains[0].items;
    expect(item(items, "_identity")).toMatchObject({ status: "unchanged", seenIn: "ses" });
    expect(item(items, "_mail_from")).toMatchObject({ status: "unchanged", importId: "example.com" });
    expect(item(items, "_dkim_3")).toMatchObject({ status: "unchanged" });
    expect(r.file.domains["example.com"].dkimTokens).toEqual({ "us-east-1": T });
  });

  test.each<[string, Partial<Extract<SesIdentityFinding, { exists: true }>>, string, string, string]>([
    ["key length", { keyLength: "RSA_1024_BIT" }, "DKIM", "Easy DKIM RSA_1024_BIT", "Easy DKIM RSA_2048_BIT"],
    ["default configuration set", { configurationSetName: "marketing" }, "default configuration set", "marketing", "example_com"],
    ["tags", { tags: { owner: "console" } }, "tags", "owner=console", "none"],
  ])("an identity whose %s differs: adopted with the change old → new", (_, live, field, from, to) => {
    const identity = item(report({ ses: ses(easy(live), { example_com: false }) }).domains[0].items, "_identity");
    expect(identity.status).toBe("changed");
    expect(identity.changes).toContainEqual({ field, from, to });
  });

  test("BYODKIM in the config: a live Easy DKIM identity changes its DKIM; a live BYODKIM one has its key sent again (never readable)", () => {
    const byo = plans({ dkim: { type: "byo", selector: "s2026", publicKey: TEST_PUBLIC_KEY, privateKey: { variable: "EXAMPLE_KEY" } } });
    const fromEasy = item(report({ plans: byo, ses: ses(easy(), { example_com: false }) }).domains[0].items, "_identity");
    expect(fromEasy.changes).toContainEqual({ field: "DKIM", from: "Easy DKIM RSA_2048_BIT", to: "BYODKIM selector s2026" });
    const fromByo = item(
      report({ plans: byo, ses: ses({ exists: true, dkimOrigin: "EXTERNAL", tokens: ["s2026"], tags: {} }, { example_com: false }) }).domains[0].items,
      "_identity",
    );
    expect(fromByo.status).toBe("changed");
    expect(fromByo.changes).toContainEqual({ field: "DKIM private key", from: "not readable", to: "sent again from the config's key reference" });
    expect(fromByo.changes!.map((c) => c.field)).not.toContain("DKIM");
  });

  test("MAIL FROM set to another domain and behaviour: adopted and changed", () => {
    const mailFrom = item(
      report({ ses: ses(easy({ mailFromDomain: "bounce.example.com", behaviorOnMxFailure: "REJECT_MESSAGE" }), { example_com: false }) }).domains[0].items,
      "_mail_from",
    );
    expect(mailFrom).toMatchObject({
      status: "changed",
      changes: [{ field: "MAIL FROM", from: "bounce.example.com, on MX failure REJECT_MESSAGE", to: "mail.example.com, on MX failure USE_DEFAULT_VALUE" }],
    });
  });

  test("a configuration set under the derived name is imported, its differences listed; under another name it is only reported", () => {
    const r = report({
      ses: ses(easy({ configurationSetName: "marketing" }), {
        example_com: { tlsPolicy: "OPTIONAL", reputationMetrics: true, sendingEnabled: true, suppressedReasons: ["BOUNCE", "COMPLAINT"] },
      }),
    });
    expect(item(r.domains[0].items, "_configuration_set")).toMatchObject({
      status: "changed",
      importId: "example_com",
      changes: [{ field: "TLS policy", from: "OPTIONAL", to: "REQUIRE" }],
    });
    expect(r.domains[0].notes).toContain("configuration set marketing (us-east-1) stops being example.com's default; the set itself is left alone, unmanaged");
  });

  test("an identity SES does not have: everything of it is created, and its DKIM records wait for new tokens", () => {
    const r = report({ ses: ses({ exists: false }, { example_com: false }) });
    const items = r.domains[0].items;
    for (const suffix of ["_identity", "_mail_from", "_configuration_set", "_dkim_1"]) expect(item(items, suffix).status, suffix).toBe("create");
    expect(r.file.domains["example.com"].resources.filter((x) => !x.address.startsWith("aws_route53_record"))).toEqual([]);
  });
});

describe("lostValues", () => {
  test.each<[string, string[], string[], string[]]>([
    ["a token the config lacks", ["v=spf1 -all", "google-site-verification=x"], ["v=spf1 ~all"], ["google-site-verification=x"]],
    ["a second live SPF is replaced, not lost", ["v=spf1 a -all", "v=spf1 mx -all"], ["v=spf1 ~all"], []],
    ["a value the config keeps", ["ms=123"], ["v=spf1 ~all", "ms=123"], []],
    ["an SPF where the config writes no SPF", ["v=spf1 -all"], ["v=DMARC1; p=none"], ["v=spf1 -all"]],
  ])("%s", (_, current, desired, lost) => {
    expect(lostValues(current, desired)).toEqual(lost);
  });
});

describe("AWS errors in one line", () => {
  const err = (name: string, message: string, status: number, attempts = 1) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts } });
  test.each<[string, unknown, string]>([
    [
      "SES throttling",
      err("TooManyRequestsException", "Too many requests", 429, 3),
      "SES GetEmailIdentity example.com in us-east-1: throttled by AWS after 3 attempts (TooManyRequestsException: Too many requests); run again in a minute, or raise AWS_MAX_ATTEMPTS (the SDK retries with backoff)",
    ],
    [
      "throttling as Route 53 names it",
      err("Throttling", "Rate exceeded", 400, 3),
      "SES GetEmailIdentity example.com in us-east-1: throttled by AWS after 3 attempts (Throttling: Rate exceeded); run again in a minute, or raise AWS_MAX_ATTEMPTS (the SDK retries with backoff)",
    ],
    [
      "access denied",
      err("AccessDeniedException", "not authorized", 403),
      "SES GetEmailIdentity example.com in us-east-1: access denied (AccessDeniedException: not authorized); the credentials need ses:GetEmailIdentity",
    ],
    [
      "no credentials",
      err("CredentialsProviderError", "Could not load credentials from any providers", 0),
      "no AWS credentials (CredentialsProviderError: Could not load credentials from any providers); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a role is attached",
    ],
    ["anything else", err("InternalFailure", "boom\nmore", 500), "SES GetEmailIdentity example.com in us-east-1: InternalFailure: boom (HTTP 500)"],
  ])("%s", (_, error, line) => {
    expect(awsErrorLine("SES GetEmailIdentity example.com in us-east-1", error)).toBe(line);
  });
});

describe("live DNS discovery", () => {
  const fake = (answers: Record<string, unknown>) => {
    const answer = (type: string) => async (name: string) => {
      const a = answers[`${type} ${name}`];
      if (a === undefined) throw Object.assign(new Error("nx"), { code: "ENOTFOUND" });
      if (a === "hang") return new Promise<never>(() => {});
      if (a instanceof Error) throw a;
      return a as never;
    };
    return { resolveTxt: answer("TXT"), resolveMx: answer("MX"), resolveCname: answer("CNAME") };
  };

  test("found, absent, a CNAME where a TXT was asked, a timeout", async () => {
    const dns = fake({
      "TXT example.com": [["v=spf1 ", "-all"]],
      "MX mail.example.com": [{ exchange: "Feedback-SMTP.us-east-1.amazonses.com.", priority: 10 }],
      "CNAME _dmarc.example.com": ["dmarc.provider.net"],
      "TXT _dmarc.example.com": [["v=DMARC1; p=none"]],
      "TXT slow.example.com": "hang",
    });
    const out = await discoverDns(
      [
        { name: "example.com", type: "TXT" },
        { name: "mail.example.com", type: "MX" },
        { name: "_dmarc.example.com", type: "TXT" },
        { name: "gone.example.com", type: "TXT" },
        { name: "slow.example.com", type: "TXT" },
      ],
      { dns, timeoutMs: 50 },
    );
    expect(Object.fromEntries(out)).toEqual({
      "TXT example.com": { status: "found", values: ["v=spf1 -all"] },
      "MX mail.example.com": { status: "found", values: ["10 feedback-smtp.us-east-1.amazonses.com"] },
      "TXT _dmarc.example.com": { status: "cname", target: "dmarc.provider.net" },
      "TXT gone.example.com": { status: "absent" },
      "TXT slow.example.com": { status: "error", message: "no answer within 50 ms" },
    });
  });
});

describe("zone ids and flags", () => {
  const byName = planDomains(
    resolveConfig({ defaults: { region: "us-east-1" }, domains: { "news.example.com": { dns: { route53: { zoneName: "example.com" } } } } }),
  );

  test("--zone-id gives the id of a zone named in the config", async () => {
    expect(await zoneIdsFor(byName, zoneIdFlags(["example.com=Z999"]), undefined)).toEqual(new Map([["news.example.com", "Z999"]]));
  });

  test("without --zone-id or --from-aws: refused, saying both ways", async () => {
    await expect(zoneIdsFor(byName, new Map(), undefined)).rejects.toThrow(
      new AdoptUsageError(
        "news.example.com: its hosted zone example.com has no id here: pass --from-aws to look it up (ListHostedZonesByName), or --zone-id example.com=Z…",
      ),
    );
  });

  test.each(["example.com", "example.com=", "example.com=z123", "=Z123"])("--zone-id %j is a usage error", (value) => {
    expect(() => zoneIdFlags([value])).toThrow(UsageError);
  });

  test("--zone-id takes the console's /hostedzone/ form too", () => {
    expect(zoneIdFlags(["Example.com.=/hostedzone/Z0123"])).toEqual(new Map([["example.com", "Z0123"]]));
  });
});

describe("--format json", () => {
  test("has a stable shape: ok, accepted, counts, domains with items, lost and notes, and where the file went", () => {
    const json = JSON.parse(formatJson(report({ tokens: { "example.com": { "us-east-1": T } }, acceptChanges: true }), "ses-adopt.json"));
    expect(Object.keys(json)).toEqual(["domains", "counts", "accepted", "ok", "written"]);
    expect(Object.keys(json.domains[0])).toEqual(["domain", "zoneId", "items", "lost", "alsoCreated", "notes"]);
    expect(json.counts).toEqual({ unchanged: 5, changed: 2, adopt: 1, create: 1, notChecked: 1, conflict: 0, error: 0, lost: 1, imports: 8 });
    expect(json.written).toBe("ses-adopt.json");
  });
});
