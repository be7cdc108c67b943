/**
 * The `dmarc-report` result for people: a terminal table, or Markdown for a pull request. JSON is the
 * result itself (report.ts), so it needs no formatter. Unreadable files are not repeated here: the
 * command prints them on stderr, one line each.
 */
import type { DmarcReportResult } from "./report";
import { SOURCE_KINDS, type DomainSummary, type SourceSummary } from "./summary";
import { count, days, describePolicy, groupDigits, percent } from "./words";

export interface FormatOptions {
  /** Sources listed per domain, biggest first; 0 for all. */
  readonly top: number;
}

export function formatTable(result: DmarcReportResult, options: FormatOptions): string {
  const lines: string[] = [tally(result)];
  for (const f of result.files) for (const w of f.warnings) lines.push(`warning  ${f.file}: ${w.message}`);
  for (const s of result.skipped) lines.push(`skipped  ${s.file}: ${s.reason}`);
  for (const d of result.domains) {
    lines.push("", headline(d), `  ${count(d.messages, "message")}, DMARC pass rate ${percent(d.passRate)}`, "");
    lines.push(
      ...indent(
        table(
          ["KIND", "SOURCES", "MESSAGES", "ALIGNED"],
          SOURCE_KINDS.map((k) => [k, groupDigits(d.kinds[k].sources), groupDigits(d.kinds[k].messages), share(d.kinds[k].aligned, d.kinds[k].messages)]),
          [false, true, true, true],
        ),
      ),
      "",
    );
    const shown = options.top === 0 ? d.sources : d.sources.slice(0, options.top);
    lines.push(
      ...indent(
        table(
          ["SOURCE", "KIND", "MESSAGES", "ALIGNED", "REPORTERS", "DKIM / SPF"],
          shown.map((s) => [s.ip, s.kind, groupDigits(s.messages), share(s.aligned, s.messages), clip(s.reporters.join(", "), 28), clip(via(s), 80)]),
          [false, false, true, true, false, false],
        ),
      ),
    );
    if (shown.length < d.sources.length) lines.push(`  … ${count(d.sources.length - shown.length, "more source")} (--top 0 lists all)`);
    for (const w of d.warnings) lines.push("", `  warning ${w.code}: ${w.message}`);
    lines.push("", `  verdict: ${d.verdict.label} (now ${d.verdict.current})`);
    for (const r of d.verdict.reasons) lines.push(`    - ${r}`);
    if (d.verdict.next) lines.push(`  next: ${d.verdict.next}${d.verdict.alternative ? `   (or, under RFC 9989: ${d.verdict.alternative})` : ""}`);
  }
  return `${lines.join("\n")}\n`;
}

export function formatMarkdown(result: DmarcReportResult, options: FormatOptions): string {
  const lines: string[] = ["## DMARC reports", "", tally(result)];
  const failed = result.files.filter((f) => !f.ok);
  if (failed.length > 0) lines.push("", "Not readable:", "", ...failed.map((f) => `- \`${f.file}\`: ${md(f.error ?? "")}`));
  const warned = result.files.filter((f) => f.warnings.length > 0);
  if (warned.length > 0) {
    lines.push("", `<details><summary>Warnings in ${count(warned.length, "file")}</summary>`, "");
    for (const f of warned) for (const w of f.warnings) lines.push(`- \`${f.file}\`: ${md(w.message)}`);
    lines.push("", "</details>");
  }
  for (const d of result.domains) {
    lines.push("", `### ${d.domain}: ${d.verdict.label}`, "");
    lines.push(
      `${count(d.reports, "report")} from ${d.reporters.map((r) => md(r)).join(", ")}, ${d.period.begin.slice(0, 10)} to ${d.period.end.slice(0, 10)} (${days(d.days)} days), published ${describePolicy(d.policy)}.`,
    );
    lines.push(`${count(d.messages, "message")}, DMARC pass rate **${percent(d.passRate)}**.`, "");
    lines.push("| kind | sources | messages | aligned |", "|---|---:|---:|---:|");
    for (const k of SOURCE_KINDS)
      lines.push(`| ${k} | ${groupDigits(d.kinds[k].sources)} | ${groupDigits(d.kinds[k].messages)} | ${share(d.kinds[k].aligned, d.kinds[k].messages)} |`);
    const shown = options.top === 0 ? d.sources : d.sources.slice(0, options.top);
    lines.push("", "| source | kind | messages | aligned | reporters | DKIM / SPF |", "|---|---|---:|---:|---|---|");
    for (const s of shown)
      lines.push(`| ${s.ip} | ${s.kind} | ${groupDigits(s.messages)} | ${share(s.aligned, s.messages)} | ${md(s.reporters.join(", "))} | ${md(via(s))} |`);
    if (shown.length < d.sources.length) lines.push("", `… and ${count(d.sources.length - shown.length, "more source")}.`);
    if (d.warnings.length > 0) lines.push("", ...d.warnings.map((w) => `- ⚠️ \`${w.code}\`: ${md(w.message)}`));
    lines.push("", `**Verdict: ${d.verdict.label}** (now ${d.verdict.current})`, "", ...d.verdict.reasons.map((r) => `- ${md(r)}`));
    if (d.verdict.next) {
      lines.push("", `Next: \`${d.verdict.next}\`${d.verdict.alternative ? ` (or, under RFC 9989: \`${d.verdict.alternative}\`)` : ""}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function tally(result: DmarcReportResult): string {
  const files = result.files.length;
  const failed = result.files.filter((f) => !f.ok).length;
  const reports = result.files.reduce((n, f) => n + f.reports, 0);
  const parts = [`${count(files, "file")}: ${groupDigits(files - failed)} read (${count(reports, "report")}), ${groupDigits(failed)} unreadable`];
  if (result.skipped.length > 0) parts.push(`${groupDigits(result.skipped.length)} skipped`);
  if (result.domains.length > 0) parts.push(count(result.domains.length, "policy domain"));
  return `${parts.join("; ")}.`;
}

function headline(d: DomainSummary): string {
  return `${d.domain}: ${count(d.reports, "report")} from ${count(d.reporters.length, "reporter")}, ${d.period.begin.slice(0, 10)} to ${d.period.end.slice(0, 10)} (${days(d.days)} days), published ${describePolicy(d.policy)}`;
}

/** What identified the source: its DKIM `d=` and SPF domains with results. */
function via(s: SourceSummary): string {
  const parts = [...s.dkim.map((x) => `dkim ${x}`), ...s.spf.map((x) => `spf ${x}`)];
  if (s.overrides.length > 0) parts.push(`override ${s.overrides.join(", ")}`);
  return parts.join("; ") || "-";
}

function share(part: number, whole: number): string {
  return whole === 0 ? "-" : percent(part / whole);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function md(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\n/g, " ");
}

function table(head: readonly string[], rows: readonly string[][], right: readonly boolean[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 && !right[i] ? c : right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

function indent(lines: readonly string[]): string[] {
  return lines.map((l) => `  ${l}`);
}
