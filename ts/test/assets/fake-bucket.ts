// An in-memory bucket for the assets tests (dev/fakes.py's InMemoryObjectStorage): key ->
// bytes and content type; URLs name what they allow; ETags and conditional copies as S3's.
import { createHash } from "node:crypto";

import type { StoredObject } from "../../src/assets/asset.js";
import type { ObjectStorage } from "../../src/assets/service.js";

export interface StoredFile {
  data: string;
  contentType: string;
}

/** S3's ETag of an object uploaded in one part: its MD5, quoted. */
function etagOf(data: string): string {
  return `"${createHash("md5").update(data).digest("hex")}"`;
}

export class InMemoryBucket implements ObjectStorage {
  readonly objects = new Map<string, StoredFile>();
  readonly deleted: string[] = [];
  /** What happens just before the next copy (another client, another confirmation), once. */
  meanwhileCopy: (() => Promise<void> | void) | null = null;
  /** What happens just before the next deletes, in order: an error thrown instead. */
  readonly meanwhileDelete: (() => void)[] = [];

  /** What a client's upload through the presigned POST does. */
  put(key: string, data: string, contentType: string): void {
    this.objects.set(key, { data, contentType });
  }

  contents(): Record<string, StoredFile> {
    return Object.fromEntries(this.objects);
  }

  async presignUpload(key: string, contentType: string, size: number, expiresIn: number) {
    return { url: "https://bucket.example/", fields: { key, "Content-Type": contentType, size: String(size), expiresIn: String(expiresIn) } };
  }

  async presignDownload(key: string, contentType: string, disposition: string, expiresIn: number): Promise<string> {
    return `https://bucket.example/${key}?${new URLSearchParams({ type: contentType, disposition, expiresIn: String(expiresIn) })}`;
  }

  async head(key: string): Promise<StoredObject | null> {
    const stored = this.objects.get(key);
    return stored === undefined ? null : { size: Buffer.byteLength(stored.data), contentType: stored.contentType, etag: etagOf(stored.data) };
  }

  async copy(source: string, target: string, sourceEtag: string): Promise<boolean> {
    const meanwhile = this.meanwhileCopy;
    this.meanwhileCopy = null;
    await meanwhile?.();
    const stored = this.objects.get(source);
    if (stored === undefined || etagOf(stored.data) !== sourceEtag || this.objects.has(target)) return false;
    this.objects.set(target, stored);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.meanwhileDelete.shift()?.();
    this.objects.delete(key);
    this.deleted.push(key);
  }
}
