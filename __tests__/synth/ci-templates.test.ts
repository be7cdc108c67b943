import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";
import { ACTIONS, COMMENT_MARKER, PLAN_ROLE_VARIABLE } from "../../modules/ci/github-actions";
import { EXAMPLE_CONFIG } from "../../modules/config/load";
import { ROOT } from "../helpers/cli";
import { testKey } from "../helpers/keys";
import { tempDir, type Json } from "../helpers/synth";

const BIN = resolve(ROOT, "dist", "modules", "cli", "ses-domains.js");
const VALIDATOR = resolve(ROOT, "node_modules", "@action-validator", "cli", "cli.mjs");

/** The built CLI as a user runs it, from `cwd` (the repository root). */
function cli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function validate(file: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [VALIDATOR, file], { encoding: "utf8" });
  return { status: run.status, output: run.stdout + run.stderr };
}

/** A repository holding a config, as `ci` expects to be run: from its root. */
function repo(config: Json): string {
  const dir = tempDir("ses-domains-repo-");
  writeFileSync(join(dir, "ses.config.json"), JSON.stringify(config, null, 2));
  return dir;
}

const fleetDomains: Json = {};
for (let i = 0; i < 12; i++) fleetDomains[`d${i}.example.com`] = {};
const FLEET = {
  defaults: { region: "us-east-1", dmarc: { p: "reject", rua: ["dmarc@example.com"] }, dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } } },
  stacks: { count: 4 },
  backend: { s3: { bucket: "acme-tf-state", keyPrefix: "ses/", region: "us-east-1", useLockfile: true } },
  domains: fleetDomains,
};
// The account stack is planned like any other: it holds the account-level settings and the role policies.
const FLEET_STACKS = ["ses-account", "ses-domains-0", "ses-domains-1", "ses-domains-2", "ses-domains-3"];

