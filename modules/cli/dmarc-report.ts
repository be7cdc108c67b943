/**
 * `ses-domains dmarc-report <file|dir|s3://bucket/prefix>...`: read DMARC aggregate reports safely,
 * summarise them per policy domain, and say whether it is safe to tighten the policy.
 * Exit 0 when every file was read, 1 when any could not be (each named on stderr), 2 on usage errors.
 */
import { Command, Option } from "commander";
import { loadConfig } from "../config/load";
import type { DomainSpec } from "../model/types";
import { DEFAULT_LIMITS } from "../reports/container";
import { formatMarkdown, formatTable } from "../reports/format";
import { localInputs, type Input } from "../reports/read";
import { dmarcReport } from "../reports/report";
import type { SesIdentity } from "../reports/summary";
import { DEFAULT_THRESHOLDS, type Thresholds } from "../reports/verdict";
import { addFormatOptions, EXIT, formatOf, intFlag, printConfigError, UsageError, type Io } from "./common";

interface DmarcReportFlags {
  config?: string;
  maxSize?: string;
  minPassRate?: string;
  minDays?: string;
  highVolume?: string;
  top?: string;
  endpoint?: string;
  concurrency?: string;
  format?: string;
  json?: boolean;
}

/** Above this many local files, a progress line is worth showing (on a terminal only). */
const PROGRESS_FROM_FILES = 200;

