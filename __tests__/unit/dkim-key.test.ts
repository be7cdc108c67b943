import { createPublicKey, createSign, createVerify, generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, expect, test } from "vitest";
import { dkimKeyRecord, dkimPublicKeyProblem, normalizeDkimPublicKey } from "../../modules/model/dkim-key";

// Generated once: 4096-bit RSA takes about a second.
const rsa = (modulusLength: number) => generateKeyPairSync("rsa", { modulusLength });
const rsa512 = rsa(512);
const rsa1024 = rsa(1024);
const rsa2048 = rsa(2048);
const rsa4096 = rsa(4096);
const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const ed25519 = generateKeyPairSync("ed25519");

const spkiPem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
const spkiBase64 = (key: KeyObject) => key.export({ type: "spki", format: "der" }).toString("base64");
const pkcs1Pem = (key: KeyObject) => key.export({ type: "pkcs1", format: "pem" }).toString();
const pkcs1Base64 = (key: KeyObject) => key.export({ type: "pkcs1", format: "der" }).toString("base64");
const pValue = (record: string) => record.slice("v=DKIM1; k=rsa; p=".length);

const NOT_A_KEY = 'must be an RSA public key as SPKI base64 or a PEM "BEGIN PUBLIC KEY" block';

describe("accepted DKIM public keys", () => {
  test("accepts a 2048-bit SPKI PEM and writes v=DKIM1; k=rsa; p=…", () => {
    const record = dkimKeyRecord(spkiPem(rsa2048.publicKey));
    expect(record).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+=*$/);
    expect(record).toHaveLength(410);
    expect(pValue(record)).toHaveLength(392);
  });

  test("writes p= as exactly the canonical SPKI DER base64 of the key", () => {
    expect(pValue(dkimKeyRecord(spkiPem(rsa2048.publicKey)))).toBe(spkiBase64(rsa2048.publicKey));
  });

  test("accepts the bare base64 body of an SPKI DER", () => {
    expect(dkimKeyRecord(spkiBase64(rsa2048.publicKey))).toBe(`v=DKIM1; k=rsa; p=${spkiBase64(rsa2048.publicKey)}`);
  });

  test("removes line breaks and spaces inside bare base64", () => {
    const wrapped = `  ${spkiBase64(rsa2048.publicKey).replace(/.{64}/g, "$&\n").replace(/.{10}/, "$& \t")}\n`;
    expect(dkimKeyRecord(wrapped)).toBe(`v=DKIM1; k=rsa; p=${spkiBase64(rsa2048.publicKey)}`);
  });

  test("accepts a PEM with CRLF line endings and surrounding whitespace", () => {
    const crlf = `\r\n${spkiPem(rsa2048.publicKey).replace(/\n/g, "\r\n")}\r\n`;
    expect(dkimKeyRecord(crlf)).toBe(`v=DKIM1; k=rsa; p=${spkiBase64(rsa2048.publicKey)}`);
  });

  test("accepts a PEM whose body is re-wrapped at another width", () => {
    const body = spkiBase64(rsa2048.publicKey).replace(/.{76}/g, "$&\n");
    expect(dkimKeyRecord(`-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----`)).toBe(`v=DKIM1; k=rsa; p=${spkiBase64(rsa2048.publicKey)}`);
  });

  test.each([
    ["1024", rsa1024.publicKey, 1024],
    ["2048", rsa2048.publicKey, 2048],
  ])("accepts a %s-bit RSA key and reports its size", (_, key, bits) => {
    expect(normalizeDkimPublicKey(spkiPem(key))).toEqual({ spki: spkiBase64(key), bits });
    expect(dkimPublicKeyProblem(spkiPem(key))).toBeUndefined();
  });

  test("publishes a p= value that verifies a signature made with the private key", () => {
    const data = Buffer.from("DKIM-Signature header hash input");
    const signature = createSign("sha256").update(data).sign(rsa2048.privateKey);
    const published = createPublicKey({ key: Buffer.from(pValue(dkimKeyRecord(spkiPem(rsa2048.publicKey))), "base64"), format: "der", type: "spki" });
    expect(createVerify("sha256").update(data).verify(published, signature)).toBe(true);
  });
});

