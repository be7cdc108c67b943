/** `ses-domains records` as a user runs it: formats, tokens, exit codes, usage errors. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "../helpers/synth";
import { runInProcess } from "../helpers/cli";

const CONFIG = {
  defaults: { region: "us-east-1", dmarc: { p: "reject", rua: ["dmarc@example.com"] } },
  domains: {
    "example.com": { dns: { route53: { zoneId: "Z1" } }, spf: { include: ["_spf.google.com"] } },
    "news.example.com": { dns: { route53: { zoneName: "example.com" } } },
  },
};
const TOKENS = { "example.com": { "us-east-1": ["ea1", "ea2", "ea3"] }, "news.example.com": { "us-east-1": ["na1", "na2", "na3"] } };

let f: { dir: string; config: string; tokens: string; outputs: string };
beforeAll(() => {
  const dir = tempDir();
  f = { dir, config: join(dir, "ses.config.json"), tokens: join(dir, "tokens.json"), outputs: join(dir, "outputs.json") };
  writeFileSync(f.config, JSON.stringify(CONFIG));
  writeFileSync(f.tokens, JSON.stringify(TOKENS));
  writeFileSync(
    f.outputs,
    JSON.stringify({
      example_com_dkim_tokens: { sensitive: false, type: ["object", {}], value: TOKENS["example.com"] },
      news_example_com_dkim_tokens: { sensitive: false, type: ["object", {}], value: TOKENS["news.example.com"] },
    }),
  );
});

const records = (args: string[]) => runInProcess(["records", ...args]);

describe("ses-domains records", () => {
  test("prints markdown tables by default; without tokens a note on stderr says what is missing", async () => {
    const result = await records(["--config", f.config]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^13 DNS records for 2 domains in 1 zone\.\n/);
    expect(result.out.match(/^### .*$/gm)).toEqual(["### example.com", "### news.example.com"]);
    expect(result.err).toBe("note: 6 Easy DKIM records are known only after apply (the tokens name them): give --tokens or --tf-outputs to list them\n");
  });

  test.each([["--tokens"], ["--tf-outputs"]])("%s fills the DKIM records and silences the note", async (flag) => {
    const result = await records(["--config", f.config, flag, flag === "--tokens" ? f.tokens : f.outputs, "--format", "bind"]);
    expect(result.code).toBe(0);
    expect(result.err).toBe("");
    expect(result.out).toContain("ea1._domainkey      IN CNAME ea1.dkim.amazonses.com. ; DKIM (Easy DKIM, us-east-1, 1 of 3)");
    expect(result.out).toContain("na3._domainkey.news IN CNAME na3.dkim.amazonses.com. ; DKIM (Easy DKIM, us-east-1, 3 of 3)");
    expect(result.out).not.toMatch(/^;.*known after apply/m);
  });

  test.each([
    ["bind", /^\$ORIGIN example\.com\.$/m],
    ["csv", /^domain,zone,name,type,ttl,value,purpose\n/],
    ["json", /^\[\n {2}\{\n {4}"domain": "example\.com",/],
    ["markdown", /^\| Type \| Name \| Value \| TTL \| Purpose \|$/m],
  ])("--format %s", async (format, shape) => {
    const result = await records(["--config", f.config, "--tokens", f.tokens, "--format", format]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(shape);
  });

  test("--json is --format json, and the output is the same on every run with no path in it", async () => {
    const first = await records(["--config", f.config, "--tokens", f.tokens, "--json"]);
    const second = await records(["--config", f.config, "--tokens", f.tokens, "--format", "json"]);
    expect(first.out).toBe(second.out);
    expect(JSON.parse(first.out)).toHaveLength(13);
    expect(first.out).not.toContain(f.dir);
  });

  test.each([
    [["--format", "xml"], "error: option '--format <format>' argument 'xml' is invalid. Allowed choices are markdown, bind, csv, json."],
    [["--json", "--format", "bind"], "error: --json and --format bind ask for different formats; give one"],
    [["--tokens", "TOKENS", "--tf-outputs", "OUTPUTS"], "error: option '--tokens <file>' cannot be used with option '--tf-outputs <file>'"],
    [["--tokens", "/nonexistent.json"], "error: --tokens /nonexistent.json: ENOENT"],
    [["--bogus"], "error: unknown option '--bogus'"],
  ])("usage error %j exits 2 with the usage line and prints nothing on stdout", async (args, message) => {
    const result = await records(["--config", f.config, ...args.map((a) => (a === "TOKENS" ? f.tokens : a === "OUTPUTS" ? f.outputs : a))]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err.trimEnd().split("\n").at(-1)).toBe("usage: ses-domains records [options]");
    expect(result.out).toBe("");
  });

  test("a token that is not a DNS label is refused, naming the domain, region and position", async () => {
    const bad = join(f.dir, "bad-tokens.json");
    writeFileSync(bad, JSON.stringify({ "example.com": { "us-east-1": ["ok1", "has space", "ok3"] } }));
    const result = await records(["--config", f.config, "--tokens", bad]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`error: --tokens ${bad}: example.com us-east-1 token 2: must be one DNS label (letters, digits, hyphens), got "has space"`);
    expect(result.out).toBe("");
  });

  test("a config error exits 2 with one line per problem and no output", async () => {
    const bad = join(f.dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ domains: { "example.com": {} } }));
    const result = await records(["--config", bad]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('error: domains["example.com"].region: is required');
    expect(result.out).toBe("");
  });

  test("--help lists the formats and the exit codes", async () => {
    const result = await records(["--help"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("Usage: ses-domains records [options]");
    expect(result.out).toMatch(/--format <format> +output format \(choices: "markdown", "bind", "csv",\s+"json", default: "markdown"\)/);
    expect(result.out).toContain("Exit codes: 0 listed, 2 usage or config errors.");
  });
});
