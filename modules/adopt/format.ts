/** The adopt report as text (a reviewer's reading) and as JSON (a stable shape, README "Adopting"). */
import type { AdoptItem, AdoptReport, DomainReport, ItemStatus } from "./report";

const LABEL: Record<ItemStatus, string> = {
  unchanged: "adopt, unchanged",
  changed: "adopt, changes",
  adopt: "adopt",
  create: "create",
  "not-checked": "not checked",
  conflict: "CONFLICT",
  error: "error",
};
const WIDTH = 17;

const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(", ");

function itemLines(item: AdoptItem): string[] {
  const head = `  ${LABEL[item.status].padEnd(WIDTH)} ${item.what}`;
  const lines: string[] = [];
  if (item.kind === "record" && item.status === "create" && item.desired) lines.push(`${head}  ${quoted(item.desired)}`);
  else lines.push(item.note && item.status !== "changed" ? `${head}  (${item.note})` : head);
  const indent = " ".repeat(WIDTH + 3);
  if (item.status === "changed" && item.current && item.desired) lines.push(`${indent}${quoted(item.current)} → ${quoted(item.desired)}`);
  for (const change of item.changes ?? []) lines.push(`${indent}${change.field}: ${change.from} → ${change.to}`);
  return lines;
}

function domainLines(domain: DomainReport, accepted: boolean): string[] {
  const lines = [`${domain.domain}${domain.zoneId ? `  (zone ${domain.zoneId})` : ""}`];
  for (const item of domain.items) lines.push(...itemLines(item));
  for (const lost of domain.lost) {
    lines.push(
      `  ${(accepted ? "DELETES, accepted" : "DELETES").padEnd(WIDTH)} TXT ${lost.name}  ${JSON.stringify(lost.value)}: live, not in the config; the first apply deletes it${accepted ? "" : lost.name === domain.domain ? " (add it to spf.extraTxt, or pass --accept-changes)" : " (pass --accept-changes to let it go)"}`,
    );
  }
  if (domain.alsoCreated > 0)
    lines.push(
      `  ${"create".padEnd(WIDTH)} ${domain.alsoCreated} more resource${domain.alsoCreated === 1 ? "" : "s"} never adopted (alarms, event destinations, senders): created`,
    );
  for (const note of domain.notes) lines.push(`  note: ${note}`);
  return lines;
}

export function formatText(report: AdoptReport): string {
  const lines: string[] = [];
  for (const domain of report.domains) lines.push(...domainLines(domain, report.accepted), "");
  lines.push(summaryLine(report));
  if (report.domains.some((d) => d.items.some((i) => i.kind === "record" && (i.status === "unchanged" || i.status === "changed")))) {
    // DNS answers through a resolver carry a TTL that counts down: only the authoritative value could be compared.
    lines.push("note: record values are compared, TTLs are not: the plan shows a TTL that differs from the config's");
  }
  return `${lines.join("\n")}\n`;
}

export function summaryLine(report: AdoptReport): string {
  const c = report.counts;
  const adopted = c.unchanged + c.changed + c.adopt;
  const parts = [
    `${adopted} adopted (${c.unchanged} unchanged, ${c.changed} changed${c.adopt > 0 ? `, ${c.adopt} not compared` : ""})`,
    `${c.create} created`,
    ...(c.notChecked > 0 ? [`${c.notChecked} not checked`] : []),
    ...(c.conflict > 0 ? [`${c.conflict} in conflict`] : []),
    ...(c.error > 0 ? [`${c.error} unanswered`] : []),
  ];
  const lost = c.lost > 0 ? `; ${c.lost} live TXT value${c.lost === 1 ? "" : "s"} the first apply deletes${report.accepted ? " (accepted)" : ""}` : "";
  return `${parts.join(", ")}${lost}`;
}

/**
 * `--format json`: `{ ok, accepted, counts, domains: [{ domain, zoneId?, items: [...], lost: [...],
 * alsoCreated, notes }], written }`. Items keep their field names across releases; new fields may be added.
 */
export function formatJson(report: AdoptReport, written: string | null): string {
  const { file: _file, ...rest } = report;
  return `${JSON.stringify({ ...rest, written }, null, 2)}\n`;
}
