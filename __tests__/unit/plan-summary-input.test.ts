import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { MAX_PLAN_BYTES, parseInput, parsePlan, PlanFileError } from "../../modules/plan-summary/plan-file";
import { change, identity, planJson, record } from "../helpers/plan-fragments";
import { runInProcess } from "../helpers/cli";

const dir = mkdtempSync(join(tmpdir(), "ses-domains-plan-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problem(text: string): string {
  try {
    parseInput("plan.json", text);
  } catch (e) {
    if (e instanceof PlanFileError) return e.message;
    throw e;
  }
  throw new Error("accepted");
}

describe("plan files are read as outside input", () => {
  test.each([
    ["an empty file", "", "plan.json: is empty; expected the output of terraform show -json plan.bin"],
    ["text that is not JSON", "Plan: 1 to add", /^plan\.json: is not JSON \(Unexpected token .+\); expected the output of terraform show -json plan\.bin$/],
    ["a JSON list", "[]", "plan.json: is not a JSON object; expected the output of terraform show -json plan.bin"],
    ["no format_version", "{}", "plan.json: has no format_version; expected the output of terraform show -json plan.bin"],
    [
      "format_version 2.0",
      JSON.stringify({ ...planJson([]), format_version: "2.0" }),
      'plan.json: has format_version "2.0"; only 1.x is supported (Terraform 1.1 and later write 1.x)',
    ],
    [
      "format_version 0.2",
      JSON.stringify({ ...planJson([]), format_version: "0.2" }),
      'plan.json: has format_version "0.2"; only 1.x is supported (Terraform 1.1 and later write 1.x)',
    ],
    [
      "a state, not a plan",
      JSON.stringify({ format_version: "1.0", terraform_version: "1.11.4", values: {} }),
      "plan.json: is not a plan (no planned_values or resource_changes): run terraform show -json on the plan file, not on the state",
    ],
    ["resource_changes that is not a list", JSON.stringify({ ...planJson([]), resource_changes: {} }), "plan.json: resource_changes is not a list"],
    [
      "a change without actions",
      JSON.stringify(planJson([{ address: "a.b", type: "a", name: "b", change: {} }])),
      'plan.json: resource_changes[0].change.actions must be a list of actions such as ["update"] or ["delete", "create"]; got undefined',
    ],
    [
      "a change without an address",
      JSON.stringify(planJson([{ type: "a", name: "b", change: { actions: ["create"] } }])),
      "plan.json: resource_changes[0].address is not a string",
    ],
    [
      "a summary whose change has no severity",
      JSON.stringify({ counts: {}, changes: [{ address: "a.b", domain: null, actions: [], reasons: [] }] }),
      "plan.json: changes[0] must be { address, domain, actions, severity: breaks | weakens | routine, reasons } as plan-summary --format json writes it",
    ],
  ])("refuses %s, saying what is wrong in one line", (_what, text, message) => {
    const found = problem(text);
    if (typeof message === "string") expect(found).toBe(message);
    else expect(found).toMatch(message);
    expect(found).not.toContain("\n");
  });

  test.each(["1.0", "1.2", "1.9"])("accepts format_version %s", (version) => {
    expect(parsePlan("plan.json", JSON.stringify({ ...planJson([]), format_version: version })).formatVersion).toBe(version);
  });

  test("actions a later Terraform 1.x may add are kept, and named as unknown to the summary", () => {
    const plan = parsePlan("plan.json", JSON.stringify(planJson([change({ address: "aws_x.y", actions: ["archive"], before: {} })])));
    expect(plan.resourceChanges[0].actions).toEqual(["archive"]);
  });

  test("a plan without resource_changes (nothing to do) is a plan with no changes", () => {
    const { resource_changes: _, ...noChanges } = planJson([]);
    expect(parsePlan("plan.json", JSON.stringify(noChanges)).resourceChanges).toEqual([]);
  });
});

const cli = (args: string[]) => runInProcess(args);

const config = join(dir, "ses.config.json");
writeFileSync(
  config,
  JSON.stringify({
    defaults: { region: "us-east-1", dmarc: { p: "reject" }, dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } } },
    domains: { "example.com": {}, "other.example.com": {} },
  }),
);
const write = (name: string, changes: object[]) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(planJson(changes)));
  return file;
};
const dmarc = (p: string) => record("_dmarc.example.com", "TXT", [`v=DMARC1; p=${p}`]);
const weakening = write("weakens.json", [
  change({ address: "aws_route53_record.example_com_dmarc", actions: ["update"], before: dmarc("reject"), after: dmarc("none") }),
]);
const breaking = write("breaks.json", [
  change({ address: "aws_sesv2_email_identity.other_example_com_identity", actions: ["delete"], before: identity("other.example.com") }),
]);
const routine = write("routine.json", [
  change({ address: "aws_route53_record.example_com_dmarc", actions: ["update"], before: dmarc("reject"), after: { ...dmarc("reject"), ttl: 300 } }),
]);

