/**
 * From the bytes of a file, an S3 object or a mail attachment to the XML documents inside: the container
 * is found by magic bytes, never by name or MIME type (reports come as .xml, .xml.gz, double gzip, .zip,
 * a file with no extension, or whole mail). Anyone can mail a rua address, so every step is bounded:
 * inflation stops at the byte budget (declared sizes are never trusted), zip archives may hold only a
 * few members, and containers nest only a few levels deep.
 */
import { crc32, inflateRawSync } from "node:zlib";
import { fromBuffer, type Entry, type ZipFile } from "yauzl";
import { formatBytes, quoteSnippet, ReportError, type Warnings } from "./problems";

export interface ReadLimits {
  /** The most bytes read from one input, and the most decompressed out of it, all stages together. */
  readonly maxBytes: number;
  /** A report zip holds one member; an archive with more than this many is refused unopened. */
  readonly maxZipMembers: number;
  /** gzip in zip in mail is three levels; deeper is refused. */
  readonly maxNesting: number;
}

export const DEFAULT_LIMITS: ReadLimits = { maxBytes: 25 * 1024 * 1024, maxZipMembers: 16, maxNesting: 4 };

export type ContainerKind = "gzip" | "zip" | "xml" | "mail" | "unknown";

/** What the bytes are, from their first bytes (parsedmarc does the same: zip, gzip, `<`). */
export function sniff(bytes: Uint8Array): ContainerKind {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return "gzip";
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06))) return "zip";
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  else if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return "xml"; // UTF-16 BOM
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (bytes[i] === 0x3c) return "xml";
  return looksLikeMail(bytes) ? "mail" : "unknown";
}

const HEADER_LINE = /^[!-9;-~]+:/;
const MAIL_HEADERS = /^(from|to|subject|date|received|return-path|message-id|mime-version|content-type|dkim-signature|delivered-to|x-[a-z0-9-]+):/im;

/** A header block: the first line is `Name: value` (or an mbox `From ` line) and a usual mail header follows. */
function looksLikeMail(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 64 * 1024)).toString("latin1");
  const end = head.search(/\r?\n\r?\n/);
  const block = end < 0 ? head : head.slice(0, end);
  const first = block.split(/\r?\n/, 1)[0];
  return (HEADER_LINE.test(first) || first.startsWith("From ")) && MAIL_HEADERS.test(block);
}

/** How much may still be decompressed out of one input. */
export class Budget {
  private used = 0;
  constructor(readonly limits: ReadLimits) {}

  get remaining(): number {
    return this.limits.maxBytes - this.used;
  }

  spend(n: number): void {
    this.used += n;
    if (this.used > this.limits.maxBytes) throw bombError(this.limits.maxBytes);
  }
}

function bombError(max: number): ReportError {
  return new ReportError(`decompresses to more than ${formatBytes(max)} (--max-size): refused as a possible decompression bomb`);
}

/** A mail parser: the kept one (postal-mime) is loaded only when a mail turns up. */
export type MailParts = (mail: Uint8Array) => Promise<{ parts: readonly { mimeType: string; content: Uint8Array }[] }>;

/**
 * Every XML document inside `bytes`, in order. Throws ReportError with one line when the input is not a
 * report or breaks a limit.
 */
