/** The reports room: DMARC aggregate reports read safely, summarised per policy domain, with a verdict. */
export { DEFAULT_LIMITS, sniff, type ReadLimits } from "./container";
export { formatMarkdown, formatTable, type FormatOptions } from "./format";
export { parseReport } from "./parse";
export { ReportError, Warnings } from "./problems";
export { localInputs, readAll, readInput, type Input, type InputResult, type ReadOptions } from "./read";
export { dmarcReport, type DmarcReportOptions, type DmarcReportResult, type FileEntry } from "./report";
export {
  OTHER_SOURCES,
  ReportSummary,
  SourceClassifier,
  Tally,
  type DomainSummary,
  type ReportDigest,
  type SesIdentity,
  type SourceKind,
  type SourceSummary,
} from "./summary";
export * from "./types";
export { DEFAULT_THRESHOLDS, judge, nextStep, type Thresholds, type Verdict } from "./verdict";
