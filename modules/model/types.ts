import type { ReceivingRegion, SesRegion } from "./regions";

/**
 * One sending domain with every default applied and every rule checked: what the record model reads.
 * Built from the config by config/resolve.ts; library users may also build it themselves.
 */
export interface DomainSpec {
  /** Identity domain, normalized (lowercase, no trailing dot). */
  readonly domain: string;
  /** Regions with an identity; the first gets the MAIL FROM MX. */
  readonly regions: readonly SesRegion[];
  /** TTL of every record written for this domain. */
  readonly ttl: number;
  readonly dkim: EasyDkimSpec | ByoDkimSpec;
  /** Custom MAIL FROM, or false for none. */
  readonly mailFrom: MailFromSpec | false;
  /** Apex SPF; undefined for none. */
  readonly spf?: SpfSpec;
  /** DMARC tags; undefined for no DMARC record. */
  readonly dmarc?: DmarcSpec;
  readonly tags: Readonly<Record<string, string>>;
  readonly zone: ZoneRef;
  /** The stack (Terraform state) this domain lives in. */
  readonly stack: string;
  /**
   * The configuration set per region, set as the identity's default; false or unset for none.
   * @default - none (the config always sets it: on unless `configurationSet: false`)
   */
  readonly configurationSet?: ConfigurationSetSpec | false;
  /** Alarms on the configuration set's reputation metrics; false or unset for none. */
  readonly alarms?: AlarmsSpec | false;
  /** Who may send as which addresses. @default [] */
  readonly senders?: readonly SenderSpec[];
  /**
   * Import what already exists (listed in the adoption file, see model/adoption.ts) instead of creating it.
   * @default false
   */
  readonly adopt?: boolean;
}

export type EventType = "send" | "delivery" | "bounce" | "complaint" | "reject" | "deliveryDelay" | "open" | "click" | "renderingFailure" | "subscription";

export type SuppressionReason = "bounce" | "complaint";

export interface ConfigurationSetSpec {
  /** Set by the user; otherwise derived from the domain. */
  readonly name?: string;
  readonly tls: "require" | "optional";
  readonly reputationMetrics: boolean;
  readonly suppress: readonly SuppressionReason[];
  readonly maxDeliverySeconds?: number;
  readonly trackingDomain?: {
    readonly domain: string;
    readonly https: "require" | "requireOpenOnly" | "optional";
    /** CNAME target; r.<region>.awstrack.me when unset. */
    readonly target?: string;
  };
  readonly vdm?: { readonly engagementMetrics?: boolean; readonly optimizedSharedDelivery?: boolean };
  readonly events?: {
    readonly types: readonly EventType[];
    readonly cloudwatch: boolean;
    readonly sns?: { readonly topicArn: string } | { readonly create: true };
    readonly eventBridge: boolean;
  };
}

/** Where alarm notifications go. */
export type NotifySpec = { readonly email: readonly string[] } | { readonly topicArn: string };

export interface AlarmsSpec {
  readonly bounceRate: number;
  readonly complaintRate: number;
  readonly notify?: NotifySpec;
  /**
   * The domain set `alarms.notify` itself. When false, a notify by email goes to the account's shared
   * alarm topic (one per region, in the ses-account stack) instead of a topic of the domain's own.
   */
  readonly ownNotify: boolean;
}

export interface SenderSpec {
  readonly name: string;
  /** Full addresses (`tickets@example.com`), IAM StringLike patterns (`*@example.com`). */
  readonly from: readonly string[];
  /** An existing IAM role in this account. */
  readonly role?: string;
  /** Another AWS account, allowed through an identity policy. */
  readonly account?: string;
  readonly smtp: boolean;
  /** The config field it comes from (`defaults.senders[0]` when inherited), for errors. */
  readonly path?: readonly PropertyKey[];
}

