import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { MAIN_UNBUNDLED, ROOT, runMain } from "../helpers/cli";
import { tempDir } from "../helpers/synth";

const STACK_FILE = join("stacks", "ses-domains", "cdk.tf.json");

describe("the app (npm run synth), as users run it", () => {
  test.each(["ses.config.yaml", "scenarios.yaml", "byodkim.yaml"])(
    "the bundle and tsc's unbundled output write byte-identical files for examples/%s",
    (example) => {
      const bundled = tempDir();
      const plain = tempDir();
      const env = { SES_CONFIG: join(ROOT, "examples", example) };
      expect(runMain(env, bundled).status).toBe(0);
      expect(runMain(env, plain, MAIN_UNBUNDLED).status).toBe(0);
      for (const file of [STACK_FILE, "manifest.json"]) {
        expect(readFileSync(join(bundled, "cdktf.out", file), "utf8")).toBe(readFileSync(join(plain, "cdktf.out", file), "utf8"));
      }
    },
  );

  test("a fresh checkout synthesizes the embedded example with no config and no AWS credentials", () => {
    const cwd = tempDir();
    const run = runMain({}, cwd);
    expect(run.status).toBe(0);
    // The example's apex SPF includes _spf.google.com, whose own lookups only verify can count.
    expect(run.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/^warning: domains\["example\.com"\]\.spf: .* \[spf-nested-lookups\]$/)]);
    const json = JSON.parse(readFileSync(join(cwd, "cdktf.out", STACK_FILE), "utf8"));
    expect(Object.keys(json.resource.aws_sesv2_email_identity)).toEqual(["example_com_identity", "news_example_com_identity"]);
  });

  test("honours SES_CONFIG (relative to the working directory) and CDKTF_OUTDIR, creating missing parents", () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, "my.yaml"),
      "defaults: { region: eu-west-1 }\ndomains:\n  shop.example:\n    dns: { route53: { zoneId: Z1 } }\n    dmarc: { p: none }\n",
    );
    const run = runMain({ SES_CONFIG: "my.yaml", CDKTF_OUTDIR: "out/nested/dir" }, cwd);
    expect(run.status).toBe(0);
    const json = JSON.parse(readFileSync(join(cwd, "out/nested/dir", STACK_FILE), "utf8"));
    expect(Object.keys(json.resource.aws_sesv2_email_identity)).toEqual(["shop_example_identity"]);
    expect(json.terraform.backend.local.path).toBe("../../../../../terraform.ses-domains.tfstate");
  });

  test("reads ses.config.yaml from the working directory", () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, "ses.config.yaml"),
      "defaults: { region: us-east-1 }\ndomains:\n  local.example:\n    dns: { route53: { zoneId: Z1 } }\n    dmarc: { p: none }\n",
    );
    expect(runMain({}, cwd).status).toBe(0);
    expect(readFileSync(join(cwd, "cdktf.out", STACK_FILE), "utf8")).toContain('"email_identity": "local.example"');
  });

  test("prints warnings on stderr once and still succeeds", () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, "c.json"),
      JSON.stringify({ defaults: { region: "us-east-1" }, domains: { "example.com": { dns: { route53: { zoneId: "Z1" } } } } }),
    );
    const run = runMain({ SES_CONFIG: "c.json" }, cwd);
    expect(run.status).toBe(0);
    expect(run.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^warning: defaults\.alarms\.notify: reputation alarms are on but notify nobody: .* \[alarms-no-notify\]$/),
      expect.stringMatching(/^warning: domains\["example\.com"\]\.dmarc: no DMARC record for example\.com: .* \[dmarc-missing\]$/),
    ]);
    expect(run.stdout).toBe('CloudWatch, billed monthly: 4 alarms, 0 event metrics (README "Operations" gives the prices)\n');
  });

  test("a fleet's repeated warnings are counted after the first three of each kind", () => {
    const cwd = tempDir();
    const domains = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`d${i}.example.com`, {}]));
    writeFileSync(join(cwd, "c.json"), JSON.stringify({ defaults: { region: "us-east-1", dns: { route53: { zoneId: "Z1" } } }, domains }));
    const run = runMain({ SES_CONFIG: "c.json" }, cwd);
    expect(run.status).toBe(0);
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/\[alarms-no-notify\]$/),
      expect.stringMatching(/^warning: domains\["d0\.example\.com"\]\.dmarc: .*\[dmarc-missing\]$/),
      expect.stringMatching(/^warning: domains\["d1\.example\.com"\]\.dmarc: .*\[dmarc-missing\]$/),
      expect.stringMatching(/^warning: domains\["d2\.example\.com"\]\.dmarc: .*\[dmarc-missing\]$/),
      "warning: 3 more like the above [dmarc-missing]",
    ]);
  });

  test.each<[string, string, string, RegExp[]]>([
    [
      "an invalid config",
      "bad.yaml",
      "defaults: { region: us-east-9 }\ndomains:\n  example.com:\n    dns: { route53: { zoneId: Z1 } }\n    dmarc: { p: reject, pct: 150 }\n",
      [
        /^error: defaults\.region: must be an AWS region where SES sends email \(.*\), got "us-east-9"$/,
        /^error: domains\["example\.com"\]\.dmarc\.pct: must be an integer 0–100, got 150$/,
      ],
    ],
    [
      "an SPF record over the lookup limit",
      "spf.json",
      JSON.stringify({
        defaults: { region: "us-east-1" },
        domains: {
          "example.com": {
            dns: { route53: { zoneId: "Z1" } },
            spf: { record: `v=spf1 ${Array.from({ length: 11 }, (_, i) => `include:s${i}.example.com`).join(" ")} -all` },
          },
        },
      }),
      [
        /^error: domains\["example\.com"\]\.spf\.record: spends 11 DNS lookups; receivers fail SPF \(permerror\) past 10 \(RFC 7208 §4\.6\.4\): include:s0\.example\.com .* include:s10\.example\.com$/,
      ],
    ],
    ["a YAML syntax error", "broken.yaml", "domains: [\n", [/^error: .*broken\.yaml: invalid YAML at line 2, column 1: /]],
    ["a JSON syntax error", "broken.json", "{ nope }", [/^error: .*broken\.json: invalid JSON at line 1, column 3: /]],
    ["a missing file", "missing.yaml", "", [/^error: .*missing\.yaml: cannot read config file: no such file$/]],
  ])("%s exits 1, one line per problem, no stack trace, nothing written", (_, name, text, lines) => {
    const cwd = tempDir();
    if (text) writeFileSync(join(cwd, name), text);
    const run = runMain({ SES_CONFIG: name }, cwd);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trimEnd().split("\n")).toEqual(lines.map((l) => expect.stringMatching(l)));
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(cwd, "cdktf.out"))).toBe(false);
  });

  test("a bad config leaves an existing output directory untouched", () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, "cdktf.out"));
    writeFileSync(join(cwd, "cdktf.out", "keep.txt"), "x");
    writeFileSync(join(cwd, "bad.json"), JSON.stringify({ domains: { "example.com": {} } }));
    const run = runMain({ SES_CONFIG: "bad.json" }, cwd);
    expect(run.status).toBe(1);
    expect(readdirSync(join(cwd, "cdktf.out"))).toEqual(["keep.txt"]);
  });
});
