import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { buildAssets } from "../../src/assets/function.js";
import { uploadKeyOf } from "../../src/assets/asset.js";
import { assetOfItem } from "../../src/assets/storage.js";
import type { GatewayResult } from "../../src/core/http.js";
import { lambdaHandler, type LambdaHandler } from "../../src/core/lambda.js";
import { createLogger } from "../../src/core/observability.js";
import { settings as makeSettings } from "../../src/core/settings.js";
import validators from "../../src/generated/assets.validators.cjs";
import { ROUTES } from "../../src/generated/assets.routes.js";
import { InMemoryBucket } from "./fake-bucket.js";
import { ADMIN, CURSOR_KEY, httpEvent } from "../events.js";
import { FakeDocumentClient } from "../fakes/document-client.js";

const ADA = "7c1e4b2a-5d3f-4a6b-8c9d-0e1f2a3b4c5d";
const BOB = "e4a7d2c9-6b1f-4d8e-a3c5-9f0b2e7d4a61";
const BODY = { fileName: "Quarterly report.pdf", contentType: "application/pdf", size: 5 };

let now: number;
let client: FakeDocumentClient;
let bucket: InMemoryBucket;
let handler: LambdaHandler;
const lines: string[] = [];

function makeHandler({ rateLimitPerMinute = 0 } = {}): LambdaHandler {
  const settings = makeSettings({ cursorKeys: [CURSOR_KEY], rateLimitPerMinute });
  const { app, s3Events } = buildAssets(
    settings,
    { routes: ROUTES, validators },
    { client, storage: bucket, clock: () => now, wallClock: () => now, log: createLogger("INFO", (line) => void lines.push(line)) },
  );
  return lambdaHandler(app, { warmUps: [{ method: "POST", path: "/assets", body: {}, status: 401 }], s3Events });
}

beforeEach(() => {
  now = 1790000000.5;
  client = new FakeDocumentClient();
  bucket = new InMemoryBucket();
  handler = makeHandler();
});

async function call(options: Parameters<typeof httpEvent>[0] = {}) {
  const result = (await handler(httpEvent({ path: "/assets", caller: ADA, ...options }))) as GatewayResult;
  const json = result.body ? JSON.parse(result.body) : undefined;
  return { status: result.statusCode, headers: result.headers, body: json };
}

function storedAsset(assetId: string) {
  const item = client.items("Assets").find((stored) => stored.assetId === assetId);
  assert.ok(item, `no asset ${assetId} stored`);
  return assetOfItem(item);
}

function problemOf(response: Awaited<ReturnType<typeof call>>) {
  assert.equal(response.headers["content-type"], "application/problem+json");
  const { requestId: _, ...problem } = response.body;
  return problem;
}

function makeS3Event(key: string) {
  return { Records: [{ eventSource: "aws:s3", eventName: "ObjectCreated:Post", s3: { bucket: { name: "assets" }, object: { key: encodeURIComponent(key).replace(/%2F/g, "/") } } }] };
}

test("an asset is created with its upload, confirmed on read, downloaded, listed and deleted", async () => {
  const created = await call({ method: "POST", body: BODY });
  assert.equal(created.status, 201);
  const id = created.body.assetId as string;
  assert.equal(created.headers.location, `/assets/${id}`);
  assert.deepEqual(created.body, {
    assetId: id,
    ownerId: ADA,
    fileName: BODY.fileName,
    contentType: BODY.contentType,
    size: 5,
    status: "pending",
    createdAt: "2026-09-21T14:13:20.500Z",
    updatedAt: "2026-09-21T14:13:20.500Z",
    expiresAt: "2026-10-21T14:13:20Z",
    upload: { method: "POST", url: "https://bucket.example/", fields: created.body.upload.fields, expiresAt: "2026-09-21T14:28:20Z" },
  });
  assert.equal(created.body.upload.fields.key, `uploads/${id}/Quarterly_report.pdf`);
  assert.equal((await call({ path: `/assets/${id}/download` })).status, 409);

  bucket.put(`uploads/${id}/Quarterly_report.pdf`, "%PDF-", "application/pdf");
  const read = await call({ path: `/assets/${id}` });
  assert.equal(read.status, 200);
  assert.equal(read.body.status, "uploaded");
  assert.equal("upload" in read.body, false);

  const download = await call({ path: `/assets/${id}/download` });
  assert.equal(download.status, 200);
  assert.equal(new URL(download.body.url).pathname, `/assets/${id}/Quarterly_report.pdf`);
  assert.equal(download.body.expiresAt, "2026-09-21T15:13:20Z");

  const listed = await call({ query: "limit=5" });
  assert.deepEqual(listed.body, { items: [read.body], nextCursor: null });

  const deleted = await call({ method: "DELETE", path: `/assets/${id}` });
  assert.equal(deleted.status, 204);
  assert.equal(deleted.body, undefined);
  assert.deepEqual(problemOf(await call({ path: `/assets/${id}` })), { type: "about:blank", title: "Not Found", status: 404, detail: "There is no asset with this id." });
  assert.deepEqual(bucket.contents(), {});
});