/** Account-level settings (the ses-account stack). */
export interface AccountSpec {
  readonly suppression: readonly SuppressionReason[];
  readonly vdm?: { readonly enabled: boolean; readonly engagementMetrics?: boolean; readonly optimizedSharedDelivery?: boolean };
  /** Account-level reputation alarms, from `defaults.alarms`. */
  readonly alarms: AlarmsSpec | false;
}

export interface EasyDkimSpec {
  readonly type: "easy";
  readonly keyLength: 1024 | 2048;
}

/** Bring Your Own DKIM: SES signs with the user's key; its public half is published as TXT. */
export interface ByoDkimSpec {
  readonly type: "byo";
  readonly selector: string;
  /** Canonical SPKI base64 of the signing key. */
  readonly publicKey: string;
  readonly privateKey: PrivateKeyRef;
  /** Published, not yet signing (rotation step 1). */
  readonly next?: DkimSelectorKey;
  /** Signed with before the switch, still published (rotation step 2). */
  readonly previous?: DkimSelectorKey;
}

export interface DkimSelectorKey {
  readonly selector: string;
  /** Canonical SPKI base64. */
  readonly publicKey: string;
}

/** Where a private key is kept; the key itself never passes through the project. */
export type PrivateKeyRef = { readonly variable: string } | { readonly secretsManager: string } | { readonly ssmParameter: string };

export interface MailFromSpec {
  /** Label(s) under the identity domain. */
  readonly subdomain: string;
  readonly onMxFailure: "useDefault" | "reject";
  readonly all: "~all" | "-all";
}

export interface SpfSpec {
  /** A raw `v=spf1 …` record, used instead of the structured fields below (which are then empty). */
  readonly record?: string;
  /** Allow SPF macros (RFC 7208 §7) in domain-specs. */
  readonly allowMacros: boolean;
  readonly include: readonly string[];
  readonly ip4: readonly string[];
  readonly ip6: readonly string[];
  readonly a: readonly string[];
  readonly mx: readonly string[];
  readonly all: "-all" | "~all" | "?all";
  readonly extraTxt: readonly string[];
}

export type DmarcPolicy = "none" | "quarantine" | "reject";

export interface DmarcSpec {
  readonly p: DmarcPolicy;
  readonly sp?: DmarcPolicy;
  readonly np?: DmarcPolicy;
  readonly pct?: number;
  /** mailto: URIs. */
  readonly rua?: readonly string[];
  readonly ruf?: readonly string[];
  readonly fo?: string;
  readonly adkim?: "r" | "s";
  readonly aspf?: "r" | "s";
  readonly ri?: number;
  readonly rf?: "afrf";
  readonly t?: "y" | "n";
  readonly psd?: "y" | "n" | "u";
  /** Receive the aggregate reports with SES into S3 (not a DMARC tag: never written into the record). */
  readonly collect?: CollectSpec;
}

/** Aggregate reports received by SES and stored in S3 (`dmarc.collect`). */
export interface CollectSpec {
  /** `local@domain`, the domain lowercase. */
  readonly address: string;
  /** The address's domain: it gets the MX to SES's inbound host. */
  readonly domain: string;
  readonly region: ReceivingRegion;
  readonly bucket: string;
  readonly existingBucket: boolean;
  readonly prefix: string;
  /** Where the config says it (defaults.dmarc.collect, or a domain's), for errors. */
  readonly path?: readonly PropertyKey[];
}

/**
 * Where a domain's records go: a Route 53 hosted zone (by ID or by name, optionally through a role in
 * another account), or external — no DNS resources, the records exported as Terraform outputs.
 */
export type ZoneRef =
  | { readonly zoneId: string; readonly assumeRoleArn?: string }
  | { readonly zoneName: string; readonly assumeRoleArn?: string }
  | { readonly external: true };

/** A warning never fails a synth; it is printed once on stderr and returned to library users. */
export interface Warning {
  readonly code: string;
  /** Config field path, e.g. ["domains", "example.com", "dmarc"]. */
  readonly path: readonly PropertyKey[];
  readonly message: string;
}
