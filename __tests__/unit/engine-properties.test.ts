import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { resolveConfig } from "../../modules/config/resolve";
import { ConfigError } from "../../modules/errors";
import { dmarcRecord, parseDmarc } from "../../modules/model/dmarc";
import { planDomains, type DomainPlan } from "../../modules/model/records";
import { apexSpfRecord, checkSpf, isSpfRecord, parseSpf, type SpfMechanism } from "../../modules/model/spf";
import type { DmarcSpec, SpfSpec } from "../../modules/model/types";

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom("com", "net", "org", "example"))
  .map(([ls, tld]) => [...ls, tld].join("."));
const spfDomain = fc.oneof(
  domain,
  domain.map((d) => `_spf.${d}`),
);
const ip4 = fc.tuple(fc.ipV4(), fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined })).map(([a, p]) => (p === undefined ? a : `${a}/${p}`));
const ip6 = fc.tuple(fc.ipV6(), fc.option(fc.integer({ min: 0, max: 128 }), { nil: undefined })).map(([a, p]) => (p === undefined ? a : `${a}/${p}`));
const policy = fc.constantFrom("none", "quarantine", "reject") as fc.Arbitrary<DmarcSpec["p"]>;
const mailto = fc.tuple(fc.stringMatching(/^[a-z0-9._+-]{1,12}$/), domain).map(([l, d]) => `mailto:${l}@${d}`);

/** Structured SPF intent within the 10-lookup limit. */
const spfIntent: fc.Arbitrary<SpfSpec> = fc
  .record({
    include: fc.array(spfDomain, { maxLength: 4 }),
    ip4: fc.array(ip4, { maxLength: 4 }),
    ip6: fc.array(ip6, { maxLength: 3 }),
    a: fc.array(fc.oneof(fc.constant(""), domain), { maxLength: 3 }),
    mx: fc.array(fc.oneof(fc.constant(""), domain), { maxLength: 3 }),
    all: fc.constantFrom("-all", "~all", "?all") as fc.Arbitrary<SpfSpec["all"]>,
  })
  .map((r) => ({ ...r, allowMacros: false, extraTxt: [] }));

const dmarcIntent: fc.Arbitrary<DmarcSpec> = fc.record(
  {
    p: policy,
    sp: policy,
    np: policy,
    pct: fc.integer({ min: 0, max: 100 }),
    rua: fc.array(mailto, { minLength: 1, maxLength: 3 }),
    ruf: fc.array(mailto, { minLength: 1, maxLength: 2 }),
    fo: fc.constantFrom("0", "1", "d", "s", "d:s", "0:d", "1:d:s"),
    adkim: fc.constantFrom("r", "s") as fc.Arbitrary<"r" | "s">,
    aspf: fc.constantFrom("r", "s") as fc.Arbitrary<"r" | "s">,
    ri: fc.integer({ min: 1, max: 4294967295 }),
    rf: fc.constant("afrf" as const),
    t: fc.constantFrom("y", "n") as fc.Arbitrary<"y" | "n">,
    psd: fc.constantFrom("y", "n", "u") as fc.Arbitrary<"y" | "n" | "u">,
  },
  { requiredKeys: ["p"] },
);

const mechanisms = (terms: readonly SpfMechanism[], name: string) =>
  terms
    .filter((t) => t.name === name)
    .map((t) => (t.value ?? "") + (t.cidr4 !== undefined ? `/${t.cidr4}` : "") + (t.cidr6 !== undefined ? `/${t.cidr6}` : ""));

describe("property: build then parse gives back the intent", () => {
  test("SPF", () => {
    fc.assert(
      fc.property(spfIntent, (intent) => {
        const text = apexSpfRecord(intent);
        expect(checkSpf(text).problems).toEqual([]);
        const parsed = parseSpf(text);
        if (!("terms" in parsed)) throw new Error(parsed.problems.join("; "));
        const terms = parsed.terms as SpfMechanism[];
        expect(mechanisms(terms, "include")).toEqual(intent.include);
        expect(mechanisms(terms, "ip4")).toEqual(intent.ip4);
        expect(mechanisms(terms, "ip6")).toEqual(intent.ip6);
        expect(mechanisms(terms, "a")).toEqual(intent.a);
        expect(mechanisms(terms, "mx")).toEqual(intent.mx);
        expect(terms[terms.length - 1].text).toBe(intent.all);
      }),
      { numRuns: 300 },
    );
  });

  test("DMARC", () => {
    fc.assert(
      fc.property(dmarcIntent, (intent) => {
        expect(parseDmarc(dmarcRecord(intent))).toEqual({ spec: intent });
      }),
      { numRuns: 300 },
    );
  });
});

describe("property: every value the engine accepts passes its own parser", () => {
  // Arbitrary configs, many of them invalid: whatever resolve and plan accept must parse cleanly.
  const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 });
  const anyConfig = fc.record({
    spf: fc.record(
      {
        include: fc.array(mostly(spfDomain, fc.string({ maxLength: 8 })), { maxLength: 12 }),
        ip4: fc.array(mostly(ip4, fc.string({ maxLength: 8 })), { maxLength: 3 }),
        extraTxt: fc.array(mostly(fc.string({ maxLength: 30 }), fc.constant("v=spf1 -all")), { maxLength: 2 }),
        all: mostly(fc.constantFrom("-all", "~all", "?all"), fc.constant("+all")),
      },
      { requiredKeys: [] },
    ),
    dmarc: fc.record(
      {
        p: mostly(fc.constantFrom("none", "quarantine", "reject"), fc.constant("block")),
        pct: mostly(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 101, max: 200 })),
        rua: fc.array(
          mostly(
            fc.oneof(
              mailto,
              mailto.map((u) => u.slice(7)),
            ),
            fc.string({ maxLength: 10 }),
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    ),
  });

  test("SPF and DMARC values of accepted configs", () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyConfig, (domainConfig) => {
        let plans: DomainPlan[];
        try {
          plans = planDomains(
            resolveConfig({ defaults: { region: "us-east-1" }, domains: { "example.com": { dns: { route53: { zoneId: "Z1" } }, ...domainConfig } } }),
          );
        } catch (err) {
          if (err instanceof ConfigError) return;
          throw err;
        }
        accepted++;
        for (const record of plans.flatMap((p) => p.records).filter((r) => r.type === "TXT")) {
          for (const value of record.values) {
            if (isSpfRecord(value)) expect(checkSpf(value).problems).toEqual([]);
            if (value.startsWith("v=DMARC1;")) expect(parseDmarc(value)).toHaveProperty("spec");
          }
        }
      }),
      { numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});
