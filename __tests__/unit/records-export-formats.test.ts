/** `records` formatters: BIND fragments, CSV, markdown and JSON, down to escaping and octet counts. */
import { describe, expect, test } from "vitest";
import { resolveConfig } from "../../modules/config/resolve";
import { planDomains } from "../../modules/model/records";
import { bindFragment, formatBind, relativeName, txtCharacterStrings } from "../../modules/records/bind";
import { csvField, formatCsv } from "../../modules/records/csv";
import { formatJson } from "../../modules/records/json";
import { codeSpan, formatMarkdown } from "../../modules/records/markdown";
import { listRecords, type DomainRecords, type RecordRow } from "../../modules/records/records";
import { testKey } from "../helpers/keys";

/** Reads one zone-file character-string back to its octets (RFC 1035 §5.1: `\X` is X, `\DDD` an octet). */
function decodeCharacterString(quoted: string): Buffer {
  expect(quoted.startsWith('"') && quoted.endsWith('"')).toBe(true);
  const body = quoted.slice(1, -1);
  const octets: number[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '"') throw new Error(`unescaped quote in ${quoted}`);
    if (body[i] !== "\\") {
      octets.push(body.charCodeAt(i));
    } else if (/^\d{3}$/.test(body.slice(i + 1, i + 4))) {
      octets.push(Number(body.slice(i + 1, i + 4)));
      i += 3;
    } else {
      octets.push(body.charCodeAt(++i));
    }
  }
  return Buffer.from(octets);
}

