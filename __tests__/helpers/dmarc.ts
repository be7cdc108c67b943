/**
 * DMARC report test material: the real samples (read from ../shared/dmarc-reports beside the repo, never
 * copied in), reports built to order, hostile inputs generated on the fly (nothing big is committed),
 * and the CLI run as a child process with its peak RSS.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { crc32, createDeflateRaw, deflateRawSync, gzipSync } from "node:zlib";
import { ROOT } from "./cli";

export const SAMPLES = resolve(ROOT, "..", "shared", "dmarc-reports");
export const BIN = resolve(ROOT, "dist", "modules", "cli", "ses-domains.js");
const PEAK_RSS = resolve(ROOT, "bench", "peak-rss.cjs");
const S3_SERVER = resolve(__dirname, "s3-server.cjs");

export const sample = (relative: string) => resolve(SAMPLES, relative);

export interface RecordSpec {
  readonly ip: string;
  readonly count: number;
  readonly dkim?: "pass" | "fail";
  readonly spf?: "pass" | "fail";
  readonly disposition?: string;
  readonly reasons?: readonly string[];
  readonly headerFrom?: string;
  /** `[domain, result, selector?]` */
  readonly authDkim?: readonly (readonly [string, string, string?])[];
  /** `[domain, result]` */
  readonly authSpf?: readonly (readonly [string, string])[];
}

export interface ReportSpec {
  readonly org?: string;
  readonly email?: string;
  readonly id: string;
  readonly begin: number;
  readonly end?: number;
  readonly domain?: string;
  readonly p?: string;
  readonly pct?: number;
  readonly testing?: "y" | "n";
  readonly namespace?: boolean;
  readonly records: readonly RecordSpec[];
}

export const DAY = 86400;
/** 2026-11-01T00:00:00Z */
export const NOV_1 = 1793491200;

