/**
 * `ses-domains adopt`: for the domains with adopt: true, find what already exists (live DNS; SES and
 * Route 53 with --from-aws), say what the first apply will change, and write the adoption file synth
 * turns into import blocks. Nothing is written when a live value would be lost (unless
 * --accept-changes), a record is in conflict, or DNS or AWS did not answer.
 */
import { writeFileSync } from "node:fs";
import { Resolver } from "node:dns/promises";
import { Command, Option } from "commander";
import { adoptionFileText, adoptionPath, displayPath } from "../adopt/file";
import { AwsError } from "../adopt/live";
import { formatJson, formatText } from "../adopt/format";
import type { AdoptReport } from "../adopt/report";
import { configPath, loadConfig } from "../config/load";
import { normalizeDomain } from "../model/domain-name";
import { planDomains } from "../model/records";
import { DEFAULT_CONCURRENCY } from "../verify/verify";
import { addFormatOptions, CliError, configOption, EXIT, formatOf, intFlag, orReportConfig, UsageError, type Io } from "./common";
import { progressLine } from "./progress";
import { addTokenOptions, tokensOf, type TokenFlags } from "./tokens";
import { resolverAddress } from "./verify";

interface AdoptFlags extends TokenFlags {
  config?: string;
  resolver?: string;
  timeout?: string;
  concurrency?: string;
  fromAws?: boolean;
  endpoint?: string;
  zoneId?: string[];
  out?: string;
  acceptChanges?: boolean;
  format?: string;
  json?: boolean;
}

const MAX_CONCURRENCY = 1024;

const HELP = `
What is looked at: every record the config writes for the domains with adopt: true, in live DNS
(--resolver, as verify asks); with --from-aws also SES (GetEmailIdentity per identity and region,
GetConfigurationSet for the set the config names) and Route 53 (ListHostedZonesByName for zones given
by name), with the usual AWS credentials. Without --from-aws, Easy DKIM tokens come from --tokens or
--tf-outputs, and a zone given by name needs --zone-id.

The file lists only what exists, with its Terraform import id; synth writes an import block for each.
A live TXT value the config lacks (a google-site-verification token not in spf.extraTxt) would be
deleted by the first apply: adopt says so and writes nothing unless --accept-changes.

Exit codes: 0 file written, 1 a live value would be lost, a record is in conflict, or DNS or AWS
failed (nothing written), 2 usage or config errors.`;

