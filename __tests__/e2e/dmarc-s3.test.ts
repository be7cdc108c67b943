/**
 * `dmarc-report s3://bucket/prefix` against a local S3-compatible server (s3rver on loopback, started
 * here) holding real reports from ../shared/dmarc-reports as SES's S3 receipt action stores them: whole
 * mail, plus a bare report file and SES's setup notification.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { s3Client, s3Inputs } from "../../modules/reports/s3";
import { reportMail, runCli, sample, startS3Server, type S3TestServer } from "../helpers/dmarc";

const CREDENTIALS = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1" };
const work = mkdtempSync(join(tmpdir(), "ses-domains-dmarc-s3-"));
let server: S3TestServer;
let endpoint: string;

const OBJECTS: [string, () => Buffer][] = [
  [
    "rua/AMAZON_SES_SETUP_NOTIFICATION",
    () => Buffer.from("From: no-reply-aws@amazon.com\r\nSubject: Amazon SES Setup Notification\r\n\r\nThis is a test.\r\n"),
  ],
  // real mails, byte for byte, as a receiving mailbox stored them
  ["rua/0a8kq3mt5v2n1example", () => readFileSync(sample("parsedmarc/google-borschow.com-report.eml"))],
  ["rua/1b7dk2ls9c4p3example", () => readFileSync(sample("parsedmarc/mimecast-weird-gzip.eml"))],
  ["rua/2c6fj1kr8b3o5example", () => readFileSync(sample("parsedmarc/twilight.eml"))],
  // real reports wrapped in mail as Google sends them (the 2025 report shows SES without a custom MAIL FROM)
  [
    "rua/3d5gh0jq7a2m7example",
    () =>
      reportMail(
        gzipSync(readFileSync(sample("mailweave/google.com!example.com!1747008000!1747094399"))),
        "google.com!example.com!1747008000!1747094399.xml.gz",
        "application/gzip",
      ),
  ],
  [
    "rua/4e4hg9ip6z1l9example",
    () =>
      reportMail(
        readFileSync(sample("mailweave/enterprise.protection.outlook.com!example.com!1747180800!1747267200.xml")),
        "enterprise.protection.outlook.com!example.com!1747180800!1747267200.xml",
        "text/xml",
      ),
  ],
  // a bare report file, no mail around it
  ["rua/large-example.xml.gz", () => readFileSync(sample("parsedmarc/!large-example.com!1711897200!1711983600.xml.gz"))],
  ["other/not-read.xml", () => readFileSync(sample("parsedmarc/invalid_xml.xml"))],
  ["big/huge.bin", () => Buffer.alloc(1.5 * 1024 * 1024, 0x41)],
];

beforeAll(async () => {
  server = await startS3Server(work, ["dmarc-reports"]);
  endpoint = server.endpoint;
  const client = new S3Client({ endpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
  await client.send(new CreateBucketCommand({ Bucket: "empty-bucket" }));
  for (const [key, body] of OBJECTS) await client.send(new PutObjectCommand({ Bucket: "dmarc-reports", Key: key, Body: body() }));
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("dmarc-report s3://bucket/prefix", () => {
  test("reads every object under the prefix, in key order, skipping SES's setup notification", async () => {
    const result = await runCli(["dmarc-report", "s3://dmarc-reports/rua/", "--endpoint", endpoint, "--json"], CREDENTIALS);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.files.map((f: { file: string; ok: boolean; reports: number }) => [f.file, f.ok, f.reports])).toEqual([
      ["s3://dmarc-reports/rua/0a8kq3mt5v2n1example", true, 1],
      ["s3://dmarc-reports/rua/1b7dk2ls9c4p3example", true, 1],
      ["s3://dmarc-reports/rua/2c6fj1kr8b3o5example", true, 1],
      ["s3://dmarc-reports/rua/3d5gh0jq7a2m7example", true, 1],
      ["s3://dmarc-reports/rua/4e4hg9ip6z1l9example", true, 1],
      ["s3://dmarc-reports/rua/large-example.xml.gz", true, 1],
    ]);
    expect(json.skipped).toEqual([
      {
        file: "s3://dmarc-reports/rua/AMAZON_SES_SETUP_NOTIFICATION",
        reason: "SES's setup notification (written when the receipt rule was saved), not a report",
      },
    ]);
    expect(json.domains.map((d: { domain: string; reports: number }) => [d.domain, d.reports])).toEqual([
      ["ab.id.au", 1],
      ["borschow.com", 1],
      ["example.com", 3],
      ["twlnet.com", 1],
    ]);
    const example = json.domains[2];
    expect(example.messages).toBe(115 + 994 + 2286);
    expect(example.warnings.map((w: { code: string }) => w.code)).toContain("mail-from-not-aligned");
  });

  test("the endpoint may come from AWS_ENDPOINT_URL_S3 instead of --endpoint", async () => {
    const result = await runCli(["dmarc-report", "s3://dmarc-reports/rua/large", "--json"], { ...CREDENTIALS, AWS_ENDPOINT_URL_S3: endpoint });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).files.map((f: { file: string }) => f.file)).toEqual(["s3://dmarc-reports/rua/large-example.xml.gz"]);
  });

  test("an object over --max-size is one line; its body is not read past the limit", async () => {
    const result = await runCli(["dmarc-report", "s3://dmarc-reports/big/", "--endpoint", endpoint, "--max-size", "1"], CREDENTIALS);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: s3://dmarc-reports/big/huge.bin: the object is over the 1 MB limit (--max-size)\n");
  });

  test("a bucket that does not exist is one line naming the URL; other inputs are still read", async () => {
    const result = await runCli(["dmarc-report", "s3://no-such-bucket/rua/", "s3://dmarc-reports/rua/large", "--endpoint", endpoint], CREDENTIALS);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: s3://no-such-bucket/rua/: cannot list the objects: NoSuchBucket: The specified bucket does not exist\n");
    expect(result.stdout.split("\n")[0]).toBe("2 files: 1 read (1 report), 1 unreadable; 1 policy domain.");
  });

  test("an empty bucket reads nothing and says so", async () => {
    const result = await runCli(["dmarc-report", "s3://empty-bucket", "--endpoint", endpoint], CREDENTIALS);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("0 files: 0 read (0 reports), 0 unreadable.\n");
  });

  test("listing is paged: two keys a page still gives every key once, in order", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, CREDENTIALS);
    try {
      const names: string[] = [];
      for await (const input of s3Inputs(s3Client({ endpoint }), { bucket: "dmarc-reports", prefix: "rua/" }, 2))
        names.push(input.name.slice("s3://dmarc-reports/rua/".length));
      expect(names).toEqual([
        "0a8kq3mt5v2n1example",
        "1b7dk2ls9c4p3example",
        "2c6fj1kr8b3o5example",
        "3d5gh0jq7a2m7example",
        "4e4hg9ip6z1l9example",
        "AMAZON_SES_SETUP_NOTIFICATION",
        "large-example.xml.gz",
      ]);
    } finally {
      process.env = saved;
    }
  });
});
