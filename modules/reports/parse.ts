/**
 * Element trees → the typed report model. RFC 7489 and RFC 9990 reports read the same way; what real
 * reporters get wrong (capitalised values, empty elements, missing selectors, `identities` for
 * `identifiers`, an empty org_name) is read anyway and said once per file as a warning. What cannot be
 * guessed (no policy domain, no date range) makes the file unreadable.
 */
import { quoteSnippet, ReportError, type Warnings } from "./problems";
import type { AggregateReport, DkimAuthResult, OverrideType, PolicyPublished, ReportRecord, ReportSchema, SpfAuthResult } from "./types";
import { decodeXml, walkFeedback, type XNode } from "./xml";

export const RFC9990_NAMESPACE = "urn:ietf:params:xml:ns:dmarc-2.0";

const POLICIES = ["none", "quarantine", "reject"] as const;
const DISPOSITIONS = ["none", "quarantine", "reject", "pass"] as const;
const ALIGNED = ["pass", "fail"] as const;
const DKIM_RESULTS = ["none", "pass", "fail", "policy", "neutral", "temperror", "permerror"] as const;
const SPF_RESULTS = ["none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"] as const;
const OVERRIDES = ["forwarded", "sampled_out", "trusted_forwarder", "mailing_list", "local_policy", "other", "policy_test_mode"] as const;
const RFC7489_ONLY_OVERRIDES = ["forwarded", "sampled_out"];
const NO_BYTES = new Uint8Array(0);

/** Elements only RFC 9990 has: parsedmarc classes a report by them too, as `<version>` is not trusted. */
const RFC9990_POLICY_FIELDS = ["np", "testing", "discovery_method"];

/**
 * One XML document (bytes) → one report. Throws ReportError when it cannot be read. With `onRecord`,
 * each record is handed over as it is read (with the policy domain) and not kept: `records` comes back
 * empty, and a report's memory no longer grows with its records.
 */
export function parseReport(bytes: Uint8Array, warnings: Warnings, onRecord?: (record: ReportRecord, policyDomain: string) => void): AggregateReport {
  const doc = decodeXml(bytes, warnings);
  bytes = NO_BYTES; // the text is all that is needed now; let the bytes go
  let version: string | undefined;
  let metadata: XNode | undefined;
  let policy: PolicyPublished | undefined;
  let rfc9990Fields = false;
  let selectorMissing = false;
  const rfc7489Overrides = new Set<string>();
  const records: ReportRecord[] = [];
  let recordIndex = 0;
  const root = walkFeedback(doc, warnings, (node) => {
    switch (node.name) {
      case "version":
        version = text(node);
        break;
      case "report_metadata":
        metadata = node;
        break;
      case "policy_published":
        if (policy) break;
        policy = readPolicy(node, warnings);
        rfc9990Fields ||= node.children.some((c) => RFC9990_POLICY_FIELDS.includes(c.name));
        // records written before the policy (out of schema order) waited for its domain
        if (onRecord) for (const r of records.splice(0)) onRecord(r, policy.domain);
        break;
      case "record": {
        recordIndex++;
        const record = readRecord(node, recordIndex, warnings);
        if (!record) break;
        selectorMissing ||= record.authResults.dkim.some((d) => d.selector === undefined);
        for (const reason of record.reasons) if (RFC7489_ONLY_OVERRIDES.includes(reason.type)) rfc7489Overrides.add(reason.type);
        if (onRecord && policy) onRecord(record, policy.domain);
        else records.push(record);
        break;
      }
      default:
      // RFC 9990 allows `extension` and namespaced elements here; other reporters add their own
    }
  });
  if (!metadata) throw new ReportError("the report has no <report_metadata>");
  if (!policy) throw new ReportError("the report has no <policy_published>");
  rfc9990Fields ||= ["generator"].some((n) => child(metadata!, n));
  const schema: ReportSchema = root.namespace === RFC9990_NAMESPACE || rfc9990Fields ? "rfc9990" : "rfc7489";
  if (version !== undefined && version !== "1.0" && version !== "1") {
    warnings.add("version", `<version> is ${quoteSnippet(version, 10)}, not 1.0: read as an ${schema === "rfc9990" ? "RFC 9990" : "RFC 7489"} report`);
  }
  if (schema === "rfc9990") {
    for (const type of rfc7489Overrides) warnings.add("override-type", `override reason ${type} is RFC 7489 only, in an RFC 9990 report: kept as written`);
    if (selectorMissing) warnings.add("selector-missing", "a DKIM result has no selector, which RFC 9990 requires");
  }
  return {
    schema,
    ...(version !== undefined ? { version } : {}),
    ...readMetadata(metadata, warnings),
    policy,
    records,
  };
}

