import { Fn, TerraformLocal, TerraformOutput, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Sesv2EmailIdentity } from "@cdktf/provider-aws/lib/sesv2-email-identity";
import { Sesv2EmailIdentityMailFromAttributes } from "@cdktf/provider-aws/lib/sesv2-email-identity-mail-from-attributes";
import { fillDkimTokens, type DomainPlan, type RecordType } from "../model/records";
import type { SesRegion } from "../model/regions";
import type { PrivateKeyRef } from "../model/types";
import { route53TxtValue } from "../model/txt";
import { ConfigurationSet } from "./configuration-set";
import { accountIdOf } from "./private/arn";
import { Sender } from "./sender";

export interface SesDomainResourcesProps {
  /** What to render: from `planDomain` in the record model. */
  readonly plan: DomainPlan;
  /**
   * Hosted zone ID for every record: a literal ID or a reference to a data.aws_route53_zone.
   * @default - no DNS resources: the records are exported as the output `<domain>_dns_records` (external DNS)
   */
  readonly zoneId?: string;
  /**
   * The provider Route 53 records go through (one that assumes a role in the zone's account).
   * @default - the stack's default provider
   */
  readonly dnsProvider?: TerraformProvider;
  /**
   * The AWS provider for an SES region.
   * @default - the stack's default provider for every region
   */
  readonly providerFor?: (region: SesRegion) => TerraformProvider | undefined;
  /**
   * A reference to the sensitive Terraform variable named `name`, for BYODKIM keys passed as variables.
   * @default - a variable of that name is declared in this construct's stack by the caller; without this, `{ variable }` keys throw
   */
  readonly variable?: (name: string) => string;
  /**
   * Attach each role sender's policy to its role here (per domain).
   * @default false - role policies live in the ses-account stack, one per role
   */
  readonly rolePolicies?: boolean;
}

/**
 * SES wants the private key as the base64 body of the PEM, with no header, footer or line breaks.
 * Stripped in Terraform, at plan time, so the same secret works whether it is stored as PEM or bare.
 */
export function privateKeyBody(value: string): string {
  return Fn.replace(Fn.replace(value, "/-----[A-Z0-9 ]+-----/", ""), "/[[:space:]]/", "");
}

/** A record the domain needs, with Easy DKIM tokens as Terraform expressions (known after apply). */
export interface SesDomainRecord {
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  readonly values: readonly string[];
}

/**
 * The lower layer of SesDomain, taking the record model's plan: what SesDomainsStack renders for every
 * domain, with its zone lookups, providers and variables shared across domains. One sending domain: an
 * SESv2 identity per region (Easy DKIM, or BYODKIM with the key read at plan
 * time from a variable, Secrets Manager or SSM), its custom MAIL FROM, and every DNS
 * record the record model lists, in Route 53. Child ids are the model's fixed words, so Terraform
 * addresses read `<domain>_<purpose>` (see SesDomainsStack.allocateLogicalId).
 */
export class SesDomainResources extends Construct {
  /** The SES identity per region. */
  readonly identities: ReadonlyMap<SesRegion, Sesv2EmailIdentity>;
  /** The identity's default configuration set per region (none when `configurationSet: false`). */
  readonly configurationSets: ReadonlyMap<SesRegion, ConfigurationSet>;
  /** The Route 53 records (none with external DNS). */
  readonly records: readonly Route53Record[];
  /** Every DNS record the domain needs, with Easy DKIM tokens as Terraform expressions: what external DNS gets as an output. */
  readonly dnsRecords: readonly SesDomainRecord[];

