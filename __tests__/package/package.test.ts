/**
 * What a user installs: `npm pack` the package as it would be published, install the tarball into a
 * fresh project with cdktf, then type-check and run the README's construct example there, and run the
 * installed `ses-domains` command. Needs the npm registry or npm's cache for the peer dependencies.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, test } from "vitest";
import { ROOT } from "../helpers/cli";
import { tempDir, type Json } from "../helpers/synth";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
let consumer: string;
let packed: Json;

function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The first ```ts block after the README heading for the construct: the example users copy. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### The construct in your own cdktf app"));
  return section.slice(section.indexOf("```ts\n") + 6, section.indexOf("\n```", section.indexOf("```ts\n")));
}

beforeAll(() => {
  const work = tempDir("ses-domains-package-");
  // dist/ is built by npm test before the tiers run; --ignore-scripts keeps pack from building again.
  const pack = sh("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT);
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  packed = JSON.parse(pack.stdout)[0];
  consumer = join(work, "consumer");
  sh("mkdir", ["-p", consumer], work);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  const peers = Object.entries<string>(pkg.devDependencies)
    .filter(([name]) => name in pkg.peerDependencies)
    .map(([name, version]) => `${name}@${version}`);
  const install = sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(work, packed.filename), ...peers], consumer);
  if (install.status !== 0) throw new Error(`npm install of the tarball failed:\n${install.stderr}`);
});

describe("the published package, installed into a fresh project", () => {
  test("the tarball holds only what users need: compiled modules with their types, the schema, the examples, README and LICENSE", () => {
    const files = (packed.files as Json[]).map((f) => f.path as string);
    for (const file of files)
      expect(file, file).toMatch(/^(dist\/modules\/.+\.(js|d\.ts)|schema\/.+\.json|examples\/.+\.yaml|README\.md|LICENSE|package\.json)$/);
    expect(files).toEqual(
      expect.arrayContaining([
        "LICENSE",
        "README.md",
        "dist/modules/index.js",
        "dist/modules/index.d.ts",
        "dist/modules/cli/ses-domains.js",
        "schema/ses-config.schema.json",
        "examples/ses.config.yaml",
      ]),
    );
    expect(pkg.private).toBeUndefined();
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toMatch(/^\s+Apache License\s+Version 2\.0, January 2004/);
    expect(pkg.license).toBe("Apache-2.0");
  });

  test("the README's construct example type-checks against the installed package's types", () => {
    writeFileSync(join(consumer, "app.ts"), readmeExample());
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { module: "node16", moduleResolution: "node16", target: "es2022", strict: true, noEmit: true, skipLibCheck: true, types: [] },
        files: ["app.ts"],
      }),
    );
    const check = sh(process.execPath, [resolve(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."], consumer);
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  test("the README's construct example synthesizes the domain into the user's stack, with the user's backend", () => {
    const js = ts.transpileModule(readmeExample(), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(consumer, "app.js"), js);
    const run = sh(process.execPath, ["app.js"], consumer);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const stack = JSON.parse(readFileSync(join(consumer, "cdktf.out", "stacks", "mail", "cdk.tf.json"), "utf8"));
    expect(Object.values<Json>(stack.resource.aws_sesv2_email_identity)).toEqual([expect.objectContaining({ email_identity: "example.com" })]);
    expect(Object.values<Json>(stack.resource.aws_iam_role_policy)).toEqual([expect.objectContaining({ role: "mailer" })]);
    expect(stack.terraform.backend).toEqual({ s3: { bucket: "acme-tf-state", key: "mail.tfstate", region: "eu-west-1" } });
    expect(stack.provider.aws).toEqual([{ region: "eu-west-1" }]);
    // The user's three outputs, and the construct's own Easy DKIM tokens output (for verify --tf-outputs).
    const outputs = Object.keys(stack.output).sort();
    expect(outputs.filter((o) => !/dkim_tokens/.test(o))).toEqual(["configuration_set", "identity_arn", "records"]);
    expect(outputs.filter((o) => /dkim_tokens/.test(o))).toHaveLength(1);
  });

  test("npx ses-domains --help runs the installed command and lists its commands", () => {
    const help = sh("npx", ["--no-install", "ses-domains", "--help"], consumer);
    expect(help.status).toBe(0);
    for (const command of ["synth", "verify", "records", "plan-summary", "ci", "dmarc-report"]) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
  });

  test("the installed command synthesizes the shipped example with the project's own cdktf", () => {
    const example = join(consumer, "node_modules", "ses-domains", "examples", "ses.config.yaml");
    const synth = sh("npx", ["--no-install", "ses-domains", "synth", "--config", example, "--output", "out"], consumer);
    expect(synth.status).toBe(0);
    expect(existsSync(join(consumer, "out", "stacks", "ses-domains", "cdk.tf.json"))).toBe(true);
    expect(existsSync(join(consumer, "out", "stacks", "ses-account", "cdk.tf.json"))).toBe(true);
  });

  test("the exports map: the package, its package.json and the schema resolve; internal paths do not", () => {
    const probe = `
      const ok = ["ses-domains", "ses-domains/package.json", "ses-domains/schema/ses-config.schema.json"].map((p) => typeof require.resolve(p));
      let blocked = "";
      try { require.resolve("ses-domains/dist/modules/app"); } catch (e) { blocked = e.code; }
      process.stdout.write(JSON.stringify({ ok, blocked, exported: Object.keys(require("ses-domains")).includes("SesDomain") }));`;
    const run = sh(process.execPath, ["-e", probe], consumer);
    expect(JSON.parse(run.stdout)).toEqual({ ok: ["string", "string", "string"], blocked: "ERR_PACKAGE_PATH_NOT_EXPORTED", exported: true });
  });
});
