import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { DOWNLOAD_URL_SECONDS, LIFETIME_SECONDS, uploadKeyOf } from "../../src/assets/asset.js";
import { AssetService } from "../../src/assets/service.js";
import { DynamoAssetRepository, assetItem, assetOfItem } from "../../src/assets/storage.js";
import { AssetNotReady, ConcurrentChange, CreatedResourceGone, InvalidCursor, NotFound, ServiceUnavailable } from "../../src/core/errors.js";
import { CursorCodec } from "../../src/core/cursors.js";
import { Principal } from "../../src/core/principal.js";
import { InMemoryBucket } from "./fake-bucket.js";
import { dynamoJson, vectors } from "../vectors.js";
import { RacingDocumentClient } from "./racing-client.js";

const ADMIN = new Principal("admin-sub", true);
const ADA = new Principal("7c1e4b2a-5d3f-4a6b-8c9d-0e1f2a3b4c5d");
const BOB = new Principal("e4a7d2c9-6b1f-4d8e-a3c5-9f0b2e7d4a61");


let now: number;
let table: RacingDocumentClient;
let bucket: InMemoryBucket;
let assets: AssetService;

function makeService({ ids = [] as string[], uploadExpiresSeconds = 900, cursors = CursorCodec.withRandomKey() } = {}) {
  return new AssetService(new DynamoAssetRepository(table, "Assets"), bucket, cursors, {
    clock: () => now,
    uploadExpiresSeconds,
    ...(ids.length ? { newId: () => ids.shift() as string } : {}),
  });
}

beforeEach(() => {
  now = 1790000000.25;
  table = new RacingDocumentClient();
  bucket = new InMemoryBucket();
  assets = makeService();
});

function stored(assetId: string) {
  const item = table.items("Assets").find((stored) => stored.assetId === assetId);
  return item === undefined ? undefined : assetOfItem(item);
}

async function confirmed(data = "hello") {
  const { asset } = await assets.create(ADA, "a.txt", "text/plain", Buffer.byteLength(data));
  bucket.put(uploadKeyOf(asset), data, "text/plain");
  const done = await assets.get(ADA, asset.assetId);
  assert.equal(done.status, "uploaded");
  return done;
}

describe("a listing of the caller's assets is the page of the vector", () => {
  for (const { name, input, output } of vectors("pages").filter((v) => v.input.resource === "assets")) {
    test(name, async () => {
      now = input.now;
      table.seed("Assets", input.stored.map(assetItem));
      const service = makeService({ cursors: new CursorCodec([Buffer.from(input.cursorKey, "utf8")]) });
      const page = await service.list(new Principal(input.caller), input.query.status ?? null, input.limit, input.cursor ?? null);
      assert.deepEqual({ ids: page.items.map((asset) => asset.assetId), nextCursor: page.nextCursor }, output);
    });
  }
});

describe("a created asset is stored and presigned as the vector says", () => {
  for (const { name, input, output } of vectors("asset_creates")) {
    test(name, async () => {
      now = input.now;
      const service = makeService({ ids: [input.assetId], uploadExpiresSeconds: input.uploadExpiresSeconds });
      const { asset, upload } = await service.create(new Principal(input.caller), input.body.fileName, input.body.contentType, input.body.size);
      assert.deepEqual(table.items("Assets").map(dynamoJson), output.table);
      assert.equal(upload.fields.key, output.upload.fields.key);
      assert.equal(upload.fields.key, uploadKeyOf(asset));
      assert.equal(upload.fields["Content-Type"], input.body.contentType);
      assert.equal(upload.fields.size, String(input.body.size));
      assert.equal(upload.fields.expiresIn, String(input.uploadExpiresSeconds));
      assert.equal(upload.expiresAt, output.upload.expiresAt);
    });
  }
});

