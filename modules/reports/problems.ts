import type { ReportWarning } from "./types";

/** Why a file cannot be read: one line, printed after the file name. */
export class ReportError extends Error {
  override readonly name = "ReportError";
}

/**
 * The warnings of one file, each said once: the same quirk on every record of a 2,000-record report is
 * one line with a count, not 2,000.
 */
export class Warnings {
  private readonly seen = new Map<string, { code: string; message: string; count: number }>();

  add(code: string, message: string): void {
    const key = `${code}\0${message}`;
    const entry = this.seen.get(key);
    if (entry) entry.count++;
    else this.seen.set(key, { code, message, count: 1 });
  }

  list(): ReportWarning[] {
    return [...this.seen.values()].map(({ code, message, count }) => ({ code, message: count > 1 ? `${message} (${count} times)` : message }));
  }
}

/** Bytes as a reader says them: `25 MB`, `512 KB`, `900 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Number.isInteger(n / 1024 / 1024) ? n / 1024 / 1024 : (n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Number.isInteger(n / 1024) ? n / 1024 : (n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** At most `max` characters of untrusted text, printable and on one line, quoted. */
export function quoteSnippet(text: string, max = 40): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}
