// A stand-in for the few SESv2 and Route 53 read calls adopt (AWS SDK v3) and terraform's aws provider
// (importing and reading what adopt found) make, on 127.0.0.1 with a free port, answering from a state
// file with responses shaped as AWS sends them (REST-JSON for SESv2, REST-XML for Route 53).
// Runs as its own process: terraform is run with spawnSync, which blocks the test's event loop.
// Usage: node aws-stand-in.cjs <state.json>; prints {"port":N}; runs until killed.
// GET /__calls lists every call answered: { operation, region, target }.
const http = require("node:http");
const { readFileSync } = require("node:fs");

const state = JSON.parse(readFileSync(process.argv[2], "utf8"));
const calls = [];
const XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/";
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fqdn = (name) => (name.endsWith(".") ? name : `${name}.`).toLowerCase();

/** The region the request was signed for (SigV4 credential scope). */
function regionOf(req) {
  const m = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(req.headers.authorization || "");
  return m ? m[1] : "unknown";
}

function fault(operation) {
  return (state.faults || []).find((f) => f.operation === operation);
}

function json(res, status, body, errorType) {
  res.writeHead(status, {
    "content-type": "application/json",
    ...(errorType ? { "x-amzn-errortype": errorType } : {}),
    "x-amzn-requestid": "00000000-0000-0000-0000-000000000000",
  });
  res.end(JSON.stringify(body));
}

function xml(res, status, body) {
  res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": "00000000-0000-0000-0000-000000000000" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
}

function route53Error(res, status, code, message) {
  xml(
    res,
    status,
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`,
  );
}

function zoneXml(zone) {
  return `<HostedZone><Id>/hostedzone/${zone.id}</Id><Name>${esc(fqdn(zone.name))}</Name><CallerReference>console-${zone.id}</CallerReference><Config><Comment>made in the console</Comment><PrivateZone>${zone.private ? "true" : "false"}</PrivateZone></Config><ResourceRecordSetCount>${(zone.records || []).length + 2}</ResourceRecordSetCount></HostedZone>`;
}

/** Route 53 serves TXT values as quoted character-strings, a value over 255 octets as several. */
function rdata(type, value) {
  if (type !== "TXT") return value;
  const chunks = value.match(/[\s\S]{1,255}/g) || [""];
  return chunks.map((c) => `"${c.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(" ");
}

function recordSetXml(r) {
  const values = r.values.map((v) => `<ResourceRecord><Value>${esc(rdata(r.type, v))}</Value></ResourceRecord>`).join("");
  return `<ResourceRecordSet><Name>${esc(fqdn(r.name))}</Name><Type>${r.type}</Type><TTL>${r.ttl || 300}</TTL><ResourceRecords>${values}</ResourceRecords></ResourceRecordSet>`;
}

/** Route 53 lists record sets by name with labels reversed, then type. */
const sortKey = (r) => `${fqdn(r.name).split(".").reverse().join(".")} ${r.type}`;

function route53(req, res, url) {
  const path = url.pathname;
  let m;
  if (path === "/2013-04-01/hostedzonesbyname") {
    const name = fqdn(url.searchParams.get("dnsname") || "");
    calls.push({ operation: "ListHostedZonesByName", region: regionOf(req), target: name });
    const f = fault("ListHostedZonesByName");
    if (f) return route53Error(res, f.status, f.code, f.message);
    const zones = state.zones.filter((z) => fqdn(z.name) >= name).sort((a, b) => (fqdn(a.name) < fqdn(b.name) ? -1 : 1));
    return xml(
      res,
      200,
      `<ListHostedZonesByNameResponse xmlns="${XMLNS}"><HostedZones>${zones.map(zoneXml).join("")}</HostedZones><DNSName>${esc(name)}</DNSName><IsTruncated>false</IsTruncated><MaxItems>${url.searchParams.get("maxitems") || 100}</MaxItems></ListHostedZonesByNameResponse>`,
    );
  }
  if (path === "/2013-04-01/hostedzone") {
    calls.push({ operation: "ListHostedZones", region: regionOf(req), target: "" });
    return xml(
      res,
      200,
      `<ListHostedZonesResponse xmlns="${XMLNS}"><HostedZones>${state.zones.map(zoneXml).join("")}</HostedZones><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>`,
    );
  }
  if ((m = /^\/2013-04-01\/tags\/hostedzone\/([^/]+)$/.exec(path))) {
    calls.push({ operation: "ListTagsForResource", region: regionOf(req), target: m[1] });
    return xml(
      res,
      200,
      `<ListTagsForResourceResponse xmlns="${XMLNS}"><ResourceTagSet><ResourceType>hostedzone</ResourceType><ResourceId>${esc(m[1])}</ResourceId><Tags></Tags></ResourceTagSet></ListTagsForResourceResponse>`,
    );
  }
  if ((m = /^\/2013-04-01\/hostedzone\/([^/]+)$/.exec(path))) {
    calls.push({ operation: "GetHostedZone", region: regionOf(req), target: m[1] });
    const zone = state.zones.find((z) => z.id === m[1]);
    if (!zone) return route53Error(res, 404, "NoSuchHostedZone", `No hosted zone found with ID: ${m[1]}`);
    return xml(
      res,
      200,
      `<GetHostedZoneResponse xmlns="${XMLNS}">${zoneXml(zone)}<DelegationSet><NameServers><NameServer>ns-1.awsdns-00.com</NameServer></NameServers></DelegationSet></GetHostedZoneResponse>`,
    );
  }
  if ((m = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(path))) {
    const name = url.searchParams.get("name") || "";
    const type = url.searchParams.get("type") || "";
    calls.push({ operation: "ListResourceRecordSets", region: regionOf(req), target: `${m[1]} ${name} ${type}` });
    const zone = state.zones.find((z) => z.id === m[1]);
    if (!zone) return route53Error(res, 404, "NoSuchHostedZone", `No hosted zone found with ID: ${m[1]}`);
    const max = Number(url.searchParams.get("maxitems") || 100);
    const start = sortKey({ name, type });
    const sets = [...(zone.records || [])].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)).filter((r) => sortKey(r) >= start);
    const page = sets.slice(0, max);
    const next = sets[max];
    const more = next
      ? `<IsTruncated>true</IsTruncated><NextRecordName>${esc(fqdn(next.name))}</NextRecordName><NextRecordType>${next.type}</NextRecordType>`
      : "<IsTruncated>false</IsTruncated>";
    return xml(
      res,
      200,
      `<ListResourceRecordSetsResponse xmlns="${XMLNS}"><ResourceRecordSets>${page.map(recordSetXml).join("")}</ResourceRecordSets>${more}<MaxItems>${max}</MaxItems></ListResourceRecordSetsResponse>`,
    );
  }
  return route53Error(res, 400, "InvalidAction", `this stand-in does not answer ${req.method} ${path}`);
}

