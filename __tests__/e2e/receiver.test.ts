/**
 * The point of the project, as a receiver sees it: mail sent through SES from a configured domain
 * passes SPF (aligned through the MAIL FROM subdomain), DKIM (aligned, d=<identity>) and DMARC. mailauth
 * is the receiver; a DNS server on loopback serves the records the project produces — once from the
 * record model with Easy DKIM tokens stood in, once from the synthesized JSON — plus a stand-in for
 * SES's side: a DKIM key at <token>.dkim.amazonses.com and an SPF record for amazonses.com.
 */
import { authenticate } from "mailauth";
import { dkimSign } from "mailauth/lib/dkim/sign";
import { afterEach, describe, expect, test } from "vitest";
import type { SesDomainsConfig } from "../../modules/config/schema";
import { resolveConfig } from "../../modules/config/resolve";
import { fillDkimTokens, planDomains } from "../../modules/model/records";
import { route53TxtValue } from "../../modules/model/txt";
import { startDnsServer, type DnsTestServer, type ZoneRecord } from "../helpers/dns-server";
import { testKey } from "../helpers/keys";
import { oneDomain, synthConfig, type Json } from "../helpers/synth";

const TOKENS = ["x7tq2d3mkc5h", "b4rrmz9wq1ne", "l0sp8ujf6vga"];
/** Documentation ranges: SES's sending IPs in the stand-in, and a spoofer elsewhere. */
const SES_IP = "192.0.2.25";
const SPOOFER_IP = "203.0.113.66";
const sesKey = () => testKey(2048, 5);

const config = (dmarc: Record<string, unknown> = { p: "reject", rua: ["dmarc@example.com"] }, mailFrom: Record<string, unknown> = {}): SesDomainsConfig =>
  oneDomain({ dmarc, mailFrom: { subdomain: "mail", onMxFailure: "useDefault", ...mailFrom } });

/** SES's side: the Easy DKIM keys behind the CNAMEs, and amazonses.com's SPF. */
function sesStandIn(key = sesKey()): ZoneRecord[] {
  return [
    ...TOKENS.map((t) => ({ name: `${t}.dkim.amazonses.com`, type: "TXT" as const, values: [route53TxtValue(`v=DKIM1; k=rsa; p=${key.publicBase64}`)] })),
    { name: "amazonses.com", type: "TXT" as const, values: ["v=spf1 ip4:192.0.2.0/24 -all"] },
  ];
}

/** The project's records from the record model, tokens stood in. */
function fromModel(c: SesDomainsConfig): ZoneRecord[] {
  const fill = (text: string) => fillDkimTokens(text, (_, i) => TOKENS[i]);
  return planDomains(resolveConfig(c)).flatMap((plan) =>
    plan.records.map((r) => ({ name: fill(r.name), type: r.type, values: r.values.map((v) => (r.type === "TXT" ? route53TxtValue(v) : fill(v))) })),
  );
}

/** The project's records from the synthesized cdk.tf.json, the element(tokens, i) expressions replaced. */
function fromSynth(c: SesDomainsConfig): ZoneRecord[] {
  const fill = (text: string) => text.replace(/\$\{element\([^)]*\.tokens, (\d)\)\}/g, (_, i: string) => TOKENS[Number(i)]);
  return Object.values(synthConfig(c).resources("aws_route53_record")).map((r: Json) => ({
    name: fill(r.name),
    type: r.type,
    values: (r.records as string[]).map(fill),
  }));
}

const servers: DnsTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

interface Send {
  readonly zone: ZoneRecord[];
  readonly ip?: string;
  readonly sender?: string;
  readonly signWith?: string | false;
}

