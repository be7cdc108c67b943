/**
 * The typed model of a DMARC aggregate report. RFC 7489 (Appendix C) and RFC 9990 (namespace
 * `urn:ietf:params:xml:ns:dmarc-2.0`) reports both normalise into it; values the specs enumerate are
 * lowercase here whatever case the reporter wrote.
 */

/** Which schema the report follows: the RFC 9990 namespace or one of its new elements means rfc9990. */
export type ReportSchema = "rfc7489" | "rfc9990";

export type Policy = "none" | "quarantine" | "reject";

/** What the receiver did: `pass` is RFC 9990's "no action, passing DMARC with an enforcing policy". */
export type Disposition = Policy | "pass";

/** A DMARC-aligned verdict (`policy_evaluated/dkim|spf`). */
export type AlignedResult = "pass" | "fail";

/** RFC 7489 `DKIMResultType`. */
export type DkimResult = "none" | "pass" | "fail" | "policy" | "neutral" | "temperror" | "permerror";

/** RFC 7489 `SPFResultType`. */
export type SpfResult = "none" | "neutral" | "pass" | "fail" | "softfail" | "temperror" | "permerror";

/**
 * Why the receiver did not apply the published policy. RFC 7489: forwarded, sampled_out,
 * trusted_forwarder, mailing_list, local_policy, other; RFC 9990 adds policy_test_mode.
 */
export type OverrideType = "forwarded" | "sampled_out" | "trusted_forwarder" | "mailing_list" | "local_policy" | "other" | "policy_test_mode";

export interface AggregateReport {
  readonly schema: ReportSchema;
  /** `<version>` as written (often absent; Amazon SES writes 0.1). */
  readonly version?: string;
  readonly reporter: Reporter;
  /** `report_metadata/report_id`, with `<>` stripped. */
  readonly reportId: string;
  /** Seconds since the epoch, UTC, as in the report. */
  readonly period: { readonly begin: number; readonly end: number };
  /** `report_metadata/error`: problems the reporter had producing the report. */
  readonly errors: readonly string[];
  readonly policy: PolicyPublished;
  readonly records: readonly ReportRecord[];
}

export interface Reporter {
  /** `org_name`, or the domain of `email` when the reporter left it empty. */
  readonly orgName: string;
  readonly email: string;
  readonly extraContactInfo?: string;
  /** RFC 9990 `generator`. */
  readonly generator?: string;
}

/** `policy_published`: the DMARC record the receiver found, as it read it. */
export interface PolicyPublished {
  /** Lowercase, no trailing dot. */
  readonly domain: string;
  /** Undefined when the reporter left it out or wrote something that is not a policy. */
  readonly p?: Policy;
  readonly sp?: Policy;
  readonly np?: Policy;
  readonly adkim?: "r" | "s";
  readonly aspf?: "r" | "s";
  /** RFC 7489 only; RFC 9989 made pct historic. */
  readonly pct?: number;
  readonly fo?: string;
  /** RFC 9990 `testing` (the `t=` tag). */
  readonly testing?: "y" | "n";
  readonly discoveryMethod?: "psl" | "treewalk";
}

export interface ReportRecord {
  readonly sourceIp: string;
  /** Messages this row stands for. */
  readonly count: number;
  readonly disposition: Disposition;
  /** DMARC-aligned results (`policy_evaluated`): what DMARC passed or failed on. */
  readonly dkim: AlignedResult;
  readonly spf: AlignedResult;
  readonly reasons: readonly { readonly type: OverrideType | string; readonly comment?: string }[];
  readonly headerFrom: string;
  readonly envelopeFrom?: string;
  readonly envelopeTo?: string;
  /** Raw results, "uninterpreted with respect to DMARC" (both XSDs). */
  readonly authResults: {
    readonly dkim: readonly DkimAuthResult[];
    readonly spf: readonly SpfAuthResult[];
  };
}

export interface DkimAuthResult {
  /** The signature's `d=`, lowercase. */
  readonly domain: string;
  readonly selector?: string;
  readonly result: DkimResult;
  readonly humanResult?: string;
}

export interface SpfAuthResult {
  /** The domain SPF was checked for (MAIL FROM, or HELO), lowercase; may be empty. */
  readonly domain: string;
  readonly scope?: "helo" | "mfrom";
  readonly result: SpfResult;
}

/** Something a reporter got wrong that was read anyway, or a note about a file. */
export interface ReportWarning {
  readonly code: string;
  readonly message: string;
}
