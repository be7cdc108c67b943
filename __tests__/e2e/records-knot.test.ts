/**
 * The records export and verify prove each other: for every example config, `ses-domains records
 * --format bind` (the built CLI, with tokens) gives zone fragments that BIND's named-checkzone accepts
 * once wrapped with SOA and NS, that a real authoritative server (knotd, started here on a loopback
 * port with its own config and storage) loads, and against which `ses-domains verify --resolver`
 * exits 0 with every record ok.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import { once } from "node:events";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../modules/config/load";
import { planDomains, type DomainPlan } from "../../modules/model/records";
import { parseSpf } from "../../modules/model/spf";
import { ROOT } from "../helpers/cli";
import { tempDir } from "../helpers/synth";

const BIN = resolve(ROOT, "dist", "modules", "cli", "ses-domains.js");
const EXAMPLES = readdirSync(join(ROOT, "examples"))
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Made-up Easy DKIM tokens for every domain and region, as `--tokens` takes them. */
function tokensFor(plans: readonly DomainPlan[]): Record<string, Record<string, string[]>> {
  const tokens: Record<string, Record<string, string[]>> = {};
  plans.forEach((plan, d) => {
    for (const identity of plan.identities) {
      if (identity.dkim.type !== "easy") continue;
      tokens[plan.domain] ??= {};
      tokens[plan.domain][identity.region] = [1, 2, 3].map((n) => `d${d}${identity.region.replace(/-/g, "")}t${n}`);
    }
  });
  return tokens;
}

/** `$ORIGIN`, SOA, NS and the NS's address: what a fragment needs around it to be a whole zone. */
const wrap = (zone: string, body: string) =>
  [
    `$ORIGIN ${zone}.`,
    "$TTL 3600",
    `@ IN SOA ns1.${zone}. hostmaster.${zone}. 1 3600 900 604800 300`,
    `@ IN NS ns1.${zone}.`,
    "ns1 IN A 192.0.2.53",
    body,
  ].join("\n");

/** Names the apex SPF records include that no example zone holds: served by stub zones so the SPF walk ends. */
function includeTargets(plans: readonly DomainPlan[], zones: readonly string[]): string[] {
  const targets = plans
    .flatMap((p) => p.records.filter((r) => r.id === "apex_txt"))
    .flatMap((r) => {
      const parsed = parseSpf(r.values[0]);
      return "terms" in parsed ? parsed.terms.filter((t) => t.name === "include").map((t) => t.value!) : [];
    });
  return [...new Set(targets)].filter((t) => !zones.some((z) => t === z || t.endsWith(`.${z}`)));
}

