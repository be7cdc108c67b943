#!/usr/bin/env node
/**
 * `ses-domains`: one command with subcommands, one file each under modules/cli/. Exit codes are the
 * same everywhere: 0 ok, 1 problems found or errors, 2 usage, 3 a CI gate tripped (plan-summary --fail-on).
 */
import { Command, CommanderError } from "commander";
import { adoptCommand } from "./adopt";
import { CliError, EXIT, UsageError, type Io } from "./common";
import { ciCommand } from "./ci";
import { dmarcReportCommand } from "./dmarc-report";
import { planSummaryCommand } from "./plan-summary";
import { recordsCommand } from "./records";
import { synthCommand } from "./synth";
import { verifyCommand } from "./verify";

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  problems found, or an error (one line each on stderr)
  2  usage: unknown command or flag, missing argument, bad flag value
  3  plan-summary --fail-on: a change of that severity or worse`;

/** The program, writing to `io`; `done` receives each command's exit code. */
export function program(io: Io, done: (code: number) => void): Command {
  const root = new Command("ses-domains")
    .description("SES sending domains as code: synthesize, check live DNS, export records, review plans, adopt what exists")
    .addHelpText("after", EXIT_CODES_HELP)
    .showSuggestionAfterError(true)
    .exitOverride();
  for (const command of [
    synthCommand(io, done),
    verifyCommand(io, done),
    recordsCommand(io, done),
    planSummaryCommand(io, done),
    ciCommand(io, done),
    dmarcReportCommand(io, done),
    adoptCommand(io, done),
  ]) {
    root.addCommand(command);
    usageOnError(command, io);
  }
  usageOnError(root, io);
  return root;
}

/** Errors and help go to `io`; an error is followed by the command's usage line. Nested subcommands (ci …) too. */
function usageOnError(command: Command, io: Io): void {
  command.exitOverride().configureOutput({
    writeOut: (s) => io.out.write(s),
    writeErr: (s) => io.err.write(s),
    outputError: (s, write) => write(`${s.trimEnd()}\n${usageLine(command)}\n`),
  });
  if (command.parent) for (const sub of command.commands) usageOnError(sub, io);
}

function usageLine(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return `usage: ${names.join(" ")} ${command.usage()}`;
}

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function run(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const io: Io = { out, err };
  let code: number = EXIT.ok;
  const cli = program(io, (c) => {
    code = c;
  });
  try {
    await cli.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; every parse error (unknown flag, missing argument, bad choice) is usage
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError) {
      const command = activeCommand(cli, argv);
      err.write(`error: ${e.message}\n${usageLine(command)}\n`);
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      err.write(`error: ${e.message}\n`);
      return e.code;
    }
    throw e;
  }
}

function activeCommand(root: Command, argv: readonly string[]): Command {
  const command = root.commands.find((c) => argv.includes(c.name()));
  if (!command) return root;
  return command.commands.find((c) => argv.includes(c.name())) ?? command;
}

if (require.main === module) {
  // A reader that stops early (`| head`) closes the pipe: stop quietly, as Unix tools do.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = EXIT.problems;
    },
  );
}
