// S3's ObjectCreated notifications for the assets bucket's uploads (api/assets/s3_events.py):
// each confirms or rejects its pending asset, and an upload that comes too late (the asset
// settled or gone) is deleted.
import type { AssetService } from "./service.js";

const UTF8 = new TextDecoder("utf-8");

/** Python's unquote_plus: "+" is a space, each %XX a byte, the bytes read as UTF-8 with
 * U+FFFD for what is not; a "%" without two hex digits stays as it is. */
export function unquotePlus(text: string): string {
  const bytes: number[] = [];
  const spaced = text.replace(/\+/g, " ");
  for (let i = 0; i < spaced.length; ) {
    const hex = spaced.slice(i + 1, i + 3);
    if (spaced[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const character = String.fromCodePoint(spaced.codePointAt(i) ?? 0);
      bytes.push(...Buffer.from(character, "utf8"));
      i += character.length;
    }
  }
  return UTF8.decode(Uint8Array.from(bytes));
}

interface S3Record {
  eventSource?: unknown;
  eventName?: unknown;
  s3?: { object?: { key?: unknown } };
}

/** The keys of an event's ObjectCreated records, decoded; other records are left out. */
export function createdKeys(event: { readonly [key: string]: unknown }): string[] {
  const records = Array.isArray(event.Records) ? (event.Records as S3Record[]) : [];
  return records
    .filter((record) => record.eventSource === "aws:s3" && String(record.eventName ?? "").startsWith("ObjectCreated:"))
    .map((record) => {
      const key = record.s3?.object?.key;
      if (typeof key !== "string") throw new TypeError("An ObjectCreated record names no object key.");
      // S3 event keys are URL-encoded, with spaces as "+".
      return unquotePlus(key);
    });
}

/** Hand each ObjectCreated record's key to the service, in order; other records are ignored. */
export async function handleS3Event(assets: AssetService, event: { readonly [key: string]: unknown }): Promise<{ handled: number }> {
  const keys = createdKeys(event);
  for (const key of keys) await assets.objectCreated(key);
  return { handled: keys.length };
}