test("create stores a pending asset of the caller under a safe key for 30 days", async () => {
  const { asset } = await assets.create(ADA, "../x/Résumé.pdf", "application/pdf", 10);
  assert.equal(asset.status, "pending");
  assert.equal(asset.ownerId, ADA.subject);
  assert.equal(asset.fileName, "../x/Résumé.pdf");
  assert.equal(asset.s3Key, `assets/${asset.assetId}/Resume.pdf`);
  assert.equal(asset.expiresAt, Math.floor(now) + LIFETIME_SECONDS);
  assert.equal(asset.createdAt, Math.floor(now * 1000));
  assert.match(asset.assetId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(table.items("Assets"), [assetItem(asset)]);
});

test("a read of a pending asset whose file arrived confirms it by copying it to the served key", async () => {
  const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
  assert.equal((await assets.get(ADA, asset.assetId)).status, "pending");
  bucket.put(uploadKeyOf(asset), "hello", "text/plain");
  now += 2;
  const done = await assets.get(ADA, asset.assetId);
  assert.equal(done.status, "uploaded");
  assert.equal(done.version, 2);
  assert.equal(done.updatedAt, asset.updatedAt + 2000);
  assert.deepEqual(await assets.get(ADA, asset.assetId), done);
  assert.deepEqual(bucket.contents(), { [asset.s3Key]: { data: "hello", contentType: "text/plain" } });
});

for (const [data, contentType] of [["hello world", "text/plain"], ["hell", "text/plain"], ["hello", "image/png"]] as const) {
  test(`a file of ${data.length} bytes of ${contentType} for 5 of text/plain is rejected and deleted`, async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    bucket.put(uploadKeyOf(asset), data, contentType);
    assert.equal((await assets.get(ADA, asset.assetId)).status, "rejected");
    assert.deepEqual(bucket.contents(), {});
    await assert.rejects(assets.download(ADA, asset.assetId), (e: Error) => e instanceof AssetNotReady && /rejected/.test(e.message));
  });
}

test("a download of a pending asset is refused", async () => {
  const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
  await assert.rejects(assets.download(ADA, asset.assetId), (e: Error) => e instanceof AssetNotReady && /not been uploaded/.test(e.message));
});

test("a download presigns a GET with the type and the original name for an hour", async () => {
  const { asset } = await assets.create(ADA, "dir/naïve.txt", "text/plain", 2);
  bucket.put(uploadKeyOf(asset), "hi", "text/plain");
  const download = await assets.download(ADA, asset.assetId);
  const url = new URL(download.url);
  assert.equal(url.pathname, `/${asset.s3Key}`);
  assert.equal(url.searchParams.get("type"), "text/plain");
  assert.equal(url.searchParams.get("disposition"), `attachment; filename="naive.txt"; filename*=UTF-8''na%C3%AFve.txt`);
  assert.equal(url.searchParams.get("expiresIn"), String(DOWNLOAD_URL_SECONDS));
  assert.equal(download.expiresAt, Math.floor(now) + DOWNLOAD_URL_SECONDS);
});

test("nobody but the owner and administrators sees, downloads or deletes an asset: to others it is 404 as for none", async () => {
  const asset = await confirmed();
  for (const act of [() => assets.get(BOB, asset.assetId), () => assets.download(BOB, asset.assetId), () => assets.delete(BOB, asset.assetId), () => assets.resume(BOB, asset.assetId)]) {
    const refused = await act().then(() => null, (e: Error) => e);
    const none = await assets.get(BOB, "00000000-0000-4000-8000-000000000000").then(() => null, (e: Error) => e);
    assert.ok(refused instanceof NotFound || refused instanceof CreatedResourceGone, String(refused));
    if (refused instanceof NotFound) assert.deepEqual([refused.status, refused.detail], [(none as NotFound).status, (none as NotFound).detail]);
  }
  assert.deepEqual(stored(asset.assetId), asset);
  assert.deepEqual((await assets.get(ADMIN, asset.assetId)).assetId, asset.assetId);
  assert.deepEqual((await assets.list(BOB, null, 10)).items, []);
});

test("an asset stored before owners is an administrator's only", async () => {
  const { ownerId: _, ...ownerless } = await confirmed();
  table.seed("Assets", [assetItem(ownerless)]);
  await assert.rejects(assets.get(ADA, ownerless.assetId), NotFound);
  assert.deepEqual(await assets.get(ADMIN, ownerless.assetId), ownerless);
  assert.deepEqual((await assets.list(ADA, null, 10)).items, []);
});

