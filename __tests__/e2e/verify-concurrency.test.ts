/**
 * verify at fleet scale: checks run concurrently with a bound on questions in flight (counted by the DNS
 * server itself), and the report is the same, line for line, as a one-at-a-time run.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { progressLine } from "../../modules/cli/progress";
import { resolveConfig } from "../../modules/config/resolve";
import { fillDkimTokens, planDomains } from "../../modules/model/records";
import { route53TxtValue } from "../../modules/model/txt";
import { mapConcurrent } from "../../modules/verify/concurrency";
import { verifyDomains, type DnsLookup } from "../../modules/verify/verify";
import { startDnsServer, type DnsTestServer, type ZoneRecord } from "../helpers/dns-server";
import { tempDir } from "../helpers/synth";
import { captureStream, runInProcess } from "../helpers/cli";

const DOMAINS = Array.from({ length: 12 }, (_, i) => `d${i}.example.com`);
const CONFIG = {
  defaults: { region: "us-east-1", dns: { route53: { zoneId: "Z1" } }, dmarc: { p: "reject", rua: ["dmarc@example.com"] }, spf: { ip4: ["192.0.2.0/24"] } },
  domains: Object.fromEntries(DOMAINS.map((d) => [d, {}])),
};
const tokensOf = (domain: string) => [1, 2, 3].map((n) => `${domain.split(".")[0]}tok${n}`);
const PLANS = planDomains(resolveConfig(CONFIG));

/** The fleet's zone after apply, with two faults: d3 has no DMARC record, d7's MX points at another region. */
function zone(): ZoneRecord[] {
  return PLANS.flatMap((plan) =>
    plan.records
      .filter((r) => !(plan.domain === "d3.example.com" && r.id === "dmarc"))
      .map((r) => {
        const fill = (text: string) => fillDkimTokens(text, (_, i) => tokensOf(plan.domain)[i]);
        const values = r.type === "TXT" ? r.values.map(route53TxtValue) : r.values.map(fill);
        return {
          name: fill(r.name),
          type: r.type,
          values: plan.domain === "d7.example.com" && r.type === "MX" ? ["10 feedback-smtp.eu-west-1.amazonses.com"] : values,
        };
      }),
  );
}

