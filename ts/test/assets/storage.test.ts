import assert from "node:assert/strict";
import { describe, test } from "node:test";

import type { Asset } from "../../src/assets/asset.js";
import { unmarshall } from "@aws-sdk/util-dynamodb";

import { DynamoAssetRepository, assetItem, assetOfItem } from "../../src/assets/storage.js";
import { ConcurrentChange, NotFound } from "../../src/core/errors.js";
import { makeAssetsTable } from "./fake-dynamodb.js";
import { vectors } from "./vectors.js";

function repositoryOver(stored: Asset[] = []) {
  const table = makeAssetsTable();
  table.putRaw(stored.map(assetItem));
  return { table, repository: new DynamoAssetRepository(table, "Assets") };
}

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
      const { table, repository } = repositoryOver();
      await repository.add(input.asset);
      assert.deepEqual(table.table(), output.table);
      assert.deepEqual(assetOfItem(unmarshall(output.table[0])), input.asset);
      assert.deepEqual(await repository.get(input.asset.assetId, input.now), input.asset);
    });
  }
});

describe("an asset write sends and leaves what the vector says", () => {
  for (const { name, input, output } of vectors("asset_writes")) {
    test(name, async () => {
      const { table, repository } = repositoryOver(input.stored ?? []);
      const operations: Record<string, () => Promise<void>> = {
        add: () => repository.add(input.asset),
        replace: () => repository.replace(input.current, input.new, input.now),
        remove: () => repository.remove(input.current),
      };
      const result = await outcome(operations[input.operation] as () => Promise<void>);
      assert.deepEqual({ ...result, writes: table.writes, table: table.table() }, output);
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
  const { table, repository } = repositoryOver([ASSET]);
  await repository.add(ASSET);
  await assert.rejects(repository.add({ ...ASSET, fileName: "b.pdf" }), ConcurrentChange);
  assert.deepEqual([...table.items.values()], [assetItem(ASSET)]);
});
