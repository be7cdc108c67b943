/**
 * A real DNS server on 127.0.0.1 serving a fixed in-memory zone (dns2, UDP plus TCP on the same port),
 * and a node:dns Resolver pointed at it: enough to read records back the way a mail receiver would.
 *
 *   const dns = await startDnsServer([{ name: "example.com", type: "TXT", values: ["v=spf1 -all"] }]);
 *   afterAll(() => dns.close());
 *   await dns.resolver.resolveTxt("example.com"); // [["v=spf1 -all"]]
 *
 * `{ delayMs }` holds every answer back (a slow resolver): with it, `maxInFlight` tells how many
 * questions a client had open at once.
 *
 * Why TCP too: Node's resolver (c-ares) sends no EDNS OPT record, so UDP answers are capped at 512 octets;
 * dns2 then answers with TC=1 and no records, and c-ares retries over TCP *on the same port*. Any TXT
 * answer over ~450 characters (a 2048-bit DKIM key, say) takes that path.
 */
import { Resolver } from "node:dns/promises";
import { isIPv4 } from "node:net";
import type { Server as TcpServer, Socket } from "node:net";
import dns2 from "dns2";

const { Packet } = dns2;
type DnsPacket = InstanceType<typeof Packet>;
type DnsResource = dns2.Packet.Resource;

export const DNS_HOST = "127.0.0.1";
const DEFAULT_TTL = 300;
/** Longest character-string on the wire (RFC 1035 §3.3): one length octet. */
const CHARACTER_STRING_MAX = 255;
/** CNAME hops followed before answering SERVFAIL (a loop, or a chain no real zone has). */
const MAX_CNAME_HOPS = 8;

export type ZoneRecordType = "TXT" | "MX" | "CNAME" | "A";

export interface ZoneRecord {
  /** Owner name; compared case-insensitively, trailing dot optional. */
  readonly name: string;
  readonly type: ZoneRecordType;
  /** Default 300. */
  readonly ttl?: number;
  /**
   * One entry per record in the RRset, written as in aws_route53_record `records`:
   * TXT: the provider's element, `""` separating character-strings (see txtCharacterStrings);
   * MX: `"10 inbound-smtp.us-east-1.amazonaws.com"`; CNAME: one host name; A: a dotted IPv4 address.
   */
  readonly values: readonly string[];
}

export interface DnsQueryLogEntry {
  readonly transport: "udp" | "tcp";
  /** The question's name as sent. */
  readonly name: string;
  /** Type mnemonic ("TXT", "AAAA", "TYPE65", ...). */
  readonly type: string;
  readonly rcode: number;
  readonly answers: number;
}

export interface DnsServerOptions {
  /** Hold each answer back this long, in ms; a function gets the question's name (answers then come back out of order). @default 0 */
  readonly delayMs?: number | ((name: string) => number);
}

