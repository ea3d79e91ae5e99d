// The rules for assets (api/assets/service.py): presigned transfers, the upload lifecycle,
// expiry, paging; and who may do what: an asset belongs to the caller who created it, whom
// alone (and administrators) it exists for.
import { randomUUID } from "node:crypto";

import type { CursorCodec, Position } from "../core/cursors.js";
import {
  AssetNotReady,
  ConcurrentChange,
  CreatedResourceGone,
  NotFound,
  ServiceUnavailable,
} from "../core/errors.js";
import type { Principal } from "../core/principal.js";
import {
  type Asset,
  type Status,
  type StoredObject,
  DOWNLOAD_URL_SECONDS,
  LIFETIME_SECONDS,
  UPLOAD_PREFIX,
  assetIdOf,
  declares,
  s3KeyOf,
  uploadKeyOf,
} from "./asset.js";
import { contentDisposition } from "./file-names.js";

export type Clock = () => number;

export interface PresignedPost {
  readonly url: string;
  readonly fields: Record<string, string>;
  readonly expiresAt: number; // epoch seconds
}

export interface PresignedGet {
  readonly url: string;
  readonly expiresAt: number; // epoch seconds
}

export interface AssetPage {
  readonly items: Asset[];
  readonly nextCursor: string | null;
}

/** Storage of asset metadata. */
export interface AssetRepository {
  /** Store a new asset. */
  add(asset: Asset): Promise<void>;
  /** The live asset with this id (read-your-writes); NotFound otherwise. */
  get(assetId: string, nowS: number): Promise<Asset>;
  /** Write `next` over `current`; ConcurrentChange if the stored asset is not `current`. */
  replace(current: Asset, next: Asset, nowS: number): Promise<void>;
  /** Delete `current`; ConcurrentChange if it has changed (not if it is gone). */
  remove(current: Asset): Promise<void>;
  /** Up to `limit` live assets of `ownerId` (of `status`, if given), newest first, after
   * the position `after`; and the position after the last one if more may follow.
   * InvalidCursor if `after` is not a position this repository produced. */
  find(
    ownerId: string,
    status: Status | null,
    limit: number,
    after: Position | null,
    nowS: number,
  ): Promise<[Asset[], Position | null]>;
}

/** The bucket holding the files; uploads and downloads go straight to it. */
export interface ObjectStorage {
  /** A POST URL and form fields whose policy pins the key, type and exact size. */
  presignUpload(
    key: string,
    contentType: string,
    size: number,
    expiresIn: number,
  ): Promise<{ url: string; fields: Record<string, string> }>;
  /** A GET URL that serves the object with this Content-Type and Content-Disposition. */
  presignDownload(key: string, contentType: string, disposition: string, expiresIn: number): Promise<string>;
  /** The object's size, type and ETag, or null if there is no such object. */
  head(key: string): Promise<StoredObject | null>;
  /** Copy `source` to `target` only if `source` still has this ETag and `target` does not
   * exist (S3's conditional CopyObject); false, copying nothing, if either fails. */
  copy(source: string, target: string, sourceEtag: string): Promise<boolean>;
  /** Delete the object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
}

export const NO_SUCH_ASSET = "There is no asset with this id.";
// How often a change is retried when other writers keep winning the race.
const WRITE_ATTEMPTS = 5;

export interface AssetServiceOptions {
  clock?: Clock;
  uploadExpiresSeconds?: number;
  /** Draws the ids of new assets (UUID v4); tests fix it. */
  newId?: () => string;
}

export class AssetService {
  private readonly clock: Clock;
  private readonly uploadExpiresSeconds: number;
  private readonly newId: () => string;

  constructor(
    private readonly repository: AssetRepository,
    private readonly storage: ObjectStorage,
    private readonly cursors: CursorCodec,
    options: AssetServiceOptions = {},
  ) {
    this.clock = options.clock ?? (() => Date.now() / 1000);
    this.uploadExpiresSeconds = options.uploadExpiresSeconds ?? 900;
    this.newId = options.newId ?? randomUUID;
  }

  private now(): { nowS: number; nowMs: number } {
    const now = this.clock();
    return { nowS: Math.floor(now), nowMs: Math.floor(now * 1000) };
  }

