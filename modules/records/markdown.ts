/**
 * `records --format markdown` (the default): a table per domain (Type, Name, Value, TTL, Purpose) under
 * a heading that says which zone the records go in and who writes them, for a DNS team or a PR
 * description. Names and values are code spans, so nothing in a TXT value is read as markup.
 */
import type { ZoneRef } from "../model/types";
import { displayName, KNOWN_AFTER_APPLY, pendingNote, tokenMarked } from "./display";
import type { DomainRecords } from "./records";

/**
 * `text` as one table-safe code span: a fence longer than any backtick run inside it (CommonMark), `|`
 * escaped (GFM splits table cells on it even inside code spans), control characters as `\DDD`.
 */
export function codeSpan(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is escaped
  const safe = text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString().padStart(3, "0")}`).replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(safe.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = safe.startsWith("`") || safe.endsWith("`") ? " " : "";
  return `${fence}${pad}${safe}${pad}${fence}`;
}

function placement(dns: ZoneRef, zone: string): string {
  if ("external" in dns) return `Zone \`${zone}\`, external DNS: publish these records at your DNS provider (Terraform writes none of them).`;
  const where = "zoneId" in dns ? `Route 53 hosted zone \`${dns.zoneId}\`` : "Route 53, hosted zone found by name";
  const account = dns.assumeRoleArn ? `, through \`${dns.assumeRoleArn}\`` : "";
  return `Zone \`${zone}\` (${where}${account}): Terraform writes these records.`;
}

export function formatMarkdown(domains: readonly DomainRecords[]): string {
  const rows = domains.flatMap((d) => d.rows);
  const zones = new Set(rows.map((r) => r.zone)).size;
  const out: string[] = [
    `${rows.length} DNS record${rows.length === 1 ? "" : "s"} for ${domains.length} domain${domains.length === 1 ? "" : "s"} in ${zones} zone${zones === 1 ? "" : "s"}.`,
  ];
  const note = pendingNote(rows);
  if (note) out.push("", `${note}.`);
  for (const d of domains) {
    out.push("", `### ${d.domain}`, "", placement(d.dns, d.zone), "", "| Type | Name | Value | TTL | Purpose |", "|---|---|---|---:|---|");
    for (const row of d.rows) {
      const values = row.values.map((v) => (row.pendingToken ? `${KNOWN_AFTER_APPLY} ${codeSpan(tokenMarked(v))}` : codeSpan(v))).join("<br>");
      out.push(`| ${row.type} | ${codeSpan(displayName(row))} | ${values} | ${row.ttl} | ${row.purpose.replace(/\|/g, "\\|")} |`);
    }
  }
  return `${out.join("\n")}\n`;
}