export interface DnsTestServer {
  readonly host: typeof DNS_HOST;
  /** Serves UDP and TCP. */
  readonly port: number;
  /**
   * Talks only to this server: timeout 1000 ms, 1 try. Note c-ares caches positive answers for their TTL
   * (the zone cannot change, so this only saves round trips).
   */
  readonly resolver: Resolver;
  /** Every question answered, in order. */
  readonly queries: readonly DnsQueryLogEntry[];
  /** Most questions received and not yet answered at any one time. */
  readonly maxInFlight: number;
  /** Undecodable queries, handler failures, socket errors. Empty when all went well. */
  readonly errors: readonly Error[];
  /** Stops both listeners and drops open TCP connections. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * The character-strings Route 53 stores for one aws_route53_record TXT `records` element.
 *
 * The provider sends each element wrapped in double quotes, unsplit: `first""rest` goes to Route 53 as
 * `"first""rest"`, which its zone-text parser reads as two adjacent quoted strings, `"first" "rest"`. So
 * the element maps to `element.split('""')`: no `""` is one string (possibly empty), `a""b""c` is three.
 * Each string is at most 255 octets on the wire; Route 53 rejects a longer one (it never splits), so
 * this throws. Route 53's backslash escapes (`\"`, `\ddd`) are not modelled: an element with a
 * backslash, or a quote that is not part of a `""` pair, throws rather than be guessed at.
 */
export function txtCharacterStrings(element: string): string[] {
  const strings = element.split('""');
  for (const s of strings) {
    if (s.includes('"') || s.includes("\\")) {
      throw new Error(`TXT element ${JSON.stringify(element)}: quotes and backslashes beyond "" separators are not modelled`);
    }
    const octets = Buffer.byteLength(s, "utf8");
    if (octets > CHARACTER_STRING_MAX) {
      throw new Error(
        `TXT element has a ${octets}-octet character-string (max ${CHARACTER_STRING_MAX}); Route 53 rejects it — ` +
          `split it with "" (route53TxtValue): ${JSON.stringify(element.slice(0, 60))}...`,
      );
    }
  }
  return strings;
}

/** Lower case, no trailing dot. */
const canonical = (name: string) => name.replace(/\.$/, "").toLowerCase();

type RData = Pick<DnsResource, "data" | "exchange" | "priority" | "domain" | "address">;
interface RRset {
  readonly type: ZoneRecordType;
  readonly ttl: number;
  readonly rdata: readonly RData[];
}
/** canonical owner name -> type -> RRset */
type Zone = Map<string, Map<ZoneRecordType, RRset>>;

function rdataOf(record: ZoneRecord, value: string): RData {
  const where = `${record.type} ${record.name} ${JSON.stringify(value)}`;
  switch (record.type) {
    case "TXT":
      return { data: txtCharacterStrings(value) };
    case "MX": {
      const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(value);
      const priority = m ? Number(m[1]) : NaN;
      if (!m || priority > 0xffff) throw new Error(`${where}: expected "<priority 0-65535> <host>"`);
      return { priority, exchange: m[2].replace(/\.$/, "") };
    }
    case "CNAME":
      if (!/^[^\s]+$/.test(value)) throw new Error(`${where}: expected a host name`);
      return { domain: value.replace(/\.$/, "") };
    case "A":
      if (!isIPv4(value)) throw new Error(`${where}: expected an IPv4 address`);
      return { address: value };
  }
}

function buildZone(records: readonly ZoneRecord[]): Zone {
  const zone: Zone = new Map();
  for (const record of records) {
    const name = canonical(record.name);
    if (!name) throw new Error(`zone record with an empty name: ${JSON.stringify(record)}`);
    Packet.Name.encode(name); // throws on a label over 63 octets or a name over 255
    if (record.values.length === 0) throw new Error(`${record.type} ${record.name}: no values`);
    if (record.type === "CNAME" && record.values.length !== 1) throw new Error(`CNAME ${record.name}: exactly one value`);
    const ttl = record.ttl ?? DEFAULT_TTL;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 0x7fffffff) throw new Error(`${record.type} ${record.name}: bad ttl ${ttl}`);
    const node = zone.get(name) ?? new Map<ZoneRecordType, RRset>();
    // As in Route 53: one RRset per name and type (list several values instead), and a CNAME stands alone.
    if (node.has(record.type)) throw new Error(`${record.type} ${record.name} given twice: put all values in one entry`);
    if (node.size > 0 && (record.type === "CNAME" || node.has("CNAME"))) {
      throw new Error(`${record.name}: a CNAME cannot share its name with other records`);
    }
    node.set(record.type, { type: record.type, ttl, rdata: record.values.map((v) => rdataOf(record, v)) });
    zone.set(name, node);
  }
  return zone;
}

const TYPE_CODE: Record<ZoneRecordType, number> = {
  TXT: Packet.TYPE.TXT,
  MX: Packet.TYPE.MX,
  CNAME: Packet.TYPE.CNAME,
  A: Packet.TYPE.A,
};

const resources = (owner: string, set: RRset): DnsResource[] =>
  set.rdata.map((rdata) => new Packet.Resource({ name: owner, type: TYPE_CODE[set.type], class: Packet.CLASS.IN, ttl: set.ttl, ...rdata }));

/**
 * Authoritative answer for (qname, qtype): NXDOMAIN for a name not in the zone, NODATA (NOERROR, no
 * answers) for a name without that type, and a CNAME is followed within the zone as a recursive resolver
 * would, the chain and the final records all in the answer (RFC 6604: the RCODE is the last name's).
 */
function lookup(zone: Zone, qname: string, qtype: number): { rcode: number; answers: DnsResource[] } {
  const answers: DnsResource[] = [];
  let owner = qname;
  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
    const node = zone.get(canonical(owner));
    if (!node) return { rcode: Packet.RCODE.NXDOMAIN, answers };
    const cname = node.get("CNAME");
    if (cname && qtype !== Packet.TYPE.CNAME && qtype !== Packet.TYPE.ANY) {
      answers.push(...resources(owner, cname));
      owner = cname.rdata[0].domain as string;
      continue;
    }
    for (const set of node.values()) {
      if (qtype === Packet.TYPE.ANY || TYPE_CODE[set.type] === qtype) answers.push(...resources(owner, set));
    }
    return { rcode: Packet.RCODE.NOERROR, answers };
  }
  return { rcode: Packet.RCODE.SERVFAIL, answers: [] };
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