export function dmarcReportCommand(io: Io, done: (code: number) => void): Command {
  const command = new Command("dmarc-report")
    .description("read DMARC aggregate reports (.xml, .gz, .zip, mail; files, directories, s3://) and say when to tighten the policy")
    .argument("<inputs...>", "report files, directories (walked in name order), or s3://bucket/prefix")
    .addOption(new Option("--config <file>", "the config, to recognise its SES identities' DKIM selectors and MAIL FROM domains (optional)"))
    .option("--max-size <MB>", `most bytes read from one input, and decompressed out of it (default ${DEFAULT_LIMITS.maxBytes / 1024 / 1024})`)
    .option("--min-pass-rate <fraction>", `share of messages that must pass DMARC, 0–1 (default ${DEFAULT_THRESHOLDS.minPassRate})`)
    .option("--min-days <days>", `days the reports must span (default ${DEFAULT_THRESHOLDS.minDays})`)
    .option("--high-volume <fraction>", `a source with this share of messages or more must pass too, 0–1 (default ${DEFAULT_THRESHOLDS.highVolume})`)
    .option("--top <n>", "sources listed per domain in table and markdown output, 0 for all (default 10)")
    .option("--endpoint <url>", "S3-compatible endpoint for s3:// inputs (default: AWS_ENDPOINT_URL_S3, else AWS)")
    .option("--concurrency <n>", "inputs read at once (S3 objects in flight; default 4)");
  addFormatOptions(command, ["table", "markdown", "json"], "table");
  command.addHelpText("after", "\nExit codes: 0 every input read, 1 any input unreadable (one line each on stderr), 2 usage or config errors.");
  return command.action(async (paths: string[], flags: DmarcReportFlags) => {
    const format = formatOf(flags, command);
    const limits = { ...DEFAULT_LIMITS, maxBytes: intFlag("--max-size", flags.maxSize, DEFAULT_LIMITS.maxBytes / 1024 / 1024, 1, 1024, " MB") * 1024 * 1024 };
    const thresholds: Thresholds = {
      minPassRate: fractionFlag("--min-pass-rate", flags.minPassRate, DEFAULT_THRESHOLDS.minPassRate),
      minDays: intFlag("--min-days", flags.minDays, DEFAULT_THRESHOLDS.minDays, 0, 366, " days"),
      highVolume: fractionFlag("--high-volume", flags.highVolume, DEFAULT_THRESHOLDS.highVolume),
    };
    const top = intFlag("--top", flags.top, 10, 0, 100000);
    const concurrency = intFlag("--concurrency", flags.concurrency, 4, 1, 32);
    if (flags.endpoint !== undefined && !/^https?:\/\/[^\s/]+/i.test(flags.endpoint)) {
      throw new UsageError(`--endpoint must be an http:// or https:// URL, such as http://127.0.0.1:4568, got "${flags.endpoint}"`);
    }
    let identities: SesIdentity[] | undefined;
    if (flags.config !== undefined) {
      try {
        identities = loadConfig(flags.config).domains.map(sesIdentity);
      } catch (e) {
        if (printConfigError(e, io)) return done(EXIT.usage);
        throw e;
      }
    }
    const s3Paths = paths.filter((p) => /^s3:\/\//i.test(p));
    const inputs = await allInputs(paths, flags.endpoint);
    const large = s3Paths.length > 0 || (inputs.count ?? 0) > PROGRESS_FROM_FILES;
    const progress = large ? progressLine(io, inputs.count) : undefined;
    const result = await dmarcReport(inputs.iterate(), { limits, thresholds, concurrency, identities, onProgress: progress?.update });
    progress?.clear();
    for (const f of result.files) if (!f.ok) io.err.write(`error: ${f.file}: ${f.error}\n`);
    io.out.write(
      format === "json" ? `${JSON.stringify(result, null, 2)}\n` : format === "markdown" ? formatMarkdown(result, { top }) : formatTable(result, { top }),
    );
    done(result.files.some((f) => !f.ok) ? EXIT.problems : EXIT.ok);
  });
}

/** A fraction 0–1 such as 0.98, or a UsageError naming the flag and the value. */
function fractionFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${name} must be a fraction 0–1, such as 0.98, got "${value}"`);
  return n;
}

export function sesIdentity(spec: DomainSpec): SesIdentity {
  const byo = spec.dkim.type === "byo" ? spec.dkim : undefined;
  return {
    domain: spec.domain,
    easyDkim: spec.dkim.type === "easy",
    selectors: byo ? [byo.selector, byo.next?.selector, byo.previous?.selector].filter((s): s is string => !!s) : [],
    ...(spec.mailFrom ? { mailFromDomain: `${spec.mailFrom.subdomain}.${spec.domain}` } : {}),
  };
}

/**
 * Local paths are listed up front (their count drives the progress line); S3 prefixes are listed page
 * by page as they are read. A prefix that cannot be listed becomes one unreadable input named by its URL.
 */
async function allInputs(paths: readonly string[], endpoint: string | undefined): Promise<{ count: number | undefined; iterate: () => AsyncGenerator<Input> }> {
  const groups: ({ local: Input[] } | { s3: string })[] = [];
  for (const path of paths) {
    if (/^s3:\/\//i.test(path)) groups.push({ s3: path });
    else groups.push({ local: localInputs([path]) });
  }
  const hasS3 = groups.some((g) => "s3" in g);
  const s3 = hasS3 ? await import("../reports/s3") : undefined;
  for (const g of groups) if ("s3" in g && !s3!.parseS3Url(g.s3)) throw new UsageError(`an S3 input must be s3://bucket or s3://bucket/prefix, got "${g.s3}"`);
  const client = s3?.s3Client({ endpoint });
  return {
    count: hasS3 ? undefined : groups.reduce((n, g) => n + ("local" in g ? g.local.length : 0), 0),
    async *iterate() {
      for (const g of groups) {
        if ("local" in g) {
          yield* g.local;
          continue;
        }
        try {
          yield* s3!.s3Inputs(client!, s3!.parseS3Url(g.s3)!);
        } catch (e) {
          yield { name: g.s3, listed: false, read: () => Promise.reject(e) };
        }
      }
    },
  };
}

/** `reading 120 of 1,000 inputs` on stderr, rewritten in place: only on a terminal, so logs and pipes stay clean. */
function progressLine(io: Io, total: number | undefined): { update: (done: number) => void; clear: () => void } | undefined {
  const tty = (io.err as NodeJS.WriteStream).isTTY === true;
  if (!tty) return undefined;
  let last = 0;
  return {
    update: (done) => {
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      io.err.write(`\rreading ${total === undefined ? `${done} inputs` : `${done} of ${total} inputs`}`);
    },
    clear: () => io.err.write("\r\x1b[K"),
  };
}
