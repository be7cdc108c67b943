/**
 * The AWS stand-in (aws-stand-in.cjs) from a test: SESv2 and Route 53 read calls answered on loopback
 * from a state the test writes, in its own process (terraform runs under spawnSync, which blocks this
 * one). Point the SDK at `url` (adopt --endpoint) or the aws provider (endpoints { sesv2, route53 }).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface StandInRecord {
  readonly name: string;
  readonly type: "CNAME" | "MX" | "TXT";
  readonly ttl?: number;
  /** As DNS serves them: TXT values whole, MX `10 host`. */
  readonly values: readonly string[];
}

export interface StandInIdentity {
  /** Easy DKIM tokens; absent with byoSelector. */
  readonly tokens?: readonly string[];
  readonly keyLength?: "RSA_1024_BIT" | "RSA_2048_BIT";
  readonly byoSelector?: string;
  readonly mailFrom?: { readonly domain: string; readonly behavior?: "USE_DEFAULT_VALUE" | "REJECT_MESSAGE" };
  readonly configurationSet?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface StandInState {
  /** By region, then identity name. */
  readonly identities?: Readonly<Record<string, Readonly<Record<string, StandInIdentity>>>>;
  /** By region, then set name. */
  readonly configurationSets?: Readonly<
    Record<string, Readonly<Record<string, { tls?: "REQUIRE" | "OPTIONAL"; reputationMetrics?: boolean; sending?: boolean; suppressed?: readonly string[] }>>>
  >;
  readonly zones: readonly { readonly id: string; readonly name: string; readonly private?: boolean; readonly records?: readonly StandInRecord[] }[];
  /** Every call of the operation fails so: { status: 429, code: "TooManyRequestsException", message }. */
  readonly faults?: readonly { readonly operation: string; readonly status: number; readonly code: string; readonly message: string }[];
}

export interface StandInCall {
  readonly operation: string;
  /** The region the request was signed for. */
  readonly region: string;
  readonly target: string;
}

export interface AwsStandIn {
  readonly url: string;
  calls(): Promise<StandInCall[]>;
  close(): Promise<void>;
}

export async function startAwsStandIn(state: StandInState, dir: string): Promise<AwsStandIn> {
  const file = join(dir, `aws-state-${process.hrtime.bigint()}.json`);
  writeFileSync(file, JSON.stringify(state));
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, "aws-stand-in.cjs"), file], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  const url = `http://127.0.0.1:${JSON.parse(String(line)).port}`;
  return {
    url,
    calls: async () => (await (await fetch(`${url}/__calls`)).json()) as StandInCall[],
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill();
      await exited;
    },
  };
}