describe("rejected DKIM public keys", () => {
  const openssl = "openssl rsa -RSAPublicKey_in -in key.pem -pubout";

  test.each([
    ["PEM", pkcs1Pem(rsa2048.publicKey)],
    ["bare base64", pkcs1Base64(rsa2048.publicKey)],
  ])("rejects a PKCS#1 RSA public key as %s and says how to convert it to SPKI", (_, key) => {
    const problem = dkimPublicKeyProblem(key);
    expect(problem).toMatch(/^is a PKCS#1 RSA public key/);
    expect(problem).toContain("unknown key type");
    expect(problem).toContain('SPKI ("BEGIN PUBLIC KEY") key is required');
    expect(problem).toContain(openssl);
  });

  test.each([
    ["RSA PKCS#8 PEM", rsa2048.privateKey.export({ type: "pkcs8", format: "pem" }).toString(), '"BEGIN PRIVATE KEY"'],
    ["RSA PKCS#1 PEM", rsa2048.privateKey.export({ type: "pkcs1", format: "pem" }).toString(), '"BEGIN RSA PRIVATE KEY"'],
    ["EC SEC1 PEM", ec.privateKey.export({ type: "sec1", format: "pem" }).toString(), '"BEGIN EC PRIVATE KEY"'],
    [
      "encrypted PKCS#8 PEM",
      rsa2048.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" }).toString(),
      '"BEGIN ENCRYPTED PRIVATE KEY"',
    ],
    [
      "private PEM beside a public PEM",
      spkiPem(rsa2048.publicKey) + rsa2048.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      '"BEGIN PRIVATE KEY"',
    ],
    ["RSA PKCS#8 bare base64", rsa2048.privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"), "PKCS#8"],
    ["RSA PKCS#1 bare base64", rsa2048.privateKey.export({ type: "pkcs1", format: "der" }).toString("base64"), "PKCS#1"],
    ["Ed25519 PKCS#8 bare base64", ed25519.privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"), "PKCS#8"],
    ["EC SEC1 bare base64", ec.privateKey.export({ type: "sec1", format: "der" }).toString("base64"), "SEC1"],
    [
      "encrypted PKCS#8 bare base64",
      rsa2048.privateKey.export({ type: "pkcs8", format: "der", cipher: "aes-256-cbc", passphrase: "secret" }).toString("base64"),
      "encrypted PKCS#8",
    ],
  ])("rejects a private key given as %s and asks for the public key", (_, key, found) => {
    const problem = dkimPublicKeyProblem(key);
    expect(problem).toMatch(/^is a private key \(.*\), which must never be in the config; give the public key instead/);
    expect(problem).toContain(found);
  });

  test.each([
    ["ec", "PEM", spkiPem(ec.publicKey)],
    ["ec", "bare base64", spkiBase64(ec.publicKey)],
    ["ed25519", "PEM", spkiPem(ed25519.publicKey)],
    ["ed25519", "bare base64", spkiBase64(ed25519.publicKey)],
  ])("rejects an %s public key as %s, naming its type", (type, _, key) => {
    expect(dkimPublicKeyProblem(key)).toBe(`has key type ${type}; only RSA keys are supported by SES BYODKIM`);
  });

  test.each([
    [512, rsa512.publicKey],
    [4096, rsa4096.publicKey],
  ])("rejects a %i-bit RSA key, naming its size", (bits, key) => {
    expect(dkimPublicKeyProblem(spkiPem(key))).toBe(`is a ${bits}-bit RSA key; SES accepts 1024 to 2048 bits`);
  });

  test.each([
    ["an empty string", ""],
    ["words", "not a key"],
    ["base64 that is not DER", Buffer.from("hello, world").toString("base64")],
    ["base64 with a character outside the alphabet", `${spkiBase64(rsa2048.publicKey).slice(0, 100)}!${spkiBase64(rsa2048.publicKey).slice(101)}`],
    ["base64url", spkiBase64(rsa2048.publicKey).replace(/\+/g, "-").replace(/\//g, "_")],
    ["truncated base64", spkiBase64(rsa2048.publicKey).slice(0, 200)],
    ["a PEM without its END line", spkiPem(rsa2048.publicKey).replace(/-----END PUBLIC KEY-----\s*$/, "")],
    ["an OpenSSH public key", `ssh-ed25519 ${Buffer.from("ssh-ed25519").toString("base64")} user@host`],
  ])("rejects %s as not a key", (_, key) => {
    expect(dkimPublicKeyProblem(key)).toBe(NOT_A_KEY);
  });

  test("rejects a PEM block of another kind, naming its label", () => {
    const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    expect(dkimPublicKeyProblem(cert)).toBe(`is a PEM "BEGIN CERTIFICATE" block; ${NOT_A_KEY}`);
  });

  test("normalizeDkimPublicKey returns the same problem as dkimPublicKeyProblem", () => {
    expect(normalizeDkimPublicKey(spkiPem(rsa4096.publicKey))).toEqual({ problem: "is a 4096-bit RSA key; SES accepts 1024 to 2048 bits" });
  });

  test("dkimKeyRecord throws with the problem instead of writing a record", () => {
    expect(() => dkimKeyRecord(pkcs1Pem(rsa2048.publicKey))).toThrow(/^DKIM public key is a PKCS#1 RSA public key/);
  });
});
