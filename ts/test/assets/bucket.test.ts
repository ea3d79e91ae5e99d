import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";

import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";

import { S3ObjectStorage } from "../../src/assets/bucket.js";
import { ServiceUnavailable } from "../../src/core/errors.js";
import { vectors } from "../vectors.js";

const SIGNATURE_FIELDS = new Set(["x-amz-credential", "x-amz-date", "policy", "x-amz-signature"]);
const SECRET = "test-secret";

function makeClient({ sessionToken = undefined as string | undefined, send = undefined as ((command: any) => Promise<any>) | undefined } = {}) {
  const client = new S3Client({
    region: "eu-west-1",
    endpoint: "http://127.0.0.1:8500",
    forcePathStyle: true,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: SECRET, ...(sessionToken ? { sessionToken } : {}) },
  });
  if (send) client.send = send as typeof client.send;
  return client;
}

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status } });
}

function sigV4(secret: string, day: string, region: string, text: string): string {
  let key: Buffer | string = `AWS4${secret}`;
  for (const part of [day, region, "s3", "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
  return createHmac("sha256", key).update(text).digest("hex");
}

test("a presigned POST has the fields and conditions of the vectors, signed for its key", async () => {
  for (const { input, output } of vectors("asset_creates")) {
    const bucket = new S3ObjectStorage(makeClient(), "assets-bucket");
    const before = Math.floor(Date.now() / 1000);
    const { url, fields } = await bucket.presignUpload(output.upload.fields.key, input.body.contentType, input.body.size, input.uploadExpiresSeconds);
    assert.equal(url, "http://127.0.0.1:8500/assets-bucket");
    const placeheld = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, SIGNATURE_FIELDS.has(k) ? `{${k}}` : v]));
    assert.deepEqual(placeheld, output.upload.fields);
    assert.deepEqual(Object.keys(fields), Object.keys(output.upload.fields));
    const policy = JSON.parse(Buffer.from(fields.policy as string, "base64").toString("utf8"));
    const placeholders: Record<string, string> = { bucket: "{bucket}", "x-amz-credential": "{x-amz-credential}", "x-amz-date": "{x-amz-date}" };
    const conditions = policy.conditions.map((c: unknown) =>
      Array.isArray(c) ? c : Object.fromEntries(Object.entries(c as object).map(([k, v]) => [k, placeholders[k] ?? v])),
    );
    assert.deepEqual(conditions, output.upload.conditions);
    assert.deepEqual(policy.conditions[2], { bucket: "assets-bucket" });
    const day = (fields["x-amz-date"] as string).slice(0, 8);
    assert.equal(fields["x-amz-credential"], `AKIDTEST/${day}/eu-west-1/s3/aws4_request`);
    assert.equal(fields["x-amz-signature"], sigV4(SECRET, day, "eu-west-1", fields.policy as string));
    const expires = Date.parse(policy.expiration) / 1000;
    assert.ok(expires >= before + input.uploadExpiresSeconds && expires <= Math.ceil(Date.now() / 1000) + input.uploadExpiresSeconds);
  }
});

test("a presigned POST made with temporary credentials pins their token too", async () => {
  const bucket = new S3ObjectStorage(makeClient({ sessionToken: "token/1" }), "assets");
  const { fields } = await bucket.presignUpload("uploads/x/a.pdf", "application/pdf", 3, 60);
  assert.equal(fields["x-amz-security-token"], "token/1");
  const policy = JSON.parse(Buffer.from(fields.policy as string, "base64").toString("utf8"));
  assert.deepEqual(policy.conditions.at(-1), { "x-amz-security-token": "token/1" });
});

test("a presigned GET serves the object with the asset's type and Content-Disposition for an hour", async () => {
  const bucket = new S3ObjectStorage(makeClient(), "assets");
  const disposition = `attachment; filename="Zoe_s_resume_.pdf"; filename*=UTF-8''Zo%C3%AB%27s%20r%C3%A9sum%C3%A9%20%F0%9F%98%80.pdf`;
  const url = new URL(await bucket.presignDownload("assets/x/Zoe_s_resume_.pdf", "application/pdf", disposition, 3600));
  assert.equal(url.origin + url.pathname, "http://127.0.0.1:8500/assets/assets/x/Zoe_s_resume_.pdf");
  assert.equal(url.searchParams.get("response-content-disposition"), disposition);
  assert.equal(url.searchParams.get("response-content-type"), "application/pdf");
  assert.equal(url.searchParams.get("X-Amz-Expires"), "3600");
});

test("a missing object heads as none, and other S3 errors pass through", async () => {
  const answers = [s3Error("NotFound", 404), s3Error("AccessDenied", 403)];
  const bucket = new S3ObjectStorage(makeClient({ send: async () => { throw answers.shift(); } }), "assets");
  assert.equal(await bucket.head("uploads/x/a.pdf"), null);
  await assert.rejects(bucket.head("uploads/x/a.pdf"), { name: "AccessDenied" });
});

test("S3 throttling or a 5xx that outlasted the retries is ServiceUnavailable, for every call", async () => {
  const bucket = new S3ObjectStorage(makeClient({ send: async () => { throw s3Error("SlowDown", 503); } }), "assets");
  await assert.rejects(bucket.head("k"), ServiceUnavailable);
  await assert.rejects(bucket.copy("a", "b", '"e"'), ServiceUnavailable);
  await assert.rejects(bucket.delete("k"), ServiceUnavailable);
});

test("an object heads as its size, type and ETag", async () => {
  const bucket = new S3ObjectStorage(
    makeClient({ send: async () => ({ ContentLength: 3, ContentType: "text/plain", ETag: '"abc"' }) }),
    "assets",
  );
  assert.deepEqual(await bucket.head("k"), { size: 3, contentType: "text/plain", etag: '"abc"' });
});

test("a copy is conditional on the source's ETag and a free target; a refused one copies nothing", async () => {
  const sent: any[] = [];
  const answers: unknown[] = [undefined, s3Error("PreconditionFailed", 412), s3Error("NoSuchKey", 404), s3Error("ConditionalRequestConflict", 409), s3Error("InternalError", 500)];
  const bucket = new S3ObjectStorage(
    makeClient({
      send: async (command) => {
        sent.push(command.input);
        const answer = answers.shift();
        if (answer) throw answer;
        return {};
      },
    }),
    "assets",
  );
  assert.equal(await bucket.copy("uploads/x/a", "assets/x/a", '"e1"'), true);
  assert.deepEqual(sent[0], { Bucket: "assets", Key: "assets/x/a", CopySource: "assets/uploads/x/a", CopySourceIfMatch: '"e1"', IfNoneMatch: "*" });
  assert.equal(await bucket.copy("uploads/x/a", "assets/x/a", '"e1"'), false);
  assert.equal(await bucket.copy("uploads/x/a", "assets/x/a", '"e1"'), false);
  assert.equal(await bucket.copy("uploads/x/a", "assets/x/a", '"e1"'), false);
  await assert.rejects(bucket.copy("uploads/x/a", "assets/x/a", '"e1"'), ServiceUnavailable);
});