/** Deliver one message to mailauth and return its verdicts. */
async function deliver({ zone, ip = SES_IP, sender = "0100018c-bounce@mail.example.com", signWith = sesKey().privatePem }: Send) {
  const dns = await startDnsServer(zone);
  servers.push(dns);
  const message = [
    "From: Example <hello@example.com>",
    "To: you@receiver.example",
    "Subject: Your receipt",
    "Date: Sun, 29 Nov 2026 04:00:00 +0000",
    "Message-ID: <e2e@example.com>",
    "",
    "Thanks for your order.",
    "",
  ].join("\r\n");
  let signed = message;
  if (signWith) {
    const options = { signatureData: [{ signingDomain: "example.com", selector: TOKENS[0], privateKey: signWith }] } as unknown as Parameters<
      typeof dkimSign
    >[1];
    signed = (await dkimSign(message, options)).signatures + message;
  }
  const result = await authenticate(signed, {
    ip,
    helo: "a25-1.smtp-out.amazonses.com",
    sender,
    mta: "mx.receiver.example",
    resolver: (name: string, rrtype: string) => dns.resolver.resolve(name, rrtype) as Promise<string[]>,
    disableArc: true,
    disableBimi: true,
  });
  const dmarc = result.dmarc || undefined;
  return {
    spf: result.spf ? result.spf.status.result : undefined,
    dkim: result.dkim.results[0]?.status.result ?? "none",
    dmarc: dmarc?.status.result,
    policy: (dmarc as { policy?: string } | undefined)?.policy,
    // The aligned domain, or false when the identifier does not align with From.
    spfAligned: (dmarc as { alignment?: { spf?: { result?: string } } } | undefined)?.alignment?.spf?.result ?? false,
    dkimAligned: (dmarc as { alignment?: { dkim?: { result?: string } } } | undefined)?.alignment?.dkim?.result ?? false,
  };
}

describe.each([
  ["the record model", fromModel],
  ["the synthesized JSON", fromSynth],
])("a receiver judging mail sent through SES, records from %s", (_, records) => {
  test("SPF passes and aligns through the MAIL FROM subdomain, DKIM passes and aligns, DMARC passes", async () => {
    const verdict = await deliver({ zone: [...records(config()), ...sesStandIn()] });
    expect(verdict).toMatchObject({ spf: "pass", dkim: "pass", dmarc: "pass", spfAligned: "mail.example.com", dkimAligned: "example.com" });
  });

  test("MAIL FROM records missing with onMxFailure useDefault: SES falls back to amazonses.com, SPF does not align, DMARC passes on DKIM alone", async () => {
    const zone = records(config()).filter((r) => r.name !== "mail.example.com");
    const verdict = await deliver({ zone: [...zone, ...sesStandIn()], sender: "0100018c-bounce@amazonses.com" });
    expect(verdict).toMatchObject({ spf: "pass", spfAligned: false, dkim: "pass", dmarc: "pass" });
  });

  test("a wrong DKIM record: DKIM fails, DMARC passes on SPF", async () => {
    const verdict = await deliver({ zone: [...records(config()), ...sesStandIn(testKey(2048, 6))] });
    expect(verdict).toMatchObject({ dkim: "fail", spf: "pass", dmarc: "pass" });
  });

  test("both broken with p: reject: DMARC fails and the policy is reject", async () => {
    const zone = records(config({ p: "reject", rua: ["dmarc@example.com"] })).filter((r) => r.name !== "mail.example.com");
    const verdict = await deliver({ zone: [...zone, ...sesStandIn(testKey(2048, 6))], sender: "0100018c-bounce@amazonses.com" });
    expect(verdict).toMatchObject({ dkim: "fail", spfAligned: false, dmarc: "fail", policy: "reject" });
  });

  test("a spoofer from another IP, unsigned: SPF softfails (~all), DMARC fails and the policy is reject", async () => {
    const verdict = await deliver({ zone: [...records(config()), ...sesStandIn()], ip: SPOOFER_IP, sender: "ceo@mail.example.com", signWith: false });
    expect(verdict).toMatchObject({ spf: "softfail", dkim: "none", dmarc: "fail", policy: "reject" });
  });

  test("a spoofer against MAIL FROM all: -all: SPF fails", async () => {
    const verdict = await deliver({
      zone: [...records(config(undefined, { all: "-all" })), ...sesStandIn()],
      ip: SPOOFER_IP,
      sender: "ceo@mail.example.com",
      signWith: false,
    });
    expect(verdict).toMatchObject({ spf: "fail", dmarc: "fail" });
  });

  test("two SPF records at the MAIL FROM domain: permerror", async () => {
    const zone = records(config()).map((r) => (r.name === "mail.example.com" && r.type === "TXT" ? { ...r, values: [...r.values, "v=spf1 -all"] } : r));
    const verdict = await deliver({ zone: [...zone, ...sesStandIn()] });
    expect(verdict.spf).toBe("permerror");
  });
});
