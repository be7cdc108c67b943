/**
 * `ses-domains plan-summary <plan.json...>`: what a plan does to mail, for a PR comment or job summary.
 * Reads `terraform show -json` of one plan per stack (`-` for stdin) and the config's record model.
 * Exit 0; 3 with --fail-on when a change of that severity or worse is present; 1 when a plan or the
 * config cannot be read (one line each, nothing on stdout); 2 on usage.
 */
import { readFileSync, statSync } from "node:fs";
import { Command, Option } from "commander";
import { DEFAULT_MAX_CHARS, formatJson, formatMarkdown } from "../plan-summary/format";
import { MAX_PLAN_BYTES, parseInput, PlanFileError, type PlanDocument, type SummaryDocument } from "../plan-summary/plan-file";
import { summarizePlans } from "../plan-summary/summarize";
import { SEVERITIES, type Severity } from "../plan-summary/types";
import { addFormatOptions, configOption, EXIT, formatOf, intFlag, loadPlansOrReport, UsageError, type Io } from "./common";

interface PlanSummaryFlags {
  config?: string;
  failOn?: "breaks" | "weakens";
  maxChars?: string;
  format?: string;
  json?: boolean;
}

export function planSummaryCommand(io: Io, done: (code: number) => void, stdin: NodeJS.ReadableStream = process.stdin): Command {
  const command = new Command("plan-summary")
    .description("summarize terraform plans for review: changes grouped by sending domain, each one classified (breaks mail, weakens protection, routine)")
    .argument("<plan.json...>", "terraform show -json plan.bin of each stack (or an earlier plan-summary --format json, to merge); - reads one from stdin")
    .addOption(configOption())
    .addOption(new Option("--fail-on <severity>", "exit 3 when a change of this severity or worse is present").choices(["breaks", "weakens"]))
    .option(
      "--max-chars <n>",
      `markdown: cut changes beyond this many characters, counting what is cut (default ${DEFAULT_MAX_CHARS}; GitHub's comment limit is 65536)`,
    );
  addFormatOptions(command, ["markdown", "json"], "markdown");
  command.addHelpText(
    "after",
    "\nExit codes: 0 summarized, 3 --fail-on found a change of that severity or worse, 1 a plan or the config cannot be read (nothing printed on stdout), 2 usage.",
  );
  return command.action(async (files: string[], flags: PlanSummaryFlags) => {
    const format = formatOf(flags, command);
    const maxChars = intFlag("--max-chars", flags.maxChars, DEFAULT_MAX_CHARS, 2_000, 10_000_000, " characters");
    if (files.filter((f) => f === "-").length > 1) throw new UsageError("- (stdin) can be given once");
    const loaded = loadPlansOrReport(flags.config, io);
    if (!loaded) return done(EXIT.problems);
    const documents: PlanDocument[] = [];
    const summaries: SummaryDocument[] = [];
    const problems: string[] = [];
    for (const file of files) {
      try {
        const input = parseInput(file, file === "-" ? await readStdin(stdin) : readPlanFile(file));
        if ("resourceChanges" in input) documents.push(input);
        else summaries.push(input);
      } catch (e) {
        if (!(e instanceof PlanFileError)) throw e;
        problems.push(e.message);
      }
    }
    if (problems.length > 0) {
      for (const problem of problems) io.err.write(`error: ${problem}\n`);
      return done(EXIT.problems);
    }
    const summary = summarizePlans(loaded.plans, documents, summaries, loaded.account);
    io.out.write(format === "json" ? formatJson(summary) : formatMarkdown(summary, maxChars));
    done(flags.failOn && tripped(summary.counts, flags.failOn) ? EXIT.dangerous : EXIT.ok);
  });
}

/** A change of `severity` or worse is present. */
export function tripped(counts: Readonly<Record<Severity, number>>, severity: Severity): boolean {
  return SEVERITIES.slice(0, SEVERITIES.indexOf(severity) + 1).some((s) => counts[s] > 0);
}

function readPlanFile(file: string): Buffer {
  try {
    const size = statSync(file).size;
    if (size > MAX_PLAN_BYTES)
      throw new PlanFileError(file, `is ${Math.round(size / 1024 / 1024)} MB; plans over ${MAX_PLAN_BYTES / 1024 / 1024} MB are refused`);
    return readFileSync(file);
  } catch (e) {
    if (e instanceof PlanFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : String(code ?? e);
    throw new PlanFileError(file, `cannot read: ${why}`);
  }
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_PLAN_BYTES) throw new PlanFileError("-", `is over ${MAX_PLAN_BYTES / 1024 / 1024} MB; larger plans are refused`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