function listenUdp(socket: ReturnType<typeof dns2.createUDPServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, DNS_HOST, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

function listenTcp(server: TcpServer, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, DNS_HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/**
 * Starts the server on an ephemeral port. The zone is validated first (bad input throws before anything
 * listens). Call close() when done, e.g. in afterAll.
 */
export async function startDnsServer(records: readonly ZoneRecord[], options: DnsServerOptions = {}): Promise<DnsTestServer> {
  const zone = buildZone(records);
  const queries: DnsQueryLogEntry[] = [];
  const errors: Error[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const delayFor = (name: string) => (typeof options.delayMs === "function" ? options.delayMs(name) : (options.delayMs ?? 0));

  const handler =
    (transport: DnsQueryLogEntry["transport"]) =>
    (request: DnsPacket, reply: (response: DnsPacket) => unknown): void => {
      const [question] = request.questions;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const delay = delayFor(question?.name ?? "");
      let open = true;
      const send = (response: DnsPacket): unknown => {
        const answered = () => {
          if (open) inFlight--;
          open = false;
          return reply(response);
        };
        if (delay <= 0) return answered();
        return new Promise((resolve, reject) => setTimeout(() => Promise.resolve(answered()).then(resolve, reject), delay));
      };
      const response = Packet.createResponseFromRequest(request);
      response.header.aa = 1;
      try {
        if (request.errors.length > 0 || !question || request.questions.length !== 1) {
          errors.push(...request.errors);
          response.header.rcode = Packet.RCODE.FORMERR;
        } else if (request.header.opcode !== 0) {
          response.header.rcode = Packet.RCODE.NOTIMP;
        } else {
          const { rcode, answers } = lookup(zone, question.name, question.type);
          response.header.rcode = rcode;
          response.answers = answers;
        }
        queries.push({
          transport,
          name: question?.name ?? "",
          type: question ? Packet.typeName(question.type) : "",
          rcode: response.header.rcode,
          answers: response.answers.length,
        });
        // UDP send returns a promise; TCP send returns nothing.
        Promise.resolve(send(response)).catch((e: unknown) => errors.push(asError(e)));
      } catch (e) {
        errors.push(asError(e));
        const failure = Packet.createResponseFromRequest(request);
        failure.header.rcode = Packet.RCODE.SERVFAIL;
        Promise.resolve(send(failure)).catch((err: unknown) => errors.push(asError(err)));
      }
    };

  // UDP takes an ephemeral port; TCP must then get the same number (c-ares retries a truncated answer
  // over TCP to the same address and port), which another process may hold: try again a few times.
  for (let attempt = 1; ; attempt++) {
    const udp = dns2.createUDPServer({ type: "udp4" });
    udp.on("request", handler("udp"));
    udp.on("requestError", (e: Error) => errors.push(e));
    await listenUdp(udp, 0);
    udp.on("error", (e: Error) => errors.push(e));
    const port = udp.address().port;

    const tcp: TcpServer = dns2.createTCPServer();
    tcp.on("request", handler("tcp"));
    tcp.on("requestError", (e: Error) => errors.push(e));
    const sockets = new Set<Socket>();
    tcp.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    try {
      await listenTcp(tcp, port);
    } catch (e) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if ((e as NodeJS.ErrnoException).code === "EADDRINUSE" && attempt < 10) continue;
      throw e;
    }
    tcp.on("error", (e: Error) => errors.push(e));

    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`${DNS_HOST}:${port}`]);

    let closing: Promise<void> | undefined;
    return {
      host: DNS_HOST,
      port,
      resolver,
      queries,
      errors,
      get maxInFlight() {
        return maxInFlight;
      },
      close() {
        closing ??= (async () => {
          resolver.cancel();
          // c-ares keeps its TCP connection open; tcp.close() would wait for dns2's 10 s idle timeout.
          for (const socket of sockets) socket.destroy();
          await Promise.all([new Promise<void>((resolve) => tcp.close(() => resolve())), new Promise<void>((resolve) => udp.close(() => resolve()))]);
        })();
        return closing;
      },
    };
  }
}