  constructor(scope: Construct, id: string, props: SesDomainResourcesProps) {
    super(scope, id);
    const { plan } = props;
    const identities = new Map<SesRegion, Sesv2EmailIdentity>();
    const configurationSets = new Map<SesRegion, ConfigurationSet>();
    const tags = Object.keys(plan.identities[0]?.tags ?? {}).length > 0 ? { ...plan.identities[0].tags } : undefined;
    let privateKey: string | undefined;
    for (const identity of plan.identities) {
      const provider = props.providerFor?.(identity.region);
      if (identity.dkim.type === "byo") privateKey ??= this.privateKey(identity.dkim.privateKey, provider, props);
      const set = identity.configurationSet && new ConfigurationSet(this, identity.configurationSet.id, { plan: identity.configurationSet, provider, tags });
      if (set) configurationSets.set(identity.region, set);
      const resource = new Sesv2EmailIdentity(this, identity.id, {
        provider,
        emailIdentity: identity.emailIdentity ?? plan.domain,
        configurationSetName: set?.name,
        dkimSigningAttributes:
          identity.dkim.type === "byo"
            ? { domainSigningSelector: identity.dkim.selector, domainSigningPrivateKey: privateKey }
            : { nextSigningKeyLength: identity.dkim.keyLength },
        tags: Object.keys(identity.tags).length > 0 ? { ...identity.tags } : undefined,
      });
      identities.set(identity.region, resource);
      if (identity.mailFrom) {
        new Sesv2EmailIdentityMailFromAttributes(this, identity.mailFrom.id, {
          provider,
          emailIdentity: resource.emailIdentity,
          mailFromDomain: identity.mailFrom.domain,
          behaviorOnMxFailure: identity.mailFrom.behaviorOnMxFailure,
        });
      }
    }
    this.identities = identities;
    this.configurationSets = configurationSets;
    // A role's policy lives in the account stack; what the other senders need lives here.
    const local = plan.senders.filter((s) => s.role === undefined || s.smtp || props.rolePolicies);
    if (local.length > 0) {
      // One expression for the account in the senders' ARNs, from the identity's own ARN (no lookup at plan time).
      const first = identities.get(plan.identities[0].region)!;
      const accountId = new TerraformLocal(this, "account_id", accountIdOf(first.arn)).asString;
      // Senders send as the domain: its own identities, never one verified only to receive reports.
      const own = new Map([...identities].filter(([region]) => plan.identities.some((i) => i.region === region && i.emailIdentity === undefined)));
      for (const sender of local)
        new Sender(this, sender.id, { plan: sender, identities: own, providerFor: props.providerFor, tags, accountId, attachToRole: props.rolePolicies });
    }

    // Tokens are unknown until apply: three fixed records per region, each picking one with element().
    const token = (region: SesRegion, index: number) => Fn.element(identities.get(region)!.dkimSigningAttributes.tokens, index) as string;
    this.dnsRecords = plan.records.map((record) => ({
      name: fillDkimTokens(record.name, token),
      type: record.type,
      ttl: record.ttl,
      values: record.values.map((v) => fillDkimTokens(v, token)),
    }));
    // Easy DKIM tokens per region, for `ses-domains verify --tf-outputs` and for people reading the plan.
    const easy = plan.identities.filter((i) => i.dkim.type === "easy");
    if (easy.length > 0) {
      new TerraformOutput(this, "dkim_tokens", {
        description: `Easy DKIM tokens of ${plan.domain} by region.`,
        value: Object.fromEntries(easy.map((i) => [i.region, identities.get(i.region)!.dkimSigningAttributes.tokens])),
      });
    }

    const zoneId = props.zoneId;
    if (zoneId === undefined) {
      // External DNS: one output per domain, the same structure for every domain, for another DNS provider.
      new TerraformOutput(this, "dns_records", {
        description: `Every DNS record ${plan.domain} needs, for a DNS provider outside this project: name, type, ttl, values (TXT values whole, not split into strings).`,
        value: this.dnsRecords,
      });
      this.records = [];
      return;
    }
    this.records = plan.records.map(
      (record, i) =>
        new Route53Record(this, record.id, {
          provider: props.dnsProvider,
          zoneId,
          name: this.dnsRecords[i].name,
          type: record.type,
          ttl: record.ttl,
          // TXT values as the model wrote them, quoted and split for Route 53.
          records: record.type === "TXT" ? record.values.map(route53TxtValue) : [...this.dnsRecords[i].values],
        }),
    );
  }

  /** The BYODKIM private key as a Terraform expression: read at plan time, never written into the output. */
  private privateKey(ref: PrivateKeyRef, provider: TerraformProvider | undefined, props: SesDomainResourcesProps): string {
    if ("variable" in ref) {
      if (!props.variable) throw new Error(`${this.node.path}: dkim.privateKey.variable needs SesDomainResourcesProps.variable`);
      return privateKeyBody(props.variable(ref.variable));
    }
    if ("secretsManager" in ref) {
      const secret = new DataAwsSecretsmanagerSecretVersion(this, "dkim_private_key", { provider, secretId: ref.secretsManager });
      return privateKeyBody(secret.secretString);
    }
    const parameter = new DataAwsSsmParameter(this, "dkim_private_key", { provider, name: ref.ssmParameter, withDecryption: true });
    return privateKeyBody(parameter.value);
  }
}