function readMetadata(node: XNode, warnings: Warnings): Pick<AggregateReport, "reporter" | "reportId" | "period" | "errors"> {
  const email = text(child(node, "email")) ?? "";
  let orgName = text(child(node, "org_name"));
  if (!orgName) {
    const fallback = email.includes("@") ? email.slice(email.lastIndexOf("@") + 1).toLowerCase() : email;
    warnings.add("org-name-missing", `<org_name> is empty: the reporter is named after its email domain ${quoteSnippet(fallback || "(none)")}`);
    orgName = fallback || "(unknown reporter)";
  }
  const reportId = (text(child(node, "report_id")) ?? "").replace(/^<|>$/g, "");
  if (!reportId) warnings.add("report-id-missing", "<report_id> is empty: duplicates of this report cannot be recognised");
  const range = child(node, "date_range");
  const begin = epoch(child(range, "begin"), "begin");
  const end = epoch(child(range, "end"), "end");
  if (end < begin) warnings.add("date-range", `date_range ends (${end}) before it begins (${begin}): read as given`);
  const extra = text(child(node, "extra_contact_info"));
  const generator = text(child(node, "generator"));
  return {
    reporter: { orgName, email, ...(extra ? { extraContactInfo: extra } : {}), ...(generator ? { generator } : {}) },
    reportId,
    period: { begin, end },
    errors: children(node, "error")
      .map((e) => text(e))
      .filter((e): e is string => !!e),
  };
}

function epoch(node: XNode | undefined, which: "begin" | "end"): number {
  const value = text(node);
  if (value === undefined || !/^\d{1,12}$/.test(value)) {
    throw new ReportError(
      `report_metadata/date_range/${which} ${value === undefined ? "is missing" : `is not a time in seconds: got ${quoteSnippet(value, 20)}`}`,
    );
  }
  return Number(value);
}

function readPolicy(node: XNode, warnings: Warnings): PolicyPublished {
  const domain = text(child(node, "domain"))?.toLowerCase().replace(/\.$/, "");
  if (!domain) throw new ReportError("policy_published/domain is missing: the report names no domain");
  const policy = (name: string) => enumValue(child(node, name), `policy_published/${name}`, POLICIES, warnings);
  const p = policy("p");
  if (p === undefined) warnings.add("policy-missing", "policy_published/p is missing or not none, quarantine or reject");
  const alignment = (name: string) => enumValue(child(node, name), `policy_published/${name}`, ["r", "s"] as const, warnings);
  const pctText = text(child(node, "pct"));
  const pct = pctText !== undefined && /^\d{1,3}$/.test(pctText) && Number(pctText) <= 100 ? Number(pctText) : undefined;
  if (pctText !== undefined && pct === undefined) warnings.add("unknown-value", `policy_published/pct ${quoteSnippet(pctText, 20)} is not 0–100: ignored`);
  const fo = text(child(node, "fo"));
  const testing = enumValue(child(node, "testing"), "policy_published/testing", ["y", "n"] as const, warnings);
  const discoveryMethod = enumValue(child(node, "discovery_method"), "policy_published/discovery_method", ["psl", "treewalk"] as const, warnings);
  const sp = policy("sp");
  const np = policy("np");
  const adkim = alignment("adkim");
  const aspf = alignment("aspf");
  return {
    domain,
    ...(p ? { p } : {}),
    ...(sp ? { sp } : {}),
    ...(np ? { np } : {}),
    ...(adkim ? { adkim } : {}),
    ...(aspf ? { aspf } : {}),
    ...(pct !== undefined ? { pct } : {}),
    ...(fo ? { fo } : {}),
    ...(testing ? { testing } : {}),
    ...(discoveryMethod ? { discoveryMethod } : {}),
  };
}

