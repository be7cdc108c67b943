/** Runs the compiled app (dist/main.js) as users do: a child process, env, exit code, stderr. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..");
export const MAIN = resolve(ROOT, "dist", "main.js");

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runMain(env: NodeJS.ProcessEnv, cwd = ROOT): CliRun {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first (npm test does)`);
  const run = spawnSync(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
