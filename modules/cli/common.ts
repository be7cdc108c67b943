/**
 * What every `ses-domains` command shares: where output goes, the exit codes, `--format`/`--json`,
 * and loading the config. Each command is a thin shell in its own file: parse flags (commander), call a
 * pure function in its room (verify/, records/, …), format.
 */
import { type Command, Option } from "commander";
import { configPath, loadConfig } from "../config/load";
import { ConfigError } from "../errors";
import { planAccount, type AccountPlan } from "../model/account";
import { planDomains, type DomainPlan } from "../model/records";

/** Exit codes, the same for every command (listed in --help and the README). */
export const EXIT = {
  ok: 0,
  /** Problems found, or an error (a file that cannot be read, a bad config). */
  problems: 1,
  /** Usage: unknown flag or command, missing argument, bad flag value. */
  usage: 2,
  /** A gate tripped: `plan-summary --fail-on` found a change of that severity. */
  dangerous: 3,
} as const;

export interface Io {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** Wrong use of a flag or argument that commander cannot see (two flags that exclude each other). */
export class UsageError extends Error {}

/** An error to print as one line and exit with `code` (1 unless said otherwise). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT.problems,
  ) {
    super(message);
  }
}

/** `--config <file>`, as every command that reads the config takes it. */
export function configOption(): Option {
  return new Option("--config <file>", "the config file (default: SES_CONFIG, else ./ses.config.yaml|.yml|.json, else the example)");
}

/**
 * `--format <format>` with the given choices, and `--json` as shorthand for `--format json` when json is
 * one of them. Read the result with `formatOf`.
 */
export function addFormatOptions(command: Command, formats: readonly string[], fallback: string): Command {
  command.addOption(new Option("--format <format>", "output format").choices([...formats]).default(fallback));
  if (formats.includes("json")) command.option("--json", "shorthand for --format json");
  return command;
}

export function formatOf(options: { format?: string; json?: boolean }, command: Command): string {
  if (options.json) {
    if (command.getOptionValueSource("format") === "cli" && options.format !== "json") {
      throw new UsageError(`--json and --format ${options.format} ask for different formats; give one`);
    }
    return "json";
  }
  return options.format!;
}

/** The config and its record model (and the account stack's), as verify, records and plan-summary read it. */
export function loadPlans(file: string | undefined): { file: string; plans: DomainPlan[]; account?: AccountPlan } {
  const config = loadConfig(file ?? configPath());
  const plans = planDomains(config.domains);
  return { file: config.file, plans, account: planAccount(plans, config.account, config.alarmEmails) };
}

/** `load()`'s result, or undefined once a config problem it throws is printed (the caller exits with its own code). */
export function orReportConfig<T>(io: Io, load: () => T): T | undefined {
  try {
    return load();
  } catch (e) {
    if (printConfigError(e, io)) return undefined;
    throw e;
  }
}

/** loadPlans, or undefined once the config's problems are printed. */
export function loadPlansOrReport(file: string | undefined, io: Io): ReturnType<typeof loadPlans> | undefined {
  return orReportConfig(io, () => loadPlans(file));
}

/** Prints a ConfigError's lines; returns whether `e` was one. */
export function printConfigError(e: unknown, io: Io): boolean {
  if (!(e instanceof ConfigError)) return false;
  for (const line of e.lines()) io.err.write(`error: ${line}\n`);
  return true;
}

/** A positive whole number flag value, or a UsageError naming the flag, the value and the range. */
export function intFlag(name: string, value: string | undefined, fallback: number, min: number, max: number, unit = ""): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number ${min}–${max}${unit}, got "${value}"`);
  return n;
}
