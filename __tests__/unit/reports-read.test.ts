import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { DEFAULT_LIMITS } from "../../modules/reports/container";
import { localInputs, readAll, readInput, type Input, type InputResult } from "../../modules/reports/read";
import { dmarcReport } from "../../modules/reports/report";
import { ReportSummary } from "../../modules/reports/summary";
import { DEFAULT_THRESHOLDS } from "../../modules/reports/verdict";
import { parseS3Url, s3Inputs } from "../../modules/reports/s3";
import { NOV_1, reportXml, SAMPLES, sesRecord } from "../helpers/dmarc";

const XML = reportXml({ id: "r", begin: NOV_1, records: [sesRecord("54.240.8.1", 1)] });
const MB = 1024 * 1024;

describe("reading many inputs", () => {
  test("results come back in input order although reads finish in another, with at most `concurrency` in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const delays = [30, 5, 20, 1, 10, 2, 25, 3];
    const inputs: Input[] = delays.map((ms, i) => ({
      name: `in-${i}`,
      listed: false,
      read: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, ms));
        inFlight--;
        return Buffer.from(XML);
      },
    }));
    const seen: InputResult[] = [];
    await readAll(inputs, DEFAULT_LIMITS, 3, (r) => seen.push(r));
    expect(seen.map((r) => r.file)).toEqual(delays.map((_, i) => `in-${i}`));
    expect(most).toBe(3);
  });
});

describe("records counted as they are parsed", () => {
  test("give the same summary as whole reports added one by one, over every real sample", async () => {
    const inputs = localInputs([SAMPLES]);
    const streamed = await dmarcReport(inputs, { limits: DEFAULT_LIMITS, thresholds: DEFAULT_THRESHOLDS, concurrency: 4 });
    const whole = new ReportSummary();
    for (const input of inputs) {
      const result = await readInput(input, DEFAULT_LIMITS);
      if ("ok" in result && result.ok) for (const report of result.reports) whole.add(report, result.file);
    }
    expect(streamed.domains).toEqual(whole.result());
    expect(streamed.domains.reduce((n, d) => n + d.messages, 0)).toBe(3554 + 1 + 1 + 1 + 1 + 7 + 1);
  });
});

describe("S3 objects", () => {
  test.each([
    ["s3://bucket", { bucket: "bucket", prefix: "" }],
    ["s3://bucket/", { bucket: "bucket", prefix: "" }],
    ["s3://bucket/rua/2026/", { bucket: "bucket", prefix: "rua/2026/" }],
    ["s3://", undefined],
  ])("%s is %j", (url, location) => {
    expect(parseS3Url(url)).toEqual(location);
  });

  /** A stand-in client: one listed object whose body streams `chunks` and declares no Content-Length. */
  function fakeClient(chunks: Buffer[], contentLength?: number): { client: S3Client; streamed: () => number } {
    let streamed = 0;
    const client = {
      send: async (command: unknown) => {
        if (command instanceof ListObjectsV2Command) return { Contents: [{ Key: "rua/obj" }, { Key: "rua/" }], IsTruncated: false };
        if (command instanceof GetObjectCommand) {
          const body = Readable.from(
            (function* () {
              for (const c of chunks) {
                streamed += c.length;
                yield c;
              }
            })(),
          );
          return { Body: body, ContentLength: contentLength };
        }
        throw new Error("unexpected command");
      },
    } as unknown as S3Client;
    return { client, streamed: () => streamed };
  }

  test("a body with no Content-Length is counted while it streams and abandoned past the limit", async () => {
    const { client, streamed } = fakeClient(Array.from({ length: 100 }, () => Buffer.alloc(MB / 4)));
    const inputs: Input[] = [];
    for await (const input of s3Inputs(client, { bucket: "b", prefix: "rua/" })) inputs.push(input);
    expect(inputs.map((i) => i.name)).toEqual(["s3://b/rua/obj"]);
    await expect(inputs[0].read(2 * MB)).rejects.toThrow("the object is over the 2 MB limit (--max-size)");
    expect(streamed()).toBeLessThanOrEqual(3 * MB);
  });

  test("a Content-Length over the limit is refused before the body is read", async () => {
    const { client, streamed } = fakeClient([Buffer.alloc(MB)], 30 * MB);
    const [input] = await (async () => {
      const all: Input[] = [];
      for await (const i of s3Inputs(client, { bucket: "b", prefix: "" })) all.push(i);
      return all;
    })();
    await expect(input.read(25 * MB)).rejects.toThrow("the object is over the 25 MB limit (--max-size)");
    expect(streamed()).toBe(0);
  });
});
