/**
 * `ses-domains ci github-actions` and `ses-domains ci atlantis`: CI templates that synthesize, plan
 * every stack and review the plans with plan-summary. Written to stdout, or to --out. The config is
 * read for what the template must name: its path, its stacks (Atlantis), its BYODKIM key variables.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative, sep } from "node:path";
import { Command, Option } from "commander";
import { configPath, loadConfig, type LoadedConfig } from "../config/load";
import { atlantisConfig, ATLANTIS_OUTDIR } from "../ci/atlantis";
import { planAccount, stackNames } from "../model/account";
import { planDomains } from "../model/records";
import { githubActionsWorkflow } from "../ci/github-actions";
import { CliError, configOption, EXIT, printConfigError, UsageError, type Io } from "./common";

interface CiFlags {
  config?: string;
  out?: string;
  failOn: "breaks" | "weakens" | "never";
  outputDir?: string;
}

const EXIT_HELP = "\nExit codes: 0 written, 1 the config or the output file cannot be read or written, 2 usage.";

export function ciCommand(io: Io, done: (code: number) => void): Command {
  const ci = new Command("ci")
    .description("write a CI template that plans every stack and reviews the plans with plan-summary")
    .addHelpText("after", EXIT_HELP);
  const common = (command: Command) =>
    command
      .addOption(configOption())
      .addOption(
        new Option("--fail-on <severity>", "fail the check when a change of this severity or worse is present")
          .choices(["breaks", "weakens", "never"])
          .default("breaks"),
      )
      .option("--out <file>", "write the template here instead of stdout")
      .addHelpText("after", EXIT_HELP);

  ci.addCommand(
    common(
      new Command("github-actions").description(
        "a GitHub Actions workflow: synth, one plan job per stack (matrix from cdktf's manifest.json), one PR comment and job summary from plan-summary",
      ),
    ).action((flags: CiFlags) => {
      const config = readConfig(flags.config, io);
      if (!config) return done(EXIT.problems);
      const keyVariables = [
        ...new Set(config.loaded.domains.flatMap((d) => (d.dkim.type === "byo" && "variable" in d.dkim.privateKey ? [d.dkim.privateKey.variable] : []))),
      ].sort();
      emit(githubActionsWorkflow({ config: config.path, keyVariables, failOn: flags.failOn }), flags.out, io);
      done(EXIT.ok);
    }),
  );
  ci.addCommand(
    common(
      new Command("atlantis").description(
        "an atlantis.yaml: one project per synthesized stack, a workflow that runs synth, plan, then plan-summary of $SHOWFILE",
      ),
    )
      .option(
        "--output-dir <dir>",
        `where the workflow synthesizes, relative to the repository root (default ${ATLANTIS_OUTDIR}; not cdktf.out, which is git-ignored)`,
      )
      .action((flags: CiFlags) => {
        const outdir = flags.outputDir ?? ATLANTIS_OUTDIR;
        if (isAbsolute(outdir) || outdir.split(/[\\/]/).includes("..") || !/^[A-Za-z0-9_./-]+$/.test(outdir)) {
          throw new UsageError(`--output-dir must be a relative path inside the repository of letters, digits, . _ - and /, got "${outdir}"`);
        }
        const config = readConfig(flags.config, io);
        if (!config) return done(EXIT.problems);
        const plans = planDomains(config.loaded.domains);
        const stacks = stackNames(config.loaded.stacks, plans, planAccount(plans, config.loaded.account, config.loaded.alarmEmails));
        emit(atlantisConfig({ config: config.path, stacks, outdir, failOn: flags.failOn }), flags.out, io);
        done(EXIT.ok);
      }),
  );
  return ci;
}

/** The config, and its path relative to the working directory (the repository root) as the template names it. */
function readConfig(file: string | undefined, io: Io): { loaded: LoadedConfig; path: string } | undefined {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(file ?? configPath());
  } catch (e) {
    if (printConfigError(e, io)) return undefined;
    throw e;
  }
  const path = relative(process.cwd(), loaded.file).split(sep).join("/");
  if (path.startsWith("../") || isAbsolute(path)) {
    throw new UsageError(`the config ${loaded.file} is outside the working directory; run this from the repository root, with the config inside it`);
  }
  return { loaded, path };
}

function emit(text: string, out: string | undefined, io: Io): void {
  if (out === undefined) {
    io.out.write(text);
    return;
  }
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  } catch (e) {
    throw new CliError(`--out ${out}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
