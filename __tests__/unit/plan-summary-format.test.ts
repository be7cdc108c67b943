import { describe, expect, test } from "vitest";
import { code, DEFAULT_MAX_CHARS, escapeMarkdown, formatJson, formatMarkdown, GITHUB_COMMENT_LIMIT } from "../../modules/plan-summary/format";
import type { PlanSummary, Severity, SummaryChange } from "../../modules/plan-summary/types";

function changeOf(i: number, severity: Severity, domain: string | null = `d${String(Math.floor(i / 8)).padStart(4, "0")}.example.com`): SummaryChange {
  return {
    address: `aws_route53_record.${domain?.replace(/\./g, "_") ?? "x"}_r${i}`,
    domain,
    actions: severity === "routine" ? ["create"] : ["delete"],
    severity,
    reasons: [
      severity === "routine"
        ? `new DMARC record _dmarc.${domain}`
        : `DMARC record at _dmarc.${domain} deleted: receivers apply no policy to mail spoofing ${domain}`,
    ],
    source: "plan.json",
  };
}

function summaryOf(changes: SummaryChange[], unchanged = 0): PlanSummary {
  const counts = { breaks: 0, weakens: 0, routine: 0 };
  for (const c of changes) counts[c.severity]++;
  return { counts, changes, unchanged };
}

const mixed = summaryOf(
  [
    {
      address: "aws_sesv2_email_identity.gone_example_org_identity",
      domain: "gone.example.org",
      actions: ["delete"],
      severity: "breaks",
      reasons: ["SES identity gone.example.org deleted: SES stops sending"],
      source: "a.json",
    },
    {
      address: "aws_route53_record.example_com_dmarc",
      domain: "example.com",
      actions: ["update"],
      severity: "weakens",
      reasons: ["DMARC p reject → none: receivers stop rejecting spoofed mail", "TTL 600 → 300"],
      source: "a.json",
    },
    {
      address: "aws_route53_record.example_com_dkim_1",
      domain: "example.com",
      actions: ["update"],
      severity: "routine",
      reasons: ["TTL 600 → 300"],
      source: "a.json",
    },
    { address: "aws_sns_topic.bounces", domain: null, actions: ["create"], severity: "routine", reasons: ["aws_sns_topic created"], source: "b.json" },
  ],
  20,
);

describe("plan-summary markdown", () => {
  const text = formatMarkdown(mixed);

  test("the counts line comes first, above any collapsed detail", () => {
    const lines = text.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "### SES domains: plan summary",
      "",
      "**1 breaks mail · 1 weakens protection · 2 routine** — 4 changes in 3 domains, 20 resources unchanged",
    ]);
    expect(text.indexOf("**1 breaks mail")).toBeLessThan(text.indexOf("<details>"));
  });

  test("changes that break or weaken are open, grouped by domain, each labelled; routine ones are collapsed", () => {
    const [open, collapsed] = text.split("<details>");
    expect(open).toContain(
      "#### gone.example.org (1 breaks mail)\n- **breaks mail** · delete `aws_sesv2_email_identity.gone_example_org_identity`: SES identity gone.example.org deleted: SES stops sending",
    );
    expect(open).toContain(
      "#### example.com (1 weakens protection)\n- **weakens protection** · update `aws_route53_record.example_com_dmarc`\n  - DMARC p reject → none: receivers stop rejecting spoofed mail\n  - TTL 600 → 300",
    );
    expect(open).not.toContain("dkim_1");
    expect(collapsed).toMatch(/^<summary>2 routine changes<\/summary>\n/);
    expect(collapsed).toContain("#### example.com (1 routine)\n- update `aws_route53_record.example_com_dkim_1`: TTL 600 → 300");
    expect(collapsed).toContain("#### Account-level and other resources (1 routine)\n- create `aws_sns_topic.bounces`: aws_sns_topic created");
    expect(text.trimEnd().endsWith("</details>")).toBe(true);
  });

  test("no changes says so, with how many resources stay", () => {
    expect(formatMarkdown(summaryOf([], 24))).toBe("### SES domains: plan summary\n\n**No changes.** 24 resources unchanged.\n");
  });

  test("merged summaries (which do not count unchanged resources) leave that count out", () => {
    const { unchanged: _, ...merged } = mixed;
    expect(formatMarkdown(merged).split("\n")[2]).toBe("**1 breaks mail · 1 weakens protection · 2 routine** — 4 changes in 3 domains");
  });

  test("the same summary gives the same text", () => {
    expect(formatMarkdown(mixed)).toBe(text);
  });
});

