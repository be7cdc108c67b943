/**
 * The app behind `npm run synth` and `npx cdktf synth`: read the config, plan every domain, synthesize
 * Terraform JSON into cdktf.out (or CDKTF_OUTDIR). A config problem exits 1 with one line per problem
 * and writes nothing. `ses-domains synth` runs the same function.
 */
import { runSynth } from "./modules/cli/run-synth";

process.exitCode = runSynth({}, { out: process.stdout, err: process.stderr });
