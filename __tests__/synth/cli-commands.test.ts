import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT, runInProcess } from "../helpers/cli";
import { tempDir } from "../helpers/synth";

const BIN = resolve(ROOT, "dist", "modules", "cli", "ses-domains.js");

const cli = (args: string[]) => runInProcess(args);

describe("ses-domains: one command with subcommands", () => {
  test("--help lists every command and the exit codes", async () => {
    const result = await cli(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["synth", "verify", "records", "plan-summary", "ci", "dmarc-report", "adopt"])
      expect(result.out).toMatch(new RegExp(`^  ${command} `, "m"));
    expect(result.out).toContain("2  usage: unknown command or flag, missing argument, bad flag value");
  });

  test.each(["synth", "verify", "records", "plan-summary", "ci", "dmarc-report", "adopt"])(
    "%s --help describes its flags and its exit codes, and exits 0",
    async (command) => {
      const result = await cli([command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(new RegExp(`^Usage: ses-domains ${command} \\[options\\]`));
      expect(result.out).toMatch(/--config <file>|Commands:/);
      expect(result.out).toMatch(/Exit codes:|exit codes/i);
    },
  );

  test.each([
    [["bogus"], "error: unknown command 'bogus'", "usage: ses-domains [options] [command]"],
    [["verify", "--bogus"], "error: unknown option '--bogus'", "usage: ses-domains verify [options]"],
    [["verify", "--format", "xml"], "argument 'xml' is invalid. Allowed choices are text, json.", "usage: ses-domains verify [options]"],
    [["verify", "--json", "--format", "text"], "error: --json and --format text ask for different formats; give one", "usage: ses-domains verify [options]"],
    [["verify", "--config"], "error: option '--config <file>' argument missing", "usage: ses-domains verify [options]"],
  ])("usage errors exit 2 with the usage line: %j", async (args, message, usage) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err.trimEnd().split("\n").at(-1)).toBe(usage);
    expect(result.out).toBe("");
  });

  test("no command at all is a usage error that shows the help", async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.err).toContain("Usage: ses-domains [options] [command]");
  });

  test("synth writes what npm run synth writes, and exits 1 on a bad config writing nothing", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "c.json"),
      JSON.stringify({ defaults: { region: "eu-west-1" }, domains: { "shop.example": { dns: { route53: { zoneId: "Z1" } }, dmarc: { p: "none" } } } }),
    );
    const ok = await cli(["synth", "--config", join(dir, "c.json"), "--output", join(dir, "out")]);
    expect(ok.code).toBe(0);
    expect(readFileSync(join(dir, "out", "stacks", "ses-domains", "cdk.tf.json"), "utf8")).toContain('"email_identity": "shop.example"');

    writeFileSync(join(dir, "bad.json"), JSON.stringify({ domains: { "shop.example": { dns: { route53: { zoneId: "Z1" } } } } }));
    const bad = await cli(["synth", "--config", join(dir, "bad.json"), "--output", join(dir, "bad-out")]);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('error: domains["shop.example"].region: is required: set region (or regions) on the domain or in defaults\n');
    expect(existsSync(join(dir, "bad-out", "stacks"))).toBe(false);
  });

  test("the installed bin runs as a process and exits with the command's code", () => {
    const help = spawnSync(process.execPath, [BIN, "verify", "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Exit codes: 0 all records as expected");
    const usage = spawnSync(process.execPath, [BIN, "verify", "--nope"], { encoding: "utf8" });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe("error: unknown option '--nope'\nusage: ses-domains verify [options]\n");
  });
});
