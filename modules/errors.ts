/** One problem in a config: where it is and what is wrong, in the user's terms. */
export interface ConfigIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** A config that cannot be used. `issues` holds every problem found, not only the first. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  readonly source?: string;

  constructor(issues: readonly ConfigIssue[], source?: string) {
    super(formatIssues(issues, source));
    this.name = "ConfigError";
    this.issues = issues;
    this.source = source;
  }

  /** One line per problem, as printed on stderr. */
  lines(): string[] {
    return this.issues.map((issue) => formatIssue(issue, this.source));
  }
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * `domains["example.com"].dmarc.pct`: dots for field names, brackets for list indexes and for domain
 * names (data, not fields, even when they look like identifiers).
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const [i, key] of path.entries()) {
    const isDomainKey = i === 1 && path[0] === "domains";
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && IDENT.test(key) && !isDomainKey) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || "(config)";
}

function formatIssue(issue: ConfigIssue, source?: string): string {
  const where = issue.path.length > 0 ? formatPath(issue.path) : (source ?? "(config)");
  return `${where}: ${issue.message}`;
}

function formatIssues(issues: readonly ConfigIssue[], source?: string): string {
  return issues.map((issue) => formatIssue(issue, source)).join("\n");
}

/** Looks like key material where only a name or reference belongs: a PEM marker or a long base64 run. */
export function looksLikeKeyMaterial(value: string): boolean {
  return /-----BEGIN |PRIVATE KEY/.test(value) || /[A-Za-z0-9+/]{64,}/.test(value);
}

/** A short, single-line rendering of a user value for "got …" in messages; never echoes key material. */
export function describeValue(value: unknown): string {
  if (typeof value === "string" && looksLikeKeyMaterial(value)) return "a value that looks like key material (not shown)";
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
