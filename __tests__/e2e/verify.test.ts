import { createSocket, type Socket } from "node:dgram";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { resolveConfig } from "../../modules/config/resolve";
import { fillDkimTokens, planDomains } from "../../modules/model/records";
import { route53TxtValue } from "../../modules/model/txt";
import { ROOT, runInProcess } from "../helpers/cli";
import { startDnsServer, type DnsTestServer, type ZoneRecord } from "../helpers/dns-server";
import { tempDir } from "../helpers/synth";

const TOKENS = ["tok1aaaa", "tok2bbbb", "tok3cccc"];
const CONFIG = {
  defaults: { region: "us-east-1", dns: { route53: { zoneId: "Z1" } } },
  domains: {
    "example.com": {
      spf: { include: ["_spf.example.net"], ip4: ["192.0.2.0/24"] },
      dmarc: { p: "reject", rua: ["dmarc@example.com"] },
    },
  },
};

/** The zone the config needs, as Route 53 would serve it after apply, with the include it names. */
function completeZone(): ZoneRecord[] {
  const [plan] = planDomains(resolveConfig(CONFIG));
  const fill = (text: string) => fillDkimTokens(text, (_, i) => TOKENS[i]);
  return [
    ...plan.records.map((r) => ({ name: fill(r.name), type: r.type, values: r.values.map((v) => (r.type === "TXT" ? route53TxtValue(v) : fill(v))) })),
    { name: "_spf.example.net", type: "TXT" as const, values: ["v=spf1 ip4:198.51.100.0/24 -all"] },
  ];
}

const servers: DnsTestServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const s of sockets.splice(0)) s.close();
});

async function serve(zone: ZoneRecord[]): Promise<string> {
  const server = await startDnsServer(zone);
  servers.push(server);
  return `${server.host}:${server.port}`;
}

function files() {
  const dir = tempDir();
  const config = join(dir, "ses.config.json");
  const tokens = join(dir, "tokens.json");
  writeFileSync(config, JSON.stringify(CONFIG));
  writeFileSync(tokens, JSON.stringify({ "example.com": { "us-east-1": TOKENS } }));
  return { dir, config, tokens };
}

const verify = (args: string[]) => runInProcess(["verify", ...args]);

const lineFor = (out: string, status: string, type: string, name: string) =>
  out.split("\n").find((l) => l.startsWith(status) && l.includes(` ${type} `) && l.includes(` ${name}`));

