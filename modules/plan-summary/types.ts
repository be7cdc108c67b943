/** What the summary returns: the data behind both formats. `--format json` prints `counts` and `changes` as they are. */

/** Worst first: the order of every list in the summary. */
export const SEVERITIES = ["breaks", "weakens", "routine"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_LABEL: Record<Severity, string> = {
  breaks: "breaks mail",
  weakens: "weakens protection",
  routine: "routine",
};

/** One reason a change got its severity, in plain words. */
export interface Reason {
  readonly severity: Severity;
  readonly text: string;
}

export interface SummaryChange {
  /** The Terraform address (`output.<name>` for an output). */
  readonly address: string;
  /** The sending domain the change belongs to; null for resources of no domain. */
  readonly domain: string | null;
  /** Terraform's actions: `["update"]`, `["delete", "create"]` (replace)… */
  readonly actions: readonly string[];
  /** The worst of its reasons. */
  readonly severity: Severity;
  /** Worst first. */
  readonly reasons: readonly string[];
  /** The plan file it came from, as named on the command line. */
  readonly source: string;
}

export interface PlanSummary {
  readonly counts: Readonly<Record<Severity, number>>;
  /** Grouped by domain (the domains with the worst changes first, then by name; no domain last), worst first within a domain, then by address. */
  readonly changes: readonly SummaryChange[];
  /** Resources the plans leave as they are; undefined when some input was a summary, which does not say. */
  readonly unchanged?: number;
}

export function worst(severities: Iterable<Severity>): Severity {
  let rank = SEVERITIES.length - 1;
  for (const s of severities) rank = Math.min(rank, SEVERITIES.indexOf(s));
  return SEVERITIES[rank];
}
