// Opaque page cursors (api/rules/cursors.py; contract/DATA.md "Cursor encoding"): a storage
// position bound to the query that produced it, signed with a key of the deployment's.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

import { InvalidCursor } from "./errors.js";
import { pyDumps } from "./python-json.js";
import { MIN_CURSOR_KEY_BYTES } from "./settings.js";

const VERSION = 2;
export const TAG_BYTES = 16;
const NOT_ISSUED = "The cursor is not one this API issued.";

export type Position = Record<string, unknown>;

/** Canonical JSON: members sorted, no white space, Python's ensure_ascii escaping. */
export function canonicalJson(value: unknown): string {
  return pyDumps(value, { sortKeys: true, separators: [",", ":"] });
}

/** A short digest of a query's filters, so a cursor only continues the query it came from. */
export function queryFingerprint(query: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalJson(query)).digest("hex").slice(0, 16);
}

function tag(key: Buffer, payload: Buffer): Buffer {
  return createHmac("sha256", key).update(payload).digest().subarray(0, TAG_BYTES);
}

function spelling(signed: Buffer): string {
  return signed.toString("base64url");
}

/** Issues cursors signed with the first of `keys`; accepts those signed with any of them. */
export class CursorCodec {
  private readonly keys: readonly Buffer[];

  constructor(keys: readonly Buffer[]) {
    if (!keys.length) throw new RangeError("a cursor codec needs at least one key");
    if (keys.some((key) => key.length < MIN_CURSOR_KEY_BYTES)) throw new RangeError(`cursor keys must be at least ${MIN_CURSOR_KEY_BYTES} bytes long`);
    this.keys = [...keys];
  }

  /** A codec whose cursors only it accepts: for a service built alone (tests, tools). */
  static withRandomKey(): CursorCodec {
    return new CursorCodec([randomBytes(MIN_CURSOR_KEY_BYTES)]);
  }

  encode(query: Record<string, unknown>, position: Position): string {
    const payload = Buffer.from(canonicalJson({ v: VERSION, q: queryFingerprint(query), p: position }), "ascii");
    return spelling(Buffer.concat([payload, tag(this.keys[0] as Buffer, payload)]));
  }

  /** The position in `cursor`; InvalidCursor unless this API issued it, unchanged, for this
   * same query. */
  decode(cursor: string, query: Record<string, unknown>): Position {
    const payload = this.verified(cursor);
    let fields: unknown;
    try {
      fields = JSON.parse(payload.toString("utf8"));
    } catch {
      throw new InvalidCursor(NOT_ISSUED);
    }
    if (typeof fields !== "object" || fields === null || Array.isArray(fields)) throw new InvalidCursor(NOT_ISSUED);
    const record = fields as Record<string, unknown>;
    const names = Object.keys(record).sort();
    if (names.join(",") !== "p,q,v" || record.v !== VERSION || typeof record.p !== "object" || record.p === null || Array.isArray(record.p)) {
      throw new InvalidCursor(NOT_ISSUED);
    }
    if (record.q !== queryFingerprint(query)) throw new InvalidCursor("The cursor belongs to a query with other filters.");
    return record.p as Position;
  }

  private verified(cursor: string): Buffer {
    if (!/^[A-Za-z0-9_-]*$/.test(cursor) || cursor.length % 4 === 1) throw new InvalidCursor(NOT_ISSUED);
    const signed = Buffer.from(cursor, "base64url");
    // Only the one spelling issued: no padding, no stray characters, no other final
    // character standing for the same bytes.
    if (signed.length <= TAG_BYTES || spelling(signed) !== cursor) throw new InvalidCursor(NOT_ISSUED);
    const payload = signed.subarray(0, signed.length - TAG_BYTES);
    const given = signed.subarray(signed.length - TAG_BYTES);
    // Every key is tried, so the time taken does not tell which one nearly matched.
    const matches = this.keys.map((key) => timingSafeEqual(given, tag(key, payload)));
    if (!matches.some(Boolean)) throw new InvalidCursor(NOT_ISSUED);
    return payload;
  }
}
