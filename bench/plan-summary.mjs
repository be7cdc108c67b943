// npm run bench:plan-summary: summarizes a 1000-domain plan with the built CLI, as a pipeline runs it
// (`ses-domains plan-summary --config … plan.json`, a new node process each time), median of RUNS runs,
// and prints wall time against the 2 s target. The plans are generated from the record model in the
// shape `terraform show -json` writes (the terraform tier checks that shape against real plans):
// - first deploy: every resource created, DKIM names and ids known after apply;
// - changes: every record's TTL changed, DMARC lowered on every 10th domain, one domain removed.
// BENCH_DOMAINS (default 1000) and BENCH_RUNS (default 5) change the size and the runs.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const { resolveConfig } = require(join(root, "dist/modules/config/resolve.js"));
const { planDomains, fillDkimTokens } = require(join(root, "dist/modules/model/records.js"));
const { plannedResources } = require(join(root, "dist/modules/model/addresses.js"));
const { route53TxtValue } = require(join(root, "dist/modules/model/txt.js"));

const domains = Number(process.env.BENCH_DOMAINS ?? "1000");
const runs = Number(process.env.BENCH_RUNS ?? "5");
const TARGET_SECONDS = 2;
const work = mkdtempSync(join(tmpdir(), "ses-domains-bench-plan-summary-"));

const config = {
  defaults: { region: "us-east-1", dmarc: { p: "reject", rua: ["dmarc@example.com"] }, dns: { route53: { zoneId: "Z0123456789ABCDEFGHIJ" } } },
  domains: Object.fromEntries(Array.from({ length: domains }, (_, i) => [`d${i}.example.com`, { spf: { include: ["_spf.google.com"], all: "-all" } }])),
};
const configFile = join(work, "ses.config.json");
writeFileSync(configFile, JSON.stringify(config));
const plans = planDomains(resolveConfig(config));

const ROUTING = {
  alias: [],
  cidr_routing_policy: [],
  failover_routing_policy: [],
  geolocation_routing_policy: [],
  geoproximity_routing_policy: [],
  latency_routing_policy: [],
  weighted_routing_policy: [],
};
const tokensOf = (address) => [1, 2, 3].map((n) => createHash("sha256").update(`${address}#${n}`).digest("hex").slice(0, 32));

/** The attributes Terraform shows for one resource of the model, after apply (tokens and ids filled in). */
function attributes(plan, resource, ttl) {
  const { role } = resource;
  if (role.kind === "identity") {
    return {
      arn: `arn:aws:ses:us-east-1:111111111111:identity/${plan.domain}`,
      configuration_set_name: null,
      dkim_signing_attributes: [
        {
          current_signing_key_length: "RSA_2048_BIT",
          domain_signing_private_key: null,
          domain_signing_selector: null,
          last_key_generation_timestamp: "2026-01-01T00:00:00Z",
          next_signing_key_length: "RSA_2048_BIT",
          signing_attributes_origin: "AWS_SES",
          status: "SUCCESS",
          tokens: tokensOf(resource.address),
        },
      ],
      email_identity: plan.domain,
      id: plan.domain,
      identity_type: "DOMAIN",
      tags: null,
      tags_all: {},
      verified_for_sending_status: true,
    };
  }
  if (role.kind === "mail-from") {
    return {
      behavior_on_mx_failure: role.identity.mailFrom.behaviorOnMxFailure,
      email_identity: plan.domain,
      id: plan.domain,
      mail_from_domain: role.identity.mailFrom.domain,
    };
  }
  const tokens = tokensOf(`aws_sesv2_email_identity.${plan.slug}_identity`);
  const fill = (text) => fillDkimTokens(text, (_region, i) => tokens[i]);
  const name = fill(role.record.name);
  return {
    ...ROUTING,
    allow_overwrite: null,
    fqdn: name,
    health_check_id: null,
    id: `Z0123456789ABCDEFGHIJ_${name}_${role.record.type}`,
    multivalue_answer_routing_policy: null,
    name,
    records: role.record.values.map((v) => (role.record.type === "TXT" ? route53TxtValue(v) : fill(v))),
    set_identifier: null,
    timeouts: null,
    ttl,
    type: role.record.type,
    zone_id: "Z0123456789ABCDEFGHIJ",
  };
}

const typeOf = (address) => address.slice(0, address.indexOf("."));
const nameOf = (address) => address.slice(address.indexOf(".") + 1);
const resourceChange = (address, actions, before, after, afterUnknown = {}) => ({
  address,
  mode: "managed",
  type: typeOf(address),
  name: nameOf(address),
  provider_name: "registry.terraform.io/hashicorp/aws",
  change: { actions, before, after, after_unknown: afterUnknown, before_sensitive: before ? {} : false, after_sensitive: after ? {} : false },
});

function firstDeploy() {
  const changes = [];
  for (const plan of plans) {
    for (const resource of plannedResources(plan)) {
      const after = attributes(plan, resource, 600);
      const unknown = { id: true };
      if (resource.role.kind === "identity") Object.assign(unknown, { arn: true, dkim_signing_attributes: [{ tokens: true, status: true }] });
      if (resource.role.kind === "record" && resource.role.record.type === "CNAME") {
        delete after.name;
        delete after.records;
        Object.assign(unknown, { name: true, records: true, fqdn: true });
      }
      changes.push(resourceChange(resource.address, ["create"], null, after, unknown));
    }
  }
  return changes;
}

function changes() {
  const out = [];
  plans.forEach((plan, i) => {
    for (const resource of plannedResources(plan)) {
      const before = attributes(plan, resource, 600);
      if (i === 0) {
        out.push(resourceChange(resource.address, ["delete"], before, null));
        continue;
      }
      if (resource.role.kind !== "record") {
        out.push(resourceChange(resource.address, ["no-op"], before, before));
        continue;
      }
      const after = { ...before, ttl: 300 };
      if (i % 10 === 0 && resource.role.record.id === "dmarc") after.records = [before.records[0].replace("p=reject", "p=none")];
      out.push(resourceChange(resource.address, ["update"], before, after));
    }
  });
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const [scenario, resourceChanges] of [
  ["first deploy", firstDeploy()],
  ["changes", changes()],
]) {
  const file = join(work, `${scenario.replace(/ /g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify({ format_version: "1.2", terraform_version: "1.11.4", planned_values: { root_module: {} }, resource_changes: resourceChanges }),
  );
  const times = [];
  let result;
  for (let r = 0; r < runs; r++) {
    const started = process.hrtime.bigint();
    result = spawnSync(process.execPath, [join(root, "dist/modules/cli/ses-domains.js"), "plan-summary", "--config", configFile, file], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
    if (result.status !== 0) throw new Error(`plan-summary failed: ${result.stderr}`);
    process.stderr.write(`\r${scenario}: run ${r + 1}/${runs}`);
  }
  process.stderr.write("\n");
  const seconds = median(times);
  rows.push([
    scenario,
    domains,
    resourceChanges.length,
    (statSync(file).size / 1024 / 1024).toFixed(1),
    seconds.toFixed(2),
    result.stdout.length,
    seconds < TARGET_SECONDS ? "yes" : "NO",
  ]);
}
rmSync(work, { recursive: true, force: true });

console.log(`\nmedian of ${runs} runs, node ${process.version}; target: under ${TARGET_SECONDS} s`);
console.log("| plan | domains | resource changes | plan MB | seconds | markdown characters | under target |");
console.log("|---|---:|---:|---:|---:|---:|---|");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
process.exitCode = rows.every((r) => r[6] === "yes") ? 0 : 1;