/** An aggregate report as receivers write them (RFC 7489 shape, or RFC 9990 with `namespace`). */
export function reportXml(spec: ReportSpec): string {
  const domain = spec.domain ?? "example.com";
  const policy = [`<domain>${domain}</domain>`, `<adkim>r</adkim>`, `<aspf>r</aspf>`, `<p>${spec.p ?? "none"}</p>`];
  if (spec.pct !== undefined) policy.push(`<pct>${spec.pct}</pct>`);
  if (spec.testing) policy.push(`<testing>${spec.testing}</testing>`);
  const records = spec.records.map((r) => {
    const auth = [
      ...(r.authDkim ?? []).map(
        ([d, result, selector]) => `<dkim><domain>${d}</domain>${selector ? `<selector>${selector}</selector>` : ""}<result>${result}</result></dkim>`,
      ),
      ...(r.authSpf ?? []).map(([d, result]) => `<spf><domain>${d}</domain><scope>mfrom</scope><result>${result}</result></spf>`),
    ];
    const reasons = (r.reasons ?? []).map((t) => `<reason><type>${t}</type></reason>`).join("");
    return (
      `<record><row><source_ip>${r.ip}</source_ip><count>${r.count}</count><policy_evaluated><disposition>${r.disposition ?? "none"}</disposition>` +
      `<dkim>${r.dkim ?? "fail"}</dkim><spf>${r.spf ?? "fail"}</spf>${reasons}</policy_evaluated></row>` +
      `<identifiers><header_from>${r.headerFrom ?? domain}</header_from></identifiers><auth_results>${auth.join("")}</auth_results></record>`
    );
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<feedback${spec.namespace ? ' xmlns="urn:ietf:params:xml:ns:dmarc-2.0"' : ""}><version>1.0</version>` +
    `<report_metadata><org_name>${spec.org ?? "google.com"}</org_name><email>${spec.email ?? "noreply-dmarc-support@google.com"}</email>` +
    `<report_id>${spec.id}</report_id><date_range><begin>${spec.begin}</begin><end>${spec.end ?? spec.begin + DAY - 1}</end></date_range></report_metadata>` +
    `<policy_published>${policy.join("")}</policy_published>${records.join("")}</feedback>\n`
  );
}

/** SES mail as receivers see it with a working custom MAIL FROM: both signatures verify, SPF aligns. */
export function sesRecord(ip: string, count: number, domain = "example.com"): RecordSpec {
  return {
    ip,
    count,
    dkim: "pass",
    spf: "pass",
    authDkim: [
      [domain, "pass", "wga44lpul4p7rva52ovzl5csydgwelke"],
      ["amazonses.com", "pass", "iowwo7fd7wqffpmrry5t52h55zq2wg7s"],
    ],
    authSpf: [[`mail.${domain}`, "pass"]],
  };
}

/** A mail as SES's S3 action stores it: headers, a text part, and the report attached in base64. */
export function reportMail(attachment: Buffer, filename: string, contentType: string): Buffer {
  const base64 = attachment.toString("base64").replace(/.{76}/g, "$&\r\n");
  return Buffer.from(
    [
      "Return-Path: <noreply-dmarc-support@google.com>",
      "Received: from mail-qt1-f201.google.com (mail-qt1-f201.google.com [209.85.160.201]) by inbound-smtp.us-east-1.amazonaws.com",
      "From: noreply-dmarc-support@google.com",
      "To: dmarc-reports@reports.example.com",
      `Subject: Report domain: example.com Submitter: google.com Report-ID: ${filename}`,
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b1"',
      "",
      "--b1",
      "Content-Type: text/plain; charset=UTF-8",
      "",
      "This is an aggregate report from google.com.",
      "--b1",
      `Content-Type: ${contentType}; name="${filename}"`,
      `Content-Disposition: attachment; filename="${filename}"`,
      "Content-Transfer-Encoding: base64",
      "",
      base64,
      "--b1--",
      "",
    ].join("\r\n"),
  );
}

/** Raw deflate of `mib` MiB of zeros, made as a stream (the test never holds the inflated bytes). */
export async function deflatedZeros(mib: number): Promise<{ raw: Buffer; crc: number; size: number }> {
  const chunk = Buffer.alloc(1024 * 1024);
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(chunk, crc);
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (b: Buffer) => out.push(b));
  const done = once(deflate, "end");
  Readable.from(
    (function* () {
      for (let i = 0; i < mib; i++) yield chunk;
    })(),
  ).pipe(deflate);
  await done;
  return { raw: Buffer.concat(out), crc, size: mib * 1024 * 1024 };
}

/** A single-member gzip around raw deflate data. */
export function gzipOf(d: { raw: Buffer; crc: number; size: number }): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(d.crc >>> 0, 0);
  trailer.writeUInt32LE(d.size % 2 ** 32, 4);
  return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), d.raw, trailer]);
}

export interface ZipMember {
  readonly name: string;
  /** Raw deflate data (method 8). */
  readonly raw: Buffer;
  readonly crc: number;
  readonly size: number;
  /** What the headers claim the member inflates to; the truth by default. */
  readonly declaredSize?: number;
}

/** A zip archive of deflated members, built by hand so its headers can lie. */
export function zipOf(members: readonly ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const declared = m.declaredSize ?? m.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(m.crc >>> 0, 14);
    local.writeUInt32LE(m.raw.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(m.crc >>> 0, 16);
    central.writeUInt32LE(m.raw.length, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, m.raw);
    centrals.push(central, name);
    offset += 30 + name.length + m.raw.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** A member holding `text`, honestly declared. */
export function textMember(name: string, text: string): ZipMember {
  const data = Buffer.from(text);
  return { name, raw: deflateRawSync(data), crc: crc32(data), size: data.length };
}

export const gzipText = (text: string | Buffer) => gzipSync(text);

/** The classic billion-laughs document: ten entities, each ten of the one before. */
export function billionLaughs(): string {
  const lines = ['<?xml version="1.0"?>', "<!DOCTYPE feedback [", ' <!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) lines.push(` <!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  lines.push("]>", "<feedback><report_metadata><org_name>&lol9;</org_name></report_metadata></feedback>");
  return lines.join("\n");
}

/** An external entity pointing at a local file: XXE. */
export function xxe(): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE feedback [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>',
    "<feedback><report_metadata><org_name>&xxe;</org_name><email>a@b.example</email><report_id>1</report_id>",
    "<date_range><begin>1</begin><end>2</end></date_range></report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published></feedback>",
  ].join("\n");
}

export interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set size of the CLI process, in MB. */
  readonly peakMb: number;
}

/**
 * The built CLI as a child process (async: an S3 server in this process keeps answering), with its peak
 * RSS read from `process.resourceUsage().maxRSS` at exit (bench/peak-rss.cjs writes it to fd 3).
 */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT, nodeFlags: readonly string[] = []): Promise<ChildRun> {
  const child = spawn(process.execPath, [...nodeFlags, "-r", PEAK_RSS, BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let text = "";
    stream?.on("data", (b: Buffer) => (text += b.toString("utf8")));
    return () => text;
  };
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const rss = collect(child.stdio[3] as NodeJS.ReadableStream);
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout: stdout(), stderr: stderr(), peakMb: Number(rss().trim()) / 1024 };
}

export interface S3TestServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** s3rver on loopback in its own process (see s3-server.cjs for why), holding `buckets` under `dir`. */
export async function startS3Server(dir: string, buckets: readonly string[]): Promise<S3TestServer> {
  const child = spawn(process.execPath, ["--openssl-legacy-provider", S3_SERVER, dir, ...buckets], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  const { port } = JSON.parse(line.toString("utf8")) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      child.stdin!.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}
