/**
 * `ses-domains records`: every DNS record the config needs, for a DNS team or a PR description, as a
 * markdown table per domain, BIND zone-file fragments per zone, CSV or JSON. Reads the record model;
 * Easy DKIM tokens (known after apply) from --tokens or --tf-outputs, as verify takes them.
 */
import { Command } from "commander";
import { formatBind } from "../records/bind";
import { formatCsv } from "../records/csv";
import { pendingNote } from "../records/display";
import { formatJson } from "../records/json";
import { formatMarkdown } from "../records/markdown";
import { listRecords, type DomainRecords } from "../records/records";
import { addFormatOptions, configOption, EXIT, formatOf, loadPlansOrReport, type Io } from "./common";
import { addTokenOptions, tokensOf, type TokenFlags } from "./tokens";

interface RecordsFlags extends TokenFlags {
  config?: string;
  format?: string;
  json?: boolean;
}

const FORMATTERS: Record<string, (domains: readonly DomainRecords[]) => string> = {
  markdown: formatMarkdown,
  bind: formatBind,
  csv: formatCsv,
  json: formatJson,
};

export function recordsCommand(io: Io, done: (code: number) => void): Command {
  const command = new Command("records")
    .description("list every DNS record the config needs: markdown tables, BIND zone fragments, CSV or JSON")
    .addOption(configOption());
  addTokenOptions(command);
  addFormatOptions(command, Object.keys(FORMATTERS), "markdown");
  command.addHelpText(
    "after",
    `
Formats: markdown (a table per domain), bind (a zone-file fragment per zone), csv (a row per value),
json (a list of { domain, zone, name, type, ttl, values, purpose }).
Without tokens, Easy DKIM records are marked known after apply (bind writes them as comments).

Exit codes: 0 listed, 2 usage or config errors.`,
  );
  return command.action((flags: RecordsFlags) => {
    const format = formatOf(flags, command);
    const loaded = loadPlansOrReport(flags.config, io);
    if (!loaded) return done(EXIT.usage);
    const { plans } = loaded;
    const domains = listRecords(
      plans,
      tokensOf(
        flags,
        plans.map((p) => p.domain),
      ),
    );
    io.out.write(FORMATTERS[format](domains));
    const note = pendingNote(domains.flatMap((d) => d.rows));
    if (note) io.err.write(`note: ${note}\n`);
    done(EXIT.ok);
  });
}