test("the S3 event confirms, and duplicates change nothing", async () => {
  const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
  bucket.put(uploadKeyOf(asset), "hello", "text/plain");
  const first = await assets.objectCreated(uploadKeyOf(asset));
  const second = await assets.objectCreated(uploadKeyOf(asset));
  assert.equal(first?.status, "uploaded");
  assert.deepEqual(second, first);
  assert.deepEqual(stored(asset.assetId), first);
  assert.deepEqual(bucket.contents(), { [asset.s3Key]: { data: "hello", contentType: "text/plain" } });
});

test("an S3 event before the object is visible leaves the asset pending", async () => {
  const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
  assert.deepEqual(await assets.objectCreated(uploadKeyOf(asset)), asset);
});

test("an S3 event for a deleted asset deletes the orphan object", async () => {
  const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
  await assets.delete(ADA, asset.assetId);
  bucket.put(uploadKeyOf(asset), "hello", "text/plain");
  assert.equal(await assets.objectCreated(uploadKeyOf(asset)), null);
  assert.deepEqual(bucket.contents(), {});
});

for (const key of ["other/file.txt", "uploads/not-a-uuid/x", "uploads/a/b/c", "uploads/", "", "assets/00000000-0000-4000-8000-000000000000/x"]) {
  test(`an S3 event for ${JSON.stringify(key)}, no upload key, is ignored`, async () => {
    bucket.put(key, "x", "text/plain");
    assert.equal(await assets.objectCreated(key), null);
    assert.ok(bucket.objects.has(key));
  });
}

test("an upload after a rejection keeps it rejected and is deleted", async () => {
  const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
  bucket.put(uploadKeyOf(asset), "too long", "text/plain");
  assert.equal((await assets.get(ADA, asset.assetId)).status, "rejected");
  bucket.put(uploadKeyOf(asset), "hello", "text/plain");
  assert.equal((await assets.objectCreated(uploadKeyOf(asset)))?.status, "rejected");
  assert.equal((await assets.get(ADA, asset.assetId)).status, "rejected");
  assert.deepEqual(bucket.contents(), {});
});

test("an upload after confirmation never changes the served bytes", async () => {
  const asset = await confirmed();
  bucket.put(uploadKeyOf(asset), "HELLO", "text/plain");
  assert.deepEqual(await assets.objectCreated(uploadKeyOf(asset)), asset);
  assert.deepEqual(bucket.contents(), { [asset.s3Key]: { data: "hello", contentType: "text/plain" } });
});

test("an upload under another name of the asset is deleted and changes nothing", async () => {
  const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
  const other = `uploads/${asset.assetId}/b.txt`;
  bucket.put(other, "hello", "text/plain");
  assert.deepEqual(await assets.objectCreated(other), asset);
  assert.deepEqual(bucket.contents(), {});
  assert.equal((await assets.get(ADA, asset.assetId)).status, "pending");
});

test("a delete removes the item, then the upload, then the served file; a second delete is 404", async () => {
  const asset = await confirmed();
  bucket.put(uploadKeyOf(asset), "later", "text/plain");
  await assets.delete(ADA, asset.assetId);
  assert.deepEqual(table.items("Assets"), []);
  assert.deepEqual(bucket.contents(), {});
  assert.deepEqual(bucket.deleted.slice(-2), [uploadKeyOf(asset), asset.s3Key]);
  await assert.rejects(assets.delete(ADA, asset.assetId), NotFound);
});

test("a delete that S3 fails puts the asset back whole", async () => {
  const asset = await confirmed();
  bucket.meanwhileDelete.push(() => undefined, () => { throw new ServiceUnavailable(); });
  await assert.rejects(assets.delete(ADA, asset.assetId), ServiceUnavailable);
  assert.deepEqual(stored(asset.assetId), asset);
  assert.deepEqual(await assets.get(ADA, asset.assetId), asset);
});

