// Asset metadata in the DynamoDB Assets table (api/assets/storage.py): the item layout of
// contract/DATA.md ("Asset item") and the repository, changed under version conditions.
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";

import { ConcurrentChange, InvalidCursor, NotFound } from "../core/errors.js";
import { type Asset, type Status, STATUSES, isLive } from "./asset.js";
import type { AssetRepository, Position } from "./service.js";
import { NO_SUCH_ASSET } from "./service.js";
import { type Batch, boundedPage } from "./paging.js";

export type Item = Record<string, AttributeValue>;

export const ASSET_ENTITY = "asset";
export const OWNER_INDEX = "ownerId-index";
const CONDITION_FAILED = "ConditionalCheckFailedException";
const ASSET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function s(value: string): AttributeValue {
  return { S: value };
}

function n(value: number): AttributeValue {
  return { N: String(value) };
}

/** The stored item of an asset. */
export function assetItem(asset: Asset): Item {
  return {
    assetId: s(asset.assetId),
    entity: s(ASSET_ENTITY),
    ...(asset.ownerId === undefined ? {} : { ownerId: s(asset.ownerId) }),
    fileName: s(asset.fileName),
    contentType: s(asset.contentType),
    size: n(asset.size),
    status: s(asset.status),
    s3Key: s(asset.s3Key),
    createdAt: n(asset.createdAt),
    updatedAt: n(asset.updatedAt),
    ttl: n(asset.expiresAt),
    version: n(asset.version),
  };
}

function text(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new TypeError(`The asset item has no string ${name}.`);
  return value;
}

function integer(item: Item, name: string): number {
  const value = item[name]?.N;
  if (value === undefined) throw new TypeError(`The asset item has no number ${name}.`);
  return Number(value);
}

/** The asset an item stores. */
export function assetOfItem(item: Item): Asset {
  const status = text(item, "status") as Status;
  if (!STATUSES.includes(status)) throw new TypeError(`The asset item has the status ${status}.`);
  const owner = item.ownerId?.S;
  return {
    assetId: text(item, "assetId"),
    ...(owner === undefined ? {} : { ownerId: owner }),
    fileName: text(item, "fileName"),
    contentType: text(item, "contentType"),
    size: integer(item, "size"),
    status,
    s3Key: text(item, "s3Key"),
    createdAt: integer(item, "createdAt"),
    updatedAt: integer(item, "updatedAt"),
    expiresAt: integer(item, "ttl"),
    version: integer(item, "version"),
  };
}

function sameAsset(left: Asset, right: Asset): boolean {
  return JSON.stringify(assetItem(left)) === JSON.stringify(assetItem(right));
}

function conditionFailed(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === CONDITION_FAILED;
}

/** The ExclusiveStartKey of a listing position `{assetId, createdAt}`, read as DATA.md says
 * ("Listings and cursors"); InvalidCursor for anything else. */
export function startKey(position: Position, ownerId: string): Item {
  const keys = Object.keys(position).sort();
  const { assetId, createdAt } = position;
  if (
    keys.length !== 2 ||
    keys[0] !== "assetId" ||
    keys[1] !== "createdAt" ||
    typeof assetId !== "string" ||
    !ASSET_ID.test(assetId) ||
    typeof createdAt !== "number" ||
    !Number.isSafeInteger(createdAt) ||
    createdAt < 0
  ) {
    throw new InvalidCursor("The cursor is not one this API issued.");
  }
  return { assetId: s(assetId), ownerId: s(ownerId), createdAt: n(createdAt) };
}

/** The position of a LastEvaluatedKey, by the same attribute names. */
export function positionOfKey(key: Item): Position {
  return { assetId: text(key, "assetId"), createdAt: integer(key, "createdAt") };
}

/** Asset metadata in the DynamoDB Assets table, changed under version conditions. */
export class DynamoAssetRepository implements AssetRepository {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async add(asset: Asset): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: assetItem(asset),
          ConditionExpression: "attribute_not_exists(#0)",
          ExpressionAttributeNames: { "#0": "assetId" },
        }),
      );
    } catch (error) {
      // A new id can only exist already if the SDK retried after a timeout and the first
      // attempt had landed: PutItem has no idempotency token.
      if (!conditionFailed(error)) throw error;
      const stored = await this.stored(asset.assetId);
      if (stored === null || !sameAsset(stored, asset)) {
        throw new ConcurrentChange("An asset with this id is already stored.");
      }
    }
  }

  private async stored(assetId: string): Promise<Asset | null> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: { assetId: s(assetId) }, ConsistentRead: true }),
    );
    return item === undefined ? null : assetOfItem(item);
  }

  async get(assetId: string, nowS: number): Promise<Asset> {
    const asset = await this.stored(assetId);
    if (asset === null || !isLive(asset, nowS)) throw new NotFound(NO_SUCH_ASSET);
    return asset;
  }

  async replace(current: Asset, next: Asset, nowS: number): Promise<void> {
    await this.unlessChanged(
      new PutItemCommand({
        TableName: this.table,
        Item: assetItem(next),
        ConditionExpression: "(#0 = :0 AND #1 > :1)",
        ExpressionAttributeNames: { "#0": "version", "#1": "ttl" },
        ExpressionAttributeValues: { ":0": n(current.version), ":1": n(nowS) },
      }),
    );
  }

  async remove(current: Asset): Promise<void> {
    try {
      await this.unlessChanged(
        new DeleteItemCommand({
          TableName: this.table,
          Key: { assetId: s(current.assetId) },
          ConditionExpression: "#0 = :0",
          ExpressionAttributeNames: { "#0": "version" },
          ExpressionAttributeValues: { ":0": n(current.version) },
        }),
      );
    } catch (error) {
      // Already gone, which is all a delete asks: a retry of this very DeleteItem (which has
      // no idempotency token) or another client's delete.
      if (!(error instanceof ConcurrentChange) || (await this.stored(current.assetId)) !== null) throw error;
    }
  }

  private async unlessChanged(command: PutItemCommand | DeleteItemCommand): Promise<void> {
    try {
      await this.client.send(command as PutItemCommand);
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      throw new ConcurrentChange("The asset changed while this request was changing it.");
    }
  }

  async find(
    ownerId: string,
    status: Status | null,
    limit: number,
    after: Position | null,
    nowS: number,
  ): Promise<{ items: Asset[]; position: Position | null }> {
    let exclusiveStart = after === null ? undefined : startKey(after, ownerId);
    const names: Record<string, string> = { "#o": "ownerId", "#t": "ttl" };
    const values: Record<string, AttributeValue> = { ":o": s(ownerId), ":t": n(nowS) };
    let filter = "#t > :t";
    if (status !== null) {
      names["#s"] = "status";
      values[":s"] = s(status);
      filter = "(#t > :t AND #s = :s)";
    }
    const read = async (size: number): Promise<Batch<Asset>> => {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: OWNER_INDEX,
          KeyConditionExpression: "#o = :o",
          FilterExpression: filter,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: size,
          ExclusiveStartKey: exclusiveStart,
        }),
      );
      exclusiveStart = page.LastEvaluatedKey;
      return {
        items: (page.Items ?? []).map(assetOfItem),
        evaluated: page.ScannedCount ?? 0,
        lastEvaluated: page.LastEvaluatedKey === undefined ? null : positionOfKey(page.LastEvaluatedKey),
      };
    };
    const { items, position } = await boundedPage(read, limit, (asset) => ({
      assetId: asset.assetId,
      createdAt: asset.createdAt,
    }));
    return { items, position };
  }
}
