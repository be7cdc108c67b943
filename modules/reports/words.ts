/** Numbers and policies as the summaries and verdicts say them: the same on every machine (no locale). */
import type { PolicyPublished } from "./types";

/** 12345 → "12,345". */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A span in days with one decimal: `7.0`, `16,718.0`. */
export function days(n: number): string {
  const [whole, tenth] = n.toFixed(1).split(".");
  return `${groupDigits(Number(whole))}.${tenth}`;
}

/** `1 message`, `12,345 messages`. */
export function count(n: number, noun: string): string {
  return `${groupDigits(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/** A 0–1 share as `97.9 %`, rounded down so that 99.96 % never shows as 100.0 %. */
export function percent(x: number): string {
  return `${(Math.floor(x * 1000 + 1e-9) / 10).toFixed(1)} %`;
}

/** `p=quarantine pct=25`, `p=reject t=y`: the policy as the reports published it. */
export function describePolicy(policy: PolicyPublished): string {
  const parts = [`p=${policy.p ?? "none"}`];
  if (policy.pct !== undefined && policy.pct !== 100) parts.push(`pct=${policy.pct}`);
  if (policy.testing === "y") parts.push("t=y");
  return parts.join(" ");
}
