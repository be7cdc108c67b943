/** Runs the built app as `npm run synth` does (the bundle, dist/ses-domains.cjs): env, exit code, stderr. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..");
export const MAIN = resolve(ROOT, "dist", "ses-domains.cjs");
/** tsc's output of main.ts, unbundled: what library users' own apps look like. */
export const MAIN_UNBUNDLED = resolve(ROOT, "dist", "main.js");

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runMain(env: NodeJS.ProcessEnv, cwd = ROOT, script = MAIN): CliRun {
  if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first (npm test does)`);
  const run = spawnSync(process.execPath, [script], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
