import { mkdirSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { App } from "cdktf";
import { DEFAULT_STACK } from "./config/resolve";
import type { BackendConfig } from "./config/schema";
import { planAccount, stackNames, type AccountPlan } from "./model/account";
import { adoptionImports, type AdoptionSource } from "./model/adoption";
import { planDomains, type DomainPlan } from "./model/records";
import type { AccountSpec, DomainSpec, Warning } from "./model/types";
import { SesAccountStack } from "./stacks/ses-account-stack";
import { SesDomainsStack, type StackBackend } from "./stacks/ses-domains-stack";

/** The stack name while all domains share one state. */
export const STACK_NAME = DEFAULT_STACK;

export interface SynthOptions {
  /**
   * Where cdktf writes stacks/<name>/cdk.tf.json.
   * @default - CDKTF_OUTDIR, else cdktf.out (cdktf's own rule)
   */
  readonly outdir?: string;
  /**
   * Directory the local state files live in (with no `backend`, or `backend.local` without a dir);
   * written into each backend relative to its stack's directory, so the output holds no absolute path.
   * @default - the working directory, where cdktf itself keeps terraform.<stack>.tfstate
   */
  readonly stateDir?: string;
  /**
   * State backend for every stack.
   * @default - local files, terraform.<stack>.tfstate in `stateDir`
   */
  readonly backend?: BackendConfig;
  /**
   * Every stack to write, including empty hash buckets (from resolveProject).
   * @default - the stacks the domains name
   */
  readonly stacks?: readonly string[];
  /**
   * Account-level settings, rendered once in the ses-account stack.
   * @default false - account-level SES settings are left alone; the stack still holds role policies and shared alarm topics when needed
   */
  readonly account?: AccountSpec | false;
  /**
   * Where each region's shared alarm topic sends (defaults.alarms.notify.email).
   * @default []
   */
  readonly alarmEmails?: readonly string[];
  /**
   * The adoption file (`ses-adopt.json`, read with readAdoption in adopt/file.ts): import blocks for what
   * it lists, for the domains with `adopt: true`.
   * @default - none: a domain with adopt: true is then a config error naming the command to run
   */
  readonly adoption?: AdoptionSource;
  /**
   * The command a config error tells the user to run to write the adoption file.
   * @default "ses-domains adopt"
   */
  readonly adoptCommand?: string;
}

export interface SynthResult {
  readonly outdir: string;
  readonly stacks: readonly string[];
  readonly plans: readonly DomainPlan[];
  /** The ses-account stack's plan, when there is one. */
  readonly account?: AccountPlan;
  readonly warnings: readonly Warning[];
  /** What CloudWatch bills monthly: alarms, and custom metrics from CloudWatch event destinations. */
  readonly billed: { readonly alarms: number; readonly eventMetrics: number };
  /** How many import blocks the adoption file gave. */
  readonly imports: number;
}

/**
 * Plan every domain, then build and synthesize the cdktf app: one stack per name, each with its own
 * state. Everything that can fail on the user's config fails in planDomains, before the output
 * directory is touched.
 */
export function synthesize(domains: readonly DomainSpec[], options: SynthOptions = {}): SynthResult {
  const plans = planDomains(domains);
  const adoption = adoptionImports(plans, new Set(domains.filter((d) => d.adopt).map((d) => d.domain)), options.adoption, options.adoptCommand);
  const account = planAccount(plans, options.account ?? false, options.alarmEmails);
  const outdir = resolve(options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const stacks = stackNames(options.stacks ?? [], plans, undefined);
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  for (const stack of stacks) {
    const mine = plans.filter((p) => p.stack === stack);
    new SesDomainsStack(app, stack, {
      plans: mine,
      backend: stackBackend(stack, join(outdir, "stacks", stack), options),
      imports: new Map(mine.flatMap((p) => [...(adoption.imports.get(p.domain) ?? [])])),
    });
  }
  if (account) {
    new SesAccountStack(app, account.stack, { plan: account, backend: stackBackend(account.stack, join(outdir, "stacks", account.stack), options) });
  }
  app.synth();
  return {
    outdir,
    stacks: stackNames(stacks, plans, account),
    plans,
    ...(account ? { account } : {}),
    warnings: [...plans.flatMap((p) => p.warnings), ...adoption.warnings],
    imports: [...adoption.imports.values()].reduce((n, m) => n + m.size, 0),
    billed: billed(plans, account),
  };
}

/** Every alarm, and every (event type × dimension value) a CloudWatch event destination creates as a custom metric. */
export function billed(plans: readonly DomainPlan[], account?: AccountPlan): SynthResult["billed"] {
  const sets = plans.flatMap((p) => p.identities.flatMap((i) => (i.configurationSet ? [i.configurationSet] : [])));
  return {
    alarms: sets.reduce((n, s) => n + s.alarms.length, 0) + (account?.regions.reduce((n, r) => n + r.alarms.length, 0) ?? 0),
    eventMetrics: sets.reduce((n, s) => n + s.events.filter((e) => e.target.kind === "cloudwatch").reduce((m, e) => m + e.types.length, 0), 0),
  };
}

/** S3: key `<keyPrefix><stack>.tfstate`. Local: `terraform.<stack>.tfstate`, as a path relative to the stack's directory. */
function stackBackend(stack: string, stackDir: string, options: SynthOptions): StackBackend {
  const backend = options.backend;
  if (backend && "s3" in backend) {
    const { keyPrefix = "", useLockfile, dynamodbTable, encrypt, ...s3 } = backend.s3;
    return {
      s3: {
        ...s3,
        key: `${keyPrefix}${stack}.tfstate`,
        ...(useLockfile !== undefined ? { useLockfile } : {}),
        ...(dynamodbTable !== undefined ? { dynamodbTable } : {}),
        ...(encrypt !== undefined ? { encrypt } : {}),
      },
    };
  }
  const dir = resolve(backend && "local" in backend ? backend.local.dir : (options.stateDir ?? process.cwd()));
  const path = [relative(stackDir, dir), `terraform.${stack}.tfstate`].filter((part) => part !== "").join("/");
  return { local: { path: path.split(sep).join("/") } };
}