describe("ses-domains ci github-actions", () => {
  let dir: string;
  let text: string;
  let workflow: Json;
  const step = (job: string, pred: (s: Json) => boolean) => (workflow.jobs[job].steps as Json[]).find(pred)!;

  beforeAll(() => {
    dir = repo(FLEET);
    const result = cli(["ci", "github-actions", "--out", ".github/workflows/ses-domains-plan.yml"], dir);
    expect(result).toMatchObject({ status: 0, stdout: "", stderr: "" });
    text = readFileSync(join(dir, ".github/workflows/ses-domains-plan.yml"), "utf8");
    workflow = parse(text);
  });

  test("passes the GitHub workflow validator (@action-validator/cli)", () => {
    expect(validate(join(dir, ".github/workflows/ses-domains-plan.yml"))).toEqual({ status: 0, output: "" });
  });

  test("the validator does reject a broken workflow (the check above is not vacuous)", () => {
    const broken = structuredClone(workflow);
    delete broken.jobs.plan["runs-on"];
    broken.jobs.plan.strategy["fail-fast"] = "sometimes";
    writeFileSync(join(dir, "broken.yml"), stringify(broken));
    const result = validate(join(dir, "broken.yml"));
    expect(result.status).toBe(1);
    expect(result.output).toContain("/jobs/plan");
  });

  test("uses the current major version of every action, and nothing else", () => {
    const uses = new Set(Object.values(workflow.jobs as Record<string, Json>).flatMap((job) => (job.steps as Json[]).flatMap((s) => (s.uses ? [s.uses] : []))));
    expect([...uses].sort()).toEqual(Object.values(ACTIONS).sort());
    expect(uses).toContain("actions/setup-node@v7");
    expect(uses).toContain("hashicorp/setup-terraform@v4");
    expect(uses).toContain("aws-actions/configure-aws-credentials@v6");
  });

  test("setup-node caches npm; setup-terraform runs without its wrapper, so show -json is plain JSON", () => {
    expect(step("synth", (s) => s.uses === ACTIONS.setupNode).with).toEqual({ "node-version": "20", cache: "npm" });
    expect(step("plan", (s) => s.uses === ACTIONS.setupTerraform).with).toMatchObject({ terraform_wrapper: false });
  });

  test("plans with OIDC: id-token write in the plan job only, the role from a repository variable", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(workflow.jobs.plan.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(workflow.jobs.comment.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(step("plan", (s) => s.uses === ACTIONS.awsCredentials).with).toEqual({
      "role-to-assume": `\${{ vars.${PLAN_ROLE_VARIABLE} }}`,
      "aws-region": "us-east-1",
    });
  });

  test("one plan job per stack from cdktf's manifest.json, and one failing stack cancels no other", () => {
    expect(workflow.jobs.plan.strategy).toEqual({ "fail-fast": false, matrix: { stack: "${{ fromJSON(needs.synth.outputs.stacks) }}" } });
    expect(workflow.jobs.plan.needs).toBe("synth");
  });

  test("the stack list step, run on a real synth of a 4-stack fleet, lists every stack and each has its directory", () => {
    expect(cli(["synth", "--config", "ses.config.json", "--output", "cdktf.out"], dir).status).toBe(0);
    const output = join(dir, "github-output");
    writeFileSync(output, "");
    const run = spawnSync("bash", ["-e", "-c", step("synth", (s) => s.id === "stacks").run], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, GITHUB_OUTPUT: output },
    });
    expect(run.status).toBe(0);
    expect(readFileSync(output, "utf8")).toBe(`stacks=${JSON.stringify(FLEET_STACKS)}\n`);
    for (const stack of FLEET_STACKS) expect(existsSync(join(dir, "cdktf.out", "stacks", stack, "cdk.tf.json"))).toBe(true);
  });

  test("each plan job plans, shows the plan as JSON and summarizes it on its runner; only the summary is uploaded", () => {
    const runs = (workflow.jobs.plan.steps as Json[]).map((s) => s.run ?? "").join("\n");
    expect(runs).toContain('terraform -chdir="cdktf.out/stacks/$STACK" plan -input=false -lock=false -out=plan.bin');
    expect(runs).toContain('terraform -chdir="cdktf.out/stacks/$STACK" show -json plan.bin > "$RUNNER_TEMP/plan.json"');
    expect(runs).toContain('npx ses-domains plan-summary --config "$SES_CONFIG" --format json "$RUNNER_TEMP/plan.json" > "summaries/$STACK.json"');
    const uploads = (workflow.jobs.plan.steps as Json[]).filter((s) => s.uses === ACTIONS.uploadArtifact).map((s) => s.with.path);
    expect(uploads).toEqual(["summaries/${{ matrix.stack }}.json"]);
  });

  test("one merge job posts one PR comment from plan-summary through a file, and writes the job summary", () => {
    const comment = workflow.jobs.comment;
    expect(comment.needs).toEqual(["synth", "plan"]);
    expect(comment.if).toContain("!cancelled()");
    const merge = step("comment", (s) => s.id === "summary").run as string;
    expect(merge).toContain(`echo '${COMMENT_MARKER}' > comment.md`);
    expect(merge).toContain('npx ses-domains plan-summary --config "$SES_CONFIG" --fail-on breaks summaries/*.json >> comment.md');
    expect(merge).toContain('cat comment.md >> "$GITHUB_STEP_SUMMARY"');
    const post = step("comment", (s) => s.name === "Post or update the PR comment").run as string;
    expect(post).toContain("-F body=@comment.md");
    expect(post).toContain('gh pr comment "$PR" --body-file comment.md');
    expect(workflow.env.SES_CONFIG).toBe("ses.config.json");
  });

  test("BYODKIM key variables come from repository secrets of the same name, in the plan job only", () => {
    const byo = repo({
      defaults: { region: "us-east-1", dmarc: { p: "reject" }, dns: { route53: { zoneId: "Z1" } } },
      domains: {
        "a.example.com": { dkim: { type: "byo", selector: "s1", publicKey: testKey().publicPem, privateKey: { variable: "A_DKIM_KEY" } } },
        "b.example.com": { dkim: { type: "byo", selector: "s1", publicKey: testKey().publicPem, privateKey: { secretsManager: "ses/dkim/b" } } },
      },
    });
    const result = cli(["ci", "github-actions", "--fail-on", "weakens"], byo);
    expect(result.status).toBe(0);
    const parsed = parse(result.stdout);
    expect(parsed.jobs.plan.env).toEqual({ STACK: "${{ matrix.stack }}", TF_VAR_A_DKIM_KEY: "${{ secrets.A_DKIM_KEY }}" });
    expect(parsed.jobs.synth.env).toBeUndefined();
    expect(result.stdout).toContain("--fail-on weakens summaries/*.json");
    writeFileSync(join(byo, "wf.yml"), result.stdout);
    expect(validate(join(byo, "wf.yml")).status).toBe(0);
  });

  test("is the same file run to run, with no absolute path in it", () => {
    expect(cli(["ci", "github-actions"], dir).stdout).toBe(text);
    expect(text).not.toContain(dir);
    expect(text).not.toMatch(/\/tmp\/|\/home\/|\/root\//);
  });
});