export async function unwrap(bytes: Uint8Array, budget: Budget, warnings: Warnings, mail: MailParts, depth = 0): Promise<Uint8Array[]> {
  if (depth > budget.limits.maxNesting)
    throw new ReportError(`containers nested more than ${budget.limits.maxNesting} deep (gzip, zip or mail inside each other): refused`);
  const kind = sniff(bytes);
  switch (kind) {
    case "xml":
      return [bytes];
    case "gzip": {
      const inner = gunzip(bytes, budget, warnings);
      if (sniff(inner) === "gzip") warnings.add("nested-gzip", "gzip inside gzip (compressed twice): read through both");
      return unwrap(inner, budget, warnings, mail, depth + 1);
    }
    case "zip": {
      const docs: Uint8Array[] = [];
      for (const member of await unzip(bytes, budget, warnings)) {
        if (sniff(member.data) === "unknown") {
          warnings.add("zip-member-skipped", `zip member ${quoteSnippet(member.name, 80)} is not a report (no XML, gzip, zip or mail): skipped`);
          continue;
        }
        docs.push(...(await unwrap(member.data, budget, warnings, mail, depth + 1)));
      }
      if (docs.length === 0) throw new ReportError("the zip holds no report (no XML, gzip or zip member)");
      return docs;
    }
    case "mail": {
      const { parts } = await mail(bytes);
      const docs: Uint8Array[] = [];
      for (const part of parts) {
        if (sniff(part.content) === "unknown") continue;
        docs.push(...(await unwrap(part.content, budget, warnings, mail, depth + 1)));
      }
      if (docs.length === 0) {
        const types = [...new Set(parts.map((p) => p.mimeType))].join(", ") || "none";
        throw new ReportError(`the message holds no report: no XML, gzip or zip part (parts: ${types})`);
      }
      return docs;
    }
    default:
      throw new ReportError(
        `not a DMARC report: not XML, gzip, zip or mail (starts with ${quoteSnippet(Buffer.from(bytes.subarray(0, 60)).toString("latin1"), 24)})`,
      );
  }
}

/**
 * RFC 1952 gzip, member by member, inflated in chunks that stop at the budget. Bytes after the last
 * member are ignored with a warning: Mimecast sends them, and `gunzip` ignores them too.
 */
export function gunzip(bytes: Uint8Array, budget: Budget, warnings: Warnings): Buffer {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Buffer[] = [];
  let at = 0;
  do {
    const start = memberStart(data, at);
    let inflated: Buffer;
    let consumed: number;
    try {
      const result = inflateRawSync(data.subarray(start), {
        info: true,
        maxOutputLength: Math.max(1, budget.remaining),
        // one output chunk of the likely size, so the data is not held twice while chunks are joined
        chunkSize: sizeHint(data.readUInt32LE(data.length - 4), data.length - start, budget),
      }) as unknown as {
        buffer: Buffer;
        engine: { bytesWritten: number };
      };
      inflated = result.buffer;
      consumed = result.engine.bytesWritten;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === "ERR_BUFFER_TOO_LARGE") throw bombError(budget.limits.maxBytes);
      throw new ReportError(`gzip data is corrupt or truncated (${err.message})`);
    }
    budget.spend(inflated.length);
    const trailer = start + consumed;
    if (trailer + 8 > data.length) throw new ReportError("gzip data is truncated: the CRC and length trailer is missing");
    if (data.readUInt32LE(trailer) !== crc32(inflated)) throw new ReportError("gzip checksum (CRC-32) does not match the data: the file is corrupt");
    if (data.readUInt32LE(trailer + 4) !== inflated.length % 2 ** 32) throw new ReportError("gzip length trailer does not match the data: the file is corrupt");
    out.push(inflated);
    at = trailer + 8;
  } while (at + 1 < data.length && data[at] === 0x1f && data[at + 1] === 0x8b);
  if (at < data.length)
    warnings.add("gzip-trailing-data", `${data.length - at} byte${data.length - at === 1 ? "" : "s"} after the end of the gzip data ignored`);
  return out.length === 1 ? out[0] : Buffer.concat(out);
}

/**
 * How much a deflate stream will likely inflate to: what the header or trailer claims, never more than
 * the budget left nor deflate's largest possible ratio (1032:1) allows. Only an allocation size: the
 * output is still counted and capped as it is produced.
 */
function sizeHint(claimed: number, compressed: number, budget: Budget): number {
  return Math.max(64 * 1024, Math.min(claimed + 1, budget.remaining + 1, compressed * 1032 + 1));
}

