/**
 * `records --format bind`: one zone-file fragment per zone (RFC 1035 §5.1), to paste into a zone or load
 * with `$INCLUDE`: `$ORIGIN <zone>.`, `$TTL`, owner names relative to the origin (`@` for the apex),
 * CNAME and MX targets absolute with a trailing dot, TXT values as quoted character-strings of at most
 * 255 octets, each record's purpose as a comment. An Easy DKIM record whose token is not known is
 * written as a comment, never as a record with a placeholder name.
 */
import { KNOWN_AFTER_APPLY, displayName, tokenMarked } from "./display";
import { recordsByZone, type DomainRecords, type RecordRow } from "./records";

/** Longest character-string in TXT RDATA, in octets (RFC 1035 §3.3). */
export const CHARACTER_STRING_MAX = 255;

/**
 * A TXT value as zone-file character-strings: split every 255 octets of its UTF-8 encoding (receivers
 * join the strings with nothing between: RFC 6376 §3.6.2.2 for DKIM, RFC 7208 §3.3 for SPF), each
 * quoted, `"` and `\` escaped with a backslash, every octet outside printable ASCII as `\DDD`.
 */
export function txtCharacterStrings(value: string): string[] {
  const octets = Buffer.from(value, "utf8");
  if (octets.length === 0) return ['""'];
  const strings: string[] = [];
  for (let start = 0; start < octets.length; start += CHARACTER_STRING_MAX) {
    let text = '"';
    for (const octet of octets.subarray(start, start + CHARACTER_STRING_MAX)) {
      if (octet === 0x22 || octet === 0x5c) text += `\\${String.fromCharCode(octet)}`;
      else if (octet >= 0x20 && octet <= 0x7e) text += String.fromCharCode(octet);
      else text += `\\${octet.toString().padStart(3, "0")}`;
    }
    strings.push(`${text}"`);
  }
  return strings;
}

/** `name` relative to `zone`: `@` for the apex, the labels above it otherwise; absolute if outside. */
export function relativeName(name: string, zone: string): string {
  const lower = name.toLowerCase();
  if (lower === zone) return "@";
  if (lower.endsWith(`.${zone}`)) return name.slice(0, name.length - zone.length - 1);
  return `${name}.`;
}

const absolute = (host: string) => (host.endsWith(".") ? host : `${host}.`);

/** RDATA of one value, as lines (a TXT record over 255 octets continues inside parentheses). */
function rdata(row: RecordRow, value: string, indent: number): string[] {
  if (row.type === "CNAME") return [absolute(value)];
  if (row.type === "MX") {
    const space = value.indexOf(" ");
    return [`${value.slice(0, space)} ${absolute(value.slice(space + 1).trim())}`];
  }
  const strings = txtCharacterStrings(value);
  if (strings.length === 1) return strings;
  const pad = " ".repeat(indent + 2);
  return strings.map((s, i) => (i === 0 ? `( ${s}` : `${pad}${s}${i === strings.length - 1 ? " )" : ""}`));
}

/** The TTL most records of the zone have (ties: the shorter one): the `$TTL`, so few lines repeat it. */
function defaultTtl(rows: readonly RecordRow[]): number {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.ttl, (counts.get(r.ttl) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

export function bindFragment(zone: string, rows: readonly RecordRow[]): string {
  const ttl = defaultTtl(rows);
  const domains = [...new Set(rows.map((r) => r.domain))];
  const lines = [`; ses-domains records for zone ${zone}: ${domains.join(", ")}`, `$ORIGIN ${zone}.`, `$TTL ${ttl}`];
  const owners = rows.filter((r) => !r.pendingToken).map((r) => relativeName(r.name, zone));
  const width = Math.max(0, ...owners.map((o) => o.length));
  const ttlWidth = Math.max(0, ...rows.filter((r) => r.ttl !== ttl).map((r) => String(r.ttl).length));
  const ttlField = (r: RecordRow) => (ttlWidth === 0 ? "" : `${(r.ttl === ttl ? "" : String(r.ttl)).padEnd(ttlWidth)} `);
  let domain: string | undefined;
  for (const row of rows) {
    if (row.domain !== domain) {
      domain = row.domain;
      lines.push(`; ${domain}`);
    }
    if (row.pendingToken) {
      const target = row.values.map((v) => absolute(tokenMarked(v))).join(", ");
      lines.push(
        `; ${row.purpose}: ${relativeName(displayName(row), zone)} ${row.type} ${target} ${KNOWN_AFTER_APPLY}; give --tokens or --tf-outputs to write it`,
      );
      continue;
    }
    const head = `${relativeName(row.name, zone).padEnd(width)} ${ttlField(row)}IN ${row.type.padEnd(5)} `;
    for (const value of row.values) {
      const body = rdata(row, value, head.length);
      body[body.length - 1] += ` ; ${row.purpose}`;
      lines.push(`${head}${body[0]}`, ...body.slice(1));
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Every zone's fragment, zones sorted by name, a blank line between them. */
export function formatBind(domains: readonly DomainRecords[]): string {
  return recordsByZone(domains)
    .map(({ zone, rows }) => bindFragment(zone, rows))
    .join("\n");
}
