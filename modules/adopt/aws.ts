/**
 * SES and Route 53 as `adopt --from-aws` reads them, with AWS SDK v3 and the usual credential chain:
 * GetEmailIdentity per identity and region, GetConfigurationSet for the set name the model derives, and
 * ListHostedZonesByName for zones given by name. Read-only calls. An AWS error is one line naming the
 * call, the resource and what to do (throttling and access denied in plain words).
 */
import {
  GetConfigurationSetCommand,
  GetEmailIdentityCommand,
  SESv2Client,
  type GetConfigurationSetCommandOutput,
  type GetEmailIdentityCommandOutput,
} from "@aws-sdk/client-sesv2";
import { ListHostedZonesByNameCommand, Route53Client, type ListHostedZonesByNameCommandOutput } from "@aws-sdk/client-route-53";
import type { SesRegion } from "../model/regions";
import { mapConcurrent } from "../verify/concurrency";
import { AwsError, type SesConfigurationSetFinding, type SesFindings, type SesIdentityFinding } from "./live";

export interface AwsOptions {
  /**
   * One endpoint for both services (a stand-in, LocalStack).
   * @default - AWS_ENDPOINT_URL_SESV2 / AWS_ENDPOINT_URL_ROUTE_53, else AWS_ENDPOINT_URL, else AWS
   */
  readonly endpoint?: string;
  /** Calls in flight at once: SES's read APIs allow a few per second per account. @default 2 */
  readonly concurrency?: number;
}