  async create(
    caller: Principal,
    fileName: string,
    contentType: string,
    size: number,
  ): Promise<{ asset: Asset; upload: PresignedPost }> {
    const { nowS, nowMs } = this.now();
    const assetId = this.newId();
    const asset: Asset = {
      assetId,
      ownerId: caller.subject,
      fileName,
      contentType,
      size,
      status: "pending",
      s3Key: s3KeyOf(assetId, fileName),
      createdAt: nowMs,
      updatedAt: nowMs,
      expiresAt: nowS + LIFETIME_SECONDS,
      version: 1,
    };
    // The metadata is stored before a URL exists, so every upload that can happen has its
    // asset (presigning is local computation).
    await this.repository.add(asset);
    return { asset, upload: await this.presignUpload(asset) };
  }

  private async presignUpload(asset: Asset): Promise<PresignedPost> {
    const { nowS } = this.now();
    const { url, fields } = await this.storage.presignUpload(
      uploadKeyOf(asset),
      asset.contentType,
      asset.size,
      this.uploadExpiresSeconds,
    );
    return { url, fields, expiresAt: nowS + this.uploadExpiresSeconds };
  }

  /** What a replay of the request that created the asset answers: the asset as it is now,
   * with a freshly signed upload while it is pending and none once it is not (its file is
   * settled); CreatedResourceGone once it is deleted or expired. */
  async resume(caller: Principal, assetId: string): Promise<{ asset: Asset; upload: PresignedPost | null }> {
    let asset: Asset;
    try {
      asset = await this.get(caller, assetId);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      throw new CreatedResourceGone(
        "The asset created with this Idempotency-Key has been deleted or has expired; " +
          "send a new key to create another.",
      );
    }
    return { asset, upload: asset.status === "pending" ? await this.presignUpload(asset) : null };
  }

  /** The live asset `caller` may see; NotFound, as for no asset, otherwise. */
  private async visible(caller: Principal, assetId: string, nowS: number): Promise<Asset> {
    const asset = await this.repository.get(assetId, nowS);
    if (!caller.maySee(asset.ownerId)) throw new NotFound(NO_SUCH_ASSET);
    return asset;
  }

  async get(caller: Principal, assetId: string): Promise<Asset> {
    const asset = await this.visible(caller, assetId, this.now().nowS);
    return asset.status === "pending" ? this.confirm(asset) : asset;
  }

  /** The caller's own assets: an administrator's too (it reads others' by id). */
  async list(caller: Principal, status: Status | null, limit: number, cursor: string | null = null): Promise<AssetPage> {
    const { nowS } = this.now();
    // A cursor continues only the query, and the caller, it was issued to.
    const query = { status, caller: caller.subject };
    const after = cursor === null ? null : this.cursors.decode(cursor, query);
    const [items, position] = await this.repository.find(caller.subject, status, limit, after, nowS);
    return { items, nextCursor: position === null ? null : this.cursors.encode(query, position) };
  }

  async download(caller: Principal, assetId: string): Promise<PresignedGet> {
    const asset = await this.get(caller, assetId);
    if (asset.status !== "uploaded") {
      throw new AssetNotReady(
        asset.status === "pending"
          ? "The asset's file has not been uploaded yet."
          : "The asset's file was rejected: its size or type was not as declared.",
      );
    }
    const { nowS } = this.now();
    const url = await this.storage.presignDownload(
      asset.s3Key,
      asset.contentType,
      contentDisposition(asset.fileName),
      DOWNLOAD_URL_SECONDS,
    );
    return { url, expiresAt: nowS + DOWNLOAD_URL_SECONDS };
  }

