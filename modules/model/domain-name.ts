import { domainToASCII } from "node:url";

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lowercase and drop one trailing dot: the form every other part of the project uses. */
export function normalizeDomain(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

/**
 * Why `name` (already normalized) is not a usable host name, or undefined when it is.
 * Rules: labels of letters, digits and hyphens, 1–63 characters, no hyphen at either end; whole name
 * at most 253 characters (RFC 1035 §2.3.4). Internationalized names are accepted as A-labels
 * (`xn--…`), which must be valid punycode.
 */
export function hostnameProblem(name: string, minLabels = 1): string | undefined {
  if (name.length === 0) return "must not be empty";
  if (name.length > 253) return `must be at most 253 characters, got ${name.length}`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the class is "anything outside 7-bit ASCII"
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = domainToASCII(name);
    return ascii ? `internationalized names must be written as punycode A-labels: use "${ascii}"` : "contains characters that are not valid in a domain name";
  }
  const labels = name.split(".");
  if (labels.length < minLabels) return `must have at least ${minLabels} labels`;
  for (const label of labels) {
    if (label.length === 0) return "must not contain an empty label (two dots in a row, or a leading dot)";
    if (label.length > 63) return `label "${label}" is ${label.length} characters; the limit is 63`;
    if (!LABEL.test(label)) {
      return `label "${label}" may contain only letters, digits and hyphens, and not start or end with a hyphen`;
    }
  }
  if (labels.some((l) => l.startsWith("xn--")) && domainToASCII(name) !== name) {
    return "contains an xn-- label that is not valid punycode";
  }
  return undefined;
}

/** True when `name` is `parent` or lies under it. */
export function isWithin(name: string, parent: string): boolean {
  return name === parent || name.endsWith(`.${parent}`);
}
