import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import type { SesDomainsConfig } from "../../modules/config/schema";
import { synthConfig, tempDir } from "../helpers/synth";
import { requireTerraform, terraform, terraformEnv } from "../helpers/terraform";

let env: NodeJS.ProcessEnv;
let outdir: string;
const domains: NonNullable<SesDomainsConfig["domains"]> = {};
for (let i = 0; i < 40; i++) domains[`d${String(i).padStart(2, "0")}.example.com`] = {};
domains["critical.example.org"] = { stack: "critical", regions: ["eu-west-1", "us-east-1"] };
domains["partner.example.net"] = { dns: { route53: { zoneName: "example.net", assumeRoleArn: "arn:aws:iam::111111111111:role/dns" } } };
domains["elsewhere.example.io"] = { dns: { external: {} } };

beforeAll(() => {
  requireTerraform();
  env = terraformEnv(tempDir("ses-domains-tf-"));
  outdir = join(tempDir(), "cdktf.out");
  synthConfig(
    {
      defaults: { region: "us-east-1", dmarc: { p: "reject", rua: ["dmarc@example.com"] }, dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } } },
      stacks: { count: 4 },
      backend: { s3: { bucket: "acme-tf-state", keyPrefix: "ses/", region: "us-east-1", useLockfile: true } },
      domains,
    },
    outdir,
    "critical",
  );
});

describe("terraform validate on every stack of a fleet", () => {
  test("synthesizes the four hash buckets and the pinned stack", () => {
    expect(readdirSync(join(outdir, "stacks")).sort()).toEqual(["critical", "ses-account", "ses-domains-0", "ses-domains-1", "ses-domains-2", "ses-domains-3"]);
  });

  test.each(["critical", "ses-account", "ses-domains-0", "ses-domains-1", "ses-domains-2", "ses-domains-3"])("%s is valid", (stack) => {
    const dir = join(outdir, "stacks", stack);
    terraform(dir, ["init", "-backend=false", "-input=false"], env);
    expect(JSON.parse(terraform(dir, ["validate", "-json"], env).stdout)).toMatchObject({ valid: true, error_count: 0 });
  });
});
