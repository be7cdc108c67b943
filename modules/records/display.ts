/** How a record reads in the human formats (markdown, csv, bind comments) when its Easy DKIM token is unknown. */
import { fillDkimTokens } from "../model/records";
import type { RecordRow } from "./records";

export const KNOWN_AFTER_APPLY = "(known after apply)";

/** `text` with `<token>` where an unknown Easy DKIM token goes: `<token>._domainkey.example.com`. */
export function tokenMarked(text: string): string {
  return fillDkimTokens(text, () => "<token>");
}

export function displayName(row: RecordRow): string {
  return tokenMarked(row.name);
}

/** The values; one that needs a token not given reads `(known after apply) <token>.dkim.amazonses.com`. */
export function displayValues(row: RecordRow): string[] {
  return row.pendingToken ? row.values.map((v) => `${KNOWN_AFTER_APPLY} ${tokenMarked(v)}`) : [...row.values];
}

/** What to tell the user once when tokens are missing; undefined when every record is known. */
export function pendingNote(rows: readonly RecordRow[]): string | undefined {
  const pending = rows.filter((r) => r.pendingToken).length;
  if (pending === 0) return undefined;
  return `${pending} Easy DKIM record${pending === 1 ? " is" : "s are"} known only after apply (the tokens name them): give --tokens or --tf-outputs to list ${pending === 1 ? "it" : "them"}`;
}
