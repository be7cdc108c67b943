/**
 * What `adopt` finds live, as plain data: the room's functions fill it (dns.ts, aws.ts) and the report
 * (report.ts) reads it, so the comparison is tested without a network.
 */
import type { SesRegion } from "../model/regions";

/** One name and type as DNS answered it. */
export type DnsFinding =
  /** Values as DNS serves them: TXT strings joined, MX as `10 host`, names without the trailing dot, lowercase. */
  | { readonly status: "found"; readonly values: readonly string[] }
  /** NXDOMAIN or no data of that type. */
  | { readonly status: "absent" }
  /** The name is a CNAME, so no other type can live there in Route 53 (found asking for a TXT or MX). */
  | { readonly status: "cname"; readonly target: string }
  | { readonly status: "error"; readonly message: string };

/** SES's view of an identity in one region (GetEmailIdentity). */
export type SesIdentityFinding =
  | { readonly exists: false }
  | {
      readonly exists: true;
      /** AWS_SES (Easy DKIM) or EXTERNAL (BYODKIM), and SES's other origins as they come. */
      readonly dkimOrigin?: string;
      readonly keyLength?: string;
      readonly tokens?: readonly string[];
      readonly configurationSetName?: string;
      /** Unset when no custom MAIL FROM is configured. */
      readonly mailFromDomain?: string;
      readonly behaviorOnMxFailure?: string;
      readonly tags: Readonly<Record<string, string>>;
    };

/** A configuration set under the name the model derives, in one region (GetConfigurationSet). */
export type SesConfigurationSetFinding =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly tlsPolicy?: string;
      readonly reputationMetrics?: boolean;
      readonly sendingEnabled?: boolean;
      readonly suppressedReasons?: readonly string[];
    };

export interface SesFindings {
  /** By identity name, then region. */
  readonly identities: ReadonlyMap<string, ReadonlyMap<SesRegion, SesIdentityFinding>>;
  /** By set name, then region. */
  readonly configurationSets: ReadonlyMap<string, ReadonlyMap<SesRegion, SesConfigurationSetFinding>>;
}

/** The key of a DNS finding: `TXT example.com`. */
export const dnsKey = (type: string, name: string) => `${type} ${name}`;

/** An AWS call that failed, as one line per failed call (no SDK here: adopt without --from-aws never loads it). */
export class AwsError extends Error {}