export function adoptCommand(io: Io, done: (code: number) => void): Command {
  const command = new Command("adopt")
    .description("find what already exists for domains with adopt: true, show what the first apply changes, write the adoption file")
    .addOption(configOption())
    .option("--resolver <host[:port]>", "DNS server to ask (default: the system resolver)")
    .addOption(
      new Option("--from-aws", "also read SES and Route 53 with your AWS credentials (Easy DKIM tokens, MAIL FROM, configuration set, zone ids)").conflicts([
        "tokens",
        "tfOutputs",
      ]),
    )
    .option("--endpoint <url>", "one endpoint for SES and Route 53 with --from-aws (default: AWS_ENDPOINT_URL_SESV2 / AWS_ENDPOINT_URL_ROUTE_53, else AWS)")
    .option(
      "--zone-id <zone=id>",
      "hosted zone id of a zone the config names by zoneName (repeatable); with --from-aws, zones not given are looked up",
      (value: string, list: string[] | undefined) => [...(list ?? []), value],
    );
  addTokenOptions(command)
    .option("--out <file>", "where to write the adoption file (default: SES_ADOPTION, else ses-adopt.json beside the config)")
    .option("--accept-changes", "write the file even though the first apply deletes live TXT values the config lacks")
    .option("--timeout <ms>", "per DNS query, in milliseconds (default 3000)")
    .option("--concurrency <n>", `most DNS queries in flight at once, 1–${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})`);
  addFormatOptions(command, ["text", "json"], "text");
  command.addHelpText("after", HELP);
  return command.action(async (flags: AdoptFlags) => {
    const format = formatOf(flags, command);
    const timeoutMs = intFlag("--timeout", flags.timeout, 3000, 1, 60000, " ms");
    const concurrency = intFlag("--concurrency", flags.concurrency, DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
    const resolver = flags.resolver === undefined ? undefined : resolverAddress(flags.resolver);
    if (flags.endpoint !== undefined && !flags.fromAws) throw new UsageError("--endpoint is for --from-aws; add --from-aws or leave --endpoint out");
    if (flags.endpoint !== undefined && !/^https?:\/\/[^\s/]+/i.test(flags.endpoint)) {
      throw new UsageError(`--endpoint must be an http:// or https:// URL, such as http://127.0.0.1:4566, got "${flags.endpoint}"`);
    }
    const zoneIds = zoneIdFlags(flags.zoneId ?? []);
    const loaded = orReportConfig(io, () => loadConfig(flags.config ?? configPath()));
    if (!loaded) return done(EXIT.usage);
    const plans = orReportConfig(io, () => planDomains(loaded.domains));
    if (!plans) return done(EXIT.usage);
    const adopting = new Set(loaded.domains.filter((d) => d.adopt).map((d) => d.domain));
    if (adopting.size === 0) {
      throw new CliError(
        `nothing to adopt: no domain in ${displayPath(loaded.file)} sets adopt: true; set it on the domains to adopt (or in defaults)`,
        EXIT.usage,
      );
    }
    const tokens = tokensOf(flags, [...adopting]);
    const out = adoptionPath(loaded.file, flags.out).path;
    const dns = new Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / 2)), tries: 1 });
    if (resolver) dns.setServers([resolver]);
    const { adopt, AdoptUsageError } = await import("../adopt/adopt");
    const aws = flags.fromAws ? (await import("../adopt/aws")).awsClients({ endpoint: flags.endpoint }) : undefined;
    const progress = progressLine(io.err, "adopt: asked");
    let report: AdoptReport;
    try {
      report = await adopt({
        plans: plans.filter((p) => adopting.has(p.domain)),
        aws,
        tokens,
        zoneIds,
        dns,
        timeoutMs,
        concurrency,
        onProgress: progress.update,
        acceptChanges: flags.acceptChanges,
      });
    } catch (e) {
      if (e instanceof AdoptUsageError) throw new CliError(`${e.message.split("\n").join("\nerror: ")}\nerror: ${displayPath(out)} not written`, EXIT.usage);
      if (e instanceof AwsError) throw new CliError(`${e.message.split("\n").join("\nerror: ")}\nerror: ${displayPath(out)} not written`, EXIT.problems);
      throw e;
    } finally {
      progress.end();
    }
    const written = report.ok ? displayPath(out) : null;
    if (report.ok) writeFileSync(out, adoptionFileText(report.file));
    io.out.write(format === "json" ? formatJson(report, written) : formatText(report));
    if (report.ok) {
      if (format !== "json")
        io.out.write(
          `wrote ${written}: ${report.counts.imports} import${report.counts.imports === 1 ? "" : "s"} for ${report.domains.length} domain${report.domains.length === 1 ? "" : "s"}; review it, commit it, then synth\n`,
        );
      return done(EXIT.ok);
    }
    for (const line of failureLines(report)) io.err.write(`error: ${line}\n`);
    io.err.write(`error: ${displayPath(out)} not written\n`);
    done(EXIT.problems);
  });
}

/** `--zone-id example.com=Z123` (repeatable): zone name → id. */
export function zoneIdFlags(values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const value of values) {
    const m = /^([^=\s]+)=(?:\/hostedzone\/)?(Z[A-Z0-9]{1,32})$/.exec(value);
    if (!m) throw new UsageError(`--zone-id must be <zone name>=<hosted zone id>, such as example.com=Z0123456789ABCDEFGHIJ, got "${value}"`);
    out.set(normalizeDomain(m[1]), m[2]);
  }
  return out;
}

function failureLines(report: AdoptReport): string[] {
  const lines: string[] = [];
  for (const domain of report.domains) {
    if (!report.accepted) {
      for (const name of [...new Set(domain.lost.map((l) => l.name))]) {
        const values = domain.lost.filter((l) => l.name === name).map((l) => JSON.stringify(l.value));
        const fix =
          name === domain.domain
            ? `add ${values.length === 1 ? "it" : "them"} to spf.extraTxt`
            : "the config keeps no other values there: move them, or drop them knowingly";
        lines.push(
          `${domain.domain}: the first apply would delete ${values.length === 1 ? "a live TXT value" : `${values.length} live TXT values`} at ${name} that the config lacks (${values.join(", ")}); ${fix}, or run again with --accept-changes`,
        );
      }
    }
    for (const item of domain.items) {
      if (item.status === "conflict") lines.push(`${domain.domain}: ${item.note}`);
      if (item.status === "error")
        lines.push(`${domain.domain}: ${item.what}: DNS did not answer (${item.note}); run again, or point --resolver at a server that answers`);
    }
  }
  return lines;
}