/** Where the deflate data of the gzip member at `at` begins (after the optional header fields). */
function memberStart(data: Buffer, at: number): number {
  const truncated = () => new ReportError("gzip header is truncated");
  if (at + 10 > data.length) throw truncated();
  if (data[at + 2] !== 8) throw new ReportError(`gzip compression method ${data[at + 2]} is not deflate (8)`);
  const flags = data[at + 3];
  let p = at + 10;
  if (flags & 0x04) {
    if (p + 2 > data.length) throw truncated();
    p += 2 + data.readUInt16LE(p);
  }
  for (const bit of [0x08, 0x10]) {
    if (!(flags & bit)) continue;
    const nul = data.indexOf(0, p);
    if (nul < 0) throw truncated();
    p = nul + 1;
  }
  if (flags & 0x02) p += 2;
  if (p > data.length) throw truncated();
  return p;
}

/**
 * The members of a zip, read through yauzl with its size validation on, each counted against the budget
 * while it inflates. Refused before anything is inflated: more members than the cap, an encrypted member,
 * a declared size already over the budget.
 */
export async function unzip(bytes: Uint8Array, budget: Budget, warnings: Warnings): Promise<{ name: string; data: Buffer }[]> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    fromBuffer(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: false },
      (err, z) => (err ? reject(new ReportError(`zip is corrupt: ${err.message}`)) : resolve(z)),
    ),
  );
  try {
    if (zip.entryCount > budget.limits.maxZipMembers) {
      throw new ReportError(`zip holds ${zip.entryCount} members, more than the ${budget.limits.maxZipMembers} read (a report zip holds one): refused`);
    }
    const members: { name: string; data: Buffer }[] = [];
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      if (entry.fileName.endsWith("/")) continue;
      if (entry.isEncrypted()) throw new ReportError(`zip member ${quoteSnippet(entry.fileName, 80)} is encrypted`);
      if (entry.uncompressedSize > budget.remaining) throw bombError(budget.limits.maxBytes);
      members.push({ name: entry.fileName, data: await readMember(zip, entry, budget) });
    }
    if (members.length > 1) warnings.add("zip-members", `zip holds ${members.length} members (a report zip holds one): each read`);
    return members;
  } finally {
    zip.close();
  }
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off("entry", onEntry);
      zip.off("end", onEnd);
      zip.off("error", onError);
    };
    const onEntry = (entry: Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new ReportError(`zip is corrupt: ${err.message}`));
    };
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}

function readMember(zip: ZipFile, entry: Entry, budget: Budget): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(new ReportError(`zip member ${quoteSnippet(entry.fileName, 80)} cannot be read: ${err.message}`));
      // the member goes straight into one buffer of the likely size; only a member larger than its
      // header said falls back to joining chunks
      const hinted = Buffer.allocUnsafe(sizeHint(entry.uncompressedSize, entry.compressedSize, budget) - 1);
      let length = 0;
      let chunks: Buffer[] | undefined;
      stream.on("data", (chunk: Buffer) => {
        try {
          budget.spend(chunk.length);
        } catch (e) {
          stream.destroy();
          return reject(e);
        }
        if (!chunks && length + chunk.length <= hinted.length) chunk.copy(hinted, length);
        else {
          chunks ??= [hinted.subarray(0, length)];
          chunks.push(chunk);
        }
        length += chunk.length;
      });
      stream.on("error", (e) => {
        const member = `zip member ${quoteSnippet(entry.fileName, 80)}`;
        const declared = formatBytes(entry.uncompressedSize);
        if (/too many bytes/.test(e.message))
          reject(new ReportError(`${member} inflates to more than the ${declared} its header declares: corrupt or hostile, refused`));
        else if (/not enough bytes/.test(e.message)) reject(new ReportError(`${member} inflates to less than the ${declared} its header declares: corrupt`));
        else reject(new ReportError(`${member} is corrupt: ${e.message}`));
      });
      stream.on("end", () => resolve(chunks ? Buffer.concat(chunks) : hinted.subarray(0, length)));
    });
  });
}