describe("ses-domains ci atlantis", () => {
  test.each([
    ["the example config", "ses.config.yaml", readFileSync(EXAMPLE_CONFIG, "utf8"), ["ses-account", "ses-domains"]],
    ["a 4-stack fleet", "ses.config.json", JSON.stringify(FLEET), FLEET_STACKS],
  ])("for %s: version 3, one project per stack, and every project dir exists after the synth its workflow runs", (_what, configFile, content, stacks) => {
    const dir = tempDir("ses-domains-repo-");
    writeFileSync(join(dir, configFile), content);
    const result = cli(["ci", "atlantis", "--config", configFile, "--out", "atlantis.yaml"], dir);
    expect(result).toMatchObject({ status: 0, stdout: "", stderr: "" });
    const text = readFileSync(join(dir, "atlantis.yaml"), "utf8");
    const config = parse(text);
    expect(config).toMatchObject({ version: 3, parallel_plan: false, autodiscover: { mode: "disabled" } });
    expect(config.projects.map((p: Json) => [p.name, p.dir, p.workflow])).toEqual(stacks.map((s) => [s, `ci-cdktf.out/stacks/${s}`, "ses-domains"]));
    expect(config.projects[0].autoplan.when_modified).toEqual([`../../../${configFile}`, "../../../package.json", "../../../package-lock.json"]);

    // What the server's pre_workflow_hook runs (the README gives it), then the workflow's own synth step from a project dir.
    expect(cli(["synth", "--config", configFile, "--output", "ci-cdktf.out"], dir).status).toBe(0);
    for (const project of config.projects as Json[]) expect(existsSync(join(dir, project.dir, "cdk.tf.json"))).toBe(true);
    const [synthStep, init, plan, show, summary] = config.workflows["ses-domains"].plan.steps;
    expect([init, plan, show]).toEqual(["init", "plan", { run: 'terraform show -json "$PLANFILE" > "$SHOWFILE"' }]);
    expect(summary).toEqual({
      run: { command: `cd ../../.. && npx ses-domains plan-summary --config ${configFile} --fail-on breaks "$SHOWFILE"`, output: "show" },
    });
    const projectDir = join(dir, config.projects[0].dir);
    const before = readFileSync(join(projectDir, "cdk.tf.json"), "utf8");
    const asRun = spawnSync("bash", ["-e", "-c", synthStep.run.replace("npx ses-domains", `"${process.execPath}" "${BIN}"`)], {
      cwd: projectDir,
      encoding: "utf8",
    });
    expect(asRun.status).toBe(0);
    expect(readFileSync(join(projectDir, "cdk.tf.json"), "utf8")).toBe(before);
  });

  test("is the same file run to run, and names no absolute path", () => {
    const dir = repo(FLEET);
    const first = cli(["ci", "atlantis"], dir).stdout;
    expect(cli(["ci", "atlantis"], dir).stdout).toBe(first);
    expect(first).not.toContain(dir);
  });

  test.each([
    [
      ["ci", "atlantis", "--output-dir", "../out"],
      'error: --output-dir must be a relative path inside the repository of letters, digits, . _ - and /, got "../out"',
      "usage: ses-domains ci atlantis [options]",
    ],
    [
      ["ci", "github-actions", "--fail-on", "often"],
      "error: option '--fail-on <severity>' argument 'often' is invalid. Allowed choices are breaks, weakens, never.",
      "usage: ses-domains ci github-actions [options]",
    ],
    [["ci", "gitlab"], "error: unknown command 'gitlab'", "usage: ses-domains ci [options] [command]"],
  ])("usage errors exit 2 with the usage line: %j", (args, message, usage) => {
    const result = cli(args, repo(FLEET));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
    expect(result.stderr.trimEnd().split("\n").at(-1)).toBe(usage);
  });

  test("a config outside the repository is refused: the template could not name it", () => {
    const dir = repo(FLEET);
    const result = cli(["ci", "atlantis", "--config", join(ROOT, "examples", "ses.config.yaml")], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("is outside the working directory; run this from the repository root, with the config inside it");
  });
});