  async delete(caller: Principal, assetId: string): Promise<void> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const asset = await this.visible(caller, assetId, this.now().nowS);
      try {
        await this.repository.remove(asset);
      } catch (error) {
        if (error instanceof ConcurrentChange) continue;
        throw error;
      }
      try {
        // The upload first: once it is gone, no confirmation still under way can copy a
        // file to the served key after that is deleted.
        await this.storage.delete(uploadKeyOf(asset));
        await this.storage.delete(asset.s3Key);
      } catch (error) {
        if (error instanceof ServiceUnavailable) {
          // Put the metadata back: the asset stays whole and the client may retry. (Should
          // that fail too, the objects are left unreferenced and invisible, and the
          // bucket's lifecycle rules expire them.)
          await this.repository.add(asset);
        }
        throw error;
      }
      return;
    }
    throw new ConcurrentChange("The asset is being changed by other requests; try again.");
  }

  /** Handle S3's ObjectCreated for `key`, which may come late or twice. The file at a
   * pending asset's upload key confirms or rejects it; any other object under an upload key
   * (of an asset settled, deleted or expired, or another name) is deleted, so that no upload
   * made after confirmation, rejection or deletion stays. Other keys are ignored: the bucket
   * notifies uploads only. */
  async objectCreated(key: string): Promise<Asset | null> {
    const assetId = assetIdOf(key, UPLOAD_PREFIX);
    if (assetId === null) return null;
    let asset: Asset;
    try {
      asset = await this.repository.get(assetId, this.now().nowS);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      await this.storage.delete(key);
      return null;
    }
    if (asset.status === "pending" && key === uploadKeyOf(asset)) {
      try {
        return await this.confirm(asset);
      } catch (error) {
        if (error instanceof NotFound) return null;
        throw error;
      }
    }
    if (asset.status === "rejected") {
      // A rejected asset keeps no file; a retried event finishes what a failure left.
      await this.storage.delete(asset.s3Key);
    }
    await this.storage.delete(key);
    return asset;
  }

  /** Settle a pending asset whose file has arrived at its upload key. A file as declared is
   * copied to the served key, only if it is still the file checked and the served key is
   * free, so the served bytes are written once, by one confirmation; the asset becomes
   * `uploaded`. Any other file makes it `rejected`. Either way the upload is then deleted.
   * Unchanged while no file has arrived, or while other confirmations keep winning (the last
   * state read is answered; the next read tries again). NotFound if the asset is deleted
   * meanwhile, once what this confirmation copied is removed. */
  private async confirm(pending: Asset): Promise<Asset> {
    let asset = pending;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const uploadKey = uploadKeyOf(asset);
      const staged = await this.storage.head(uploadKey);
      if (staged === null) return asset;
      let copied = false;
      let status: Status = "rejected";
      if (declares(asset, staged)) {
        copied = await this.storage.copy(uploadKey, asset.s3Key, staged.etag);
        const served = copied ? staged : await this.storage.head(asset.s3Key);
        // The upload changed or went between the check and the copy.
        if (served === null) continue;
        // A file already at the served key was put there by another confirmation, as
        // checked, which has not recorded it yet (or died before it could).
        status = declares(asset, served) ? "uploaded" : "rejected";
      }
      let settled: Asset;
      try {
        settled = await this.record(asset, status);
      } catch (error) {
        if (!(error instanceof ConcurrentChange)) throw error;
        const current = await this.current(asset, copied);
        if (current.status !== "pending") return current;
        asset = current;
        continue;
      }
      if (status === "rejected") await this.storage.delete(asset.s3Key);
      await this.storage.delete(uploadKey);
      return settled;
    }
    return asset;
  }

  private async record(asset: Asset, status: Status): Promise<Asset> {
    const { nowS, nowMs } = this.now();
    const next: Asset = {
      ...asset,
      status,
      updatedAt: Math.max(nowMs, asset.updatedAt),
      version: asset.version + 1,
    };
    await this.repository.replace(asset, next, nowS);
    return next;
  }

  /** The asset as another writer left it, after this confirmation lost the race to record
   * `asset`; a file it `copied` is removed unless the asset is now `uploaded` (then the file
   * is the one served: only one copy can have succeeded). */
  private async current(asset: Asset, copied: boolean): Promise<Asset> {
    let current: Asset;
    try {
      current = await this.repository.get(asset.assetId, this.now().nowS);
    } catch (error) {
      if (error instanceof NotFound) {
        if (copied) await this.storage.delete(asset.s3Key);
        await this.storage.delete(uploadKeyOf(asset));
      }
      throw error;
    }
    if (copied && current.status === "rejected") await this.storage.delete(asset.s3Key);
    return current;
  }
}
