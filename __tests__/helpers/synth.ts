/** The one shared harness: synthesize a config, return the parsed cdk.tf.json and finders. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { resolveConfig, resolveProject } from "../../modules/config/resolve";
import { ConfigError } from "../../modules/errors";
import { planDomains } from "../../modules/model/records";
import type { SesDomainsConfig } from "../../modules/config/schema";
import { STACK_NAME, synthesize, type SynthResult } from "../../modules/app";

// biome-ignore lint/suspicious/noExplicitAny: parsed Terraform JSON, read by tests field by field
export type Json = Record<string, any>;

export interface Synthesized {
  readonly dir: string;
  readonly text: string;
  readonly json: Json;
  readonly result: SynthResult;
  /** All resources of one type, by name. */
  resources(type: string): Record<string, Json>;
  resource(type: string, name: string): Json;
  /** Every Terraform address (`aws_x.name`, `data.aws_y.name`), sorted. */
  addresses(): string[];
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = "ses-domains-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function synthConfig(config: SesDomainsConfig, outdir = join(tempDir(), "cdktf.out"), stack = STACK_NAME): Synthesized {
  const { domains, stacks, backend, account, alarmEmails } = resolveProject(config);
  const result = synthesize(domains, { outdir, stateDir: join(outdir, ".."), stacks, backend, account, alarmEmails });
  const dir = join(outdir, "stacks", stack);
  const text = readFileSync(join(dir, "cdk.tf.json"), "utf8");
  const json = JSON.parse(text) as Json;
  return {
    dir,
    text,
    json,
    result,
    resources: (type) => json.resource?.[type] ?? {},
    resource(type, name) {
      const found = json.resource?.[type]?.[name];
      if (!found) throw new Error(`no ${type}.${name}; have: ${this.addresses().join(", ")}`);
      return found;
    },
    addresses() {
      const out: string[] = [];
      for (const [type, byName] of Object.entries<Json>(json.resource ?? {})) {
        for (const name of Object.keys(byName)) out.push(`${type}.${name}`);
      }
      for (const [type, byName] of Object.entries<Json>(json.data ?? {})) {
        for (const name of Object.keys(byName)) out.push(`data.${type}.${name}`);
      }
      return out.sort();
    },
  };
}

/** The error lines a config produces through resolve and plan, or [] when it is accepted. */
export function configProblems(config: unknown): string[] {
  try {
    planDomains(resolveConfig(config));
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.lines();
    throw err;
  }
}

/** A one-domain config, with overrides merged into the domain. */
export function oneDomain(domain: Json = {}, defaults: Json = {}, name = "example.com"): SesDomainsConfig {
  return {
    defaults: { region: "us-east-1", ...defaults },
    domains: { [name]: { dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } }, ...domain } },
  } as SesDomainsConfig;
}