test("another caller's asset is 404 to every operation, exactly as one that never existed", async () => {
  const id = (await call({ method: "POST", body: BODY })).body.assetId as string;
  const never = "00000000-0000-4000-8000-000000000000";
  for (const [method, suffix] of [["GET", ""], ["GET", "/download"], ["DELETE", ""]] as const) {
    const other = await call({ method, path: `/assets/${id}${suffix}`, caller: BOB });
    const none = await call({ method, path: `/assets/${never}${suffix}`, caller: BOB });
    assert.equal(other.status, 404);
    assert.deepEqual(problemOf(other), problemOf(none));
  }
  assert.deepEqual((await call({ caller: BOB })).body, { items: [], nextCursor: null });
  assert.equal(storedAsset(id).status, "pending");
  assert.equal((await call({ path: `/assets/${id}`, caller: ADMIN })).status, 200);
  assert.deepEqual((await call({ caller: ADMIN })).body.items, []);
});

test("a retried creation with its Idempotency-Key replays the asset as it is now", async () => {
  const headers = { "idempotency-key": '"create-1"' };
  const first = await call({ method: "POST", body: BODY, headers });
  now += 60;
  const again = await call({ method: "POST", body: BODY, headers });
  assert.equal(again.status, 201);
  assert.equal(again.headers["idempotent-replayed"], "true");
  assert.equal(again.headers.location, first.headers.location);
  assert.equal(again.body.assetId, first.body.assetId);
  assert.equal(again.body.upload.expiresAt, "2026-09-21T14:29:20Z");
  assert.equal(client.items("Assets").length, 1);

  bucket.put(uploadKeyOf(storedAsset(first.body.assetId)), "%PDF-", "application/pdf");
  const settled = await call({ method: "POST", body: BODY, headers });
  assert.equal(settled.body.status, "uploaded");
  assert.equal("upload" in settled.body, false);

  const otherCaller = await call({ method: "POST", body: BODY, headers, caller: BOB });
  assert.equal(otherCaller.headers["idempotent-replayed"], undefined);
  assert.notEqual(otherCaller.body.assetId, first.body.assetId);

  await call({ method: "DELETE", path: `/assets/${first.body.assetId}` });
  const gone = await call({ method: "POST", body: BODY, headers });
  assert.equal(gone.status, 409);
  assert.equal(problemOf(gone).title, "Conflict");

  const reused = await call({ method: "POST", body: { ...BODY, size: 6 }, headers });
  assert.equal(reused.status, 422);
});

test("a creation the schema refuses is a problem and stores nothing", async () => {
  for (const body of [{ ...BODY, size: -1 }, { ...BODY, fileName: "" }, { ...BODY, extra: 1 }, { fileName: "a" }]) {
    const refused = await call({ method: "POST", body });
    assert.equal(refused.status, 400, JSON.stringify(body));
    assert.equal(problemOf(refused).status, 400);
  }
  assert.equal(client.items("Assets").length, 0);
  assert.equal(bucket.objects.size, 0);
});