function sesv2(req, res, url) {
  const path = url.pathname;
  const region = regionOf(req);
  let m;
  if ((m = /^\/v2\/email\/identities\/([^/]+)$/.exec(path))) {
    const name = decodeURIComponent(m[1]);
    calls.push({ operation: "GetEmailIdentity", region, target: name });
    const f = fault("GetEmailIdentity");
    if (f) return json(res, f.status, { message: f.message }, f.code);
    const identity = state.identities?.[region]?.[name];
    if (!identity) return json(res, 404, { message: `Email identity ${name} does not exist.` }, "NotFoundException");
    const dkim = identity.byoSelector
      ? { SigningEnabled: true, Status: "SUCCESS", Tokens: [identity.byoSelector], SigningAttributesOrigin: "EXTERNAL" }
      : {
          SigningEnabled: true,
          Status: "SUCCESS",
          Tokens: identity.tokens,
          SigningAttributesOrigin: "AWS_SES",
          NextSigningKeyLength: identity.keyLength || "RSA_2048_BIT",
          CurrentSigningKeyLength: identity.keyLength || "RSA_2048_BIT",
          LastKeyGenerationTimestamp: 1767225600,
        };
    return json(res, 200, {
      IdentityType: "DOMAIN",
      FeedbackForwardingStatus: true,
      VerifiedForSendingStatus: true,
      DkimAttributes: dkim,
      MailFromAttributes: identity.mailFrom
        ? { MailFromDomain: identity.mailFrom.domain, MailFromDomainStatus: "SUCCESS", BehaviorOnMxFailure: identity.mailFrom.behavior || "USE_DEFAULT_VALUE" }
        : { BehaviorOnMxFailure: "USE_DEFAULT_VALUE" },
      Policies: {},
      Tags: Object.entries(identity.tags || {}).map(([Key, Value]) => ({ Key, Value })),
      ...(identity.configurationSet ? { ConfigurationSetName: identity.configurationSet } : {}),
      VerificationStatus: "SUCCESS",
    });
  }
  if ((m = /^\/v2\/email\/configuration-sets\/([^/]+)$/.exec(path))) {
    const name = decodeURIComponent(m[1]);
    calls.push({ operation: "GetConfigurationSet", region, target: name });
    const f = fault("GetConfigurationSet");
    if (f) return json(res, f.status, { message: f.message }, f.code);
    const set = state.configurationSets?.[region]?.[name];
    if (!set) return json(res, 404, { message: `Configuration set <${name}> does not exist.` }, "NotFoundException");
    return json(res, 200, {
      ConfigurationSetName: name,
      DeliveryOptions: { TlsPolicy: set.tls || "OPTIONAL" },
      ReputationOptions: { ReputationMetricsEnabled: set.reputationMetrics === true },
      SendingOptions: { SendingEnabled: set.sending !== false },
      SuppressionOptions: { SuppressedReasons: set.suppressed || [] },
      Tags: [],
    });
  }
  if (path === "/v2/email/tags") {
    calls.push({ operation: "ListTagsForResource", region, target: url.searchParams.get("ResourceArn") });
    return json(res, 200, { Tags: [] });
  }
  return json(res, 400, { message: `this stand-in does not answer ${req.method} ${path}` }, "BadRequestException");
}

const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const url = new URL(req.url, "http://stand-in");
    if (url.pathname === "/__calls") {
      // Asked between terraform runs that block the test's event loop for longer than the keep-alive
      // timeout: a kept socket would be closed under the next request.
      res.setHeader("connection", "close");
      return json(res, 200, calls);
    }
    if (url.pathname.startsWith("/2013-04-01/")) return route53(req, res, url);
    if (url.pathname.startsWith("/v2/email/")) return sesv2(req, res, url);
    calls.push({ operation: "unknown", region: regionOf(req), target: `${req.method} ${url.pathname}` });
    return json(res, 400, { message: `this stand-in does not answer ${req.method} ${url.pathname}` }, "BadRequestException");
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
