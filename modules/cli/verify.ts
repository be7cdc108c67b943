/**
 * `ses-domains verify`: check live DNS against the records the config needs, before sending.
 * Exit 0 when all is well, 1 when anything is missing, different or unanswered, 2 on usage or config errors.
 */
import { Resolver } from "node:dns/promises";
import { Command } from "commander";
import { DEFAULT_CONCURRENCY, verifyDomains, type VerifyReport } from "../verify/verify";
import { addFormatOptions, configOption, EXIT, formatOf, intFlag, loadPlansOrReport, UsageError, type Io } from "./common";
import { progressLine } from "./progress";
import { addTokenOptions, tokensOf, type TokenFlags } from "./tokens";

interface VerifyFlags extends TokenFlags {
  config?: string;
  resolver?: string;
  timeout?: string;
  concurrency?: string;
  format?: string;
  json?: boolean;
}

/** Upper bound of --concurrency: past a few hundred, a resolver (or its rate limit) is the bottleneck. */
const MAX_CONCURRENCY = 1024;

export function verifyCommand(io: Io, done: (code: number) => void): Command {
  const command = new Command("verify")
    .description("check live DNS against the records the config needs")
    .addOption(configOption())
    .option("--resolver <host[:port]>", "DNS server to ask (default: the system resolver)");
  addTokenOptions(command)
    .option("--timeout <ms>", "per query, in milliseconds (default 3000)")
    .option(
      "--concurrency <n>",
      `most DNS queries in flight at once, 1–${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY}); output order does not depend on it`,
    );
  addFormatOptions(command, ["text", "json"], "text");
  command.addHelpText("after", "\nExit codes: 0 all records as expected, 1 anything missing, different or unanswered, 2 usage or config errors.");
  return command.action(async (flags: VerifyFlags) => {
    const format = formatOf(flags, command);
    const timeoutMs = intFlag("--timeout", flags.timeout, 3000, 1, 60000, " ms");
    const concurrency = intFlag("--concurrency", flags.concurrency, DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
    const resolver = flags.resolver === undefined ? undefined : resolverAddress(flags.resolver);
    const loaded = loadPlansOrReport(flags.config, io);
    if (!loaded) return done(EXIT.usage);
    const { plans } = loaded;
    const tokens = tokensOf(
      flags,
      plans.map((p) => p.domain),
    );
    const dns = new Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / 2)), tries: 1 });
    if (resolver) dns.setServers([resolver]);
    const progress = progressLine(io.err, "verify: checked");
    let report: VerifyReport;
    try {
      report = await verifyDomains(plans, { dns, tokens, timeoutMs, concurrency, onProgress: progress.update });
    } finally {
      progress.end();
    }
    io.out.write(format === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    done(report.ok ? EXIT.ok : EXIT.problems);
  });
}

/** `host` or `host:port`, IPv6 as `[addr]:port`. */
export function resolverAddress(value: string): string {
  if (!/^(\[[0-9a-f:.]+\]|[0-9.]+|[0-9a-f:]+)(:\d{1,5})?$/i.test(value)) {
    throw new UsageError(`--resolver must be an IP address with an optional port, such as 127.0.0.1:5353, got "${value}"`);
  }
  return value;
}

const LABEL: Record<string, string> = {
  ok: "ok",
  missing: "missing",
  different: "different",
  "not-checked": "not checked",
  timeout: "timeout",
  error: "error",
};

export function formatReport(report: VerifyReport): string {
  const lines: string[] = [];
  for (const r of report.records) {
    let line = `${LABEL[r.status].padEnd(11)} ${r.type.padEnd(5)} ${r.name}`;
    if (r.status === "missing" || r.status === "different") line += `  expected ${r.expected.map((v) => JSON.stringify(v)).join(", ")}`;
    if (r.status === "different") line += `  found ${r.found.map((v) => JSON.stringify(v)).join(", ") || "nothing"}`;
    if (r.note) line += `  (${r.note})`;
    lines.push(line);
  }
  for (const s of report.spf) {
    const label = s.status === "ok" ? "ok" : s.status === "problem" ? "spf problem" : s.status;
    lines.push(
      `${label.padEnd(11)} SPF   ${s.domain}  ${s.lookups} of 10 DNS lookups, ${s.voidLookups} void${s.problems.length ? `: ${s.problems.join("; ")}` : ""}`,
    );
  }
  const bad = report.records.filter((r) => !["ok", "not-checked"].includes(r.status)).length + report.spf.filter((s) => s.status !== "ok").length;
  lines.push(
    report.ok ? `all ${report.records.filter((r) => r.status === "ok").length} checked records are as expected` : `${bad} problem${bad === 1 ? "" : "s"}`,
  );
  return `${lines.join("\n")}\n`;
}