test("a request without a caller is 401 and a malformed asset id 400", async () => {
  assert.equal((await call({ caller: null })).status, 401);
  assert.equal((await call({ path: "/assets/not-a-uuid" })).status, 400);
});

test("a listing's cursor continues only its own caller's listing of the same filters", async () => {
  for (let i = 0; i < 3; i++) {
    await call({ method: "POST", body: BODY });
    now += 1;
  }
  const first = await call({ query: "limit=2" });
  assert.equal(first.body.items.length, 2);
  const cursor = encodeURIComponent(first.body.nextCursor);
  const second = await call({ query: `limit=2&cursor=${cursor}` });
  assert.equal(second.body.items.length, 1);
  assert.equal(second.body.nextCursor, null);
  assert.equal((await call({ query: `limit=2&cursor=${cursor}`, caller: BOB })).status, 400);
  assert.equal((await call({ query: `limit=2&status=pending&cursor=${cursor}` })).status, 400);
  assert.equal((await call({ query: "status=uploaded" })).body.items.length, 0);
});

test("a caller over its quota is refused with 429 before the operation runs", async () => {
  handler = makeHandler({ rateLimitPerMinute: 1 });
  assert.equal((await call({ method: "POST", body: BODY })).status, 201);
  const refused = await call({ method: "POST", body: BODY });
  assert.equal(refused.status, 429);
  assert.equal(client.items("Assets").length, 1);
});

test("the bucket's ObjectCreated event confirms the upload it names", async () => {
  const id = (await call({ method: "POST", body: BODY })).body.assetId as string;
  const key = `uploads/${id}/Quarterly_report.pdf`;
  bucket.put(key, "%PDF-", "application/pdf");
  assert.deepEqual(await handler(makeS3Event(key) as never), { handled: 1 });
  assert.equal(storedAsset(id).status, "uploaded");
  assert.deepEqual(Object.keys(bucket.contents()), [`assets/${id}/Quarterly_report.pdf`]);
});

test("the scheduled warm-up ping is answered at once and touches nothing", async () => {
  assert.deepEqual(await handler({ source: "aws.events", "detail-type": "Scheduled Event" } as never), { warmed: true });
  assert.equal(client.items("Assets").length, 0);
});

test("the largest declared size is accepted", async () => {
  const created = await call({ method: "POST", body: { ...BODY, size: 100 * 1024 * 1024 } });
  assert.equal(created.status, 201);
  assert.equal(created.body.size, 100 * 1024 * 1024);
});

test("an unknown status filter is 400 naming it", async () => {
  const refused = await call({ query: "status=gone" });
  assert.equal(refused.status, 400);
  assert.match(problemOf(refused).detail, /status/);
});

test("10 parallel creations with one Idempotency-Key create one asset", async () => {
  const headers = { "idempotency-key": "parallel" };
  const responses = await Promise.all(Array.from({ length: 10 }, () => call({ method: "POST", body: BODY, headers })));
  const statuses = new Set(responses.map((response) => response.status));
  assert.ok([...statuses].every((status) => status === 201 || status === 409), [...statuses].join());
  const created = new Set(responses.filter((response) => response.status === 201).map((response) => response.body.assetId));
  assert.equal(created.size, 1);
  assert.deepEqual(client.items("Assets").map((item) => item.assetId), [...created]);
});

test("records of S3 other than ObjectCreated, and keys of no upload, are tolerated and change nothing", async () => {
  const id = (await call({ method: "POST", body: BODY })).body.assetId as string;
  const removed = { Records: [{ eventSource: "aws:s3", eventName: "ObjectRemoved:Delete", s3: { object: { key: `uploads/${id}/Quarterly_report.pdf` } } }] };
  assert.deepEqual(await handler(removed as never), { handled: 0 });
  bucket.put("elsewhere/file.txt", "x", "text/plain");
  assert.deepEqual(await handler(makeS3Event("elsewhere/file.txt") as never), { handled: 1 });
  assert.ok(bucket.objects.has("elsewhere/file.txt"));
  assert.equal(storedAsset(id).status, "pending");
});
