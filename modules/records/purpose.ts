/**
 * Why a record exists, in words a DNS team reads: derived from the record model (the record's fixed id,
 * its config path, the identity's DKIM settings), never from the shape of its name.
 */
import { fillDkimTokens, type DnsRecord, type DomainPlan } from "../model/records";
import type { SesRegion } from "../model/regions";

/** The Easy DKIM token a record's name is built from, or undefined for every other record. */
export function easyDkimToken(record: DnsRecord): { region: SesRegion; index: number } | undefined {
  let token: { region: SesRegion; index: number } | undefined;
  fillDkimTokens(record.name, (region, index) => {
    token ??= { region, index };
    return "";
  });
  return token;
}

export function recordPurpose(plan: DomainPlan, record: DnsRecord): string {
  const token = easyDkimToken(record);
  if (token) return `DKIM (Easy DKIM, ${token.region}, ${token.index + 1} of 3)`;
  switch (record.id) {
    case "mail_from_mx":
      return "MAIL FROM MX";
    case "mail_from_spf":
      return "MAIL FROM SPF";
    case "apex_txt":
      return record.values.length > 1
        ? `apex SPF, with ${record.values.length - 1} other TXT value${record.values.length === 2 ? "" : "s"} (spf.extraTxt)`
        : "apex SPF";
    case "dmarc":
      return "DMARC policy";
    case "tracking":
      return "open and click tracking (configuration set's custom domain)";
  }
  if (record.id.startsWith("dmarc_collect_") && record.id.endsWith("_mx")) return "DMARC reports received by SES (dmarc.collect)";
  // A report authorization lives in the report domain's plan; its path names the policy domain (RFC 7489 §7.1).
  if (record.id.startsWith("dmarc_report_")) return `DMARC report authorization for ${String(record.path[1])}`;
  const byo = plan.identities[0]?.dkim;
  if (byo?.type === "byo" && record.id.startsWith("dkim_")) {
    const selector = record.name.slice(0, record.name.indexOf("._domainkey."));
    const role = record.path.includes("next") ? "next key, not signing yet" : record.path.includes("previous") ? "previous key, still published" : "signing";
    return `DKIM (BYODKIM, selector ${selector}, ${role})`;
  }
  return record.id;
}
