/**
 * `s3://bucket/prefix`: every object under the prefix, as SES's S3 receipt action stores mail (or bare
 * report files), read with the AWS SDK. Listing is paged (ListObjectsV2); each object's body is counted
 * while it streams and abandoned past the size limit, whatever its Content-Length says.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client, type GetObjectCommandOutput, type ListObjectsV2CommandOutput } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { formatBytes, ReportError } from "./problems";
import type { Input } from "./read";

/** SES writes this object when a receipt rule is saved, to test that it can write to the bucket. */
const SES_SETUP_NOTIFICATION = "AMAZON_SES_SETUP_NOTIFICATION";

export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

export function isS3Url(value: string): boolean {
  return /^s3:\/\//i.test(value);
}

/** `s3://bucket` or `s3://bucket/prefix`; undefined when the bucket name is missing. */
export function parseS3Url(value: string): S3Location | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(value);
  return m ? { bucket: m[1], prefix: m[2] } : undefined;
}

export interface S3Options {
  /** An S3-compatible endpoint (MinIO, s3rver, LocalStack); path-style addressing is used with it. */
  readonly endpoint?: string;
}

/**
 * The client: credentials and region from the usual AWS environment (profile, role, `AWS_*`). An
 * endpoint comes from the option, else `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`.
 */
export function s3Client(options: S3Options = {}): S3Client {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  // The pinned SDK runs on Node 20; its warning is about releases after January 2027 and would print on
  // every run of the command. A user who set the variable either way keeps their choice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new S3Client({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    followRegionRedirects: true,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
}

/**
 * The objects under `location`, page by page (`pageSize` keys a page; S3's default is 1,000), as inputs
 * in key order; a listing error is one ReportError line.
 */
export async function* s3Inputs(client: S3Client, location: S3Location, pageSize?: number): AsyncGenerator<Input> {
  let token: string | undefined;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await client.send(
        new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.prefix || undefined, ContinuationToken: token, MaxKeys: pageSize }),
      );
    } catch (e) {
      throw new ReportError(`cannot list the objects: ${awsMessage(e)}`);
    }
    for (const object of page.Contents ?? []) {
      const key = object.Key;
      if (!key || key.endsWith("/")) continue;
      const name = `s3://${location.bucket}/${key}`;
      yield {
        name,
        listed: true,
        ...(key.split("/").at(-1) === SES_SETUP_NOTIFICATION
          ? { skip: "SES's setup notification (written when the receipt rule was saved), not a report" }
          : {}),
        read: (maxBytes) => getObject(client, location.bucket, key, maxBytes),
      };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

async function getObject(client: S3Client, bucket: string, key: string, maxBytes: number): Promise<Uint8Array> {
  let response: GetObjectCommandOutput;
  try {
    response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (e) {
    throw new ReportError(`cannot get the object: ${awsMessage(e)}`);
  }
  const body = response.Body as Readable | undefined;
  if (!body) return new Uint8Array(0);
  const tooBig = () => new ReportError(`the object is over the ${formatBytes(maxBytes)} limit (--max-size)`);
  if ((response.ContentLength ?? 0) > maxBytes) {
    body.destroy();
    throw tooBig();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      body.destroy();
      throw tooBig();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function awsMessage(e: unknown): string {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const message = (err.message ?? String(e)).split("\n")[0];
  return err.name && err.name !== "Error" && !message.startsWith(err.name) ? `${err.name}: ${message}` : message;
}
