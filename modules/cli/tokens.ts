/**
 * Easy DKIM tokens from the command line, as verify and records take them: `--tokens <file>` or
 * `--tf-outputs <file>` (one of the two). Tokens exist only after apply; without them, commands say so.
 */
import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { domainSlug } from "../model/records";
import { isSesRegion } from "../model/regions";
import type { DkimTokens } from "../verify/verify";
import { UsageError } from "./common";

export interface TokenFlags {
  tokens?: string;
  tfOutputs?: string;
}

export function addTokenOptions(command: Command): Command {
  return command
    .addOption(new Option("--tokens <file>", 'Easy DKIM tokens as JSON: { "<domain>": { "<region>": ["t1", "t2", "t3"] } }').conflicts("tfOutputs"))
    .option("--tf-outputs <file>", "terraform output -json of the stacks (their <domain>_dkim_tokens outputs)");
}

/** The tokens the flags name, or undefined when neither flag is given. */
export function tokensOf(flags: TokenFlags, domains: readonly string[]): DkimTokens | undefined {
  if (flags.tokens) return readTokens(flags.tokens);
  if (flags.tfOutputs) return tokensFromOutputs(flags.tfOutputs, domains);
  return undefined;
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
        Object.entries(byRegion).every(
          ([region, list]) => isSesRegion(region) && Array.isArray(list) && list.length === 3 && list.every((t) => typeof t === "string"),
        ),
    );
  if (!valid) throw new UsageError(`--tokens ${file}: must be { "<domain>": { "<region>": ["t1", "t2", "t3"] } }`);
  return checkedTokens(raw as DkimTokens, `--tokens ${file}`);
}

/** `terraform output -json`: `{ "<slug>_dkim_tokens": { "value": { "<region>": [...] } } }`, one file or several merged. */
export function tokensFromOutputs(file: string, domains: readonly string[]): DkimTokens {
  const raw = readJson(file, "--tf-outputs") as Record<string, { value?: unknown }>;
  const tokens: Record<string, Record<string, string[]>> = {};
  for (const domain of domains) {
    const value = raw?.[`${domainSlug(domain)}_dkim_tokens`]?.value;
    if (value && typeof value === "object") tokens[domain] = value as Record<string, string[]>;
  }
  return checkedTokens(tokens, `--tf-outputs ${file}`);
}

/** SES tokens are DNS labels; anything else would be written into record names (and zone files) as is. */
const TOKEN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function checkedTokens(tokens: DkimTokens, source: string): DkimTokens {
  for (const [domain, byRegion] of Object.entries(tokens)) {
    for (const [region, list] of Object.entries(byRegion ?? {})) {
      if (!Array.isArray(list)) throw new UsageError(`${source}: ${domain} ${region}: expected a list of 3 tokens, got ${JSON.stringify(list)}`);
      list.forEach((token: unknown, i) => {
        if (typeof token !== "string" || !TOKEN.test(token)) {
          throw new UsageError(`${source}: ${domain} ${region} token ${i + 1}: must be one DNS label (letters, digits, hyphens), got ${JSON.stringify(token)}`);
        }
      });
    }
  }
  return tokens;
}
