import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { tempDir } from "../helpers/synth";
import { findProviderMirror, requireTerraform, terraformEnv } from "../helpers/terraform";

describe("how the terraform tier finds the aws provider", () => {
  test("uses TF_CLI_CONFIG_FILE when it names a file that exists", () => {
    const dir = tempDir();
    const rc = join(dir, "mine.rc");
    writeFileSync(rc, "");
    expect(terraformEnv(dir, { TF_CLI_CONFIG_FILE: rc }, () => "/some/mirror").TF_CLI_CONFIG_FILE).toBe(rc);
  });

  test("otherwise writes a CLI config for a local filesystem mirror", () => {
    const dir = tempDir();
    const env = terraformEnv(dir, { TF_CLI_CONFIG_FILE: join(dir, "absent.rc") }, () => "/opt/mirror");
    expect(env.TF_CLI_CONFIG_FILE).toBe(join(dir, "terraform.rc"));
    const rc = readFileSync(env.TF_CLI_CONFIG_FILE!, "utf8");
    expect(rc).toContain('path    = "/opt/mirror"');
    expect(rc).toContain('exclude = ["registry.terraform.io/*/*"]');
    expect(env.CHECKPOINT_DISABLE).toBe("1");
  });

  test("otherwise leaves terraform to download from the registry", () => {
    const dir = tempDir();
    const env = terraformEnv(dir, { TF_CLI_CONFIG_FILE: join(dir, "absent.rc") }, () => undefined);
    expect(env.TF_CLI_CONFIG_FILE).toBeUndefined();
  });

  test("finds a mirror only where hashicorp/aws is in it", () => {
    expect(findProviderMirror([tempDir()])).toBeUndefined();
  });

  test("fails, never skips, when terraform is not on PATH, and says what to install", () => {
    expect(() => requireTerraform({ PATH: tempDir() })).toThrow(/terraform is not on PATH: the terraform tier needs Terraform >= 1\.5/);
  });
});
