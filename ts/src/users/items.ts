// The items of the Users table (contract/DATA.md, "Users table"): a user item, and the guard
// item holding an email for its owner.
import { createHash } from "node:crypto";

import type { Item } from "../core/dynamo.js";
import type { User } from "./service.js";

export const USER_ENTITY = "user";
// Email uniqueness lives in a guard item per email in the same table.
export const GUARD_PREFIX = "email#";
// The partitions of listShard-index (api/users/list_shards.py; contract/DATA.md, "List
// shards"). Changing it moves users between shards: a migration.
export const LIST_SHARDS = 8;

/** The listShard of a user: the first 4 bytes of SHA-256 of its UTF-8 id, read as an
 * unsigned big-endian number, modulo LIST_SHARDS, in decimal. */
export function listShard(userId: string): string {
  return String(createHash("sha256").update(userId, "utf8").digest().readUInt32BE(0) % LIST_SHARDS);
}

/** The user item of `user`: every attribute it has, none that it lacks. */
export function userItem(user: User): Item {
  const item: Item = {
    userId: user.userId,
    entity: USER_ENTITY,
    listShard: listShard(user.userId),
    email: user.email,
    name: user.name,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    version: user.version,
  };
  if (user.department !== null) item.department = user.department;
  if (user.expiresAt !== null) item.ttl = user.expiresAt;
  if (user.subject !== null) item.subject = user.subject;
  return item;
}

/** The guard item of `user`'s email. */
export function guardItem(user: User): Item {
  const item: Item = { userId: GUARD_PREFIX + user.email, ownerId: user.userId };
  if (user.expiresAt !== null) item.ttl = user.expiresAt;
  return item;
}

export function guardKey(email: string): Item {
  return { userId: GUARD_PREFIX + email };
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
const number = (value: unknown): number | null => (value === undefined || value === null ? null : Number(value));

/** The user an item holds (a user item: `entity` is `user`). */
export function toUser(item: Item): User {
  return {
    userId: String(item.userId),
    email: String(item.email),
    name: String(item.name),
    department: text(item.department),
    createdAt: number(item.createdAt) ?? 0,
    updatedAt: number(item.updatedAt) ?? 0,
    expiresAt: number(item.ttl),
    version: number(item.version) ?? 0,
    subject: text(item.subject),
  };
}
