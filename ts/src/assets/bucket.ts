// The assets bucket in S3 (api/assets/bucket.py): presigned transfers, HeadObject,
// conditional CopyObject and DeleteObject.
import { createHmac } from "node:crypto";

import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

import { translatingFaults } from "../core/dynamo.js";
import { pyDumps } from "../core/python-json.js";
import type { StoredObject } from "./asset.js";
import type { ObjectStorage } from "./service.js";

const ALGORITHM = "AWS4-HMAC-SHA256";
const MISSING = new Set(["404", "NoSuchKey", "NotFound"]);
// A conditional CopyObject that copied nothing: the source's ETag differs (412), the target
// exists (412), the source is gone (404), or another conditional write to the target was
// under way (409 ConditionalRequestConflict).
const NOT_COPIED = new Set([...MISSING, "412", "PreconditionFailed", "409", "ConditionalRequestConflict"]);

/** Whether an S3 error is one of `codes`, by its code (the SDK's `name`) or HTTP status. */
function isOneOf(codes: Set<string>, error: unknown): boolean {
  const failure = error as { name?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  return codes.has(String(failure?.name)) || codes.has(String(failure?.$metadata?.httpStatusCode));
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** `20261126T093000Z` (SigV4's X-Amz-Date) and `2026-11-26T09:30:00Z` (a policy's expiration). */
function amzDate(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

function isoSeconds(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Objects in one S3 bucket. */
export class S3ObjectStorage implements ObjectStorage {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /** The form botocore's generate_presigned_post signs, field for field and condition for
   * condition (contract/DATA.md, "Presigned POST"). The SDK's own POST spells its fields
   * otherwise (X-Amz-*, Policy, an extra bucket field); it is asked only for the URL, so
   * that its endpoint rules (custom endpoints, path or virtual-host style) decide it. */
  async presignUpload(
    key: string,
    contentType: string,
    size: number,
    expiresIn: number,
  ): Promise<{ url: string; fields: Record<string, string> }> {
    const { url } = await createPresignedPost(this.client, { Bucket: this.bucket, Key: key, Expires: expiresIn });
    const credentials = await this.client.config.credentials();
    const region = await this.client.config.region();
    const now = new Date(Date.now() + (this.client.config.systemClockOffset ?? 0));
    const date = amzDate(now);
    const scope = `${date.slice(0, 8)}/${region}/s3/aws4_request`;
    const fields: Record<string, string> = {
      "Content-Type": contentType,
      key,
      "x-amz-algorithm": ALGORITHM,
      "x-amz-credential": `${credentials.accessKeyId}/${scope}`,
      "x-amz-date": date,
    };
    const conditions: unknown[] = [
      { "Content-Type": contentType },
      ["content-length-range", size, size],
      { bucket: this.bucket },
      { key },
      { "x-amz-algorithm": ALGORITHM },
      { "x-amz-credential": fields["x-amz-credential"] },
      { "x-amz-date": date },
    ];
    if (credentials.sessionToken) {
      fields["x-amz-security-token"] = credentials.sessionToken;
      conditions.push({ "x-amz-security-token": credentials.sessionToken });
    }
    const expiration = isoSeconds(new Date(now.getTime() + expiresIn * 1000));
    const policy = Buffer.from(pyDumps({ expiration, conditions }), "utf8").toString("base64");
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date.slice(0, 8)), region), "s3"), "aws4_request");
    fields.policy = policy;
    fields["x-amz-signature"] = hmac(signingKey, policy).toString("hex");
    return { url, fields };
  }

  async presignDownload(key: string, contentType: string, disposition: string, expiresIn: number): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentType: contentType,
      ResponseContentDisposition: disposition,
    });
    return getSignedUrl(this.client, command, { expiresIn });
  }

  async head(key: string): Promise<StoredObject | null> {
    try {
      const head = await translatingFaults(() => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
      return { size: head.ContentLength ?? 0, contentType: head.ContentType ?? "", etag: head.ETag ?? "" };
    } catch (error) {
      if (isOneOf(MISSING, error)) return null;
      throw error;
    }
  }

  async copy(source: string, target: string, sourceEtag: string): Promise<boolean> {
    try {
      await translatingFaults(() =>
        this.client.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            Key: target,
            // Keys hold only [A-Za-z0-9._/-]: the copy source needs no escaping.
            CopySource: `${this.bucket}/${source}`,
            CopySourceIfMatch: sourceEtag,
            IfNoneMatch: "*",
          }),
        ),
      );
    } catch (error) {
      if (isOneOf(NOT_COPIED, error)) return false;
      throw error;
    }
    return true;
  }

  async delete(key: string): Promise<void> {
    await translatingFaults(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }
}