function readRecord(node: XNode, index: number, warnings: Warnings): ReportRecord | undefined {
  const row = child(node, "row");
  const sourceIp = text(child(row, "source_ip"));
  const countText = text(child(row, "count"));
  if (!sourceIp) {
    warnings.add("record-skipped", `a record has no source_ip: skipped (${countText ?? "no"} count)`);
    return undefined;
  }
  if (countText === undefined || !/^\d{1,12}$/.test(countText)) {
    warnings.add("record-skipped", `record ${index} (${sourceIp}) has no whole-number count (${quoteSnippet(countText ?? "missing", 20)}): skipped`);
    return undefined;
  }
  const evaluated = child(row, "policy_evaluated");
  const disposition = enumValue(child(evaluated, "disposition"), "policy_evaluated/disposition", DISPOSITIONS, warnings);
  const dkim = enumValue(child(evaluated, "dkim"), "policy_evaluated/dkim", ALIGNED, warnings);
  const spf = enumValue(child(evaluated, "spf"), "policy_evaluated/spf", ALIGNED, warnings);
  if (!disposition || !dkim || !spf) {
    warnings.add("evaluated-missing", "policy_evaluated lacks disposition, dkim or spf: read as disposition none, dkim fail, spf fail where missing");
  }
  let identifiers = child(node, "identifiers");
  if (!identifiers && child(node, "identities")) {
    identifiers = child(node, "identities");
    warnings.add("identities", "<identities> read as <identifiers> (an early draft's name)");
  }
  const headerFrom = text(child(identifiers, "header_from"))?.toLowerCase() ?? "";
  if (!headerFrom) warnings.add("header-from-missing", "a record has no header_from");
  const envelopeFrom = text(child(identifiers, "envelope_from"))?.toLowerCase();
  const envelopeTo = text(child(identifiers, "envelope_to"))?.toLowerCase();
  const auth = child(node, "auth_results");
  return {
    sourceIp,
    count: Number(countText),
    disposition: disposition ?? "none",
    dkim: dkim ?? "fail",
    spf: spf ?? "fail",
    reasons: children(evaluated, "reason").flatMap((r) => {
      const type = text(child(r, "type"))?.toLowerCase() ?? "";
      const comment = text(child(r, "comment"));
      if (!type && !comment) return []; // `<reason><type/><comment/></reason>`
      if (type && !(OVERRIDES as readonly string[]).includes(type))
        warnings.add("unknown-value", `override reason type ${quoteSnippet(type, 30)} is not one the RFCs define: kept as written`);
      return [{ type: type as OverrideType, ...(comment ? { comment } : {}) }];
    }),
    headerFrom,
    ...(envelopeFrom ? { envelopeFrom } : {}),
    ...(envelopeTo ? { envelopeTo } : {}),
    authResults: {
      dkim: children(auth, "dkim").flatMap((d) => dkimResult(d, warnings)),
      spf: children(auth, "spf").flatMap((s) => spfResult(s, warnings)),
    },
  };
}

function dkimResult(node: XNode, warnings: Warnings): DkimAuthResult[] {
  const domain = text(child(node, "domain"))?.toLowerCase() ?? "";
  const result = enumValue(child(node, "result"), "auth_results/dkim/result", DKIM_RESULTS, warnings);
  if (!domain && !result) return [];
  const selector = text(child(node, "selector"));
  const human = text(child(node, "human_result"));
  return [{ domain, ...(selector ? { selector } : {}), result: result ?? "none", ...(human ? { humanResult: human } : {}) }];
}

function spfResult(node: XNode, warnings: Warnings): SpfAuthResult[] {
  const domain = text(child(node, "domain"))?.toLowerCase() ?? "";
  const result = enumValue(child(node, "result"), "auth_results/spf/result", SPF_RESULTS, warnings);
  if (!domain && !result) return [];
  const scope = enumValue(child(node, "scope"), "auth_results/spf/scope", ["helo", "mfrom"] as const, warnings);
  return [{ domain, ...(scope ? { scope } : {}), result: result ?? "none" }];
}

/** An enumerated value, case-folded with a warning; undefined (with a warning) when it is none of `allowed`. */
function enumValue<T extends string>(node: XNode | undefined, where: string, allowed: readonly T[], warnings: Warnings): T | undefined {
  const raw = text(node);
  if (raw === undefined) return undefined;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  const folded = raw.toLowerCase();
  if ((allowed as readonly string[]).includes(folded)) {
    warnings.add("value-case", `${where} ${quoteSnippet(raw, 20)} read as ${JSON.stringify(folded)}`);
    return folded as T;
  }
  warnings.add("unknown-value", `${where} ${quoteSnippet(raw, 20)} is not one of ${allowed.join(", ")}: ignored`);
  return undefined;
}

function child(node: XNode | undefined, name: string): XNode | undefined {
  if (!node) return undefined;
  for (const c of node.children) if (c.name === name) return c;
  return undefined;
}

function children(node: XNode | undefined, name: string): XNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/**
 * Trimmed text of a leaf; undefined when the element is absent or empty (`<selector/>`). The value is
 * copied out of the document: V8 keeps a substring as a slice of its parent, and one kept IP address or
 * domain would otherwise keep the whole report text alive (memory grew with every report read).
 */
function text(node: XNode | undefined): string | undefined {
  if (!node) return undefined;
  const t = node.text.trim();
  // biome-ignore lint/style/useTemplate: concatenating forces a flat copy, so a kept value does not keep the whole document alive
  return t === "" ? undefined : (" " + t).slice(1);
}
