import { isIPv4, isIPv6 } from "node:net";
import type { SpfSpec } from "./types";

/** The SPF record SES needs at the MAIL FROM domain (SES developer guide, custom MAIL FROM). */
export function mailFromSpfRecord(all: "~all" | "-all"): string {
  return `v=spf1 include:amazonses.com ${all}`;
}

/** The apex SPF record: mechanisms in a fixed order (a, mx, ip4, ip6, include), then `all`. */
export function apexSpfRecord(spec: SpfSpec): string {
  const terms = ["v=spf1"];
  for (const d of spec.a) terms.push(d === "" ? "a" : `a:${d}`);
  for (const d of spec.mx) terms.push(d === "" ? "mx" : `mx:${d}`);
  for (const ip of spec.ip4) terms.push(`ip4:${ip}`);
  for (const ip of spec.ip6) terms.push(`ip6:${ip}`);
  for (const d of spec.include) terms.push(`include:${d}`);
  terms.push(spec.all);
  return terms.join(" ");
}

/** Why an ip4/ip6 entry is invalid (RFC 7208 §5.6), or undefined. */
export function ipProblem(value: string, family: 4 | 6): string | undefined {
  const [address, prefix, ...rest] = value.split("/");
  const max = family === 4 ? 32 : 128;
  const ok = family === 4 ? isIPv4(address) : isIPv6(address);
  if (!ok || rest.length > 0) {
    return `must be an IPv${family} address or CIDR range such as ${family === 4 ? "192.0.2.0/24" : "2001:db8::/32"}, got ${JSON.stringify(value)}`;
  }
  if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max)) {
    return `prefix length must be 0–${max}, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** Why a domain-spec in an SPF mechanism is unusable, or undefined. Macros are refused (RFC 7208 §7). */
export function spfDomainProblem(value: string): string | undefined {
  if (value.includes("%")) return `SPF macros are not supported, got ${JSON.stringify(value)}`;
  if (!/^[A-Za-z0-9_.-]+$/.test(value) || value.startsWith(".") || value.includes("..")) {
    return `must be a domain name such as _spf.google.com, got ${JSON.stringify(value)}`;
  }
  return undefined;
}
