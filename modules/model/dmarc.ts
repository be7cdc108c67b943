import type { DmarcSpec } from "./types";

/** The order tags are written in after `v=DMARC1; p=…` (RFC 7489 §6.4 puts v and p first). */
const TAG_ORDER = ["sp", "np", "adkim", "aspf", "pct", "fo", "rf", "ri", "rua", "ruf", "t", "psd"] as const;

const LOCAL_PART = /^[^\s@<>()[\];:"\\]+$/;
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
/** RFC 7489's `!<size>` suffix on a report URI, obsolete in RFC 9989: dropped, never emitted. */
const SIZE_SUFFIX = /![0-9]+[kmgt]?$/i;

/**
 * A report destination as a DMARC URI: plain addresses become `mailto:`, an obsolete size suffix
 * (`!10m`) is dropped, and `,` and `!` in the local part are percent-encoded (in a DMARC record they
 * separate URIs and introduce the size suffix). Returns a problem when the value is not an address.
 */
export function reportUri(value: string): { uri: string } | { problem: string } {
  const raw = value.trim();
  const address = (/^mailto:/i.test(raw) ? raw.slice("mailto:".length) : raw).replace(SIZE_SUFFIX, "");
  const at = address.lastIndexOf("@");
  const local = address.slice(0, at);
  const host = address.slice(at + 1);
  if (at <= 0 || !LOCAL_PART.test(local) || !HOST.test(host) || /^[a-z][a-z0-9+.-]*:/i.test(address)) {
    return { problem: `must be a mailto: URI or an email address such as dmarc@example.com, got ${JSON.stringify(value)}` };
  }
  return { uri: `mailto:${local.replace(/,/g, "%2C").replace(/!/g, "%21")}@${host.toLowerCase()}` };
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

/** Every tag the project knows (RFC 7489 §6.3, RFC 9989): anything else in a record is an error. */
export const DMARC_TAGS = ["v", "p", ...TAG_ORDER] as const;

export type DmarcParse = { readonly spec: DmarcSpec } | { readonly problems: readonly string[] };

const POLICIES = ["none", "quarantine", "reject"];

/**
 * Parse a DMARC record into tags (RFC 7489 §6.4): `v=DMARC1` first, then `p`, `;`-separated
 * `tag=value` pairs; unknown and duplicate tags are errors. rua/ruf come back as URI lists.
 */
export function parseDmarc(text: string): DmarcParse {
  const parts = text.split(";").map((p) => p.trim());
  if (parts[parts.length - 1] === "") parts.pop();
  const problems: string[] = [];
  const tags = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf("=");
    const tag = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (eq < 0 || tag === "") problems.push(`"${part}" is not a tag=value pair`);
    else if (!(DMARC_TAGS as readonly string[]).includes(tag)) problems.push(`unknown tag "${tag}"`);
    else if (tags.has(tag)) problems.push(`tag "${tag}" appears twice`);
    else tags.set(tag, value);
  }
  if (parts[0]?.replace(/\s+/g, "") !== "v=DMARC1") problems.push('must start with "v=DMARC1"');
  const p = tags.get("p");
  if (p === undefined || parts[1]?.split("=")[0].trim().toLowerCase() !== "p") problems.push("p must be the second tag");
  const enumTag = (tag: string, allowed: string[]) => {
    const value = tags.get(tag);
    if (value !== undefined && !allowed.includes(value)) problems.push(`${tag}=${value}: must be ${allowed.join(" | ")}`);
    return value;
  };
  enumTag("p", POLICIES);
  enumTag("sp", POLICIES);
  enumTag("np", POLICIES);
  enumTag("adkim", ["r", "s"]);
  enumTag("aspf", ["r", "s"]);
  enumTag("rf", ["afrf"]);
  enumTag("t", ["y", "n"]);
  enumTag("psd", ["y", "n", "u"]);
  const int = (tag: string, max: number) => {
    const value = tags.get(tag);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) > max) problems.push(`${tag}=${value}: must be an integer 0–${max}`);
    return Number(value);
  };
  const pct = int("pct", 100);
  const ri = int("ri", 4294967295);
  const fo = tags.get("fo");
  if (fo !== undefined) {
    const problem = foProblem(fo);
    if (problem) problems.push(`fo: ${problem}`);
  }
  const uris = (tag: string) => {
    const value = tags.get(tag);
    if (value === undefined) return undefined;
    const list = value.split(",").map((u) => u.trim());
    for (const uri of list) {
      if (!/^mailto:[^\s!,]+@[^\s!,]+$/i.test(uri)) problems.push(`${tag}: "${uri}" is not a mailto: URI (a size suffix "!10m" is obsolete)`);
    }
    return list;
  };
  const rua = uris("rua");
  const ruf = uris("ruf");
  if (problems.length > 0) return { problems };
  const spec: DmarcSpec = {
    p: p as DmarcSpec["p"],
    ...optional("sp", tags.get("sp")),
    ...optional("np", tags.get("np")),
    ...optional("adkim", tags.get("adkim")),
    ...optional("aspf", tags.get("aspf")),
    ...optional("pct", pct),
    ...optional("fo", fo),
    ...optional("rf", tags.get("rf")),
    ...optional("ri", ri),
    ...optional("rua", rua),
    ...optional("ruf", ruf),
    ...optional("t", tags.get("t")),
    ...optional("psd", tags.get("psd")),
  } as DmarcSpec;
  return { spec };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** The host a report URI sends to: `dmarc@reports.example.net` → `reports.example.net`. */
export function reportHost(uri: string): string {
  const address = decodeURIComponent(uri.replace(/^mailto:/i, ""));
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}

/** Name of the TXT record by which `reportDomain` agrees to receive reports for `policyDomain` (RFC 7489 §7.1). */
export function reportAuthorizationName(policyDomain: string, reportDomain: string): string {
  return `${policyDomain}._report._dmarc.${reportDomain}`;
}
