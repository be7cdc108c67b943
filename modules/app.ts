import { mkdirSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { App } from "cdktf";
import { planDomains, type DomainPlan } from "./model/records";
import type { DomainSpec, Warning } from "./model/types";
import { SesDomainsStack } from "./stacks/ses-domains-stack";

/** The stack name while all domains share one state. */
export const STACK_NAME = "ses-domains";

export interface SynthOptions {
  /**
   * Where cdktf writes stacks/<name>/cdk.tf.json.
   * @default - CDKTF_OUTDIR, else cdktf.out (cdktf's own rule)
   */
  readonly outdir?: string;
  /**
   * Directory the local state files live in; written into the backend relative to each stack's
   * directory, so the output holds no absolute path.
   * @default - the working directory, where cdktf itself keeps terraform.<stack>.tfstate
   */
  readonly stateDir?: string;
}

export interface SynthResult {
  readonly outdir: string;
  readonly stacks: readonly string[];
  readonly plans: readonly DomainPlan[];
  readonly warnings: readonly Warning[];
}

/**
 * Plan every domain, then build and synthesize the cdktf app. Everything that can fail on the user's
 * config fails in planDomains, before the output directory is touched.
 */
export function synthesize(domains: readonly DomainSpec[], options: SynthOptions = {}): SynthResult {
  const plans = planDomains(domains);
  const outdir = resolve(options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out");
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  const stackDir = join(outdir, "stacks", STACK_NAME);
  const stateDir = resolve(options.stateDir ?? process.cwd());
  const localStatePath = [relative(stackDir, stateDir), `terraform.${STACK_NAME}.tfstate`]
    .filter((part) => part !== "")
    .join("/")
    .split(sep)
    .join("/");
  new SesDomainsStack(app, STACK_NAME, { plans, localStatePath });
  app.synth();
  return { outdir, stacks: [STACK_NAME], plans, warnings: plans.flatMap((p) => p.warnings) };
}