describe("plan-summary markdown stays under the comment limit", () => {
  const fleet = summaryOf([
    ...Array.from({ length: 40 }, (_, i) => changeOf(i, "breaks")),
    ...Array.from({ length: 8000 }, (_, i) => changeOf(i + 40, "routine")),
  ]);

  test("a 1000-domain first deploy fits in the default budget, under GitHub's 65,536 characters", () => {
    const text = formatMarkdown(fleet);
    expect(DEFAULT_MAX_CHARS).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(text.length).toBeLessThanOrEqual(DEFAULT_MAX_CHARS);
    expect(text.split("\n")[2]).toBe("**40 breaks mail · 0 weakens protection · 8000 routine** — 8040 changes in 1005 domains, 0 resources unchanged");
  });

  test("what is cut is counted by severity, worst shown first, and the <details> is closed", () => {
    const text = formatMarkdown(fleet, 20_000);
    expect(text.length).toBeLessThanOrEqual(20_000);
    const shownEntries = text.split("\n").filter((l) => /^- /.test(l)).length;
    expect(text.match(/^- \*\*breaks mail\*\*/gm)).toHaveLength(40);
    expect(text).toContain(`**${8040 - shownEntries} more changes not shown** (${8040 - shownEntries} routine) to stay under the 20,000-character limit`);
    expect(text.match(/<details>/g)).toHaveLength(1);
    expect(text.match(/<\/details>/g)).toHaveLength(1);
    expect(text.indexOf("</details>")).toBeLessThan(text.indexOf("more changes not shown"));
  });

  test("when even the dangerous changes do not fit, they are cut and counted too, and nothing routine is shown", () => {
    const many = summaryOf([
      ...Array.from({ length: 500 }, (_, i) => changeOf(i, "breaks")),
      ...Array.from({ length: 10 }, (_, i) => changeOf(i + 500, "routine")),
    ]);
    const text = formatMarkdown(many, 5_000);
    expect(text.length).toBeLessThanOrEqual(5_000);
    const shown = text.match(/^- \*\*breaks mail\*\*/gm)!.length;
    expect(shown).toBeGreaterThan(5);
    expect(text).toContain(`**${510 - shown} more changes not shown** (${500 - shown} breaks mail, 10 routine)`);
    expect(text).not.toContain("<details>");
  });
});

describe("plan-summary markdown treats plan values as outside input", () => {
  test("HTML, links, images, tables and code spans in a reason are escaped", () => {
    expect(escapeMarkdown('TXT value <img src=x onerror="alert(1)"> ![t](http://evil/p.png) [go](http://evil) a|b `x` & \\')).toBe(
      'TXT value &lt;img src=x onerror="alert(1)"&gt; !\\[t\\](http://evil/p.png) \\[go\\](http://evil) a\\|b \\`x\\` &amp; \\\\',
    );
  });

  test("an address holding backticks stays one code span", () => {
    expect(code("aws_x.a`b")).toBe("``aws_x.a`b``");
    expect(code("`a")).toBe("`` `a ``");
  });
});

describe("plan-summary --format json", () => {
  test("prints { counts, changes: [{ address, domain, actions, severity, reasons }] } and nothing else", () => {
    const json = JSON.parse(formatJson(mixed));
    expect(Object.keys(json)).toEqual(["counts", "changes"]);
    expect(json.counts).toEqual({ breaks: 1, weakens: 1, routine: 2 });
    expect(json.changes[1]).toEqual({
      address: "aws_route53_record.example_com_dmarc",
      domain: "example.com",
      actions: ["update"],
      severity: "weakens",
      reasons: ["DMARC p reject → none: receivers stop rejecting spoofed mail", "TTL 600 → 300"],
    });
    expect(json.changes[3].domain).toBeNull();
  });
});
