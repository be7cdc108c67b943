/**
 * The whole `dmarc-report` run without the CLI: read every input (bounded, in order), count each report
 * once, and summarise per policy domain. Returns data; formatting is format.ts's.
 */
import type { ReadLimits } from "./container";
import { readAll, type Input } from "./read";
import { ReportSummary, type DomainSummary, type SesIdentity } from "./summary";
import type { ReportWarning } from "./types";
import type { Thresholds } from "./verdict";

export interface FileEntry {
  readonly file: string;
  readonly ok: boolean;
  /** Why the file could not be read (one line); only when ok is false. */
  readonly error?: string;
  /** What was tolerated, and duplicates; a failed file keeps the warnings found before the failure. */
  readonly warnings: ReportWarning[];
  /** Reports read from the file (a zip or a mail may hold several). */
  readonly reports: number;
}

export interface DmarcReportResult {
  readonly files: FileEntry[];
  /** Found by walking a directory or listing a prefix, and not a report container: not read, not a failure. */
  readonly skipped: { readonly file: string; readonly reason: string }[];
  readonly thresholds: Thresholds;
  readonly domains: DomainSummary[];
}

export interface DmarcReportOptions {
  readonly limits: ReadLimits;
  readonly thresholds: Thresholds;
  /** At most this many inputs read at once (S3 objects in flight). */
  readonly concurrency: number;
  readonly identities?: readonly SesIdentity[];
  /** Called after each input, with how many were done. */
  readonly onProgress?: (done: number) => void;
}

export async function dmarcReport(inputs: AsyncIterable<Input> | Iterable<Input>, options: DmarcReportOptions): Promise<DmarcReportResult> {
  const summary = new ReportSummary(options.identities);
  const files: FileEntry[] = [];
  const skipped: { file: string; reason: string }[] = [];
  let done = 0;
  await readAll(
    inputs,
    options.limits,
    options.concurrency,
    (result) => {
      done++;
      if ("skipped" in result) skipped.push({ file: result.file, reason: result.skipped });
      else if (!result.ok) files.push({ file: result.file, ok: false, error: result.error, warnings: result.warnings, reports: 0 });
      else {
        const warnings = [...result.warnings];
        for (const digest of result.digests ?? []) {
          const { report } = digest;
          const first = summary.addDigest(digest, result.file);
          if (first !== undefined) {
            warnings.push({
              code: "duplicate",
              message: `report ${JSON.stringify(report.reportId)} from ${report.reporter.orgName} for ${report.policy.domain} was already read from ${first}: counted once`,
            });
          }
        }
        files.push({ file: result.file, ok: true, warnings, reports: result.reports.length });
      }
      options.onProgress?.(done);
    },
    { classifier: summary.classifier },
  );
  return { files, skipped, thresholds: options.thresholds, domains: summary.result(options.thresholds) };
}
