/**
 * Reading inputs (files, directories, S3 objects) into reports: each input on its own, so a file that
 * cannot be read is one line and the rest are still read. Results come back in input order whatever
 * order the reads finish in, so output is the same run to run.
 */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { Budget, sniff, unwrap, type MailParts, type ReadLimits } from "./container";
import { parseReport } from "./parse";
import { formatBytes, quoteSnippet, ReportError, Warnings } from "./problems";
import { Tally, type ReportDigest, type SourceClassifier } from "./summary";
import type { AggregateReport, ReportWarning } from "./types";

/** One thing to read: a file, or an S3 object. */
export interface Input {
  /** As the user will see it: the path as given (joined under a directory), or `s3://bucket/key`. */
  readonly name: string;
  /**
   * Found by walking a directory or listing a prefix rather than named: content that is no report
   * container (a README, `.DS_Store`) is skipped instead of failing.
   */
  readonly listed: boolean;
  /** Why it is skipped without reading (SES's setup notification object). */
  readonly skip?: string;
  /** The bytes, at most `maxBytes` of them (ReportError beyond). */
  read(maxBytes: number): Promise<Uint8Array>;
}

export type InputResult =
  | {
      readonly file: string;
      readonly ok: true;
      readonly warnings: ReportWarning[];
      /** Every report in the input; without records when they were counted into `digests` instead. */
      readonly reports: AggregateReport[];
      /** With a classifier: each report's counts by source, in the order of `reports`. */
      readonly digests?: ReportDigest[];
    }
  | { readonly file: string; readonly ok: false; readonly error: string; readonly warnings: ReportWarning[] }
  | { readonly file: string; readonly skipped: string };

const lazyMail: MailParts = async (mail) => (await import("./mail")).mailParts(mail);

export interface ReadOptions {
  /** The MIME parser (postal-mime, loaded when a mail turns up). */
  readonly mail?: MailParts;
  /** Count records into per-report digests as they are read, instead of keeping them. */
  readonly classifier?: SourceClassifier;
}

/** Read one input: every report inside it, or one line saying why not. */
export async function readInput(input: Input, limits: ReadLimits, options: ReadOptions = {}): Promise<InputResult> {
  const { mail = lazyMail, classifier } = options;
  if (input.skip) return { file: input.name, skipped: input.skip };
  const warnings = new Warnings();
  try {
    const bytes = await input.read(limits.maxBytes);
    if (input.listed && sniff(bytes) === "unknown") {
      return {
        file: input.name,
        skipped: `not a report (no XML, gzip, zip or mail; starts with ${quoteSnippet(Buffer.from(bytes.subarray(0, 40)).toString("latin1"), 16)})`,
      };
    }
    if (bytes.length === 0) throw new ReportError("the file is empty");
    const docs = await unwrap(bytes, new Budget(limits), warnings, mail);
    if (!classifier) {
      const reports = docs.map((doc) => parseReport(doc, warnings));
      return { file: input.name, ok: true, warnings: warnings.list(), reports };
    }
    const digests: ReportDigest[] = [];
    for (let i = 0; i < docs.length; i++) {
      const tally = new Tally();
      const report = parseReport(take(docs, i), warnings, (record, policyDomain) => tally.add(record, classifier.kind(record, policyDomain)));
      digests.push({ report, tally });
    }
    return { file: input.name, ok: true, warnings: warnings.list(), reports: digests.map((d) => d.report), digests };
  } catch (e) {
    return { file: input.name, ok: false, error: oneLine(e), warnings: warnings.list() };
  }
}

/** `list[i]`, leaving nothing behind: a 25 MB document is collectable as soon as it is decoded. */
function take(list: Uint8Array[], i: number): Uint8Array {
  const item = list[i];
  list[i] = EMPTY;
  return item;
}

const EMPTY = new Uint8Array(0);

/** An error as one line: ours as they are, system errors by their plain meaning, anything else by its message. */
export function oneLine(e: unknown): string {
  if (e instanceof ReportError) return e.message;
  const err = e as NodeJS.ErrnoException;
  const system: Record<string, string> = {
    ENOENT: "no such file or directory",
    EACCES: "permission denied",
    EISDIR: "is a directory",
    ELOOP: "too many symbolic links",
  };
  if (err?.code && system[err.code]) return system[err.code];
  const message = String(err?.message ?? e).split("\n")[0];
  return `cannot be read: ${message}`;
}

/**
 * Files named on the command line; directories are walked depth first in byte order of names, so the
 * order (and the output) is the same on every machine.
 */
export function localInputs(paths: readonly string[]): Input[] {
  const inputs: Input[] = [];
  const seenDirs = new Set<string>();
  const walk = (dir: string) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (seenDirs.has(real)) return; // a symlink loop
    seenDirs.add(real);
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDir = statSync(path).isDirectory();
        } catch {
          // a dangling link: reading it names the problem
        }
      }
      if (isDir) walk(path);
      else inputs.push(fileInput(path, true));
    }
  };
  for (const path of paths) {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      // missing: reading it says so
    }
    if (isDir) walk(path);
    else inputs.push(fileInput(path, false));
  }
  return inputs;
}

function fileInput(path: string, listed: boolean): Input {
  return {
    name: path,
    listed,
    async read(maxBytes) {
      const fd = openSync(path, "r");
      try {
        const size = fstatSync(fd).size;
        if (size > maxBytes) throw new ReportError(`the file is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit (--max-size)`);
        const bytes = readFileSync(fd);
        if (bytes.length > maxBytes) throw new ReportError(`the file is over the ${formatBytes(maxBytes)} limit (--max-size)`);
        return bytes;
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * Read `inputs` with at most `concurrency` reads in flight, handing each result to `onResult` in input
 * order. Memory stays bounded: at most `concurrency` inputs' bytes are held at once.
 */
export async function readAll(
  inputs: AsyncIterable<Input> | Iterable<Input>,
  limits: ReadLimits,
  concurrency: number,
  onResult: (result: InputResult) => void,
  options: ReadOptions = {},
): Promise<void> {
  const pending: Promise<InputResult>[] = [];
  for await (const input of inputs) {
    pending.push(readInput(input, limits, options));
    if (pending.length >= concurrency) onResult(await pending.shift()!);
  }
  while (pending.length > 0) onResult(await pending.shift()!);
}
