/**
 * The receiver's view of BYODKIM: mail signed with the private key (as SES would, d=<identity>,
 * s=<selector>) is verified by mailauth against the key record exactly as synthesized, served from a
 * real DNS server on loopback.
 */
import { authenticate } from "mailauth";
import { dkimSign } from "mailauth/lib/dkim/sign";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startDnsServer, type DnsTestServer } from "../helpers/dns-server";
import { testKey } from "../helpers/keys";
import { oneDomain, synthConfig } from "../helpers/synth";

const MESSAGE = [
  "From: Sender <hello@example.com>",
  "To: someone@receiver.example",
  "Subject: BYODKIM round trip",
  "Date: Sun, 29 Nov 2026 04:00:00 +0000",
  "Message-ID: <roundtrip@example.com>",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Signed with the BYODKIM key; verified against the synthesized record.",
  "",
].join("\r\n");

let dns: DnsTestServer;

beforeAll(async () => {
  const out = synthConfig(
    oneDomain({
      dmarc: { p: "reject", rua: ["dmarc@example.com"] },
      dkim: { type: "byo", selector: "s2026a", publicKey: testKey().publicPem, privateKey: { variable: "EXAMPLE_COM_DKIM_KEY" } },
    }),
  );
  const records = Object.values(out.resources("aws_route53_record"))
    .filter((r) => r.type === "TXT")
    .map((r) => ({ name: r.name as string, type: "TXT" as const, values: r.records as string[] }));
  dns = await startDnsServer(records);
});

afterAll(async () => {
  await dns?.close();
});

async function receive(message: string) {
  return authenticate(message, {
    ip: "192.0.2.10",
    helo: "mail.example.com",
    sender: "bounce@mail.example.com",
    mta: "mx.receiver.example",
    // mailauth's typings say string[] | string[][]; MX answers are objects, as node's resolver returns them.
    resolver: (name: string, rrtype: string) => dns.resolver.resolve(name, rrtype) as Promise<string[]>,
    disableArc: true,
    disableBimi: true,
  });
}

async function sign(message: string, privateKey = testKey().privatePem): Promise<string> {
  // mailauth's typings want top-level signingDomain/selector; its README and code take signatureData.
  const options = {
    canonicalization: "relaxed/relaxed",
    algorithm: "rsa-sha256",
    signatureData: [{ signingDomain: "example.com", selector: "s2026a", privateKey }],
  } as unknown as Parameters<typeof dkimSign>[1];
  const { signatures, errors } = await dkimSign(message, options);
  expect(errors).toEqual([]);
  return signatures + message;
}

describe("BYODKIM at the receiver (mailauth)", () => {
  test("mail signed with the key passes DKIM against the synthesized record, aligned with From", async () => {
    const result = await receive(await sign(MESSAGE));
    expect(result.dkim.results).toHaveLength(1);
    expect(result.dkim.results[0]).toMatchObject({ signingDomain: "example.com", selector: "s2026a", status: { result: "pass", aligned: "example.com" } });
    expect(result.dmarc ? result.dmarc.status.result : undefined).toBe("pass");
  });

  test("a tampered body does not pass DKIM, and DMARC fails", async () => {
    const signed = await sign(MESSAGE);
    const result = await receive(signed.replace("verified against the synthesized record", "verified against a forged record"));
    // mailauth reports a body-hash mismatch as neutral with this comment, not as fail: either way, not pass.
    expect(result.dkim.results[0].status).toMatchObject({ result: "neutral", comment: "body hash did not verify" });
    expect(result.dmarc ? result.dmarc.status.result : undefined).toBe("fail");
  });

  test("mail signed with another key fails DKIM", async () => {
    const result = await receive(await sign(MESSAGE, testKey(2048, 3).privatePem));
    expect(result.dkim.results[0].status.result).toBe("fail");
  });
});