describe("ses-domains plan-summary", () => {
  test("prints markdown by default, one summary for several plan files", async () => {
    const result = await cli(["plan-summary", "--config", config, weakening, breaking]);
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(result.out.split("\n")[2]).toBe("**1 breaks mail · 1 weakens protection · 0 routine** — 2 changes in 2 domains, 0 resources unchanged");
  });

  test.each([["--json"], ["--format", "json"]])("%s prints the JSON summary", async (...flags) => {
    const result = await cli(["plan-summary", "--config", config, ...flags, weakening]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      counts: { breaks: 0, weakens: 1, routine: 0 },
      changes: [
        {
          address: "aws_route53_record.example_com_dmarc",
          domain: "example.com",
          actions: ["update"],
          severity: "weakens",
          reasons: ["DMARC p reject → none: receivers stop rejecting spoofed mail"],
        },
      ],
    });
  });

  test.each<[string, string[], number]>([
    ["breaks: a breaking change trips it", ["--fail-on", "breaks", breaking], 3],
    ["breaks: a weakening change does not", ["--fail-on", "breaks", weakening], 0],
    ["weakens: a weakening change trips it", ["--fail-on", "weakens", weakening], 3],
    ["weakens: a breaking change trips it too (worse)", ["--fail-on", "weakens", breaking], 3],
    ["weakens: routine changes do not", ["--fail-on", "weakens", routine], 0],
    ["no --fail-on: exit 0 whatever the plan", [breaking], 0],
  ])("--fail-on %s", async (_title, args, code) => {
    const result = await cli(["plan-summary", "--config", config, ...args]);
    expect(result.code).toBe(code);
    expect(result.out).toContain("### SES domains: plan summary");
  });

  test("merges its own --format json output: per-stack summaries become one", async () => {
    const a = join(dir, "summary-a.json");
    const b = join(dir, "summary-b.json");
    writeFileSync(a, (await cli(["plan-summary", "--config", config, "--json", weakening])).out);
    writeFileSync(b, (await cli(["plan-summary", "--config", config, "--json", breaking])).out);
    const merged = await cli(["plan-summary", "--config", config, "--fail-on", "breaks", a, b]);
    expect(merged.code).toBe(3);
    expect(merged.out.split("\n")[2]).toBe("**1 breaks mail · 1 weakens protection · 0 routine** — 2 changes in 2 domains");
    expect(merged.out).toContain("- **breaks mail** · delete `aws_sesv2_email_identity.other_example_com_identity`");
  });

  test("unreadable plans exit 1 with one line each, and print no summary at all", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...planJson([]), format_version: "2.1" }));
    const huge = join(dir, "huge.json");
    const fd = openSync(huge, "w");
    ftruncateSync(fd, MAX_PLAN_BYTES + 1); // sparse: refused by its size, never read
    closeSync(fd);
    const result = await cli(["plan-summary", "--config", config, weakening, join(dir, "missing.json"), bad, huge]);
    expect(result.code).toBe(1);
    expect(result.out).toBe("");
    expect(result.err).toBe(
      [
        `error: ${join(dir, "missing.json")}: cannot read: no such file`,
        `error: ${bad}: has format_version "2.1"; only 1.x is supported (Terraform 1.1 and later write 1.x)`,
        `error: ${huge}: is 256 MB; plans over 256 MB are refused`,
        "",
      ].join("\n"),
    );
  });

  test("a config that cannot be read exits 1 with its error", async () => {
    const result = await cli(["plan-summary", "--config", join(dir, "nope.yaml"), weakening]);
    expect(result.code).toBe(1);
    expect(result.out).toBe("");
    expect(result.err).toBe(`error: ${join(dir, "nope.yaml")}: cannot read config file: no such file\n`);
  });

  test.each([
    [[], "error: missing required argument 'plan.json'"],
    [["--fail-on", "maybe", "p.json"], "error: option '--fail-on <severity>' argument 'maybe' is invalid. Allowed choices are breaks, weakens."],
    [["--format", "html", "p.json"], "error: option '--format <format>' argument 'html' is invalid. Allowed choices are markdown, json."],
    [["--max-chars", "10", "p.json"], 'error: --max-chars must be a whole number 2000–10000000 characters, got "10"'],
    [["-", "-"], "error: - (stdin) can be given once"],
  ])("usage errors exit 2 with the usage line: %j", async (args, message) => {
    const result = await cli(["plan-summary", ...args]);
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toContain(message);
    expect(result.err.trimEnd().split("\n").at(-1)).toBe("usage: ses-domains plan-summary [options] <plan.json...>");
  });

  test("--help gives the exit codes", async () => {
    const result = await cli(["plan-summary", "--help"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("Exit codes: 0 summarized, 3 --fail-on found a change of that severity or worse, 1 a plan or the config cannot be read");
  });
});
