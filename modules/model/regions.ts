/**
 * Regions where Amazon SES sends email, and the DKIM domain each one signs under.
 *
 * Sources: the SESv2 API's DomainSigningAttributesOrigin values (one per commercial SES region) plus
 * the two GovCloud regions, and the AWS General Reference table of Easy DKIM domains. Provider 5.100
 * does not expose the signing hosted zone, so this table is the project's source of truth.
 */
export const SES_REGIONS = [
  "af-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-5",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-gov-east-1",
  "us-gov-west-1",
  "us-west-1",
  "us-west-2",
] as const;

export type SesRegion = (typeof SES_REGIONS)[number];

/** Regions whose Easy DKIM CNAMEs point at `dkim.<region>.amazonses.com` instead of `dkim.amazonses.com`. */
export const REGIONAL_DKIM_DOMAIN_REGIONS: ReadonlySet<SesRegion> = new Set<SesRegion>([
  "af-south-1",
  "ap-northeast-3",
  "ap-south-2",
  "ap-southeast-3",
  "ap-southeast-5",
  "ca-west-1",
  "eu-central-2",
  "eu-south-1",
  "il-central-1",
  "me-central-1",
  "us-gov-east-1",
]);

/** A region as a word in Terraform ids: `eu-west-1` → `eu_west_1`. */
export function regionWord(region: string): string {
  return region.replace(/-/g, "_");
}

export function isSesRegion(value: string): value is SesRegion {
  return (SES_REGIONS as readonly string[]).includes(value);
}

/** The domain Easy DKIM tokens live under in `region`. */
export function dkimDomain(region: SesRegion): string {
  return REGIONAL_DKIM_DOMAIN_REGIONS.has(region) ? `dkim.${region}.amazonses.com` : "dkim.amazonses.com";
}

/** The MX target of a custom MAIL FROM domain: the same pattern in every region. */
export function mailFromMxHost(region: SesRegion): string {
  return `feedback-smtp.${region}.amazonses.com`;
}

/**
 * Regions where SES receives mail (inbound-smtp.<region>.amazonaws.com). Sources: the AWS General
 * Reference's "Email Receiving endpoints" table as copied in January 2024 (us-east-1, us-east-2,
 * us-west-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, ap-southeast-1, ap-southeast-2,
 * ap-southeast-3, ap-northeast-1) and eu-north-1, seen receiving in 2026. A region missing here is
 * refused rather than guessed: an MX to a host that does not receive loses every report.
 */
export const RECEIVING_REGIONS = [
  "ap-northeast-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "us-east-1",
  "us-east-2",
  "us-west-2",
] as const satisfies readonly SesRegion[];

export type ReceivingRegion = (typeof RECEIVING_REGIONS)[number];

/** The MX target for mail SES receives in `region`. */
export function inboundSmtpHost(region: ReceivingRegion): string {
  return `inbound-smtp.${region}.amazonaws.com`;
}
