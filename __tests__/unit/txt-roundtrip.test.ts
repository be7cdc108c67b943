/**
 * route53TxtValue through real DNS: each value is served the way Route 53 stores the provider's `records`
 * element (split on `""` into character-strings) by a local dns2 server, then read back with node:dns as
 * a mail receiver would, and must reassemble to the intended value.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { route53TxtValue, TXT_STRING_MAX } from "../../modules/model/txt";
import { startDnsServer, type DnsTestServer, type ZoneRecord } from "../helpers/dns-server";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Non-uniform text: stride 7 through 62 symbols, so neighbouring chunks differ and a shifted split shows. */
const text = (length: number, seed = 0) => Array.from({ length }, (_, i) => ALNUM[(seed + i * 7) % ALNUM.length]).join("");

/** A DKIM-style record: spaces, `;`, `=`, `+` and `/`, 2048-bit-key sized. */
const DKIM = `v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${text(340, 3).replace(/Q/g, "+").replace(/z/g, "/")}IDAQAB`;

const CASES: ReadonlyArray<readonly [label: string, value: string]> = [
  ...[1, 254, 255, 256, 510, 511, 1000].map((n) => [`${n} chars`, text(n, n)] as const),
  [`DKIM-like, ${DKIM.length} chars with spaces and ;`, DKIM],
];
const ZONE = "txt-roundtrip.example.com";
const nameFor = (index: number) => `v${index}.${ZONE}`;

const SPF = "v=spf1 include:amazonses.com ~all";
const TOKEN = `amazonses:${text(44, 11)}`;
const BIG = text(4000, 5);

const zone: ZoneRecord[] = [
  ...CASES.map(([, value], i): ZoneRecord => ({ name: nameFor(i), type: "TXT", values: [route53TxtValue(value)] })),
  { name: ZONE, type: "TXT", values: [SPF, TOKEN] },
  { name: ZONE, type: "MX", values: ["10 feedback-smtp.us-east-1.amazonses.com"] },
  { name: `big.${ZONE}`, type: "TXT", values: [route53TxtValue(BIG)] },
  { name: `alias.${ZONE}`, type: "CNAME", values: [`${nameFor(0)}.`] },
];

let dns: DnsTestServer | undefined;
const server = () => {
  if (!dns) throw new Error("DNS server did not start");
  return dns;
};

beforeAll(async () => {
  dns = await startDnsServer(zone);
});
afterAll(async () => {
  await dns?.close();
});

describe("route53TxtValue read back through DNS", () => {
  test.each(CASES.map(([label, value], i) => [label, value, i] as const))("%s: one record whose strings join to the value", async (_label, value, i) => {
    const records = await server().resolver.resolveTxt(nameFor(i));
    expect(records).toHaveLength(1);
    const strings = records[0];
    for (const s of strings) expect(s.length).toBeLessThanOrEqual(TXT_STRING_MAX);
    expect(strings).toHaveLength(Math.ceil(value.length / TXT_STRING_MAX));
    // Route 53 keeps the split as given: every string but the last is full.
    for (const s of strings.slice(0, -1)) expect(s).toHaveLength(TXT_STRING_MAX);
    expect(strings.join("")).toBe(value);
  });

  test("an answer too big for UDP (512 octets: node:dns sends no EDNS) comes back over TCP", async () => {
    const records = await server().resolver.resolveTxt(`BIG.${ZONE}.`);
    expect(records).toHaveLength(1);
    expect(records[0]).toHaveLength(Math.ceil(BIG.length / TXT_STRING_MAX));
    expect(records[0].join("")).toBe(BIG);
    const asked = server().queries.filter((q) => q.name.toLowerCase() === `big.${ZONE}`);
    expect(asked.map((q) => q.transport)).toEqual(["udp", "tcp"]);
  });

  test("two TXT records at one name come back as two records", async () => {
    const records = await server().resolver.resolveTxt(ZONE);
    expect(records.map((strings) => strings.join("")).sort()).toEqual([SPF, TOKEN].sort());
    for (const strings of records) expect(strings).toHaveLength(1);
  });

  test("a TXT lookup follows a CNAME in the zone", async () => {
    expect(await server().resolver.resolveTxt(`alias.${ZONE}`)).toEqual([[CASES[0][1]]]);
  });

  test("an unknown name is NXDOMAIN: ENOTFOUND", async () => {
    await expect(server().resolver.resolveTxt(`nobody.${ZONE}`)).rejects.toMatchObject({ code: "ENOTFOUND" });
  });

  test("a known name without that type is NODATA: ENODATA", async () => {
    await expect(server().resolver.resolveMx(nameFor(1))).rejects.toMatchObject({ code: "ENODATA" });
  });

  test("MX round trip", async () => {
    expect(await server().resolver.resolveMx(ZONE)).toEqual([{ exchange: "feedback-smtp.us-east-1.amazonses.com", priority: 10 }]);
  });

  test("the server logged no errors (runs last)", () => {
    expect(server().errors).toEqual([]);
  });
});

describe("the zone helper models Route 53's limits", () => {
  test("a TXT string over 255 characters is refused, as Route 53 refuses it", async () => {
    await expect(startDnsServer([{ name: ZONE, type: "TXT", values: [text(256)] }])).rejects.toThrow(/Route 53 rejects/);
  });
});
