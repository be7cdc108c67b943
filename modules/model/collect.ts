/**
 * DMARC aggregate reports collected by SES (`dmarc.collect`): what DNS and SES need so that receivers'
 * reports land in S3. Pure, like the rest of the record model.
 *
 * - The address's domain gets `MX 10 inbound-smtp.<region>.amazonaws.com` (SES developer guide,
 *   "Publishing an MX record for Amazon SES email receiving"), in the zone of the configured domain it
 *   lies under, so `records` lists it and `verify` checks it.
 * - SES receives only for verified identities, and a verified domain covers its subdomains ("all email
 *   addresses, domains, and sub-domains that belong to your verified domains", SES developer guide,
 *   "Email receiving concepts"). Identities are per region: when no identity in the receiving region is
 *   the address's domain or a parent of it, the address's domain is verified there too (Easy DKIM, its
 *   three CNAMEs in the same zone).
 * - The receipt rule set, its rule for the address, and the S3 bucket and its policy are account-level:
 *   one active rule set per region, in the ses-account stack.
 */
import { createHash } from "node:crypto";
import type { ConfigIssue } from "../errors";
import { isWithin } from "./domain-name";
import { partitionOf } from "./operations";
import { dkimDomain, inboundSmtpHost, regionWord, type ReceivingRegion } from "./regions";
import { dkimTokenPlaceholder, type DnsRecord, type DomainPlan, type IdentityPlan } from "./records";
import type { CollectSpec, DomainSpec } from "./types";

/** The receipt rule set this project makes active in each receiving region. */
export const RECEIPT_RULE_SET = "ses-domains-dmarc-reports";

export interface CollectRule {
  /** Fixed word(s) in the Terraform address. */
  readonly id: string;
  /** Receipt rule name: letters, digits, `_`, `-`, `.`; at most 64. */
  readonly name: string;
  readonly address: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly existingBucket: boolean;
}

export interface CollectRegionPlan {
  readonly region: ReceivingRegion;
  readonly ruleSetName: string;
  readonly rules: readonly CollectRule[];
}

const word = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

/** The id word of a reports bucket's resources: `dmarc-reports.example` → `bucket_dmarc_reports_example`. */
export function bucketWord(bucket: string): string {
  return `bucket_${bucket.replace(/[^a-z0-9]+/g, "_")}`;
}

/** The distinct collections the domains ask for (dmarc.collect, often one from defaults), in a stable order. */
export function collections(list: readonly (CollectSpec | undefined)[]): CollectSpec[] {
  const byKey = new Map<string, CollectSpec>();
  for (const collect of list) {
    if (collect) byKey.set(`${collect.region} ${collect.address} ${collect.bucket} ${collect.prefix}`, collect);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => c);
}

/**
 * Add to the plans what collecting needs in DNS: the MX of each reports domain, and where no identity in
 * the receiving region covers it, an identity for it with its DKIM CNAMEs — both in the plan of the
 * configured domain whose zone holds the reports domain. Problems go to `issues`.
 */
