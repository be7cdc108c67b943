#!/usr/bin/env node
/**
 * `ses-domains verify`: check live DNS against the records the config needs, before sending.
 * Exit 0 when all is well, 1 when anything is missing, different or unanswered, 2 on usage or config errors.
 */
import { readFileSync } from "node:fs";
import { Resolver } from "node:dns/promises";
import { parseArgs } from "node:util";
import { configPath, loadConfig } from "../config/load";
import { ConfigError } from "../errors";
import { domainSlug, planDomains } from "../model/records";
import { isSesRegion } from "../model/regions";
import { verifyDomains, type DkimTokens, type VerifyReport } from "../verify/verify";

const USAGE = `usage: ses-domains verify [--config <file>] [--resolver host[:port]] [--tokens <file> | --tf-outputs <file>] [--timeout <ms>] [--json]

  --config      the config file (default: SES_CONFIG, else ./ses.config.yaml|.yml|.json, else the example)
  --resolver    DNS server to ask (default: the system resolver)
  --tokens      Easy DKIM tokens as JSON: { "<domain>": { "<region>": ["t1", "t2", "t3"] } }
  --tf-outputs  terraform output -json of the stacks (their <domain>_dkim_tokens outputs)
  --timeout     per query, in milliseconds (default 3000)
  --json        print the report as JSON`;

class UsageError extends Error {}

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command !== "verify") throw new UsageError(command ? `unknown command "${command}"` : "missing command");
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        config: { type: "string" },
        resolver: { type: "string" },
        tokens: { type: "string" },
        "tf-outputs": { type: "string" },
        timeout: { type: "string" },
        json: { type: "boolean" },
      },
    });
    if (values.tokens && values["tf-outputs"]) throw new UsageError("give --tokens or --tf-outputs, not both");
    const timeoutMs = values.timeout === undefined ? 3000 : Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60000) throw new UsageError(`--timeout must be 1–60000 ms, got ${values.timeout}`);

    const { domains } = loadConfig(values.config ?? configPath());
    const plans = planDomains(domains);
    const tokens = values.tokens ? readTokens(values.tokens) : values["tf-outputs"] ? tokensFromOutputs(values["tf-outputs"], plans.map((p) => p.domain)) : undefined;
    const dns = new Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / 2)), tries: 1 });
    if (values.resolver) dns.setServers([resolverAddress(values.resolver)]);

    const report = await verifyDomains(plans, { dns, tokens, timeoutMs });
    out.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      err.write(`error: ${(e as Error).message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      for (const line of e.lines()) err.write(`error: ${line}\n`);
      return 2;
    }
    throw e;
  }
}

/** `host` or `host:port`, IPv6 as `[addr]:port`. */
function resolverAddress(value: string): string {
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

function readTokens(file: string): DkimTokens {
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
function tokensFromOutputs(file: string, domains: readonly string[]): DkimTokens {
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

if (require.main === module) {
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
