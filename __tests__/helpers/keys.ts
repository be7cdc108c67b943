/** RSA key pairs made per test run: no private key is ever committed. */
import { generateKeyPairSync } from "node:crypto";

export interface TestKey {
  readonly privatePem: string;
  readonly publicPem: string;
  /** SPKI DER base64: what `p=` holds. */
  readonly publicBase64: string;
  /** The private key's PEM body without header, footer or line breaks: what SES gets. */
  readonly privateBody: string;
}

const cache = new Map<number, TestKey>();

export function testKey(bits = 2048, slot = 0): TestKey {
  const key = bits * 10 + slot;
  let found = cache.get(key);
  if (!found) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
    const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    found = {
      privatePem,
      publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
      publicBase64: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
      privateBody: privatePem.replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, ""),
    };
    cache.set(key, found);
  }
  return found;
}

/** Every 64-character run of `text`: a synthesized file holding any of them leaks the key. */
export function runsOf(text: string, length = 64): string[] {
  const runs: string[] = [];
  for (let i = 0; i + length <= text.length; i += 8) runs.push(text.slice(i, i + length));
  return runs;
}
