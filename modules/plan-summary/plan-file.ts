/**
 * A plan from `terraform show -json plan.bin`, read as hostile input: a size cap before parsing, the
 * format version checked (1.x only: a major bump is incompatible by Terraform's own rule), and the
 * shape of every field the summary reads checked before anything trusts it. Everything else is ignored,
 * as Terraform's docs ask of minor versions.
 */

/** Largest plan file read: a 1000-domain plan is a few tens of MB. */
export const MAX_PLAN_BYTES = 256 * 1024 * 1024;
/** More resource changes than any state this project writes would hold. */
export const MAX_RESOURCE_CHANGES = 200_000;

/** One bad plan file: printed as one line naming the file. */
export class PlanFileError extends Error {
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`);
  }
}

import { SEVERITIES, type SummaryChange } from "./types";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The fields of `resource_changes[]` the summary reads (jsonplan.ResourceChange). */
export interface ResourceChange {
  readonly address: string;
  readonly previousAddress?: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly deposed?: string;
  readonly actions: readonly string[];
  readonly before: Json;
  readonly after: Json;
  readonly afterUnknown: Json;
  readonly beforeSensitive: Json;
  readonly afterSensitive: Json;
  readonly replacePaths?: readonly (readonly (string | number)[])[];
}

/** `output_changes[name]`: same change representation, no address. */
export interface OutputChange {
  readonly name: string;
  readonly actions: readonly string[];
  readonly before: Json;
  readonly after: Json;
  readonly afterUnknown: Json;
  readonly beforeSensitive: Json;
  readonly afterSensitive: Json;
}

export interface PlanDocument {
  /** The file as the user named it (`-` for stdin). */
  readonly source: string;
  readonly formatVersion: string;
  readonly resourceChanges: readonly ResourceChange[];
  readonly outputChanges: readonly OutputChange[];
}

/**
 * `plan-summary --format json` of another run (per-stack summaries made where the plans are, merged
 * into one comment elsewhere): plan files hold sensitive values in clear, summaries never do.
 */
export interface SummaryDocument {
  readonly source: string;
  readonly changes: readonly SummaryChange[];
}

/** A plan, or a summary made from one; throws PlanFileError with one line saying what is wrong. */
export function parseInput(source: string, bytes: Buffer | string): PlanDocument | SummaryDocument {
  const raw = parseJson(source, bytes);
  if (!("format_version" in raw) && "counts" in raw && "changes" in raw) return summaryDocument(source, raw);
  return planDocument(source, raw);
}

/** Parse and check one plan; throws PlanFileError with one line saying what is wrong. */
export function parsePlan(source: string, bytes: Buffer | string): PlanDocument {
  return planDocument(source, parseJson(source, bytes));
}

function parseJson(source: string, bytes: Buffer | string): Record<string, unknown> {
  const size = typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.length;
  if (size > MAX_PLAN_BYTES) throw new PlanFileError(source, `is ${mb(size)}; plans over ${mb(MAX_PLAN_BYTES)} are refused`);
  if (size === 0) throw new PlanFileError(source, "is empty; expected the output of terraform show -json plan.bin");
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === "string" ? bytes : bytes.toString("utf8"));
  } catch (e) {
    throw new PlanFileError(source, `is not JSON (${(e as Error).message.split("\n")[0]}); expected the output of terraform show -json plan.bin`);
  }
  if (!isObject(raw)) throw new PlanFileError(source, "is not a JSON object; expected the output of terraform show -json plan.bin");
  return raw;
}

function planDocument(source: string, raw: Record<string, unknown>): PlanDocument {
  const version = raw.format_version;
  if (typeof version !== "string") throw new PlanFileError(source, "has no format_version; expected the output of terraform show -json plan.bin");
  if (!/^1\.\d+$/.test(version)) {
    throw new PlanFileError(source, `has format_version ${JSON.stringify(version)}; only 1.x is supported (Terraform 1.1 and later write 1.x)`);
  }
  if (!("planned_values" in raw) && !("resource_changes" in raw)) {
    throw new PlanFileError(source, "is not a plan (no planned_values or resource_changes): run terraform show -json on the plan file, not on the state");
  }
  const changes = raw.resource_changes ?? [];
  if (!Array.isArray(changes)) throw new PlanFileError(source, "resource_changes is not a list");
  if (changes.length > MAX_RESOURCE_CHANGES) {
    throw new PlanFileError(source, `has ${changes.length} resource changes; more than ${MAX_RESOURCE_CHANGES} are refused`);
  }
  const resourceChanges = changes.map((c, i) => resourceChange(source, c, i));
  const outputs = raw.output_changes ?? {};
  if (!isObject(outputs)) throw new PlanFileError(source, "output_changes is not an object");
  const outputChanges = Object.entries(outputs).map(([name, c]) => outputChange(source, name, c));
  return { source, formatVersion: version, resourceChanges, outputChanges };
}

function summaryDocument(source: string, raw: Record<string, unknown>): SummaryDocument {
  const changes = raw.changes;
  if (!Array.isArray(changes)) throw new PlanFileError(source, "changes is not a list (a plan-summary --format json file)");
  if (changes.length > MAX_RESOURCE_CHANGES) throw new PlanFileError(source, `has ${changes.length} changes; more than ${MAX_RESOURCE_CHANGES} are refused`);
  return {
    source,
    changes: changes.map((c, i): SummaryChange => {
      const ok =
        isObject(c) &&
        typeof c.address === "string" &&
        (c.domain === null || typeof c.domain === "string") &&
        Array.isArray(c.actions) &&
        c.actions.every((a) => typeof a === "string") &&
        (SEVERITIES as readonly unknown[]).includes(c.severity) &&
        Array.isArray(c.reasons) &&
        c.reasons.every((r) => typeof r === "string");
      if (!ok)
        throw new PlanFileError(
          source,
          `changes[${i}] must be { address, domain, actions, severity: breaks | weakens | routine, reasons } as plan-summary --format json writes it`,
        );
      const change = c as unknown as SummaryChange;
      return { address: change.address, domain: change.domain, actions: change.actions, severity: change.severity, reasons: change.reasons, source };
    }),
  };
}

function resourceChange(source: string, raw: unknown, i: number): ResourceChange {
  const where = `resource_changes[${i}]`;
  if (!isObject(raw)) throw new PlanFileError(source, `${where} is not an object`);
  for (const key of ["address", "type", "name"] as const) {
    if (typeof raw[key] !== "string") throw new PlanFileError(source, `${where}.${key} is not a string`);
  }
  const change = raw.change;
  if (!isObject(change)) throw new PlanFileError(source, `${where} (${String(raw.address)}) has no change object`);
  const actions = actionsOf(source, `${where}.change.actions`, change.actions);
  const replacePaths = change.replace_paths;
  return {
    address: raw.address as string,
    previousAddress: typeof raw.previous_address === "string" ? raw.previous_address : undefined,
    mode: typeof raw.mode === "string" ? raw.mode : "managed",
    type: raw.type as string,
    name: raw.name as string,
    deposed: typeof raw.deposed === "string" ? raw.deposed : undefined,
    actions,
    before: (change.before ?? null) as Json,
    after: (change.after ?? null) as Json,
    afterUnknown: (change.after_unknown ?? null) as Json,
    beforeSensitive: (change.before_sensitive ?? null) as Json,
    afterSensitive: (change.after_sensitive ?? null) as Json,
    replacePaths: Array.isArray(replacePaths)
      ? replacePaths.filter((p): p is (string | number)[] => Array.isArray(p) && p.every((s) => typeof s === "string" || typeof s === "number"))
      : undefined,
  };
}

function outputChange(source: string, name: string, raw: unknown): OutputChange {
  if (!isObject(raw)) throw new PlanFileError(source, `output_changes.${name} is not an object`);
  return {
    name,
    actions: actionsOf(source, `output_changes.${name}.actions`, raw.actions),
    before: (raw.before ?? null) as Json,
    after: (raw.after ?? null) as Json,
    afterUnknown: (raw.after_unknown ?? null) as Json,
    beforeSensitive: (raw.before_sensitive ?? null) as Json,
    afterSensitive: (raw.after_sensitive ?? null) as Json,
  };
}

/** Actions are kept as written: a later 1.x may add one (1.7 added forget), and the summary names what it does not know. */
function actionsOf(source: string, where: string, raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 4 || !raw.every((a) => typeof a === "string" && /^[a-z-]{1,32}$/.test(a))) {
    throw new PlanFileError(source, `${where} must be a list of actions such as ["update"] or ["delete", "create"]; got ${JSON.stringify(raw)?.slice(0, 80)}`);
  }
  return raw as string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MB`;
}
