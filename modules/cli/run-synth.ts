/**
 * The synth itself, shared by main.ts (the bundle behind `npm run synth`) and `ses-domains synth`:
 * read the config, plan every domain, synthesize Terraform JSON into cdktf.out (or CDKTF_OUTDIR).
 * A config problem exits 1 with one line per problem and writes nothing.
 */
import { adoptionPath, displayPath, readAdoption } from "../adopt/file";
import { synthesize } from "../app";
import { configPath, loadConfig } from "../config/load";
import { formatPath } from "../errors";
import type { Warning } from "../model/types";
import { EXIT, printConfigError, type Io } from "./common";

export interface SynthRun {
  /** The config file. @default - SES_CONFIG, else ./ses.config.*, else the example */
  readonly config?: string;
  /** @default - CDKTF_OUTDIR, else cdktf.out */
  readonly outdir?: string;
  /** The adoption file. @default - SES_ADOPTION, else ses-adopt.json beside the config when there is one */
  readonly adoption?: string;
}

/** The synth itself, shared by main.ts (the bundle behind `npm run synth`) and the CLI command. */
export function runSynth(run: SynthRun, io: Pick<Io, "out" | "err">): number {
  try {
    const config = loadConfig(run.config ?? configPath());
    const adoption = readAdoption(adoptionPath(config.file, run.adoption));
    const result = synthesize(config.domains, {
      adoption,
      adoptCommand: `ses-domains adopt --config ${displayPath(config.file)}`,
      stacks: config.stacks,
      backend: config.backend,
      outdir: run.outdir,
      account: config.account,
      alarmEmails: config.alarmEmails,
    });
    printWarnings([...config.warnings, ...result.warnings], io.err);
    io.out.write(billedLine(result.billed));
    if (adoption)
      io.out.write(
        `${adoption.name}: ${result.imports} import block${result.imports === 1 ? "" : "s"} (Terraform imports what already exists at the next plan)\n`,
      );
    return EXIT.ok;
  } catch (err) {
    if (printConfigError(err, io as Io)) return EXIT.problems;
    throw err;
  }
}

/** One line, every synth: what the output will cost every month in CloudWatch, counted (README "Operations" prices it). */
export function billedLine(billed: { alarms: number; eventMetrics: number }): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `CloudWatch, billed monthly: ${plural(billed.alarms, "alarm")}, ${plural(billed.eventMetrics, "event metric")} (README "Operations" gives the prices)\n`;
}

/** Past this many of one code, the rest are counted rather than printed: a fleet repeats itself. */
const WARNINGS_SHOWN_PER_CODE = 3;

export function printWarnings(warnings: readonly Warning[], err: NodeJS.WritableStream): void {
  const byCode = new Map<string, Warning[]>();
  for (const warning of warnings) byCode.set(warning.code, [...(byCode.get(warning.code) ?? []), warning]);
  for (const warning of warnings) {
    const same = byCode.get(warning.code)!;
    const index = same.indexOf(warning);
    if (index < WARNINGS_SHOWN_PER_CODE) {
      err.write(`warning: ${formatPath(warning.path)}: ${warning.message} [${warning.code}]\n`);
    } else if (index === WARNINGS_SHOWN_PER_CODE) {
      err.write(`warning: ${same.length - index} more like the above [${warning.code}]\n`);
    }
  }
}
