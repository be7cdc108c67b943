/**
 * Is it safe to tighten the DMARC policy, and what is the next step? Google's rollout: read a week of
 * daily reports at `p=none`, move to enforcement once every legitimate source passes aligned SPF or
 * DKIM, then raise the share gradually, quarantine before reject (support.google.com/a/answer/10032473).
 * RFC 9989 makes `pct` historic; `t=y` (receivers apply the next-softer policy) is its ramp.
 */
import type { DomainSummary } from "./summary";
import type { Policy, PolicyPublished } from "./types";
import { count, days, describePolicy, percent } from "./words";

export interface Thresholds {
  /** Share of messages that must pass DMARC (aligned SPF or DKIM), 0–1. */
  readonly minPassRate: number;
  /** Days the reports must span. */
  readonly minDays: number;
  /** A source with at least this share of the messages (0–1) is high-volume and must pass too. */
  readonly highVolume: number;
}

/** Sources for each default are in the README ("DMARC reports"). */
export const DEFAULT_THRESHOLDS: Thresholds = { minPassRate: 0.98, minDays: 7, highVolume: 0.01 };

export interface Verdict {
  readonly ready: boolean;
  /** The policy now, from the latest report: `p=none`, `p=quarantine pct=25`, `p=reject t=y`. */
  readonly current: string;
  /** The policy the next step leads to; null at full `p=reject`. */
  readonly target: Policy | null;
  /** One line for people: `ready for quarantine`, `not yet ready for quarantine`. */
  readonly label: string;
  /** The config change to make when ready (`dmarc: { p: quarantine, pct: 25 }`); null when not ready. */
  readonly next: string | null;
  /** The same step under RFC 9989, with `t: y` instead of `pct`; null when there is none. */
  readonly alternative: string | null;
  /** Each check, measured against its threshold, in plain words. */
  readonly reasons: string[];
}

type Summary = Omit<DomainSummary, "verdict">;

const threshold = (x: number) => `${Number((x * 100).toFixed(2))} %`;

export function judge(d: Summary, t: Thresholds): Verdict {
  const step = nextStep(d.policy);
  const failing: string[] = [];
  const passing: string[] = [];
  if (d.messages === 0) failing.push("the reports count no messages");
  const span = `${days(d.days)} days of reports (${d.period.begin.slice(0, 10)} to ${d.period.end.slice(0, 10)})`;
  (d.days >= t.minDays ? passing : failing).push(`${span}, ${d.days >= t.minDays ? "at least" : "fewer than"} ${t.minDays} (--min-days)`);
  if (d.messages > 0) {
    const rate = `DMARC pass rate ${percent(d.passRate)} of ${count(d.messages, "message")}`;
    (d.passRate >= t.minPassRate ? passing : failing).push(
      `${rate}, ${d.passRate >= t.minPassRate ? "at least" : "below"} ${threshold(t.minPassRate)} (--min-pass-rate)`,
    );
  }
  const ses = d.sources.filter((s) => s.kind === "ses");
  const sesFailing = ses.filter((s) => s.aligned < s.messages * t.minPassRate);
  for (const s of sesFailing) {
    failing.push(
      `SES source ${s.ip} passes aligned for ${percent(s.aligned / s.messages)} of ${count(s.messages, "message")}, below ${threshold(t.minPassRate)}: fix SES's DKIM or MAIL FROM for it first`,
    );
  }
  if (ses.length > 0 && sesFailing.length === 0) {
    const messages = ses.reduce((n, s) => n + s.messages, 0);
    passing.push(`every SES source passes aligned (${ses.length} source${ses.length === 1 ? "" : "s"}, ${count(messages, "message")})`);
  }
  if (ses.length === 0 && d.messages > 0)
    passing.push("no SES source in the reports (none recognised: give --config to recognise your identities' DKIM selectors)");
  const loud = d.sources.filter(
    (s) => s.kind !== "ses" && s.kind !== "forwarder" && s.messages >= d.messages * t.highVolume && s.aligned < s.messages * t.minPassRate,
  );
  for (const s of loud.slice(0, 5)) {
    failing.push(
      `${s.kind} source ${s.ip} (${s.reporters.join(", ")}) sent ${percent(s.messages / d.messages)} of messages and passes aligned for ${percent(s.aligned / s.messages)}: ` +
        `if it sends your mail, make it pass aligned SPF or DKIM; if not, it is what enforcement will stop`,
    );
  }
  if (loud.length > 5) failing.push(`${loud.length - 5} more high-volume sources fail`);
  if (loud.length === 0 && d.messages > 0)
    passing.push(`every high-volume source (${threshold(t.highVolume)} of messages or more, --high-volume) passes aligned, forwarders aside`);

  const ready = failing.length === 0;
  if (!step) {
    return {
      ready,
      current: describePolicy(d.policy),
      target: null,
      label: `at p=reject, the strictest policy: ${ready ? "keep reading reports" : "check the reasons below"}`,
      next: null,
      alternative: null,
      reasons: ready ? passing : failing,
    };
  }
  return {
    ready,
    current: describePolicy(d.policy),
    target: step.target,
    label: `${ready ? "ready" : "not yet ready"} ${step.label}`,
    next: ready ? step.next : null,
    alternative: ready ? step.alternative : null,
    reasons: ready ? passing : failing,
  };
}

interface Step {
  readonly target: Policy;
  readonly label: string;
  readonly next: string;
  readonly alternative: string | null;
}

/** The next step of the ramp from the published policy; undefined at full `p=reject`. */
export function nextStep(policy: PolicyPublished): Step | undefined {
  const p = policy.p ?? "none";
  const pct = policy.pct ?? 100;
  if (p === "none") {
    return { target: "quarantine", label: "for quarantine", next: "dmarc: { p: quarantine, pct: 25 }", alternative: "dmarc: { p: quarantine, t: y }" };
  }
  if (policy.testing === "y") {
    return { target: p, label: `for ${p} without testing mode`, next: `dmarc: { p: ${p}, t: n }`, alternative: null };
  }
  if (pct < 100) {
    const raised = pct < 25 ? 25 : pct < 50 ? 50 : 100;
    return { target: p, label: `to apply ${p} to ${raised} % of failing mail`, next: `dmarc: { p: ${p}, pct: ${raised} }`, alternative: null };
  }
  if (p === "quarantine") {
    return { target: "reject", label: "for reject", next: "dmarc: { p: reject, pct: 25 }", alternative: "dmarc: { p: reject, t: y }" };
  }
  return undefined;
}
