// Assets: the domain object and its keys in the bucket (contract/DATA.md, "Assets table"
// and "S3 bucket").
import { safeFileName } from "./file-names.js";

export type Status = "pending" | "uploaded" | "rejected";
export const STATUSES: readonly Status[] = ["pending", "uploaded", "rejected"];

// An asset's file is served from `assets/{assetId}/{name}` (its s3Key); uploads land under
// `uploads/{assetId}/{name}`, which nothing serves, and confirmation copies them across.
export const KEY_PREFIX = "assets/";
export const UPLOAD_PREFIX = "uploads/";
export const LIFETIME_SECONDS = 30 * 24 * 3600;
export const DOWNLOAD_URL_SECONDS = 3600;

/** A file's metadata as stored; timestamps in epoch milliseconds, expiry in seconds. */
export interface Asset {
  readonly assetId: string;
  // The `sub` of the caller who created it; absent only for assets stored before owners.
  readonly ownerId?: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly status: Status;
  readonly s3Key: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number;
  readonly version: number;
}

/** What S3 says of an object: its real size, content type and ETag. */
export interface StoredObject {
  readonly size: number;
  readonly contentType: string;
  readonly etag: string;
}

/** The served key of a new asset's file. */
export function s3KeyOf(assetId: string, fileName: string): string {
  return `${KEY_PREFIX}${assetId}/${safeFileName(fileName)}`;
}

/** Where the presigned POST puts the file: the s3Key under `uploads/`. */
export function uploadKeyOf(asset: Pick<Asset, "s3Key">): string {
  return UPLOAD_PREFIX + asset.s3Key.slice(asset.s3Key.startsWith(KEY_PREFIX) ? KEY_PREFIX.length : 0);
}

/** Expired assets are gone, whether or not DynamoDB's TTL sweep has removed them. */
export function isLive(asset: Asset, nowS: number): boolean {
  return asset.expiresAt > nowS;
}

/** Whether a stored object is the file this asset declares: its size and type. */
export function declares(asset: Asset, stored: StoredObject): boolean {
  return stored.size === asset.size && stored.contentType === asset.contentType;
}

// A UUID as contract/DATA.md reads an event key's second segment: 36 characters, hex digits
// of either case in the 8-4-4-4-12 groups.
const UUID_TEXT = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** The asset id in a key `{prefix}{assetId}/{name}` (by default a served key; with
 * UPLOAD_PREFIX an upload key), read lower-case; null for any other key. */
export function assetIdOf(key: string, prefix: string = KEY_PREFIX): string | null {
  const parts = key.split("/");
  if (parts.length !== 3 || `${parts[0]}/` !== prefix) return null;
  const id = parts[1] ?? "";
  return UUID_TEXT.test(id) ? id.toLowerCase() : null;
}
