/**
 * `records --format csv`: a header row, then one row per record value (a record set with two values is
 * two rows), RFC 4180 quoting. Columns: domain, zone, name, type, ttl, value, purpose.
 */
import { displayName, displayValues } from "./display";
import type { DomainRecords } from "./records";

export const CSV_COLUMNS = ["domain", "zone", "name", "type", "ttl", "value", "purpose"] as const;

/**
 * RFC 4180: a field with a comma, quote, CR or LF is quoted and its quotes doubled. A `;` is quoted too,
 * so spreadsheets set to split on semicolons (common outside the US) keep DMARC and DKIM values whole,
 * as do fields with leading or trailing spaces.
 */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",;\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatCsv(domains: readonly DomainRecords[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const row of domains.flatMap((d) => d.rows)) {
    for (const value of displayValues(row)) {
      lines.push([row.domain, row.zone, displayName(row), row.type, row.ttl, value, row.purpose].map(csvField).join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}
