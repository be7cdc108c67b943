/**
 * Before/after values as the rules may read them: every leaf Terraform marks sensitive is replaced by
 * SENSITIVE before any rule sees it, so no rule can print one; every leaf known only after apply is
 * UNKNOWN. Route 53 TXT values are joined from their 255-character chunks before anything compares them.
 */
import type { Json } from "./plan-file";

export const SENSITIVE: unique symbol = Symbol("sensitive");
export const UNKNOWN: unique symbol = Symbol("known after apply");
export type Hidden = typeof SENSITIVE | typeof UNKNOWN;
export type Value = null | boolean | number | string | Hidden | readonly Value[] | { readonly [key: string]: Value };

/** Deeper than any provider schema nests: past this a value is treated as unreadable rather than walked. */
const MAX_DEPTH = 32;

/** `value` with sensitive leaves (from `sensitive`) and unknown leaves (from `unknown`) replaced. */
export function view(value: Json, sensitive: Json, unknown: Json = null, depth = 0): Value {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return UNKNOWN;
  if (depth > MAX_DEPTH) return SENSITIVE;
  if (Array.isArray(value) || Array.isArray(unknown)) {
    const values = Array.isArray(value) ? value : [];
    const unknowns = Array.isArray(unknown) ? unknown : [];
    const masks = Array.isArray(sensitive) ? sensitive : [];
    const length = Math.max(values.length, unknowns.length);
    const out: Value[] = [];
    for (let i = 0; i < length; i++) out.push(view(values[i] ?? null, masks[i] ?? null, unknowns[i] ?? null, depth + 1));
    return out;
  }
  if (isObject(value) || isObject(unknown)) {
    const values = isObject(value) ? value : {};
    const unknowns = isObject(unknown) ? unknown : {};
    const masks = isObject(sensitive) ? sensitive : {};
    const out: Record<string, Value> = {};
    for (const key of new Set([...Object.keys(values), ...Object.keys(unknowns)])) {
      out[key] = view(values[key] ?? null, masks[key] ?? null, unknowns[key] ?? null, depth + 1);
    }
    return out;
  }
  return value;
}

export function isHidden(value: unknown): value is Hidden {
  return value === SENSITIVE || value === UNKNOWN;
}

/** `value[key]` when `value` is an object; undefined otherwise. */
export function field(value: Value | undefined, key: string): Value | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, Value>)[key] : undefined;
}

/** The first block of a nested block list (`dkim_signing_attributes[0]`). */
export function firstBlock(value: Value | undefined, key: string): Value | undefined {
  const list = field(value, key);
  return Array.isArray(list) ? list[0] : undefined;
}

/** A string leaf, or the hidden marker, or undefined (absent, null, another type). */
export function stringAt(value: Value | undefined, key: string): string | Hidden | undefined {
  const leaf = field(value, key);
  return typeof leaf === "string" || isHidden(leaf) ? leaf : undefined;
}

/** A leaf as a reviewer reads it: hidden leaves by what they are, never their value. */
export function shown(value: string | number | Hidden | undefined | null): string {
  if (value === SENSITIVE) return "(sensitive)";
  if (value === UNKNOWN) return "(known after apply)";
  if (value === undefined || value === null) return "(none)";
  return String(value);
}

/** A record as the rules compare it: TXT chunks joined, names lowercase without the trailing dot. */
export interface RecordState {
  readonly name: string | Hidden;
  readonly type: string | Hidden;
  readonly ttl: number | Hidden | undefined;
  /** Each value as DNS serves it; hidden when any value is. */
  readonly values: readonly string[] | Hidden;
}

/** The record an aws_route53_record (or an external-DNS output entry) holds, from a view of it. */
export function recordState(value: Value | undefined, valuesKey = "records"): RecordState | undefined {
  if (value === undefined || value === null || isHidden(value)) return undefined;
  const name = stringAt(value, "name");
  const type = stringAt(value, "type");
  const ttl = field(value, "ttl");
  const raw = field(value, valuesKey);
  let values: readonly string[] | Hidden;
  if (isHidden(raw)) values = raw;
  else if (Array.isArray(raw)) {
    const hidden = raw.find(isHidden) as Hidden | undefined;
    values = hidden ?? raw.filter((v): v is string => typeof v === "string").map((v) => (type === "TXT" ? joinTxtChunks(v) : v));
  } else values = [];
  return {
    name: typeof name === "string" ? normalizeName(name) : (name ?? UNKNOWN),
    type: type ?? UNKNOWN,
    ttl: typeof ttl === "number" || isHidden(ttl) ? ttl : undefined,
    values,
  };
}

/** aws_route53_record writes a value over 255 characters as `first255""rest`: the `""` ends one string and starts the next. */
export function joinTxtChunks(value: string): string {
  return value.split('""').join("");
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** Shorten what a reviewer does not need in full (a 2048-bit key): the start is what identifies it. */
export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function isObject(value: unknown): value is Record<string, Json> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