export function withReportCollection(specs: readonly DomainSpec[], plans: DomainPlan[], issues: ConfigIssue[]): DomainPlan[] {
  const extraRecords = new Map<string, DnsRecord[]>();
  const extraIdentities = new Map<string, IdentityPlan[]>();
  const seenDomains = new Set<string>();
  const all = collections(specs.map((s) => s.dmarc?.collect));
  for (const collect of all) {
    const path = collect.path ?? ["dmarc", "collect"];
    const twin = all.slice(0, all.indexOf(collect)).find((c) => c.address === collect.address);
    if (twin && (twin.bucket !== collect.bucket || twin.prefix !== collect.prefix || twin.region !== collect.region)) {
      issues.push({
        path,
        message: `${collect.address} is also collected into ${twin.region} s3://${twin.bucket}/${twin.prefix}; one address is received in one place`,
      });
      continue;
    }
    if (specs.some((s) => s.domain === collect.domain)) {
      issues.push({
        path: [...path, "address"],
        message: `is at ${collect.domain}, a sending domain: its MX would send every mail of ${collect.domain} to SES; use an address at a subdomain kept for reports, such as dmarc@reports.${collect.domain}`,
      });
      continue;
    }
    const owner = [...specs].filter((s) => isWithin(collect.domain, s.domain)).sort((a, b) => b.domain.length - a.domain.length)[0];
    if (!owner) {
      issues.push({
        path: [...path, "address"],
        message: `is at ${collect.domain}, which is under no domain in this config: its MX needs a zone the config manages; use an address under one of ${specs.map((s) => s.domain).join(", ")}`,
      });
      continue;
    }
    if (seenDomains.has(`${collect.domain} ${collect.region}`)) continue;
    const others = all.filter((c) => c.domain === collect.domain && c.region !== collect.region);
    if (others.length > 0) {
      issues.push({
        path: [...path, "region"],
        message: `${collect.domain} would need an MX to ${collect.region} and to ${others[0].region}; one domain receives in one region`,
      });
      continue;
    }
    seenDomains.add(`${collect.domain} ${collect.region}`);
    const records = extraRecords.get(owner.domain) ?? [];
    const relative = word(collect.domain.slice(0, collect.domain.length - owner.domain.length - 1));
    records.push({
      id: `dmarc_collect_${relative}_mx`,
      name: collect.domain,
      type: "MX",
      ttl: owner.ttl,
      values: [`10 ${inboundSmtpHost(collect.region)}`],
      path,
    });
    const covered = specs.some((s) => s.regions.includes(collect.region) && isWithin(collect.domain, s.domain));
    if (!covered) {
      const id = `${regionWord(collect.region)}_dmarc_collect`;
      extraIdentities.set(owner.domain, [
        ...(extraIdentities.get(owner.domain) ?? []),
        { id: `${id}_identity`, region: collect.region, emailIdentity: collect.domain, dkim: { type: "easy", keyLength: "RSA_2048_BIT" }, tags: owner.tags },
      ]);
      for (const n of [1, 2, 3] as const) {
        const token = dkimTokenPlaceholder(collect.region, n);
        records.push({
          id: `${id}_dkim_${n}`,
          name: `${token}._domainkey.${collect.domain}`,
          type: "CNAME",
          ttl: owner.ttl,
          values: [`${token}.${dkimDomain(collect.region)}`],
          path,
        });
      }
    }
    extraRecords.set(owner.domain, records);
  }
  return plans.map((plan) => ({
    ...plan,
    identities: [...plan.identities, ...(extraIdentities.get(plan.domain) ?? [])],
    records: [...plan.records, ...(extraRecords.get(plan.domain) ?? [])],
  }));
}

/**
 * The bucket policy that lets SES store reports: `s3:PutObject` under each rule's prefix, only for this
 * account and that receipt rule (SES developer guide, "Giving permissions to Amazon SES for email
 * receiving"). `accountId` is a Terraform expression or an account ID.
 */
export function bucketPolicy(bucket: string, rules: readonly (CollectRule & { region: ReceivingRegion; ruleSetName: string })[], accountId: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: rules.map((rule) => ({
      Sid: `SesStoresReportsFor${rule.id.replace(/[^A-Za-z0-9]/g, "")}`,
      Effect: "Allow",
      Principal: { Service: "ses.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `arn:${partitionOf(rule.region)}:s3:::${bucket}/${rule.prefix}*`,
      Condition: {
        StringEquals: {
          "AWS:SourceAccount": accountId,
          "AWS:SourceArn": `arn:${partitionOf(rule.region)}:ses:${rule.region}:${accountId}:receipt-rule-set/${rule.ruleSetName}:receipt-rule/${rule.name}`,
        },
      },
    })),
  });
}

/** The receipt rules per receiving region, for the account stack. */
export function collectPlans(plans: readonly DomainPlan[]): CollectRegionPlan[] {
  const byRegion = new Map<ReceivingRegion, CollectRule[]>();
  for (const collect of collections(plans.map((p) => p.collect))) {
    const rules = byRegion.get(collect.region) ?? [];
    if (rules.some((r) => r.address === collect.address)) continue;
    let name = collect.address.replace("@", "-at-").replace(/[^A-Za-z0-9_.-]/g, "-");
    if (name.length > 64) name = `${name.slice(0, 55)}-${createHash("sha256").update(collect.address).digest("hex").slice(0, 8)}`;
    rules.push({
      id: word(collect.address.replace("@", "_at_")),
      name,
      address: collect.address,
      bucket: collect.bucket,
      prefix: collect.prefix,
      existingBucket: collect.existingBucket,
    });
    byRegion.set(collect.region, rules);
  }
  return [...byRegion].sort(([a], [b]) => (a < b ? -1 : 1)).map(([region, rules]) => ({ region, ruleSetName: RECEIPT_RULE_SET, rules }));
}