function quiet(): void {
  // The pinned SDK runs on Node 20; its warning concerns releases after January 2027 and would print on
  // every run. A user who set the variable either way keeps their choice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

export interface AwsClients {
  ses(region: SesRegion): Pick<SESv2Client, "send">;
  route53(): Pick<Route53Client, "send">;
}

/** Clients per region, created on first use. */
export function awsClients(options: AwsOptions = {}): AwsClients {
  quiet();
  const env = process.env;
  const sesEndpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_SESV2 ?? env.AWS_ENDPOINT_URL;
  const route53Endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_ROUTE_53 ?? env.AWS_ENDPOINT_URL;
  const ses = new Map<SesRegion, SESv2Client>();
  let route53: Route53Client | undefined;
  return {
    ses(region) {
      let client = ses.get(region);
      if (!client) {
        client = new SESv2Client({ region, ...(sesEndpoint ? { endpoint: sesEndpoint } : {}) });
        ses.set(region, client);
      }
      return client;
    },
    // Route 53 is a global service whose API lives in us-east-1.
    route53: () => (route53 ??= new Route53Client({ region: "us-east-1", ...(route53Endpoint ? { endpoint: route53Endpoint } : {}) })),
  };
}

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const THROTTLED = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "PriorRequestNotComplete", "SlowDown"]);
const DENIED = new Set(["AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "NotAuthorized"]);

/** The one line an SDK error becomes: what was asked, what AWS said, what to do. */
export function awsErrorLine(call: string, err: unknown): string {
  const e = err as SdkError;
  const name = e.name && e.name !== "Error" ? e.name : e.Code;
  const message = (e.message ?? String(err)).split("\n")[0].trim();
  const said = name && !message.startsWith(name) ? `${name}: ${message}` : message;
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  if ((name && THROTTLED.has(name)) || status === 429) {
    return `${call}: throttled by AWS${attempts ? ` after ${attempts} attempt${attempts === 1 ? "" : "s"}` : ""} (${said}); run again in a minute, or raise AWS_MAX_ATTEMPTS (the SDK retries with backoff)`;
  }
  if ((name && DENIED.has(name)) || status === 403) {
    return `${call}: access denied (${said}); the credentials need ${permissionFor(call)}`;
  }
  if (name === "CredentialsProviderError" || /credential/i.test(name ?? "")) {
    // The same for every call: said once, without the call.
    return `no AWS credentials (${said}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a role is attached`;
  }
  return `${call}: ${said}${status ? ` (HTTP ${status})` : ""}`;
}

function permissionFor(call: string): string {
  if (call.includes("GetEmailIdentity")) return "ses:GetEmailIdentity";
  if (call.includes("GetConfigurationSet")) return "ses:GetConfigurationSet";
  if (call.includes("ListHostedZonesByName")) return "route53:ListHostedZonesByName";
  return "read access to SES and Route 53";
}

const isNotFound = (err: unknown) => (err as SdkError).name === "NotFoundException";

export async function getIdentity(clients: AwsClients, identity: string, region: SesRegion): Promise<SesIdentityFinding> {
  const call = `SES GetEmailIdentity ${identity} in ${region}`;
  let out: GetEmailIdentityCommandOutput;
  try {
    out = await clients.ses(region).send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
  } catch (err) {
    if (isNotFound(err)) return { exists: false };
    throw new AwsError(awsErrorLine(call, err));
  }
  const dkim = out.DkimAttributes;
  const mailFrom = out.MailFromAttributes;
  return {
    exists: true,
    ...(dkim?.SigningAttributesOrigin ? { dkimOrigin: dkim.SigningAttributesOrigin } : {}),
    ...((dkim?.NextSigningKeyLength ?? dkim?.CurrentSigningKeyLength) ? { keyLength: dkim?.NextSigningKeyLength ?? dkim?.CurrentSigningKeyLength } : {}),
    ...(dkim?.Tokens && dkim.Tokens.length > 0 ? { tokens: [...dkim.Tokens] } : {}),
    ...(out.ConfigurationSetName ? { configurationSetName: out.ConfigurationSetName } : {}),
    ...(mailFrom?.MailFromDomain
      ? { mailFromDomain: mailFrom.MailFromDomain.toLowerCase().replace(/\.$/, ""), behaviorOnMxFailure: mailFrom.BehaviorOnMxFailure }
      : {}),
    tags: Object.fromEntries((out.Tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ""])),
  };
}

export async function getConfigurationSet(clients: AwsClients, name: string, region: SesRegion): Promise<SesConfigurationSetFinding> {
  const call = `SES GetConfigurationSet ${name} in ${region}`;
  let out: GetConfigurationSetCommandOutput;
  try {
    out = await clients.ses(region).send(new GetConfigurationSetCommand({ ConfigurationSetName: name }));
  } catch (err) {
    if (isNotFound(err)) return { exists: false };
    throw new AwsError(awsErrorLine(call, err));
  }
  return {
    exists: true,
    ...(out.DeliveryOptions?.TlsPolicy ? { tlsPolicy: out.DeliveryOptions.TlsPolicy } : {}),
    ...(out.ReputationOptions?.ReputationMetricsEnabled !== undefined ? { reputationMetrics: out.ReputationOptions.ReputationMetricsEnabled } : {}),
    ...(out.SendingOptions?.SendingEnabled !== undefined ? { sendingEnabled: out.SendingOptions.SendingEnabled } : {}),
    ...(out.SuppressionOptions?.SuppressedReasons ? { suppressedReasons: [...out.SuppressionOptions.SuppressedReasons].sort() } : {}),
  };
}

/**
 * The public hosted zone named `zoneName`, as the synthesized `data.aws_route53_zone` (name, not
 * private) would find it: exactly one, or an error saying what to put in the config instead.
 */
export async function findZoneId(clients: AwsClients, zoneName: string): Promise<string> {
  const call = `Route 53 ListHostedZonesByName ${zoneName}`;
  let out: ListHostedZonesByNameCommandOutput;
  try {
    out = await clients.route53().send(new ListHostedZonesByNameCommand({ DNSName: zoneName, MaxItems: 100 }));
  } catch (err) {
    throw new AwsError(awsErrorLine(call, err));
  }
  // The listing starts at zoneName and goes on in name order: keep exactly that name, public zones only.
  const named = (out.HostedZones ?? []).filter((z) => (z.Name ?? "").toLowerCase().replace(/\.$/, "") === zoneName && z.Config?.PrivateZone !== true);
  const ids = named.map((z) => (z.Id ?? "").replace(/^\/hostedzone\//, ""));
  if (ids.length === 0)
    throw new AwsError(`${call}: no public hosted zone named ${zoneName} in this account; check dns.route53.zoneName, or the credentials' account`);
  if (ids.length > 1)
    throw new AwsError(
      `${call}: ${ids.length} public hosted zones are named ${zoneName} (${ids.join(", ")}); set dns.route53.zoneId to the one that serves the domain`,
    );
  return ids[0];
}

export interface SesQuestions {
  /** Identity name and region. */
  readonly identities: readonly { readonly identity: string; readonly region: SesRegion }[];
  readonly configurationSets: readonly { readonly name: string; readonly region: SesRegion }[];
}

/**
 * Every identity and configuration set asked about, read with at most `concurrency` calls in flight.
 * Every call is made even when one fails, so the user sees every problem at once; any failure throws
 * one AwsError with a line per failed call.
 */
export async function readSes(clients: AwsClients, questions: SesQuestions, options: AwsOptions = {}): Promise<SesFindings> {
  const identities = new Map<string, Map<SesRegion, SesIdentityFinding>>();
  const sets = new Map<string, Map<SesRegion, SesConfigurationSetFinding>>();
  const tasks: (() => Promise<void>)[] = [
    ...questions.identities.map(({ identity, region }) => async () => {
      const found = await getIdentity(clients, identity, region);
      identities.set(identity, (identities.get(identity) ?? new Map()).set(region, found));
    }),
    ...questions.configurationSets.map(({ name, region }) => async () => {
      const found = await getConfigurationSet(clients, name, region);
      sets.set(name, (sets.get(name) ?? new Map()).set(region, found));
    }),
  ];
  const failures = await mapConcurrent(tasks, options.concurrency ?? 2, async (task) => {
    try {
      await task();
      return undefined;
    } catch (err) {
      if (err instanceof AwsError) return err.message;
      throw err;
    }
  });
  const lines = [...new Set(failures.filter((f): f is string => f !== undefined))];
  if (lines.length > 0) throw new AwsError(lines.join("\n"));
  return { identities, configurationSets: sets };
}