describe("ses-domains verify against a DNS server on loopback", () => {
  test("a complete zone: every record ok, SPF lookups counted through the include, exit 0", async () => {
    const f = files();
    const result = await verify(["--config", f.config, "--resolver", await serve(completeZone()), "--tokens", f.tokens]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    for (const name of ["tok1aaaa._domainkey.example.com", "mail.example.com", "_dmarc.example.com", "example.com"]) {
      expect(lineFor(result.out, "ok", name === "mail.example.com" ? "MX" : name.includes("_domainkey") ? "CNAME" : "TXT", name)).toBeDefined();
    }
    expect(result.out).toContain("ok          SPF   example.com  1 of 10 DNS lookups, 0 void");
  });

  test("without tokens, Easy DKIM is reported as not checked rather than guessed", async () => {
    const f = files();
    const result = await verify(["--config", f.config, "--resolver", await serve(completeZone())]);
    expect(result.code).toBe(0);
    expect(result.out.split("\n").filter((l) => l.startsWith("not checked"))).toHaveLength(3);
  });

  test.each<[string, (zone: ZoneRecord[]) => ZoneRecord[], string, string, string]>([
    ["the DMARC record removed", (z) => z.filter((r) => !r.name.startsWith("_dmarc.")), "missing", "TXT", "_dmarc.example.com"],
    [
      "the MX host changed",
      (z) => z.map((r) => (r.type === "MX" ? { ...r, values: ["10 feedback-smtp.eu-west-1.amazonses.com"] } : r)),
      "different",
      "MX",
      "mail.example.com",
    ],
    [
      "a stale DKIM CNAME",
      (z) => z.map((r) => (r.name.startsWith("tok2") ? { ...r, values: ["oldtoken.dkim.amazonses.com"] } : r)),
      "different",
      "CNAME",
      "tok2bbbb._domainkey.example.com",
    ],
  ])("%s exits 1 and names the record", async (_, change, status, type, name) => {
    const f = files();
    const result = await verify(["--config", f.config, "--resolver", await serve(change(completeZone())), "--tokens", f.tokens]);
    expect(result.code).toBe(1);
    expect(lineFor(result.out, status, type, name)).toBeDefined();
  });

  test("a configuration set's tracking domain: its CNAME is checked like every other record", async () => {
    const config = {
      ...CONFIG,
      domains: {
        "example.com": { ...CONFIG.domains["example.com"], configurationSet: { trackingDomain: { domain: "click.example.com", https: "optional" } } },
      },
    };
    const dir = tempDir();
    const file = join(dir, "tracking.json");
    writeFileSync(file, JSON.stringify(config));
    const tracking: ZoneRecord = { name: "click.example.com", type: "CNAME", values: ["r.us-east-1.awstrack.me"] };
    const ok = await verify(["--config", file, "--resolver", await serve([...completeZone(), tracking])]);
    expect(lineFor(ok.out, "ok", "CNAME", "click.example.com")).toBeDefined();
    expect(ok.code).toBe(0);
    const missing = await verify(["--config", file, "--resolver", await serve(completeZone())]);
    expect(lineFor(missing.out, "missing", "CNAME", "click.example.com")).toContain('expected "r.us-east-1.awstrack.me"');
    expect(missing.code).toBe(1);
  });

  test("an SPF include chain of 11 lookups exits 1 with the count", async () => {
    const chain: ZoneRecord[] = Array.from({ length: 10 }, (_, i) => ({
      name: i === 0 ? "_spf.example.net" : `s${i}.example.net`,
      type: "TXT" as const,
      values: [i < 9 ? `v=spf1 include:s${i + 1}.example.net -all` : "v=spf1 a:mail.example.net -all"],
    }));
    const zone = [...completeZone().filter((r) => r.name !== "_spf.example.net"), ...chain];
    const f = files();
    const result = await verify(["--config", f.config, "--resolver", await serve(zone), "--tokens", f.tokens]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^spf problem SPF {3}example\.com {2}11 of 10 DNS lookups, 0 void: spends 11 DNS lookups counting its includes/m);
  });

  test("more than two void lookups (includes with no SPF record) are a problem", async () => {
    const config = {
      ...CONFIG,
      domains: {
        "example.com": {
          ...CONFIG.domains["example.com"],
          spf: { include: ["_spf.example.net", "gone1.example.net", "gone2.example.net", "gone3.example.net"] },
        },
      },
    };
    const dir = tempDir();
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify(config));
    const [plan] = planDomains(resolveConfig(config));
    const zone = [
      ...completeZone().filter((r) => r.name !== "example.com"),
      { name: "example.com", type: "TXT" as const, values: plan.records.find((r) => r.id === "apex_txt")!.values },
    ];
    const result = await verify(["--config", file, "--resolver", await serve(zone)]);
    expect(result.code).toBe(1);
    expect(result.out).toContain("3 void lookups (names with no SPF record); receivers fail SPF past 2 (RFC 7208 §4.6.4)");
  });

  test("a second SPF record at the apex is a problem", async () => {
    const zone = completeZone().map((r) => (r.name === "example.com" && r.type === "TXT" ? { ...r, values: [...r.values, "v=spf1 -all"] } : r));
    const f = files();
    const result = await verify(["--config", f.config, "--resolver", await serve(zone), "--tokens", f.tokens]);
    expect(result.code).toBe(1);
    expect(result.out).toContain("example.com has 2 SPF records; receivers return permerror (RFC 7208 §3.2)");
    expect(lineFor(result.out, "different", "TXT", "example.com")).toBeDefined();
  });

  test("a server that does not answer gives timeout lines and exit 1, within the bound", async () => {
    const silent = createSocket("udp4");
    sockets.push(silent);
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    const f = files();
    const started = Date.now();
    const result = await verify(["--config", f.config, "--resolver", `127.0.0.1:${silent.address().port}`, "--tokens", f.tokens, "--timeout", "300"]);
    expect(result.code).toBe(1);
    expect(result.out.split("\n").filter((l) => l.startsWith("timeout")).length).toBeGreaterThanOrEqual(6);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test("reads tokens from terraform output -json", async () => {
    const f = files();
    const outputs = join(f.dir, "outputs.json");
    writeFileSync(outputs, JSON.stringify({ example_com_dkim_tokens: { sensitive: false, type: ["object", {}], value: { "us-east-1": TOKENS } } }));
    const result = await verify(["--config", f.config, "--resolver", await serve(completeZone()), "--tf-outputs", outputs]);
    expect(result.code).toBe(0);
    expect(lineFor(result.out, "ok", "CNAME", "tok3cccc._domainkey.example.com")).toBeDefined();
  });

  test("--json prints the same report as JSON", async () => {
    const f = files();
    const result = await verify(["--config", f.config, "--resolver", await serve(completeZone()), "--tokens", f.tokens, "--json"]);
    const report = JSON.parse(result.out);
    expect(report.ok).toBe(true);
    expect(report.records.find((r: { name: string }) => r.name === "_dmarc.example.com")).toMatchObject({ status: "ok", type: "TXT" });
  });

  test.each([
    [["--bogus"], /error: unknown option '--bogus'\nusage: ses-domains verify \[options\]/],
    [["--resolver", "dns.example.com"], /--resolver must be an IP address/],
    [["--tokens", "/nonexistent.json"], /--tokens \/nonexistent\.json: ENOENT/],
  ])("usage errors exit 2: %j", async (args, message) => {
    const f = files();
    const result = await verify(["--config", f.config, ...args]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });

  test("a config error exits 2", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ domains: { "example.com": {} } }));
    const result = await verify(["--config", join(dir, "bad.json")]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('error: domains["example.com"].region: is required');
  });

  test("the ses-domains bin runs verify as a process, config from SES_CONFIG", async () => {
    const f = files();
    const resolver = await serve(completeZone());
    const bin = join(ROOT, "dist", "modules", "cli", "ses-domains.js");
    const child = spawn(process.execPath, [bin, "verify", "--resolver", resolver, "--tokens", f.tokens], { env: { ...process.env, SES_CONFIG: f.config } });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    const [status] = (await once(child, "close")) as [number];
    expect(status).toBe(0);
    expect(stdout).toMatch(/^ok +TXT +_dmarc\.example\.com$/m);
    expect(stdout).toMatch(/^all \d+ checked records are as expected$/m);
  });
});