/** RFC 4180 reader, enough to read our own output back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  return rows;
}

const row = (over: Partial<RecordRow>): RecordRow => ({
  domain: "example.com",
  zone: "example.com",
  name: "example.com",
  type: "TXT",
  ttl: 600,
  values: ["v=spf1 -all"],
  purpose: "apex SPF",
  ...over,
});
const domainOf = (rows: RecordRow[], over: Partial<DomainRecords> = {}): DomainRecords => ({
  domain: "example.com",
  zone: "example.com",
  dns: { zoneId: "Z1" },
  rows,
  ...over,
});

const FLEET = listRecords(
  planDomains(
    resolveConfig({
      defaults: { region: "us-east-1", dmarc: { p: "reject", rua: ["dmarc@example.com"] } },
      domains: {
        "example.com": { dns: { route53: { zoneId: "Z1" } }, spf: { include: ["_spf.google.com"], extraTxt: ["google-site-verification=abc"] } },
        "news.example.com": { dns: { route53: { zoneName: "example.com" } }, ttl: 300, mailFrom: { subdomain: "bounce", onMxFailure: "reject" } },
        "shop.example.org": {
          dns: { external: {} },
          region: "af-south-1",
          dkim: { type: "byo", selector: "s2026a", publicKey: testKey().publicPem, privateKey: { variable: "K" } },
        },
      },
    }),
  ),
  { "example.com": { "us-east-1": ["tok1", "tok2", "tok3"] } },
);

describe("BIND: TXT character-strings", () => {
  const ascii = (n: number) => "abcdefghij".repeat(Math.ceil(n / 10)).slice(0, n);

  test.each<[string, string, number]>([
    ["a short value: one string", "v=spf1 -all", 1],
    ["the empty value: one empty string", "", 1],
    ["255 octets: one string", ascii(255), 1],
    ["256 octets: two strings", ascii(256), 2],
    ["a 2048-bit DKIM key: two strings", `v=DKIM1; k=rsa; p=${testKey().publicBase64}`, 2],
    ["230 UTF-16 units but 260 octets (30 × é): two strings", `${ascii(200)}${"é".repeat(30)}`, 2],
    ["emoji (4 octets, 2 UTF-16 units each) across the boundary", `${ascii(253)}😀😀`, 2],
    ['quotes and backslashes: \\" and \\\\', 'say "hi" \\ bye', 1],
    ["a DMARC value with ;", "v=DMARC1; p=reject; rua=mailto:d@example.com", 1],
    ["control characters and DEL", "a\tb\nc\x7f", 1],
  ])("%s, read back octet for octet", (_, value, count) => {
    const strings = txtCharacterStrings(value);
    expect(strings).toHaveLength(count);
    const decoded = strings.map(decodeCharacterString);
    for (const octets of decoded) expect(octets.length).toBeLessThanOrEqual(255);
    expect(Buffer.concat(decoded).equals(Buffer.from(value, "utf8"))).toBe(true);
    for (const s of strings) expect(s).toMatch(/^"[\x20-\x7e]*"$/);
  });

  test('escapes " and \\ with a backslash, and writes non-ASCII octets as \\DDD', () => {
    expect(txtCharacterStrings('a"b\\c')).toEqual(['"a\\"b\\\\c"']);
    expect(txtCharacterStrings("é")).toEqual(['"\\195\\169"']);
    expect(txtCharacterStrings("tab\there")).toEqual(['"tab\\009here"']);
  });

  test("leaves ; inside the quotes, where it is not a comment", () => {
    expect(txtCharacterStrings("v=DMARC1; p=reject")).toEqual(['"v=DMARC1; p=reject"']);
  });
});

describe("BIND: zone fragments", () => {
  const fragments = formatBind(FLEET);
  const zone = (name: string) => fragments.split("\n\n").find((f) => f.includes(`$ORIGIN ${name}.\n`))!;
  /** Owners are padded to the longest in the zone, here `shop.example.org._report._dmarc`. */
  const owner = (name: string) => `${name.padEnd(31)} `;

  test("one fragment per zone, sorted, each with $ORIGIN and $TTL", () => {
    expect(fragments.match(/^\$ORIGIN .*$/gm)).toEqual(["$ORIGIN example.com.", "$ORIGIN shop.example.org."]);
    expect(zone("example.com")).toMatch(/^; ses-domains records for zone example\.com: example\.com, news\.example\.com\n\$ORIGIN example\.com\.\n\$TTL 600\n/);
  });

  test("owner names relative to the origin, @ for the apex; targets absolute; MX with its priority", () => {
    const lines = zone("example.com").split("\n");
    expect(lines).toContain(`${owner("tok1._domainkey")}    IN CNAME tok1.dkim.amazonses.com. ; DKIM (Easy DKIM, us-east-1, 1 of 3)`);
    expect(lines).toContain(`${owner("mail")}    IN MX    10 feedback-smtp.us-east-1.amazonses.com. ; MAIL FROM MX`);
    expect(lines).toContain(`${owner("@")}    IN TXT   "v=spf1 include:_spf.google.com ~all" ; apex SPF, with 1 other TXT value (spf.extraTxt)`);
    expect(lines).toContain(`${owner("@")}    IN TXT   "google-site-verification=abc" ; apex SPF, with 1 other TXT value (spf.extraTxt)`);
    expect(lines).toContain(`${owner("_dmarc")}    IN TXT   "v=DMARC1; p=reject; rua=mailto:dmarc@example.com" ; DMARC policy`);
    expect(lines).toContain(`shop.example.org._report._dmarc     IN TXT   "v=DMARC1" ; DMARC report authorization for shop.example.org`);
  });

  test("a record whose TTL differs from $TTL carries its own", () => {
    expect(zone("example.com").split("\n")).toContain(`${owner("bounce.news")}300 IN MX    10 feedback-smtp.us-east-1.amazonses.com. ; MAIL FROM MX`);
    expect(zone("example.com")).not.toMatch(/^\S+ +600 IN /m);
  });

  test("a TXT value over 255 octets continues inside parentheses, the purpose after the closing one", () => {
    const lines = zone("shop.example.org").split("\n");
    const start = lines.findIndex((l) => l.startsWith("s2026a._domainkey "));
    expect(lines[start]).toMatch(/^s2026a\._domainkey IN TXT {3}\( "v=DKIM1; k=rsa; p=[^"]+"$/);
    expect(lines[start + 1]).toMatch(/^ +"[^"]+" \) ; DKIM \(BYODKIM, selector s2026a, signing\)$/);
    expect(lines[start + 1].indexOf('"')).toBe(lines[start].indexOf('"'));
  });

  test("without tokens, Easy DKIM records are comments: no record line holds a placeholder", () => {
    const text = formatBind(
      listRecords(planDomains(resolveConfig({ defaults: { region: "af-south-1" }, domains: { "example.com": { dns: { route53: { zoneId: "Z1" } } } } }))),
    );
    const comments = text.split("\n").filter((l) => l.startsWith("; DKIM"));
    expect(comments).toEqual(
      [1, 2, 3].map(
        (n) =>
          `; DKIM (Easy DKIM, af-south-1, ${n} of 3): <token>._domainkey CNAME <token>.dkim.af-south-1.amazonses.com. (known after apply); give --tokens or --tf-outputs to write it`,
      ),
    );
    const records = text.split("\n").filter((l) => !l.startsWith(";") && !l.startsWith("$") && l !== "");
    expect(records.map((l) => l.split(/ +/)[0])).toEqual(["mail", "mail"]);
    expect(records.join("\n")).not.toMatch(/\{\{|<token>/);
  });

  test("a name outside the zone is written absolute, never silently relative", () => {
    expect(relativeName("example.com", "example.com")).toBe("@");
    expect(relativeName("S2026A._domainkey.example.com", "example.com")).toBe("S2026A._domainkey");
    expect(relativeName("other.example.org", "example.com")).toBe("other.example.org.");
    expect(relativeName("notexample.com", "example.com")).toBe("notexample.com.");
  });

  test("the $TTL is the TTL most records share", () => {
    const text = bindFragment("example.com", [row({ ttl: 300 }), row({ name: "_dmarc.example.com", ttl: 3600 }), row({ name: "a.example.com", ttl: 3600 })]);
    expect(text).toContain("$TTL 3600\n");
    expect(text).toContain('@      300 IN TXT   "v=spf1 -all" ; apex SPF');
    expect(text).toContain('_dmarc     IN TXT   "v=spf1 -all" ; apex SPF');
  });
});

describe("CSV", () => {
  test.each<[string | number, string]>([
    ["plain", "plain"],
    [600, "600"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["v=DMARC1; p=reject", '"v=DMARC1; p=reject"'],
    ["two\nlines", '"two\nlines"'],
    [" padded", '" padded"'],
  ])("field %j is written %s", (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  test("a header, then one row per value, read back whole by an RFC 4180 reader", () => {
    const rows = parseCsv(formatCsv(FLEET));
    expect(rows[0]).toEqual(["domain", "zone", "name", "type", "ttl", "value", "purpose"]);
    expect(rows.slice(1).filter((r) => r[2] === "example.com")).toEqual([
      ["example.com", "example.com", "example.com", "TXT", "600", "v=spf1 include:_spf.google.com ~all", "apex SPF, with 1 other TXT value (spf.extraTxt)"],
      ["example.com", "example.com", "example.com", "TXT", "600", "google-site-verification=abc", "apex SPF, with 1 other TXT value (spf.extraTxt)"],
    ]);
    expect(rows.find((r) => r[2] === "_dmarc.example.com")![5]).toBe("v=DMARC1; p=reject; rua=mailto:dmarc@example.com");
    expect(rows.slice(1).every((r) => r.length === 7)).toBe(true);
    expect(rows).toHaveLength(1 + FLEET.flatMap((d) => d.rows).reduce((n, r) => n + r.values.length, 0));
  });

  test("a value with quotes and commas survives the round trip", () => {
    const text = formatCsv([domainOf([row({ values: ['token="a,b"'], purpose: "apex SPF" })])]);
    expect(parseCsv(text)[1][5]).toBe('token="a,b"');
  });

  test("an unknown Easy DKIM record says so in the value", () => {
    const rows = parseCsv(
      formatCsv(
        listRecords(planDomains(resolveConfig({ defaults: { region: "us-east-1" }, domains: { "example.com": { dns: { route53: { zoneId: "Z1" } } } } }))),
      ),
    );
    expect(rows[1]).toEqual([
      "example.com",
      "example.com",
      "<token>._domainkey.example.com",
      "CNAME",
      "600",
      "(known after apply) <token>.dkim.amazonses.com",
      "DKIM (Easy DKIM, us-east-1, 1 of 3)",
    ]);
  });
});

describe("markdown", () => {
  test.each<[string, string]>([
    ["v=spf1 -all", "`v=spf1 -all`"],
    ["a|b", "`a\\|b`"],
    ["has `tick`", "`` has `tick` ``"],
    ["`edge", "`` `edge ``"],
    ["line\nbreak", "`line\\010break`"],
  ])("codeSpan(%j) is %s", (text, span) => {
    expect(codeSpan(text)).toBe(span);
  });

  test("a table per domain, Type, Name, Value, TTL, Purpose, with where the records go", () => {
    const text = formatMarkdown(FLEET);
    expect(text.split("\n")[0]).toBe("18 DNS records for 3 domains in 2 zones.");
    expect(text.match(/^### .*$/gm)).toEqual(["### example.com", "### news.example.com", "### shop.example.org"]);
    expect(text.match(/^\| Type \| Name \| Value \| TTL \| Purpose \|$/gm)).toHaveLength(3);
    expect(text).toContain("Zone `example.com` (Route 53 hosted zone `Z1`): Terraform writes these records.");
    expect(text).toContain("Zone `example.com` (Route 53, hosted zone found by name): Terraform writes these records.");
    expect(text).toContain("Zone `shop.example.org`, external DNS: publish these records at your DNS provider (Terraform writes none of them).");
    expect(text).toContain("| TXT | `_dmarc.example.com` | `v=DMARC1; p=reject; rua=mailto:dmarc@example.com` | 600 | DMARC policy |");
    expect(text).toContain(
      "| TXT | `example.com` | `v=spf1 include:_spf.google.com ~all`<br>`google-site-verification=abc` | 600 | apex SPF, with 1 other TXT value (spf.extraTxt) |",
    );
    expect(text).toContain("| MX | `bounce.news.example.com` | `10 feedback-smtp.us-east-1.amazonses.com` | 300 | MAIL FROM MX |");
    const pending = text.split("\n").filter((l) => l.includes("(known after apply)"));
    expect(pending).toHaveLength(3);
    for (const line of pending) expect(line).toMatch(/^\| CNAME \| `<token>\._domainkey\.news\.example\.com` \|/);
  });

  test("an unknown Easy DKIM record reads known after apply, with a note above the tables", () => {
    const text = formatMarkdown(
      listRecords(planDomains(resolveConfig({ defaults: { region: "us-east-1" }, domains: { "example.com": { dns: { route53: { zoneId: "Z1" } } } } }))),
    );
    expect(text).toContain("\n3 Easy DKIM records are known only after apply (the tokens name them): give --tokens or --tf-outputs to list them.\n");
    expect(text).toContain(
      "| CNAME | `<token>._domainkey.example.com` | (known after apply) `<token>.dkim.amazonses.com` | 600 | DKIM (Easy DKIM, us-east-1, 2 of 3) |",
    );
  });
});

describe("JSON", () => {
  const list = JSON.parse(formatJson(FLEET)) as Record<string, unknown>[];

  test("a list of { domain, zone, name, type, ttl, values, purpose }, nothing more", () => {
    expect(list).toHaveLength(FLEET.flatMap((d) => d.rows).length);
    for (const entry of list) expect(Object.keys(entry)).toEqual(["domain", "zone", "name", "type", "ttl", "values", "purpose"]);
    expect(list.find((e) => e.name === "bounce.news.example.com" && e.type === "MX")).toEqual({
      domain: "news.example.com",
      zone: "example.com",
      name: "bounce.news.example.com",
      type: "MX",
      ttl: 300,
      values: ["10 feedback-smtp.us-east-1.amazonses.com"],
      purpose: "MAIL FROM MX",
    });
  });

  test("TXT values whole, names and targets without a trailing dot", () => {
    const dkim = list.find((e) => e.name === "s2026a._domainkey.shop.example.org")!;
    expect(dkim.values).toEqual([`v=DKIM1; k=rsa; p=${testKey().publicBase64}`]);
    expect((dkim.values as string[])[0].length).toBeGreaterThan(255);
    expect(list.filter((e) => String(e.name).endsWith(".") || (e.values as string[]).some((v) => v.endsWith(".")))).toEqual([]);
    expect(list.find((e) => e.name === "tok1._domainkey.example.com")!.values).toEqual(["tok1.dkim.amazonses.com"]);
  });

  test("an unknown Easy DKIM record keeps the record model's placeholders", () => {
    const [first] = JSON.parse(
      formatJson(
        listRecords(planDomains(resolveConfig({ defaults: { region: "us-east-1" }, domains: { "example.com": { dns: { route53: { zoneId: "Z1" } } } } }))),
      ),
    );
    expect(first).toEqual({
      domain: "example.com",
      zone: "example.com",
      name: "{{dkim-token:us-east-1:1}}._domainkey.example.com",
      type: "CNAME",
      ttl: 600,
      values: ["{{dkim-token:us-east-1:1}}.dkim.amazonses.com"],
      purpose: "DKIM (Easy DKIM, us-east-1, 1 of 3)",
    });
  });
});
