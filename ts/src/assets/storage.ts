// Asset metadata in the DynamoDB Assets table (api/assets/storage.py): the item layout of
// contract/DATA.md ("Asset item") and the repository, changed under version conditions.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";

import type { Position } from "../core/cursors.js";
import { newestFirst, translatingFaults, type DocumentSender, type Item } from "../core/dynamo.js";
import { ConcurrentChange, NotFound } from "../core/errors.js";
import { boundedPage } from "../core/paging.js";
import { type Asset, type Status, STATUSES, isLive } from "./asset.js";
import { NO_SUCH_ASSET, type AssetRepository } from "./service.js";

export const ASSET_ENTITY = "asset";
export const OWNER_INDEX = "ownerId-index";
const CONDITION_FAILED = "ConditionalCheckFailedException";

/** The stored item of an asset. */
export function assetItem(asset: Asset): Item {
  return {
    assetId: asset.assetId,
    entity: ASSET_ENTITY,
    ...(asset.ownerId === undefined ? {} : { ownerId: asset.ownerId }),
    fileName: asset.fileName,
    contentType: asset.contentType,
    size: asset.size,
    status: asset.status,
    s3Key: asset.s3Key,
    createdAt: asset.createdAt,
    updatedAt: asset.updatedAt,
    ttl: asset.expiresAt,
    version: asset.version,
  };
}

function text(item: Item, name: string): string {
  const value = item[name];
  if (typeof value !== "string") throw new TypeError(`The asset item has no string ${name}.`);
  return value;
}

function integer(item: Item, name: string): number {
  const value = Number(item[name]);
  if (!Number.isSafeInteger(value)) throw new TypeError(`The asset item has no integer ${name}.`);
  return value;
}

/** The asset an item stores. */
export function assetOfItem(item: Item): Asset {
  const status = text(item, "status") as Status;
  if (!STATUSES.includes(status)) throw new TypeError(`The asset item has the status ${status}.`);
  const owner = item.ownerId;
  return {
    assetId: text(item, "assetId"),
    ...(typeof owner === "string" ? { ownerId: owner } : {}),
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

/** Asset metadata in the DynamoDB Assets table, changed under version conditions. */
export class DynamoAssetRepository implements AssetRepository {
  constructor(
    private readonly client: DocumentSender,
    private readonly table: string,
  ) {}

  async add(asset: Asset): Promise<void> {
    try {
      await translatingFaults(() =>
        this.client.send(
          new PutCommand({
            TableName: this.table,
            Item: assetItem(asset),
            ConditionExpression: "attribute_not_exists(#id)",
            ExpressionAttributeNames: { "#id": "assetId" },
          }),
        ),
      );
    } catch (error) {
      // A new id can only exist already if the SDK retried after a timeout and the first
      // attempt had landed: PutItem has no idempotency token.
      if (!conditionFailed(error)) throw error;
      const stored = await this.stored(asset.assetId);
      if (stored === null || !sameAsset(stored, asset)) throw new ConcurrentChange("An asset with this id is already stored.");
    }
  }

  private async stored(assetId: string): Promise<Asset | null> {
    const found = await translatingFaults(() =>
      this.client.send(new GetCommand({ TableName: this.table, Key: { assetId }, ConsistentRead: true })),
    );
    return found.Item === undefined ? null : assetOfItem(found.Item as Item);
  }

  async get(assetId: string, nowS: number): Promise<Asset> {
    const asset = await this.stored(assetId);
    if (asset === null || !isLive(asset, nowS)) throw new NotFound(NO_SUCH_ASSET);
    return asset;
  }

  async replace(current: Asset, next: Asset, nowS: number): Promise<void> {
    await this.unlessChanged(
      new PutCommand({
        TableName: this.table,
        Item: assetItem(next),
        ConditionExpression: "(#version = :version AND #ttl > :now)",
        ExpressionAttributeNames: { "#version": "version", "#ttl": "ttl" },
        ExpressionAttributeValues: { ":version": current.version, ":now": nowS },
      }),
    );
  }

  async remove(current: Asset): Promise<void> {
    try {
      await this.unlessChanged(
        new DeleteCommand({
          TableName: this.table,
          Key: { assetId: current.assetId },
          ConditionExpression: "#version = :version",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":version": current.version },
        }),
      );
    } catch (error) {
      // Already gone, which is all a delete asks: a retry of this very DeleteItem (which has
      // no idempotency token) or another client's delete.
      if (!(error instanceof ConcurrentChange) || (await this.stored(current.assetId)) !== null) throw error;
    }
  }

  private async unlessChanged(command: PutCommand | DeleteCommand): Promise<void> {
    try {
      await translatingFaults(() => this.client.send(command));
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
  ): Promise<[Asset[], Position | null]> {
    const filter: Parameters<typeof newestFirst>[0]["filter"] =
      status === null
        ? { expression: "#ttl > :now", names: { "#ttl": "ttl" }, values: { ":now": nowS } }
        : {
            expression: "(#ttl > :now AND #status = :status)",
            names: { "#ttl": "ttl", "#status": "status" },
            values: { ":now": nowS, ":status": status },
          };
    const read = newestFirst({
      client: this.client,
      query: (input) => new QueryCommand(input as ConstructorParameters<typeof QueryCommand>[0]),
      table: this.table,
      index: OWNER_INDEX,
      partition: ["ownerId", ownerId],
      idName: "assetId",
      filter,
      after,
      convert: assetOfItem,
    });
    return translatingFaults(() =>
      boundedPage(read, limit, (asset) => ({ assetId: asset.assetId, createdAt: asset.createdAt })),
    );
  }
}
