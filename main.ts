/**
 * The app: read the config, plan every domain, synthesize Terraform JSON into cdktf.out (or
 * CDKTF_OUTDIR). A config problem exits 1 with one line per problem and writes nothing.
 */
import { configPath, loadConfig } from "./modules/config/load";
import { ConfigError, formatPath } from "./modules/errors";
import { synthesize } from "./modules/app";
import type { Warning } from "./modules/model/types";

function main(): number {
  try {
    const { domains, stacks, backend } = loadConfig(configPath());
    const result = synthesize(domains, { stacks, backend });
    printWarnings(result.warnings);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.lines()) process.stderr.write(`error: ${line}\n`);
      return 1;
    }
    throw err;
  }
}

/** Past this many of one code, the rest are counted rather than printed: a fleet repeats itself. */
const WARNINGS_SHOWN_PER_CODE = 3;

function printWarnings(warnings: readonly Warning[]): void {
  const byCode = new Map<string, Warning[]>();
  for (const warning of warnings) byCode.set(warning.code, [...(byCode.get(warning.code) ?? []), warning]);
  for (const warning of warnings) {
    const same = byCode.get(warning.code)!;
    const index = same.indexOf(warning);
    if (index < WARNINGS_SHOWN_PER_CODE) {
      process.stderr.write(`warning: ${formatPath(warning.path)}: ${warning.message} [${warning.code}]\n`);
    } else if (index === WARNINGS_SHOWN_PER_CODE) {
      process.stderr.write(`warning: ${same.length - index} more like the above [${warning.code}]\n`);
    }
  }
}

process.exitCode = main();
