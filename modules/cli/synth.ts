/** `ses-domains synth`: what `npm run synth` does (see run-synth.ts). */
import { Command } from "commander";
import { configOption, type Io } from "./common";

export function synthCommand(io: Io, done: (code: number) => void): Command {
  return new Command("synth")
    .description("synthesize Terraform JSON for every stack (what npm run synth does)")
    .addOption(configOption())
    .option("--output <dir>", "where stacks/<stack>/cdk.tf.json go (default: CDKTF_OUTDIR, else cdktf.out)")
    .option("--adoption <file>", "the adoption file ses-domains adopt wrote (default: SES_ADOPTION, else ses-adopt.json beside the config)")
    .addHelpText("after", "\nExit codes: 0 written, 1 the config has problems (one line each; nothing written).")
    .action(async (flags: { config?: string; output?: string; adoption?: string }) => {
      // cdktf is loaded only here: the other commands never need it.
      const { runSynth } = await import("./run-synth");
      done(runSynth({ config: flags.config, outdir: flags.output, adoption: flags.adoption }, io));
    });
}
