/**
 * The app: read the config, plan every domain, synthesize Terraform JSON into cdktf.out (or
 * CDKTF_OUTDIR). A config problem exits 1 with one line per problem and writes nothing.
 */
import { configPath, loadConfig } from "./modules/config/load";
import { ConfigError, formatPath } from "./modules/errors";
import { synthesize } from "./modules/app";

function main(): number {
  try {
    const { domains, stacks, backend } = loadConfig(configPath());
    const result = synthesize(domains, { stacks, backend });
    for (const warning of result.warnings) {
      process.stderr.write(`warning: ${formatPath(warning.path)}: ${warning.message} [${warning.code}]\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.lines()) process.stderr.write(`error: ${line}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main();
