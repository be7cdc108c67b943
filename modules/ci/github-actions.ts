/**
 * The GitHub Actions workflow `ses-domains ci github-actions` writes: on every pull request, synthesize
 * once, plan each stack in its own job (a matrix read from cdktf's manifest.json, fail-fast off so one
 * failing stack hides no other), summarize each plan where it was made, and post one PR comment and
 * the job summary from the merged summaries. Plan files stay on the runner that made them: they hold
 * BYODKIM private keys (variables, data sources) in clear, and artifacts are readable by anyone who can
 * read the repository; summaries never hold a sensitive value.
 */
import { stringify } from "yaml";

export interface GithubActionsOptions {
  /** The config file, relative to the repository root. */
  readonly config: string;
  /** Terraform variables holding BYODKIM private keys: each is passed from the repository secret of the same name. */
  readonly keyVariables: readonly string[];
  /** Fail the check when a change of this severity or worse is present; "never" only reports. */
  readonly failOn: "breaks" | "weakens" | "never";
  /** @default "20" */
  readonly nodeVersion?: string;
  /** A semver range setup-terraform accepts. @default "1.11.x" */
  readonly terraformVersion?: string;
  /** @default "us-east-1" (where Route 53's API lives; providers set their own regions) */
  readonly awsRegion?: string;
}

/** Current major versions (../shared/REVIEW-FACTS.md; checkout and the artifact actions from their 2026 releases). */
export const ACTIONS = {
  checkout: "actions/checkout@v6",
  setupNode: "actions/setup-node@v7",
  setupTerraform: "hashicorp/setup-terraform@v4",
  awsCredentials: "aws-actions/configure-aws-credentials@v6",
  uploadArtifact: "actions/upload-artifact@v7",
  downloadArtifact: "actions/download-artifact@v8",
} as const;

/** The repository variable holding the plan role's ARN. */
export const PLAN_ROLE_VARIABLE = "SES_DOMAINS_PLAN_ROLE_ARN";
const OUTDIR = "cdktf.out";
/** Hidden first line of the comment, so later runs edit it instead of adding another. */
export const COMMENT_MARKER = "<!-- ses-domains plan-summary -->";

