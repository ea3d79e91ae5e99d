// The assets operations (api/assets/operations.py): each unpacks its arguments, makes one
// service call and shapes the answer.
import { idempotencyKey, replayable, type IdempotentRequests, type Outcome } from "../core/idempotency.js";
import type { Operation, OperationRequest } from "../core/operations.js";
import type { Principal } from "../core/principal.js";
import { formatMillis, formatSeconds } from "../core/timestamps.js";
import type { Asset, Status } from "./asset.js";
import type { AssetService, PresignedPost } from "./service.js";

export type AssetsOperationId = "listAssets" | "createAsset" | "getAsset" | "downloadAsset" | "deleteAsset";

const JSON_TYPE = { "Content-Type": "application/json" };

export function assetJson(asset: Asset): Record<string, unknown> {
  return {
    assetId: asset.assetId,
    // An asset stored before assets had owners has none: only administrators see it.
    ...(asset.ownerId === undefined ? {} : { ownerId: asset.ownerId }),
    fileName: asset.fileName,
    contentType: asset.contentType,
    size: asset.size,
    status: asset.status,
    createdAt: formatMillis(asset.createdAt),
    updatedAt: formatMillis(asset.updatedAt),
    expiresAt: formatSeconds(asset.expiresAt),
  };
}

export function uploadJson(upload: PresignedPost): Record<string, unknown> {
  return { method: "POST", url: upload.url, fields: upload.fields, expiresAt: formatSeconds(upload.expiresAt) };
}

/** POST /assets' body: the asset, and its upload while it is pending. */
export function createdJson(asset: Asset, upload: PresignedPost | null): Record<string, unknown> {
  return { ...assetJson(asset), ...(upload === null ? {} : { upload: uploadJson(upload) }) };
}

function caller(request: OperationRequest): Principal {
  if (request.principal === null) throw new Error("a secured operation without a caller");
  return request.principal;
}

/** The assets operations of openapi.yaml, by operationId. */
export function assetOperations(assets: AssetService, idempotency: IdempotentRequests): Record<AssetsOperationId, Operation> {
  return {
    async createAsset(request) {
      const body = request.body as { fileName: string; contentType: string; size: number };
      const created = async (): Promise<Outcome> => {
        const { asset, upload } = await assets.create(caller(request), body.fileName, body.contentType, body.size);
        return { body: createdJson(asset, upload), status: 201, headers: { ...JSON_TYPE, Location: `/assets/${asset.assetId}` } };
      };
      const key = idempotencyKey(request.headers.get("idempotency-key"));
      const [outcome, replayed] = await idempotency.run("createAsset", caller(request), key, body, created);
      if (!replayed) return replayable(outcome, false);
      // A replay answers the asset as it is now: never an upload URL that may have expired,
      // nor one for an asset whose file is settled, nor a 201 for one that is gone.
      const { asset, upload } = await assets.resume(caller(request), String(outcome.body.assetId));
      return replayable({ ...outcome, body: createdJson(asset, upload) }, true);
    },

    async listAssets(request) {
      const { limit, cursor, status } = request.query;
      const page = await assets.list(
        caller(request),
        (status as Status | undefined) ?? null,
        (limit as number | undefined) ?? 20,
        (cursor as string | undefined) ?? null,
      );
      return { status: 200, body: { items: page.items.map(assetJson), nextCursor: page.nextCursor }, headers: JSON_TYPE };
    },

    async getAsset(request) {
      const asset = await assets.get(caller(request), request.path.assetId as string);
      return { status: 200, body: assetJson(asset), headers: JSON_TYPE };
    },

    async downloadAsset(request) {
      const download = await assets.download(caller(request), request.path.assetId as string);
      return { status: 200, body: { url: download.url, expiresAt: formatSeconds(download.expiresAt) }, headers: JSON_TYPE };
    },

    async deleteAsset(request) {
      await assets.delete(caller(request), request.path.assetId as string);
      return { status: 204 };
    },
  };
}
