/**
 * `records --format json`: a list of `{ domain, zone, name, type, ttl, values, purpose }`, in listing
 * order. Names are fully qualified without the trailing dot; TXT values whole (not split into
 * 255-octet strings); MX values `10 host`. An Easy DKIM record whose token was not given keeps the
 * record model's `{{dkim-token:<region>:<n>}}` placeholders in `name` and `values`. The shape only grows.
 */
import type { DomainRecords } from "./records";

export interface RecordJson {
  readonly domain: string;
  readonly zone: string;
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly values: readonly string[];
  readonly purpose: string;
}

export function recordsJson(domains: readonly DomainRecords[]): RecordJson[] {
  return domains.flatMap((d) =>
    d.rows.map(({ domain, zone, name, type, ttl, values, purpose }) => ({ domain, zone, name, type, ttl, values: [...values], purpose })),
  );
}

export function formatJson(domains: readonly DomainRecords[]): string {
  return `${JSON.stringify(recordsJson(domains), null, 2)}\n`;
}
