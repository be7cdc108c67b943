/**
 * Real terraform for the terraform tier. The provider is found the way a fresh machine of this kind
 * needs: TF_CLI_CONFIG_FILE when it names a file that exists; else a local filesystem mirror of
 * hashicorp/aws, for which a CLI config is written to a temp dir; else the registry, as terraform does.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where a filesystem mirror of hashicorp/aws may be: this image's, then terraform's implied dirs. */
export const MIRROR_CANDIDATES = [
  process.env.TF_PROVIDER_MIRROR,
  "/opt/tf-plugins",
  join(homedir(), ".terraform.d", "plugins"),
  join(homedir(), ".local", "share", "terraform", "plugins"),
  "/usr/local/share/terraform/plugins",
  "/usr/share/terraform/plugins",
].filter((dir): dir is string => !!dir);

export function findProviderMirror(candidates = MIRROR_CANDIDATES): string | undefined {
  return candidates.find((dir) => existsSync(join(dir, "registry.terraform.io", "hashicorp", "aws")));
}

/** The environment terraform runs with: CLI config chosen as above, no checkpoint calls, no prompts. */
export function terraformEnv(
  tempDir: string,
  env: NodeJS.ProcessEnv = process.env,
  findMirror: () => string | undefined = findProviderMirror,
): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
  const named = env.TF_CLI_CONFIG_FILE;
  if (named && existsSync(named)) return base;
  const mirror = findMirror();
  if (!mirror) {
    delete base.TF_CLI_CONFIG_FILE;
    return base;
  }
  const file = join(tempDir, "terraform.rc");
  // A plugin cache makes every init after the first link the ~700 MB provider instead of copying it.
  const cache = join(tempDir, "plugin-cache");
  mkdirSync(cache, { recursive: true });
  writeFileSync(
    file,
    `plugin_cache_dir = ${JSON.stringify(cache)}\nprovider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/*/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`,
  );
  return { ...base, TF_CLI_CONFIG_FILE: file };
}

/** Fails (never skips) when terraform is not installed, saying what to install. */
export function requireTerraform(env: NodeJS.ProcessEnv = process.env): string {
  const run = spawnSync("terraform", ["version", "-json"], { encoding: "utf8", env });
  if (run.error || run.status !== 0) {
    throw new Error(
      "terraform is not on PATH: the terraform tier needs Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install); install it and run npm test again",
    );
  }
  return JSON.parse(run.stdout).terraform_version as string;
}

export interface TerraformRun {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs terraform in `dir`; throws with its output when it fails. */
export function terraform(dir: string, args: string[], env: NodeJS.ProcessEnv): TerraformRun {
  const run = spawnSync("terraform", [...args, "-no-color"], { cwd: dir, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) {
    throw new Error(`terraform ${args.join(" ")} failed in ${dir} (exit ${run.status}):\n${run.stderr}\n${run.stdout}`);
  }
  return { stdout: run.stdout, stderr: run.stderr };
}

/**
 * Test-only provider settings, as a Terraform override file next to cdk.tf.json: dummy credentials and
 * skip flags for every provider block (default and aliases) so plan runs offline, and an STS endpoint
 * when the stack reads the caller identity. Never synthesized.
 */
export function writeOfflineProviderOverride(
  stackDir: string,
  providers: { alias?: string }[],
  stsEndpoint?: string,
  endpoints: Record<string, string> = {},
): void {
  // data.aws_caller_identity asks STS at plan time: a stand-in on loopback answers (helpers/sts-stub.ts);
  // imports read SESv2 and Route 53 (helpers/aws-stand-in.ts).
  const all = { ...endpoints, ...(stsEndpoint ? { sts: stsEndpoint } : {}) };
  const offline = {
    access_key: "test-only-not-a-key",
    secret_key: "test-only-not-a-secret",
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    ...(Object.keys(all).length > 0 ? { endpoints: [all] } : {}),
  };
  const blocks = providers.map((p) => (p.alias ? { alias: p.alias, ...offline } : offline));
  writeFileSync(join(stackDir, "offline_test_override.tf.json"), JSON.stringify({ provider: { aws: blocks } }, null, 2));
}