test("an expired asset is gone for reads and listings", async () => {
  const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
  now += LIFETIME_SECONDS;
  await assert.rejects(assets.get(ADA, asset.assetId), NotFound);
  assert.deepEqual((await assets.list(ADA, null, 10)).items, []);
});

test("a listing pages the caller's assets newest first and filters by status", async () => {
  const created = [];
  for (let i = 0; i < 5; i++) {
    created.push((await assets.create(ADA, `${i}.txt`, "text/plain", 1)).asset);
    now += 1;
  }
  await assets.create(BOB, "bob.txt", "text/plain", 1);
  bucket.put(uploadKeyOf(created[0]!), "x", "text/plain");
  const uploaded = await assets.get(ADA, created[0]!.assetId);
  const first = await assets.list(ADA, null, 3);
  const second = await assets.list(ADA, null, 3, first.nextCursor);
  assert.deepEqual([...first.items, ...second.items].map((a) => a.assetId), created.reverse().map((a) => a.assetId));
  assert.equal(second.nextCursor, null);
  assert.deepEqual((await assets.list(ADA, "uploaded", 10)).items, [uploaded]);
  assert.equal((await assets.list(ADA, "pending", 10)).items.length, 4);
  await assert.rejects(assets.list(ADA, "pending", 3, first.nextCursor), InvalidCursor);
  await assert.rejects(assets.list(BOB, null, 3, first.nextCursor), InvalidCursor);
});

describe("races: a confirmed file never changes and a deleted asset never comes back", () => {
  test("a file replaced between the check and the copy is checked again", async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    bucket.put(uploadKeyOf(asset), "hello", "text/plain");
    bucket.meanwhileCopy = () => bucket.put(uploadKeyOf(asset), "hi", "text/plain");
    assert.equal((await assets.get(ADA, asset.assetId)).status, "rejected");
    assert.deepEqual(bucket.contents(), {});
  });

  test("a file replaced by another as declared is confirmed as copied", async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    bucket.put(uploadKeyOf(asset), "hello", "text/plain");
    bucket.meanwhileCopy = () => bucket.put(uploadKeyOf(asset), "HELLO", "text/plain");
    assert.equal((await assets.get(ADA, asset.assetId)).status, "uploaded");
    assert.deepEqual(bucket.contents(), { [asset.s3Key]: { data: "HELLO", contentType: "text/plain" } });
  });

  test("a file another confirmation copied is confirmed as is and never overwritten", async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    bucket.put(uploadKeyOf(asset), "hello", "text/plain");
    await bucket.copy(uploadKeyOf(asset), asset.s3Key, (await bucket.head(uploadKeyOf(asset)))!.etag);
    bucket.put(uploadKeyOf(asset), "HELLO", "text/plain");
    assert.equal((await assets.get(ADA, asset.assetId)).status, "uploaded");
    assert.deepEqual(bucket.contents(), { [asset.s3Key]: { data: "hello", contentType: "text/plain" } });
  });

  test("a confirmation that loses to a delete leaves no file behind", async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    bucket.put(uploadKeyOf(asset), "hello", "text/plain");
    table.meanwhile.PutCommand = [() => assets.delete(ADA, asset.assetId)];
    await assert.rejects(assets.get(ADA, asset.assetId), NotFound);
    assert.deepEqual(bucket.contents(), {});
    assert.deepEqual(table.items("Assets"), []);
  });

  test("a confirmation under way when the asset is deleted and uploaded again leaves no file", async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    bucket.put(uploadKeyOf(asset), "hello", "text/plain");
    bucket.meanwhileCopy = async () => {
      await assets.delete(ADA, asset.assetId);
      bucket.put(uploadKeyOf(asset), "hello", "text/plain");
    };
    await assert.rejects(assets.get(ADA, asset.assetId), NotFound);
    assert.equal(bucket.objects.has(asset.s3Key), false);
    assert.deepEqual(table.items("Assets"), []);
  });

  test("a file not as declared is never copied to the served key", async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    bucket.put(uploadKeyOf(asset), "hello", "image/png");
    const copies: string[] = [];
    bucket.meanwhileCopy = () => void copies.push("copied");
    assert.equal((await assets.get(ADA, asset.assetId)).status, "rejected");
    assert.deepEqual(copies, []);
  });

  test("a confirmation that loses to a rejection removes its copy", async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    bucket.put(uploadKeyOf(asset), "hello", "text/plain");
    table.meanwhile.PutCommand = [() => table.seed("Assets", [assetItem({ ...asset, status: "rejected", version: 2 })])];
    assert.equal((await assets.get(ADA, asset.assetId)).status, "rejected");
    assert.equal(bucket.objects.has(asset.s3Key), false);
  });

  test("a failed record leaves the asset pending and the next read completes it", async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    bucket.put(uploadKeyOf(asset), "hello", "text/plain");
    table.meanwhile.PutCommand = [() => { throw new ServiceUnavailable(); }];
    await assert.rejects(assets.get(ADA, asset.assetId), ServiceUnavailable);
    assert.deepEqual(stored(asset.assetId), asset);
    assert.ok(bucket.objects.has(asset.s3Key));
    assert.equal((await assets.get(ADA, asset.assetId)).status, "uploaded");
    assert.deepEqual(bucket.contents(), { [asset.s3Key]: { data: "hello", contentType: "text/plain" } });
  });

  test("a failed copy changes nothing", async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    bucket.put(uploadKeyOf(asset), "hello", "text/plain");
    bucket.meanwhileCopy = () => { throw new ServiceUnavailable(); };
    await assert.rejects(assets.get(ADA, asset.assetId), ServiceUnavailable);
    assert.deepEqual(stored(asset.assetId), asset);
    assert.deepEqual(bucket.contents(), { [uploadKeyOf(asset)]: { data: "hello", contentType: "text/plain" } });
  });

  test("other writers that keep winning leave the asset as last read", async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    bucket.put(uploadKeyOf(asset), "hello", "text/plain");
    const bump = () => {
      const current = stored(asset.assetId)!;
      table.seed("Assets", [assetItem({ ...current, version: current.version + 1 })]);
    };
    table.meanwhile.PutCommand = [bump, bump, bump, bump, bump];
    const answered = await assets.get(ADA, asset.assetId);
    assert.equal(answered.status, "pending");
    assert.deepEqual(answered, stored(asset.assetId));
  });
});