/** A port free for both UDP and TCP on 127.0.0.1, as knotd listens on both. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket("udp4");
    await new Promise<void>((done) => udp.bind(0, "127.0.0.1", done));
    const port = udp.address().port;
    udp.close();
    const tcp = createServer();
    const free = await new Promise<boolean>((done) => {
      tcp.once("error", () => done(false));
      tcp.listen(port, "127.0.0.1", () => done(true));
    });
    if (free) {
      await new Promise<void>((done) => tcp.close(() => done()));
      return port;
    }
  }
  throw new Error("no free loopback port for knotd");
}

interface Knot {
  readonly port: number;
  readonly log: () => string;
  stop(): Promise<void>;
}

const running: Knot[] = [];
afterAll(async () => {
  for (const knot of running.splice(0)) await knot.stop();
});

/** knotd in the foreground with its own config, storage and run dir; resolves once every zone answers SOA. */
async function startKnot(dir: string, zones: readonly string[]): Promise<Knot> {
  const port = await freePort();
  for (const sub of ["db", "run"]) mkdirSync(join(dir, sub), { recursive: true });
  const conf = join(dir, "knot.conf");
  writeFileSync(
    conf,
    [
      "server:",
      `    listen: 127.0.0.1@${port}`,
      `    rundir: ${join(dir, "run")}`,
      "log:",
      "  - target: stderr",
      "    any: warning",
      "database:",
      `    storage: ${join(dir, "db")}`,
      "template:",
      "  - id: default",
      `    storage: ${dir}`,
      "    semantic-checks: on", // a zone with a semantic error is not loaded at all
      "    zonefile-sync: -1",
      "    journal-content: none",
      "zone:",
      ...zones.flatMap((z) => [`  - domain: ${z}`, `    file: ${z}.zone`]),
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn("knotd", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (chunk) => (log += chunk));
  const exited = once(child, "exit");
  const knot: Knot = {
    port,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
  running.push(knot);
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const deadline = Date.now() + 10_000;
  for (const zone of zones) {
    for (;;) {
      try {
        await resolver.resolveSoa(zone);
        break;
      } catch (e) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`knotd did not serve ${zone} (${(e as Error).message}): ${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
  return knot;
}

/** Fragments of `records --format bind`, by zone. */
function fragments(bind: string): Map<string, string> {
  const byZone = new Map<string, string>();
  for (const fragment of bind.trimEnd().split("\n\n")) {
    const zone = /^\$ORIGIN (.+)\.$/m.exec(fragment)?.[1];
    expect(zone, fragment).toBeDefined();
    byZone.set(zone!, fragment);
  }
  return byZone;
}

describe.each(EXAMPLES)("examples/%s: records --format bind, named-checkzone, knotd and verify", (file) => {
  const example = join(ROOT, "examples", file);
  const plans = planDomains(loadConfig(example).domains);

  test("the fragments (with tokens) pass named-checkzone and load into knotd, and verify against knotd exits 0", async () => {
    const dir = tempDir("ses-domains-knot-");
    const tokens = join(dir, "tokens.json");
    writeFileSync(tokens, JSON.stringify(tokensFor(plans)));

    const records = cli(["records", "--config", example, "--tokens", tokens, "--format", "bind"]);
    expect(records.stderr).toBe("");
    expect(records.status).toBe(0);
    const byZone = fragments(records.stdout);
    expect(records.stdout).not.toMatch(/\{\{|<token>|known after apply/);

    for (const [zone, fragment] of byZone) {
      const path = join(dir, `${zone}.zone`);
      writeFileSync(path, `${wrap(zone, fragment)}\n`);
      const check = spawnSync("named-checkzone", ["-i", "local", "-k", "fail", "-n", "fail", zone, path], { encoding: "utf8" });
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
      expect(check.stdout).toContain(`zone ${zone}/IN: loaded serial 1`);
    }

    const stubs = includeTargets(plans, [...byZone.keys()]);
    for (const stub of stubs) writeFileSync(join(dir, `${stub}.zone`), `${wrap(stub, '@ IN TXT "v=spf1 -all"')}\n`);
    const knot = await startKnot(dir, [...byZone.keys(), ...stubs]);

    const verify = cli(["verify", "--config", example, "--tokens", tokens, "--resolver", `127.0.0.1:${knot.port}`]);
    expect(verify.stderr).toBe("");
    expect(verify.status, verify.stdout).toBe(0);
    const lines = verify.stdout.trimEnd().split("\n");
    const recordCount = plans.flatMap((p) => p.records).length;
    expect(lines.filter((l) => /^ok +(CNAME|MX|TXT) /.test(l))).toHaveLength(recordCount);
    expect(lines.at(-1)).toBe(`all ${recordCount} checked records are as expected`);
    expect(knot.log()).not.toMatch(/error/i);
    await knot.stop();
  });

  test("without tokens the fragments still pass named-checkzone: unknown DKIM records are comments", () => {
    const dir = tempDir("ses-domains-bind-");
    const records = cli(["records", "--config", example, "--format", "bind"]);
    expect(records.status).toBe(0);
    for (const [zone, fragment] of fragments(records.stdout)) {
      const path = join(dir, `${zone}.zone`);
      writeFileSync(path, `${wrap(zone, fragment)}\n`);
      const check = spawnSync("named-checkzone", ["-i", "local", "-k", "fail", "-n", "fail", zone, path], { encoding: "utf8" });
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
      for (const line of readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l.includes("<token>")))
        expect(line.startsWith(";")).toBe(true);
    }
  });
});
