/**
 * The summary as a PR comment or job summary (markdown) and as data (json). Markdown: the counts line
 * first, always visible; changes that break mail or weaken protection open; routine ones collapsed in a
 * <details>. It stays under `maxChars`: changes that do not fit are cut, worst last, and counted.
 */
import { SEVERITIES, SEVERITY_LABEL, type PlanSummary, type Severity, type SummaryChange } from "./types";

/** GitHub refuses a comment body of more than 65,536 characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** The default budget: under GitHub's limit with room for a marker line a workflow adds. */
export const DEFAULT_MAX_CHARS = 60_000;

/** `--format json`: `{ counts: { breaks, weakens, routine }, changes: [{ address, domain, actions, severity, reasons }] }`. */
export function formatJson(summary: PlanSummary): string {
  const changes = summary.changes.map(({ address, domain, actions, severity, reasons }) => ({ address, domain, actions, severity, reasons }));
  return `${JSON.stringify({ counts: summary.counts, changes }, null, 2)}\n`;
}

export function countsLine(counts: Readonly<Record<Severity, number>>): string {
  return SEVERITIES.map((s) => `${counts[s]} ${SEVERITY_LABEL[s]}`).join(" · ");
}

export function formatMarkdown(summary: PlanSummary, maxChars = DEFAULT_MAX_CHARS): string {
  const total = summary.changes.length;
  const domains = new Set(summary.changes.map((c) => c.domain)).size;
  const unchanged = summary.unchanged === undefined ? "" : `${summary.unchanged} resource${summary.unchanged === 1 ? "" : "s"} unchanged`;
  const head = [
    "### SES domains: plan summary",
    "",
    total === 0
      ? `**No changes.**${unchanged ? ` ${unchanged}.` : ""}`
      : `**${countsLine(summary.counts)}** — ${total} change${total === 1 ? "" : "s"} in ${domains} domain${domains === 1 ? "" : "s"}${unchanged ? `, ${unchanged}` : ""}`,
  ];
  if (total === 0) return `${head.join("\n")}\n`;

  const open = summary.changes.filter((c) => c.severity !== "routine");
  const routine = summary.changes.filter((c) => c.severity === "routine");
  const out = new Budget(maxChars, head.join("\n"));
  let shown = true;
  for (const [group, changes] of groupByDomain(open)) {
    shown = out.add([`\n#### ${heading(group, changes)}`, ...changes.map(entry)]) && shown;
    if (!shown) break;
  }
  if (shown && routine.length > 0) {
    out.open(`\n<details><summary>${routine.length} routine change${routine.length === 1 ? "" : "s"}</summary>`, "\n</details>");
    for (const [group, changes] of groupByDomain(routine)) {
      if (!out.add([`\n#### ${heading(group, changes)}`, ...changes.map(entry)])) break;
    }
    out.close();
  }
  const cut = summary.changes.filter((c) => !out.shown.has(c));
  if (cut.length > 0) {
    const by = SEVERITIES.filter((s) => cut.some((c) => c.severity === s)).map((s) => `${cut.filter((c) => c.severity === s).length} ${SEVERITY_LABEL[s]}`);
    out.footer(
      `\n**${cut.length} more change${cut.length === 1 ? "" : "s"} not shown** (${by.join(", ")}) to stay under the ${maxChars.toLocaleString("en-US")}-character limit: \`ses-domains plan-summary --format json\` lists every change.`,
    );
  }
  return `${out.text()}\n`;
}

/** Appends whole blocks while they fit, keeping room for closing tags and the "not shown" line. */
class Budget {
  private readonly parts: string[];
  private length: number;
  private closing = "";
  readonly shown = new Set<SummaryChange>();
  private static readonly RESERVE = 400;

  constructor(
    private readonly max: number,
    head: string,
  ) {
    this.parts = [head];
    this.length = head.length;
  }

  /** Adds a block (a heading and its entries) if it fits; else as many entries as fit, and returns false. */
  add(block: (string | Entry)[]): boolean {
    for (const line of block) {
      const text = typeof line === "string" ? line : line.text;
      if (this.length + text.length + 1 + this.closing.length + Budget.RESERVE > this.max) return false;
      this.parts.push(text);
      this.length += text.length + 1;
      if (typeof line !== "string") this.shown.add(line.change);
    }
    return true;
  }

  open(text: string, closing: string): void {
    this.parts.push(text);
    this.length += text.length + 1;
    this.closing = closing;
  }

  close(): void {
    this.parts.push(this.closing);
    this.length += this.closing.length + 1;
    this.closing = "";
  }

  footer(text: string): void {
    this.parts.push(text);
  }

  text(): string {
    return this.parts.join("\n");
  }
}

interface Entry {
  readonly text: string;
  readonly change: SummaryChange;
}

function groupByDomain(changes: readonly SummaryChange[]): [string | null, SummaryChange[]][] {
  const groups = new Map<string | null, SummaryChange[]>();
  for (const c of changes) {
    const list = groups.get(c.domain);
    if (list) list.push(c);
    else groups.set(c.domain, [c]);
  }
  return [...groups];
}

function heading(domain: string | null, changes: readonly SummaryChange[]): string {
  const counts = SEVERITIES.map((s) => [s, changes.filter((c) => c.severity === s).length] as const).filter(([, n]) => n > 0);
  const name = domain === null ? "Account-level and other resources" : escapeMarkdown(domain);
  return `${name} (${counts.map(([s, n]) => `${n} ${SEVERITY_LABEL[s]}`).join(", ")})`;
}

const ACTION_WORD: Record<string, string> = {
  create: "create",
  update: "update",
  delete: "delete",
  "delete,create": "replace",
  "create,delete": "replace",
  "no-op": "move",
  forget: "forget",
  "create,forget": "replace (forget)",
};

function entry(change: SummaryChange): Entry {
  const action = ACTION_WORD[change.actions.join(",")] ?? change.actions.join(", ");
  const label = change.severity === "routine" ? "" : `**${SEVERITY_LABEL[change.severity]}** · `;
  const head = `- ${label}${action} ${code(change.address)}`;
  const text =
    change.reasons.length === 1 ? `${head}: ${escapeMarkdown(change.reasons[0])}` : [head, ...change.reasons.map((r) => `  - ${escapeMarkdown(r)}`)].join("\n");
  return { text, change };
}

/** Plan values are outside input: nothing in them may open HTML, a link, an image or a table in the comment. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`[\]<>|&]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : `\\${c}`));
}

/** A code span that holds any text: fenced with one more backtick than the longest run inside. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text.replace(/\n/g, " ")}${pad}${fence}`;
}
