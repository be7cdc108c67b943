/**
 * What the account needs once, whatever the number of domain stacks: per region in use, the
 * account-level suppression list, VDM when asked, the account's reputation alarms and the shared alarm
 * topic; and one sending policy per IAM role, covering every domain that names the role. Pure.
 */
import { ConfigError, type ConfigIssue } from "../errors";
import { ACCOUNT_STACK, SHARED_ALARM_TOPIC, fillAccountId, policyJson, reputationAlarms, sendStatement, type AlarmPlan, type SenderPlan } from "./operations";
import { collectPlans, type CollectRegionPlan } from "./collect";
import type { DomainPlan } from "./records";
import { regionWord, type SesRegion } from "./regions";
import type { AccountSpec, AlarmsSpec } from "./types";

/** IAM: inline policies of one role may hold 10,240 characters in all, whitespace not counted. */
export const ROLE_INLINE_POLICY_MAX = 10240;
export const ROLE_POLICY_NAME = "ses-domains-send";

export interface AccountRegionPlan {
  /** Fixed word(s) in the Terraform address: the region with `_`. */
  readonly id: string;
  readonly region: SesRegion;
  /** Account-level suppression reasons; undefined when account settings are left alone (`account: false`). */
  readonly suppressedReasons?: readonly ("BOUNCE" | "COMPLAINT")[];
  readonly vdm?: {
    readonly enabled: "ENABLED" | "DISABLED";
    readonly engagementMetrics?: "ENABLED" | "DISABLED";
    readonly optimizedSharedDelivery?: "ENABLED" | "DISABLED";
  };
  readonly alarms: readonly AlarmPlan[];
  /** The shared alarm topic (`ses-domains-alarms`), when any alarm in the region notifies it. */
  readonly alarmTopic?: { readonly name: string; readonly emails: readonly string[] };
}

export interface RolePolicyPlan {
  /** Fixed word in the Terraform address: `role_<role name>`. */
  readonly id: string;
  readonly role: string;
  readonly policyName: string;
  readonly senders: readonly SenderPlan[];
  /** The policy JSON, with `{{account-id}}` where the stack fills the account. */
  readonly document: string;
}

export interface AccountPlan {
  readonly stack: string;
  readonly regions: readonly AccountRegionPlan[];
  readonly rolePolicies: readonly RolePolicyPlan[];
  /** SES receiving for dmarc.collect, per receiving region. */
  readonly collect: readonly CollectRegionPlan[];
}

const enabled = (on: boolean | undefined) => (on === undefined ? undefined : on ? ("ENABLED" as const) : ("DISABLED" as const));

/**
 * The account stack's plan, or undefined when it would hold nothing. `account` false leaves the
 * account-level SES settings alone, but the stack still holds what needs one home: role policies and
 * shared alarm topics. `emails` are where the shared topic sends (from defaults.alarms.notify).
 * Throws ConfigError when a role's policy would not fit IAM's limit.
 */
export function planAccount(plans: readonly DomainPlan[], account: AccountSpec | false, sharedEmails: readonly string[] = []): AccountPlan | undefined {
  const regions = [...new Set(plans.flatMap((p) => p.identities.map((i) => i.region)))].sort();
  const regionPlans: AccountRegionPlan[] = [];
  for (const region of regions) {
    const alarms = account && account.alarms !== false ? accountAlarms(account.alarms, region) : [];
    const sharedUsers = [
      ...alarms,
      ...plans.flatMap((p) => p.identities.filter((i) => i.region === region).flatMap((i) => i.configurationSet?.alarms ?? [])),
    ].some((a) => a.notify.kind === "shared-topic");
    if (!account && !sharedUsers) continue;
    regionPlans.push({
      id: regionWord(region),
      region,
      ...(account
        ? {
            suppressedReasons: account.suppression.map((r) => (r === "bounce" ? ("BOUNCE" as const) : ("COMPLAINT" as const))),
            ...(account.vdm
              ? {
                  vdm: {
                    enabled: account.vdm.enabled ? ("ENABLED" as const) : ("DISABLED" as const),
                    engagementMetrics: enabled(account.vdm.engagementMetrics),
                    optimizedSharedDelivery: enabled(account.vdm.optimizedSharedDelivery),
                  },
                }
              : {}),
          }
        : {}),
      alarms,
      ...(sharedUsers ? { alarmTopic: { name: SHARED_ALARM_TOPIC, emails: [...sharedEmails] } } : {}),
    });
  }
  const rolePolicies = planRolePolicies(plans);
  const collect = collectPlans(plans);
  if (regionPlans.length === 0 && rolePolicies.length === 0 && collect.length === 0) return undefined;
  return { stack: ACCOUNT_STACK, regions: regionPlans, rolePolicies, collect };
}

/** Every stack a synth writes, sorted: the config's (hash buckets, even empty; pins), the domains', and ses-account when it has anything. */
export function stackNames(configured: readonly string[], plans: readonly DomainPlan[], account: AccountPlan | undefined): string[] {
  return [...new Set([...configured, ...plans.map((p) => p.stack), ...(account ? [account.stack] : [])])].sort();
}

function accountAlarms(alarms: AlarmsSpec, region: SesRegion): AlarmPlan[] {
  return reputationAlarms({ ...alarms, ownNotify: false }, region, { name: "ses-account", ownTopic: SHARED_ALARM_TOPIC });
}

/** One inline policy per role, one statement per (domain, sender), in domain order. */
function planRolePolicies(plans: readonly DomainPlan[]): RolePolicyPlan[] {
  const byRole = new Map<string, SenderPlan[]>();
  for (const sender of plans.flatMap((p) => p.senders)) {
    if (sender.role === undefined) continue;
    byRole.set(sender.role, [...(byRole.get(sender.role) ?? []), sender]);
  }
  const issues: ConfigIssue[] = [];
  const policies: RolePolicyPlan[] = [];
  for (const [role, senders] of [...byRole].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sids = new Map<string, number>();
    const statements = senders.map((s) => {
      const seen = sids.get(s.sid) ?? 0;
      sids.set(s.sid, seen + 1);
      return sendStatement(seen === 0 ? s.sid : `${s.sid}${seen + 1}`, s.resources, s.from);
    });
    const document = policyJson(statements);
    const characters = fillAccountId(document, "123456789012").length;
    if (characters > ROLE_INLINE_POLICY_MAX) {
      const domains = new Set(senders.map((s) => s.domain)).size;
      issues.push({
        path: senders[0].path,
        message: `role "${role}" is named by ${senders.length} senders on ${domains} domains: their one sending policy would be ${characters} characters, over IAM's ${ROLE_INLINE_POLICY_MAX} for a role's inline policies; give some of these senders another role`,
      });
      continue;
    }
    policies.push({ id: `role_${role.replace(/[^A-Za-z0-9_-]/g, "_")}`, role, policyName: ROLE_POLICY_NAME, senders, document });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return policies;
}