/** 1–16 ms by name, so answers come back in another order than the questions went out. */
const scrambled = (name: string) => 1 + ([...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 16);

let files: { config: string; tokens: string };
const servers: DnsTestServer[] = [];
beforeAll(() => {
  const dir = tempDir();
  files = { config: join(dir, "fleet.json"), tokens: join(dir, "tokens.json") };
  writeFileSync(files.config, JSON.stringify(CONFIG));
  writeFileSync(files.tokens, JSON.stringify(Object.fromEntries(DOMAINS.map((d) => [d, { "us-east-1": tokensOf(d) }]))));
});
afterAll(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(delayMs: number | ((name: string) => number)): Promise<DnsTestServer> {
  const server = await startDnsServer(zone(), { delayMs });
  servers.push(server);
  return server;
}

const verify = (server: DnsTestServer, args: string[], tty = false) =>
  runInProcess(["verify", "--config", files.config, "--tokens", files.tokens, "--resolver", `${server.host}:${server.port}`, ...args], { tty });

describe("verify --concurrency", () => {
  test.each([1, 8, 32])("--concurrency %i never has more questions in flight than that, and uses all of them", async (concurrency) => {
    const server = await serve(scrambled);
    const result = await verify(server, ["--concurrency", String(concurrency)]);
    expect(result.code).toBe(1);
    expect(server.errors).toEqual([]);
    expect(server.maxInFlight).toBe(concurrency);
  });

  test("the report is byte-identical at concurrency 1 and 32, in plan order, though answers arrive out of order", async () => {
    const sequential = await verify(await serve(scrambled), ["--concurrency", "1"]);
    const concurrent = await verify(await serve(scrambled), ["--concurrency", "32"]);
    expect(concurrent.out).toBe(sequential.out);
    const lines = concurrent.out.trimEnd().split("\n");
    const recordLines = lines.slice(0, PLANS.flatMap((p) => p.records).length);
    const expectedNames = PLANS.flatMap((plan) => plan.records.map((r) => fillDkimTokens(r.name, (_, i) => tokensOf(plan.domain)[i])));
    expect(recordLines.map((l) => l.split(/ +/)[2])).toEqual(expectedNames);
    expect(lines.slice(recordLines.length, -1).map((l) => l.split(/ +/)[2])).toEqual(DOMAINS.slice().sort());
    expect(lines.filter((l) => l.startsWith("missing"))).toEqual([
      `missing     TXT   _dmarc.d3.example.com  expected "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"`,
    ]);
    expect(lines.filter((l) => l.startsWith("different"))).toHaveLength(1);
    expect(lines.at(-1)).toBe("2 problems");
  });

  test("--json is the same document at concurrency 1 and 32", async () => {
    const sequential = await verify(await serve(scrambled), ["--concurrency", "1", "--json"]);
    const concurrent = await verify(await serve(scrambled), ["--json"]);
    expect(JSON.parse(concurrent.out)).toEqual(JSON.parse(sequential.out));
    expect(concurrent.out).toBe(sequential.out);
  });

  test("a slow run draws one progress line on a terminal's stderr and clears it; nothing without a terminal", async () => {
    const server = await serve(20);
    const onTty = await verify(server, ["--concurrency", "1"], true);
    const queries = server.queries.length;
    expect(queries).toBeGreaterThan(60); // over a second at 20 ms each, one at a time
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the progress line is drawn with \r and an erase-line escape
    expect(onTty.err).toMatch(/^\r\x1b\[Kverify: checked \d+\/\d+ \(\d+%\)/);
    expect(onTty.err.endsWith("\r\x1b[K")).toBe(true);
    expect(onTty.err).not.toContain("\n");
    expect(onTty.out).toMatch(/^2 problems$/m);
    const offTty = await verify(server, []);
    expect(offTty.err).toBe("");
    expect(offTty.out).toBe(onTty.out);
  });

  test.each([["0"], ["1025"], ["lots"]])("--concurrency %s is a usage error naming the range", async (value) => {
    const server = await serve(0);
    const result = await verify(server, ["--concurrency", value]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`error: --concurrency must be a whole number 1–1024, got "${value}"`);
    expect(result.out).toBe("");
  });
});

describe("verifyDomains", () => {
  test("walks the SPF includes of several domains at once, within the bound, and reports them in domain order", async () => {
    const config = {
      defaults: { region: "us-east-1", dns: { route53: { zoneId: "Z1" } } },
      domains: Object.fromEntries(DOMAINS.map((d, i) => [d, { spf: { include: [`_spf${i}.example.net`] } }])),
    };
    const plans = planDomains(resolveConfig(config));
    const apex = new Map(plans.map((p) => [p.domain, p.records.find((r) => r.id === "apex_txt")!.values[0]]));
    let inFlight = 0;
    let includesInFlight = 0;
    let includesAtOnce = 0;
    let most = 0;
    const dns: DnsLookup = {
      async resolveTxt(name) {
        most = Math.max(most, ++inFlight);
        const include = name.startsWith("_spf");
        if (include) includesAtOnce = Math.max(includesAtOnce, ++includesInFlight);
        await new Promise((r) => setTimeout(r, scrambled(name)));
        inFlight--;
        if (include) includesInFlight--;
        if (include) return [["v=spf1 ip4:198.51.100.0/24 -all"]];
        const value = apex.get(name);
        if (value) return [[value]];
        throw Object.assign(new Error("no data"), { code: "ENODATA" });
      },
      async resolveMx() {
        throw Object.assign(new Error("no data"), { code: "ENODATA" });
      },
      async resolveCname() {
        throw Object.assign(new Error("no data"), { code: "ENODATA" });
      },
    };
    const report = await verifyDomains(plans, { dns, concurrency: 6 });
    expect(report.spf.map((s) => [s.domain, s.status, s.lookups])).toEqual(
      DOMAINS.slice()
        .sort()
        .map((d) => [d, "ok", 1]),
    );
    expect(most).toBe(6);
    expect(includesAtOnce).toBeGreaterThan(1);
  });
});

describe("mapConcurrent", () => {
  test("keeps the order of its input, with tasks finishing in another order", async () => {
    const finished: number[] = [];
    const results = await mapConcurrent([30, 5, 20, 1, 10], 3, async (ms, i) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      finished.push(i);
      return `item ${i}`;
    });
    expect(results).toEqual(["item 0", "item 1", "item 2", "item 3", "item 4"]);
    expect(finished).not.toEqual([0, 1, 2, 3, 4]);
  });

  test.each([
    [1, 10, 1],
    [4, 10, 4],
    [32, 3, 3],
  ])("limit %i over %i items runs at most %i at once", async (limit, count, most) => {
    let running = 0;
    let peak = 0;
    await mapConcurrent(
      Array.from({ length: count }, (_, i) => i),
      limit,
      async () => {
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      },
    );
    expect(peak).toBe(most);
  });

  test("an empty list gives an empty result; a limit below 1 is refused", async () => {
    expect(await mapConcurrent([], 8, async () => 1)).toEqual([]);
    await expect(mapConcurrent([1], 0, async () => 1)).rejects.toThrow("concurrency must be a whole number of at least 1, got 0");
  });
});

describe("progressLine", () => {
  const capture = (isTTY: boolean) => {
    let text = "";
    const stream = captureStream((s) => {
      text += s;
    }, isTTY);
    return { stream, text: () => text };
  };

  test("draws nothing during the first second, then one rewritten line, then clears it", () => {
    let now = 0;
    const err = capture(true);
    const progress = progressLine(err.stream, "verify: checked", { now: () => now });
    progress.update(1, 10);
    now = 999;
    progress.update(2, 10);
    expect(err.text()).toBe("");
    now = 1000;
    progress.update(3, 10);
    now = 1050; // within 100 ms of the last draw: skipped
    progress.update(4, 10);
    now = 1100;
    progress.update(5, 10);
    progress.update(10, 10); // the last one is always drawn
    progress.end();
    expect(err.text()).toBe("\r\x1b[Kverify: checked 3/10 (30%)\r\x1b[Kverify: checked 5/10 (50%)\r\x1b[Kverify: checked 10/10 (100%)\r\x1b[K");
  });

  test("a run shorter than a moment leaves stderr untouched", () => {
    const err = capture(true);
    const progress = progressLine(err.stream, "verify: checked", { now: () => 0 });
    progress.update(10, 10);
    progress.end();
    expect(err.text()).toBe("");
  });

  test("never draws on a stream that is not a terminal", () => {
    let now = 0;
    const err = capture(false);
    const progress = progressLine(err.stream, "verify: checked", { now: () => now });
    now = 5000;
    progress.update(5, 10);
    progress.end();
    expect(err.text()).toBe("");
  });
});
