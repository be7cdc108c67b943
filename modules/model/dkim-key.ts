/**
 * DKIM public keys for BYODKIM: check the key a user gives and write the DNS TXT value of its key
 * record (RFC 6376 §3.6.1). Pure: no DNS, no AWS.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";

/** RFC 8301 §3.2 sets 1024 bits as the floor; SES BYODKIM accepts keys up to 2048 bits. */
const MIN_BITS = 1024;
const MAX_BITS = 2048;

const NOT_A_KEY = 'must be an RSA public key as SPKI base64 or a PEM "BEGIN PUBLIC KEY" block';
const PEM_BLOCK = /^-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

// RFC 6376 names RSAPublicKey for p=, but verifiers in the field parse SubjectPublicKeyInfo
// (RFC 6376 Appendix C, erratum 3017), so a bare PKCS#1 key fails to verify.
const pkcs1Problem = (found: string) =>
  `is a PKCS#1 RSA public key (${found}), which DKIM verifiers treat as an unknown key type; ` +
  'an SPKI ("BEGIN PUBLIC KEY") key is required: convert it with openssl rsa -RSAPublicKey_in -in key.pem -pubout';

const privateProblem = (found: string) =>
  `is a private key (${found}), which must never be in the config; give the public key instead: openssl pkey -in private.pem -pubout`;

/**
 * Parse a DKIM public key given as an SPKI PEM block or the bare base64 of SPKI DER, and return it
 * re-encoded as canonical SPKI DER base64 with its size, or the reason it cannot be published.
 */
export function normalizeDkimPublicKey(publicKey: string): { spki: string; bits: number } | { problem: string } {
  const text = publicKey.trim();
  if (!text.includes("-----BEGIN")) return fromDer(decodeBase64(text), "base64 of RSAPublicKey DER");
  // Checked over the whole text so that a private block pasted beside a public one is still caught.
  const privateLabel = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----/.exec(text);
  if (privateLabel) return { problem: privateProblem(`"BEGIN ${privateLabel[1]}"`) };
  const pem = PEM_BLOCK.exec(text);
  if (!pem) return { problem: NOT_A_KEY };
  const label = pem[1]!;
  if (label === "RSA PUBLIC KEY") return { problem: pkcs1Problem('"BEGIN RSA PUBLIC KEY"') };
  if (label !== "PUBLIC KEY") return { problem: `is a PEM "BEGIN ${label}" block; ${NOT_A_KEY}` };
  return fromDer(decodeBase64(pem[2]!), '"BEGIN PUBLIC KEY" holding RSAPublicKey DER');
}

/** Why a DKIM public key cannot be published (RFC 6376 §3.6.1, RFC 8301 §3.2), or undefined when it can. */
export function dkimPublicKeyProblem(publicKey: string): string | undefined {
  const key = normalizeDkimPublicKey(publicKey);
  return "problem" in key ? key.problem : undefined;
}

/**
 * The TXT value of a DKIM key record: `v=DKIM1; k=rsa; p=<SPKI DER base64>` (RFC 6376 §3.6.1).
 * Throws when the key has a problem; callers validate with `dkimPublicKeyProblem` first.
 */
export function dkimKeyRecord(publicKey: string): string {
  const key = normalizeDkimPublicKey(publicKey);
  if ("problem" in key) throw new Error(`DKIM public key ${key.problem}`);
  return `v=DKIM1; k=rsa; p=${key.spki}`;
}

/** Base64 with any whitespace removed, decoded strictly: Buffer.from would skip invalid characters. */
function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, "");
  return BASE64.test(compact) && compact.length % 4 === 0 ? Buffer.from(compact, "base64") : undefined;
}

function fromDer(der: Buffer | undefined, pkcs1Found: string): { spki: string; bits: number } | { problem: string } {
  if (der === undefined) return { problem: NOT_A_KEY };
  // Private encodings first: OpenSSL's "pkcs1" public decoder also accepts private keys and
  // would derive a public key from them, hiding that a secret was pasted.
  const privateType = privateKeyType(der);
  if (privateType) return { problem: privateProblem(privateType) };
  const key = tryKey(() => createPublicKey({ key: der, format: "der", type: "spki" }));
  if (!key) {
    const pkcs1 = tryKey(() => createPublicKey({ key: der, format: "der", type: "pkcs1" }));
    return { problem: pkcs1 ? pkcs1Problem(pkcs1Found) : NOT_A_KEY };
  }
  if (key.asymmetricKeyType !== "rsa") {
    return { problem: `has key type ${key.asymmetricKeyType ?? "unknown"}; only RSA keys are supported by SES BYODKIM` };
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_BITS || bits > MAX_BITS) {
    return { problem: `is a ${bits}-bit RSA key; SES accepts ${MIN_BITS} to ${MAX_BITS} bits` };
  }
  return { spki: key.export({ type: "spki", format: "der" }).toString("base64"), bits };
}

/** How the DER decodes as a private key ("PKCS#8", "PKCS#1", "SEC1"), or undefined when it does not. */
function privateKeyType(der: Buffer): string | undefined {
  for (const [type, name] of [
    ["pkcs8", "PKCS#8"],
    ["pkcs1", "PKCS#1"],
    ["sec1", "SEC1"],
  ] as const) {
    try {
      createPrivateKey({ key: der, format: "der", type });
      return `base64 of ${name} DER`;
    } catch (error) {
      // An encrypted PKCS#8 key is still a private key; it only fails for want of a passphrase.
      if ((error as { code?: string }).code === "ERR_MISSING_PASSPHRASE") return `base64 of encrypted ${name} DER`;
    }
  }
  return undefined;
}

function tryKey(make: () => KeyObject): KeyObject | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}
