import assert from "node:assert/strict";
import { describe, test } from "node:test";

import type { Asset } from "../../src/assets/asset.js";
import { unmarshall } from "@aws-sdk/util-dynamodb";

import { DynamoAssetRepository, assetItem, assetOfItem } from "../../src/assets/storage.js";
import { ConcurrentChange, InvalidCursor, NotFound } from "../../src/core/errors.js";
import { FakeDocumentClient } from "../fakes/document-client.js";
import { asVectorWrites, dynamoJson, vectors } from "../vectors.js";

function repositoryOver(stored: Asset[] = []) {
  const client = new FakeDocumentClient();
  client.seed("Assets", stored.map(assetItem));
  return { client, repository: new DynamoAssetRepository(client, "Assets") };
}

const tableOf = (client: FakeDocumentClient) => client.items("Assets").map(dynamoJson);

async function outcome(run: () => Promise<void>): Promise<{ error?: string }> {
  try {
    await run();
    return {};
  } catch (error) {
    return { error: (error as Error).name };
  }
}

describe("an added asset is stored as the vector's item, and the item reads back as the asset", () => {
  for (const { name, input, output } of vectors("asset_items")) {
    test(name, async () => {
      const { client, repository } = repositoryOver();
      await repository.add(input.asset);
      assert.deepEqual(tableOf(client), output.table);
      assert.deepEqual(assetOfItem(unmarshall(output.table[0])), input.asset);
      assert.deepEqual(await repository.get(input.asset.assetId, input.now), input.asset);
    });
  }
});

describe("an asset write sends and leaves what the vector says", () => {
  for (const { name, input, output } of vectors("asset_writes")) {
    test(name, async () => {
      const { client, repository } = repositoryOver(input.stored ?? []);
      const operations: Record<string, () => Promise<void>> = {
        add: () => repository.add(input.asset),
        replace: () => repository.replace(input.current, input.new, input.now),
        remove: () => repository.remove(input.current),
      };
      const result = await outcome(operations[input.operation] as () => Promise<void>);
      assert.deepEqual({ ...result, writes: asVectorWrites(client.writes()), table: tableOf(client) }, output);
    });
  }
});

const ASSET: Asset = {
  assetId: "9b2e6f0a-3c4d-4e5f-8a7b-1c2d3e4f5a6b",
  ownerId: "7c1e4b2a-5d3f-4a6b-8c9d-0e1f2a3b4c5d",
  fileName: "a.pdf",
  contentType: "application/pdf",
  size: 3,
  status: "pending",
  s3Key: "assets/9b2e6f0a-3c4d-4e5f-8a7b-1c2d3e4f5a6b/a.pdf",
  createdAt: 1790000000000,
  updatedAt: 1790000000000,
  expiresAt: 1792592000,
  version: 1,
};

test("an asset whose ttl has come is gone to a read, though still stored", async () => {
  const { repository } = repositoryOver([ASSET]);
  await assert.rejects(repository.get(ASSET.assetId, ASSET.expiresAt), NotFound);
  assert.deepEqual(await repository.get(ASSET.assetId, ASSET.expiresAt - 1), ASSET);
});

test("an asset stored before owners reads back without an owner", async () => {
  const { ownerId: _, ...ownerless } = ASSET;
  const { repository } = repositoryOver([ownerless]);
  assert.equal("ownerId" in (await repository.get(ASSET.assetId, 0)), false);
});

test("an add retried after it landed succeeds, and one over another asset is ConcurrentChange", async () => {
  const { client, repository } = repositoryOver([ASSET]);
  await repository.add(ASSET);
  await assert.rejects(repository.add({ ...ASSET, fileName: "b.pdf" }), ConcurrentChange);
  assert.deepEqual(client.items("Assets"), [assetItem(ASSET)]);
});

test("find refuses a position it did not produce, and reads nothing", async () => {
  const { client, repository } = repositoryOver([ASSET]);
  for (const position of [{ assetId: ASSET.assetId }, { userId: ASSET.assetId, createdAt: 1 }, { assetId: "x", createdAt: 1 }, { assetId: ASSET.assetId, createdAt: "1" }]) {
    await assert.rejects(repository.find(ASSET.ownerId as string, null, 10, position, 0), InvalidCursor);
  }
  assert.deepEqual(client.requests.filter((r) => r.command === "QueryCommand"), []);
});

test("find reads the owner's partition of ownerId-index newest first, live ones only", async () => {
  const older = { ...ASSET, assetId: "1e2d3c4b-5a69-4788-96a5-b4c3d2e1f0a9", createdAt: ASSET.createdAt - 1 };
  const expired = { ...ASSET, assetId: "2f3e4d5c-6b7a-4980-8a1b-2c3d4e5f6a7b", createdAt: ASSET.createdAt + 1, expiresAt: 100 };
  const others = { ...ASSET, assetId: "3a4b5c6d-7e8f-4901-9b2c-3d4e5f6a7b8c", ownerId: "someone-else" };
  const { repository } = repositoryOver([ASSET, older, expired, others]);
  const [items, position] = await repository.find(ASSET.ownerId as string, null, 10, null, 100);
  assert.deepEqual(items, [ASSET, older]);
  assert.equal(position, null);
  const [first, after] = await repository.find(ASSET.ownerId as string, "pending", 1, null, 100);
  assert.deepEqual([first, after], [[ASSET], { assetId: ASSET.assetId, createdAt: ASSET.createdAt }]);
  assert.deepEqual((await repository.find(ASSET.ownerId as string, "pending", 1, after, 100))[0], [older]);
  assert.deepEqual((await repository.find(ASSET.ownerId as string, "uploaded", 10, null, 100))[0], []);
});
