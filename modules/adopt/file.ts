/**
 * The adoption file (`ses-adopt.json`): where it is, how it is read (a file from the repository, so
 * checked within limits and field by field), and how it is written (stable JSON: sorted domains,
 * resources in plan order, no timestamps, so a re-run that finds the same things changes nothing).
 * No AWS SDK here: synth reads the file without loading it.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { z } from "zod";
import { ConfigError, formatPath } from "../errors";
import { ADOPTION_FILE, ADOPTION_VERSION, type AdoptionFile, type AdoptionSource } from "../model/adoption";
import { isSesRegion } from "../model/regions";

/** Names the adoption file for synth and adopt when no flag does. */
export const ADOPTION_ENV = "SES_ADOPTION";
/** Far above any real file (a resource is ~200 bytes): a bigger one is not ours. */
export const ADOPTION_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** Where the adoption file is: the flag, else SES_ADOPTION, else ses-adopt.json beside the config. */
export function adoptionPath(configFile: string, flag?: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): { path: string; named: boolean } {
  if (flag !== undefined) return { path: resolve(cwd, flag), named: true };
  const fromEnv = env[ADOPTION_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return { path: resolve(cwd, fromEnv), named: true };
  return { path: join(dirname(configFile), ADOPTION_FILE), named: false };
}

/** A path as messages show it: relative to the working directory when under it. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") ? rel : path;
}

const TOKEN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const ResourceSchema = z.strictObject({
  address: z
    .string()
    .regex(/^aws_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*$/, { error: () => "must be a Terraform address such as aws_route53_record.example_com_dmarc" }),
  id: z
    .string()
    .min(1, { error: () => "must be a Terraform import id" })
    .max(1024, { error: () => "must be at most 1024 characters" }),
  what: z.string().max(1024),
  seenIn: z.enum(["ses", "dns", "tokens"], { error: () => 'must be "ses", "dns" or "tokens"' }),
});

const DomainSchema = z.strictObject({
  zoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,32}$/, { error: () => "must be a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ" })
    .optional(),
  dkimTokens: z
    .record(
      z.string().refine(isSesRegion, { error: () => "must be an SES region" }),
      z
        .array(z.string().regex(TOKEN, { error: () => "must be an Easy DKIM token: one DNS label" }))
        .length(3, { error: () => "must list the 3 Easy DKIM tokens" }),
    )
    .optional(),
  resources: z.array(ResourceSchema).max(10000),
});

const FileSchema = z.strictObject({
  $comment: z.string().optional(),
  version: z.literal(ADOPTION_VERSION, { error: () => `must be ${ADOPTION_VERSION} (this ses-domains reads adoption files of version ${ADOPTION_VERSION})` }),
  domains: z.record(z.string(), DomainSchema),
});

/** Parse the text of an adoption file; throws ConfigError naming the file and each bad field. */
export function parseAdoption(text: string, name: string): AdoptionFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([{ path: [], message: `is not valid JSON: ${(e as Error).message}` }], name);
  }
  const result = FileSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ path: [], message: `${issue.path.length > 0 ? `${formatPath(issue.path)}: ` : ""}${issue.message}` })),
      name,
    );
  }
  return result.data as AdoptionFile;
}

/**
 * The adoption file synth uses: undefined when the default place has none (a domain with adopt: true
 * then fails naming the command to run); a file named by a flag or SES_ADOPTION must exist.
 */
export function readAdoption(location: { path: string; named: boolean }): AdoptionSource | undefined {
  const name = displayPath(location.path);
  if (!existsSync(location.path)) {
    if (!location.named) return undefined;
    throw new ConfigError([{ path: [], message: "cannot read the adoption file: no such file" }], name);
  }
  const size = statSync(location.path).size;
  if (size > ADOPTION_FILE_MAX_BYTES) {
    throw new ConfigError([{ path: [], message: `is ${size} bytes; an adoption file is at most ${ADOPTION_FILE_MAX_BYTES}` }], name);
  }
  return { file: parseAdoption(readFileSync(location.path, "utf8"), name), name };
}

/** The file's text: domains sorted, two-space JSON, a closing newline; byte-identical for the same findings. */
export function adoptionFileText(file: AdoptionFile): string {
  const domains = Object.fromEntries(
    Object.keys(file.domains)
      .sort()
      .map((d) => [d, file.domains[d]]),
  );
  const out = {
    $comment:
      "Written by ses-domains adopt: what already exists, imported by synth for domains with adopt: true. Review and commit; re-run adopt when the config or the live setup changes.",
    version: file.version,
    domains,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