export function githubActionsWorkflow(options: GithubActionsOptions): string {
  const node = options.nodeVersion ?? "20";
  const setupNode = { uses: ACTIONS.setupNode, with: { "node-version": node, cache: "npm" } };
  const install = { name: "Install", run: "npm ci --no-audit --no-fund" };
  const failOn = options.failOn === "never" ? "" : ` --fail-on ${options.failOn}`;

  const synth = {
    name: "synth",
    "runs-on": "ubuntu-latest",
    outputs: { stacks: "${{ steps.stacks.outputs.stacks }}" },
    steps: [
      { uses: ACTIONS.checkout },
      setupNode,
      install,
      { name: "Synthesize every stack", run: `npx ses-domains synth --config "$SES_CONFIG" --output ${OUTDIR}` },
      {
        name: "List the stacks from cdktf's manifest.json",
        id: "stacks",
        run: [
          `stacks=$(node -e 'const m = require(process.argv[1]); console.log(JSON.stringify(Object.values(m.stacks).map((s) => s.name).sort()))' "$PWD/${OUTDIR}/manifest.json")`,
          'echo "stacks=$stacks" >> "$GITHUB_OUTPUT"',
        ].join("\n"),
      },
      { uses: ACTIONS.uploadArtifact, with: { name: "synth", path: OUTDIR, "if-no-files-found": "error", "retention-days": 1 } },
    ],
  };

  const keyEnv = Object.fromEntries(options.keyVariables.map((name) => [`TF_VAR_${name}`, `\${{ secrets.${name} }}`]));
  const plan = {
    name: "plan ${{ matrix.stack }}",
    needs: "synth",
    if: "needs.synth.outputs.stacks != '[]'",
    "runs-on": "ubuntu-latest",
    permissions: { contents: "read", "id-token": "write" },
    strategy: { "fail-fast": false, matrix: { stack: "${{ fromJSON(needs.synth.outputs.stacks) }}" } },
    env: { STACK: "${{ matrix.stack }}", ...keyEnv },
    steps: [
      { uses: ACTIONS.checkout },
      setupNode,
      install,
      { uses: ACTIONS.downloadArtifact, with: { name: "synth", path: OUTDIR } },
      { uses: ACTIONS.setupTerraform, with: { terraform_version: options.terraformVersion ?? "1.11.x", terraform_wrapper: false } },
      { uses: ACTIONS.awsCredentials, with: { "role-to-assume": `\${{ vars.${PLAN_ROLE_VARIABLE} }}`, "aws-region": options.awsRegion ?? "us-east-1" } },
      { name: "terraform init", run: `terraform -chdir="${OUTDIR}/stacks/$STACK" init -input=false` },
      { name: "terraform plan", run: `terraform -chdir="${OUTDIR}/stacks/$STACK" plan -input=false -lock=false -out=plan.bin` },
      {
        name: "Summarize the plan (it never leaves this runner)",
        run: [
          `terraform -chdir="${OUTDIR}/stacks/$STACK" show -json plan.bin > "$RUNNER_TEMP/plan.json"`,
          "mkdir -p summaries",
          'npx ses-domains plan-summary --config "$SES_CONFIG" --format json "$RUNNER_TEMP/plan.json" > "summaries/$STACK.json"',
        ].join("\n"),
      },
      {
        uses: ACTIONS.uploadArtifact,
        with: { name: "summary-${{ matrix.stack }}", path: "summaries/${{ matrix.stack }}.json", "if-no-files-found": "error", "retention-days": 7 },
      },
    ],
  };

  const comment = {
    name: "comment",
    needs: ["synth", "plan"],
    // Runs when some stacks failed to plan too: the comment says which, and the others are still reviewed.
    if: "${{ !cancelled() && needs.synth.result == 'success' && needs.synth.outputs.stacks != '[]' }}",
    "runs-on": "ubuntu-latest",
    permissions: { contents: "read", "pull-requests": "write" },
    env: { STACKS: "${{ needs.synth.outputs.stacks }}" },
    steps: [
      { uses: ACTIONS.checkout },
      setupNode,
      install,
      { uses: ACTIONS.downloadArtifact, with: { pattern: "summary-*", path: "summaries", "merge-multiple": true } },
      {
        name: "Merge the summaries",
        id: "summary",
        run: [
          "set +e",
          'missing=""',
          'for stack in $(echo "$STACKS" | jq -r \'.[]\'); do [ -f "summaries/$stack.json" ] || missing="$missing $stack"; done',
          `echo '${COMMENT_MARKER}' > comment.md`,
          'if [ -n "$missing" ]; then echo "> **Plan failed for:$missing** — see the plan jobs; those stacks are not in this summary." >> comment.md; echo >> comment.md; fi',
          `npx ses-domains plan-summary --config "$SES_CONFIG"${failOn} summaries/*.json >> comment.md`,
          "code=$?",
          'echo "code=$code" >> "$GITHUB_OUTPUT"',
          'echo "missing=$missing" >> "$GITHUB_OUTPUT"',
          'if [ "$code" -ne 0 ] && [ "$code" -ne 3 ]; then exit "$code"; fi',
          'cat comment.md >> "$GITHUB_STEP_SUMMARY"',
        ].join("\n"),
      },
      {
        name: "Post or update the PR comment",
        if: "github.event_name == 'pull_request'",
        env: { GH_TOKEN: "${{ github.token }}", PR: "${{ github.event.pull_request.number }}" },
        run: [
          `id=$(gh api "repos/$GITHUB_REPOSITORY/issues/$PR/comments" --paginate --jq '.[] | select(.body | startswith("${COMMENT_MARKER}")) | .id' | tail -n 1)`,
          'if [ -n "$id" ]; then gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F body=@comment.md > /dev/null',
          'else gh pr comment "$PR" --body-file comment.md; fi',
        ].join("\n"),
      },
      {
        name: "Fail when a stack did not plan, or a change trips the gate",
        if: "steps.summary.outputs.code == '3' || steps.summary.outputs.missing != ''",
        env: { CODE: "${{ steps.summary.outputs.code }}", MISSING: "${{ steps.summary.outputs.missing }}" },
        run: [
          'if [ -n "$MISSING" ]; then echo "::error::plan failed for:$MISSING"; fi',
          `if [ "$CODE" = "3" ]; then echo "::error::the plan has a change that ${options.failOn === "weakens" ? "breaks mail or weakens protection" : "breaks mail"}: see the PR comment"; fi`,
          "exit 1",
        ].join("\n"),
      },
    ],
  };

  const workflow = {
    name: "ses-domains plan",
    on: { pull_request: null },
    permissions: { contents: "read" },
    concurrency: { group: "ses-domains-plan-${{ github.event.pull_request.number || github.ref }}", "cancel-in-progress": true },
    env: { SES_CONFIG: options.config, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" },
    jobs: { synth, plan, comment },
  };
  const header = [
    "# Generated by `ses-domains ci github-actions`: plans every stack on each pull request and posts one",
    "# comment from `ses-domains plan-summary` (also written to the job summary).",
    `# Needs: the repository variable ${PLAN_ROLE_VARIABLE}, an IAM role trusting GitHub's OIDC provider for`,
    "# repo:<owner>/<repo>:pull_request that can read the state (and the BYODKIM key secrets, if any), and an",
    "# S3 backend in the config (a local state file does not survive the job).",
    ...(options.keyVariables.length > 0 ? [`# BYODKIM keys come from the repository secrets ${options.keyVariables.join(", ")}.`] : []),
    "# Regenerate it rather than editing it: npx ses-domains ci github-actions --out .github/workflows/ses-domains-plan.yml",
  ];
  return `${header.join("\n")}\n${stringify(workflow, { lineWidth: 0, nullStr: "", aliasDuplicateObjects: false })}`;
}