describe("a replay of the creating request answers the asset as it is now", () => {
  test("a pending asset gets a fresh upload for its upload key", async () => {
    const { asset, upload } = await assets.create(ADA, "a.txt", "text/plain", 5);
    now += 600;
    const replay = await assets.resume(ADA, asset.assetId);
    assert.deepEqual(replay.asset, asset);
    assert.equal(replay.upload?.fields.key, uploadKeyOf(asset));
    assert.equal(replay.upload?.expiresAt, upload.expiresAt + 600);
  });

  test("a settled asset gets no upload", async () => {
    const asset = await confirmed();
    assert.deepEqual(await assets.resume(ADA, asset.assetId), { asset, upload: null });
  });

  test("a deleted or expired asset is CreatedResourceGone", async () => {
    const { asset } = await assets.create(ADA, "a.txt", "text/plain", 5);
    const { asset: other } = await assets.create(ADA, "b.txt", "text/plain", 5);
    await assets.delete(ADA, asset.assetId);
    await assert.rejects(assets.resume(ADA, asset.assetId), CreatedResourceGone);
    now += LIFETIME_SECONDS;
    await assert.rejects(assets.resume(ADA, other.assetId), CreatedResourceGone);
  });
});

test("a delete that keeps losing to other writers is ConcurrentChange and leaves the asset", async () => {
  const asset = await confirmed();
  const bump = () => {
    const current = stored(asset.assetId)!;
    table.seed("Assets", [assetItem({ ...current, version: current.version + 1 })]);
  };
  table.meanwhile.DeleteCommand = [bump, bump, bump, bump, bump];
  await assert.rejects(assets.delete(ADA, asset.assetId), ConcurrentChange);
  assert.equal(stored(asset.assetId)?.version, asset.version + 5);
  assert.ok(bucket.objects.has(asset.s3Key));
});
