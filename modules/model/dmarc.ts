import type { DmarcSpec } from "./types";

/** The order tags are written in after `v=DMARC1; p=…` (RFC 7489 §6.4 puts v and p first). */
const TAG_ORDER = ["sp", "np", "adkim", "aspf", "pct", "fo", "rf", "ri", "rua", "ruf", "t", "psd"] as const;

const ADDRESS = /^[^\s@<>(),;:"]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z0-9-]+$/;

/**
 * A report destination as a DMARC URI: plain addresses become `mailto:`, and `,` and `!` inside the
 * URI are percent-encoded (they separate URIs and introduce the obsolete size suffix).
 * Returns a problem string when the value is not a mailto: address.
 */
export function reportUri(value: string): { uri: string } | { problem: string } {
  const raw = value.trim();
  const address = /^mailto:/i.test(raw) ? raw.slice("mailto:".length) : raw;
  if (/^[a-z][a-z0-9+.-]*:/i.test(address) || (raw !== address && address.includes(":"))) {
    return { problem: `must be a mailto: URI or an email address, got ${JSON.stringify(value)}` };
  }
  if (!ADDRESS.test(address.replace(/[,!]/g, ""))) {
    return { problem: `must be a mailto: URI or an email address such as dmarc@example.com, got ${JSON.stringify(value)}` };
  }
  return { uri: `mailto:${address.replace(/,/g, "%2C").replace(/!/g, "%21")}` };
}

/** Why an `fo` value is invalid (RFC 7489 §6.3: colon-separated 0, 1, d, s; 0 and 1 exclusive). */
export function foProblem(fo: string): string | undefined {
  const parts = fo.split(":");
  if (parts.some((p) => !["0", "1", "d", "s"].includes(p)) || new Set(parts).size !== parts.length) {
    return `must be a colon-separated list of distinct 0, 1, d, s, such as "1" or "d:s", got ${JSON.stringify(fo)}`;
  }
  if (parts.includes("0") && parts.includes("1")) {
    return `0 and 1 cannot be combined (1 already includes 0), got ${JSON.stringify(fo)}`;
  }
  return undefined;
}

/** The TXT value at `_dmarc.<domain>`: `v=DMARC1; p=…;` then the other tags in a fixed order. */
export function dmarcRecord(spec: DmarcSpec): string {
  const parts = ["v=DMARC1", `p=${spec.p}`];
  for (const tag of TAG_ORDER) {
    const value = spec[tag];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) parts.push(`${tag}=${value.join(",")}`);
    } else {
      parts.push(`${tag}=${value}`);
    }
  }
  return parts.join("; ");
}
