/** Runs the built app as `npm run synth` does (the bundle, dist/ses-domains.cjs): env, exit code, stderr. */
import { spawnSync } from "node:child_process";
import { Writable } from "node:stream";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { run } from "../../modules/cli/ses-domains";

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

export interface InProcessRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** A stream that appends what is written to it; `isTTY` as a terminal would say. */
export function captureStream(append: (text: string) => void, isTTY = false): NodeJS.WritableStream {
  const stream = new Writable({
    write: (chunk, _encoding, done) => {
      append(String(chunk));
      done();
    },
  });
  return Object.assign(stream, isTTY ? { isTTY: true } : {});
}

/** `ses-domains <args>` in this process (the CLI's own run()), stdout and stderr captured; stderr a terminal when `tty`. */
export async function runInProcess(args: readonly string[], options: { tty?: boolean } = {}): Promise<InProcessRun> {
  let out = "";
  let err = "";
  const code = await run(
    args,
    captureStream((s) => {
      out += s;
    }),
    captureStream((s) => {
      err += s;
    }, options.tty),
  );
  return { code, out, err };
}
