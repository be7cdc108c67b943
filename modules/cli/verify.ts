/**
 * `ses-domains verify`: check live DNS against the records the config needs, before sending.
 * Exit 0 when all is well, 1 when anything is missing, different or unanswered, 2 on usage or config errors.
 */
import { readFileSync } from "node:fs";
import { Resolver } from "node:dns/promises";
import { Command, Option } from "commander";
import { domainSlug } from "../model/records";
import { isSesRegion } from "../model/regions";
import { verifyDomains, type DkimTokens, type VerifyReport } from "../verify/verify";
import { addFormatOptions, configOption, EXIT, formatOf, intFlag, loadPlans, printConfigError, UsageError, type Io } from "./common";

interface VerifyFlags {
  config?: string;
  resolver?: string;
  tokens?: string;
  tfOutputs?: string;
  timeout?: string;
  format?: string;
  json?: boolean;
}

export function verifyCommand(io: Io, done: (code: number) => void): Command {
  const command = new Command("verify")
    .description("check live DNS against the records the config needs")
    .addOption(configOption())
    .option("--resolver <host[:port]>", "DNS server to ask (default: the system resolver)")
    .addOption(new Option("--tokens <file>", 'Easy DKIM tokens as JSON: { "<domain>": { "<region>": ["t1", "t2", "t3"] } }').conflicts("tfOutputs"))
    .option("--tf-outputs <file>", "terraform output -json of the stacks (their <domain>_dkim_tokens outputs)")
    .option("--timeout <ms>", "per query, in milliseconds (default 3000)");
  addFormatOptions(command, ["text", "json"], "text");
  command.addHelpText("after", "\nExit codes: 0 all records as expected, 1 anything missing, different or unanswered, 2 usage or config errors.");
  return command.action(async (flags: VerifyFlags) => {
    const format = formatOf(flags, command);
    const timeoutMs = intFlag("--timeout", flags.timeout, 3000, 1, 60000, " ms");
    const resolver = flags.resolver === undefined ? undefined : resolverAddress(flags.resolver);
    let loaded;
    try {
      loaded = loadPlans(flags.config);
    } catch (e) {
      if (printConfigError(e, io)) return done(EXIT.usage);
      throw e;
    }
    const { plans } = loaded;
    const tokens = flags.tokens ? readTokens(flags.tokens) : flags.tfOutputs ? tokensFromOutputs(flags.tfOutputs, plans.map((p) => p.domain)) : undefined;
    const dns = new Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / 2)), tries: 1 });
    if (resolver) dns.setServers([resolver]);
    const report = await verifyDomains(plans, { dns, tokens, timeoutMs });
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

function readJson(file: string, flag: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${flag} ${file}: ${(e as Error).message}`);
  }
}

/** `--tokens <file>`: `{ "<domain>": { "<region>": ["t1", "t2", "t3"] } }`. */
export function readTokens(file: string): DkimTokens {
  const raw = readJson(file, "--tokens");
  const valid =
    raw !== null &&
    typeof raw === "object" &&
    Object.values(raw as object).every(
      (byRegion) =>
        byRegion !== null &&
        typeof byRegion === "object" &&
        Object.entries(byRegion).every(([region, list]) => isSesRegion(region) && Array.isArray(list) && list.length === 3 && list.every((t) => typeof t === "string")),
    );
  if (!valid) throw new UsageError(`--tokens ${file}: must be { "<domain>": { "<region>": ["t1", "t2", "t3"] } }`);
  return raw as DkimTokens;
}

/** `terraform output -json`: `{ "<slug>_dkim_tokens": { "value": { "<region>": [...] } } }`, one file or several merged. */
export function tokensFromOutputs(file: string, domains: readonly string[]): DkimTokens {
  const raw = readJson(file, "--tf-outputs") as Record<string, { value?: unknown }>;
  const tokens: Record<string, Record<string, string[]>> = {};
  for (const domain of domains) {
    const value = raw?.[`${domainSlug(domain)}_dkim_tokens`]?.value;
    if (value && typeof value === "object") tokens[domain] = value as Record<string, string[]>;
  }
  return tokens;
}

const LABEL: Record<string, string> = { ok: "ok", missing: "missing", different: "different", "not-checked": "not checked", timeout: "timeout", error: "error" };

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
    lines.push(`${label.padEnd(11)} SPF   ${s.domain}  ${s.lookups} of 10 DNS lookups, ${s.voidLookups} void${s.problems.length ? `: ${s.problems.join("; ")}` : ""}`);
  }
  const bad = report.records.filter((r) => !["ok", "not-checked"].includes(r.status)).length + report.spf.filter((s) => s.status !== "ok").length;
  lines.push(report.ok ? `all ${report.records.filter((r) => r.status === "ok").length} checked records are as expected` : `${bad} problem${bad === 1 ? "" : "s"}`);
  return `${lines.join("\n")}\n`;
}
