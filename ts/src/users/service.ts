// Users (api/users/service.py): the domain object, the storage interface it needs and the
// service holding the rules.
import { randomUUID } from "node:crypto";

import { CursorCodec, type Position } from "../core/cursors.js";
import { ConcurrentChange, CreatedResourceGone, InvalidRequest, NotFound, VersionMismatch } from "../core/errors.js";
import { etagOf, ifMatchAllows, ifNoneMatchAllows, isEntityTagList } from "../core/etags.js";
import type { Principal } from "../core/principal.js";
import { parseToSeconds } from "../core/timestamps.js";
import { normalizeEmail } from "./emails.js";

export type Clock = () => number;
// How often a change without If-Match is retried when other writers keep winning the race.
const WRITE_ATTEMPTS = 5;
export const NO_SUCH_USER = "There is no user with this id.";

/** A user as stored; timestamps in epoch milliseconds, expiry in epoch seconds. */
export interface User {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly department: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number | null;
  readonly version: number;
  /** The `sub` of the caller this record describes, who may read, change and delete it. */
  readonly subject: string | null;
}

export const etagOfUser = (user: User): string => etagOf(user.version);

/** Expired users are gone, whether or not DynamoDB's TTL sweep has removed them yet. */
export function isLive(user: User, nowS: number): boolean {
  return user.expiresAt === null || user.expiresAt > nowS;
}

export function sameUser(a: User | null, b: User | null): boolean {
  if (a === null || b === null) return a === b;
  return (Object.keys(a) as (keyof User)[]).every((key) => a[key] === b[key]);
}

/** The filters of a listing. */
export interface UserQuery {
  email: string | null;
  department: string | null;
}

export interface UserPage {
  items: User[];
  nextCursor: string | null;
}

/** Storage of users, keeping emails unique among live users atomically. */
export interface UserRepository {
  /** Store a new user; EmailTaken if a live user has its email. */
  add(user: User, nowS: number): Promise<void>;
  /** The live user with this id (read-your-writes); NotFound otherwise. */
  get(userId: string, nowS: number): Promise<User>;
  /** Write `next` over `current`; ConcurrentChange if the stored user is no longer
   * `current`, EmailTaken if `next` takes a live user's email. */
  replace(current: User, next: User, nowS: number): Promise<void>;
  /** Delete `current` and free its email; ConcurrentChange if it has changed. */
  remove(current: User, nowS: number): Promise<void>;
  /** Up to `limit` live users matching `query`, newest first, after the position `after`;
   * and the position after the last one if more may follow. */
  find(query: UserQuery, limit: number, after: Position | null, nowS: number): Promise<[User[], Position | null]>;
}

export interface UserChanges {
  email?: string;
  name?: string;
  department?: string | null;
  expiresAt?: string | null;
}

function futureExpiry(value: string, nowS: number): number {
  const expires = parseToSeconds(value, "expiresAt");
  if (expires <= nowS) throw new InvalidRequest("'expiresAt' must lie in the future.");
  return expires;
}

function checkPreconditions(user: User, ifMatch: string | null, ifNoneMatch: string | null): void {
  if (!ifMatchAllows(ifMatch, etagOfUser(user))) {
    if (ifMatch !== null && !isEntityTagList(ifMatch)) {
      throw new VersionMismatch('If-Match names no version: an entity tag is quoted, such as "3" (the ETag).');
    }
    throw new VersionMismatch("The user has changed since the ETag given in If-Match.");
  }
  if (!ifNoneMatchAllows(ifNoneMatch, etagOfUser(user))) throw new VersionMismatch("The user has an ETag given in If-None-Match.");
}

function applyChanges(current: User, changes: UserChanges, nowS: number, nowMs: number): User {
  let next: User = { ...current };
  if ("email" in changes) next = { ...next, email: normalizeEmail(changes.email as string) };
  if ("name" in changes) next = { ...next, name: changes.name as string };
  if ("department" in changes) next = { ...next, department: changes.department ?? null };
  if ("expiresAt" in changes) {
    const expires = changes.expiresAt;
    next = { ...next, expiresAt: expires === null || expires === undefined ? null : futureExpiry(expires, nowS) };
  }
  // updatedAt never goes backwards, even if this clock is behind the last writer's.
  return { ...next, updatedAt: Math.max(nowMs, current.updatedAt), version: current.version + 1 };
}

/** The rules for users: normalised unique emails, expiry, conditional changes, paging; and
 * who may do what: administrators anything, the caller a user's `subject` names that user
 * only, anyone else nothing (a user it may not see does not exist for it). */
export class UserService {
  private readonly cursors: CursorCodec;

  constructor(
    private readonly repository: UserRepository,
    private readonly clock: Clock = () => Date.now() / 1000,
    options: { cursors?: CursorCodec; newId?: () => string } = {},
  ) {
    this.cursors = options.cursors ?? CursorCodec.withRandomKey();
    this.newId = options.newId ?? randomUUID;
  }

  private readonly newId: () => string;

  private now(): [number, number] {
    const now = this.clock();
    return [Math.floor(now), Math.floor(now * 1000)];
  }

  async create(
    caller: Principal,
    email: string,
    name: string,
    options: { department?: string | null; expiresAt?: string | null; subject?: string | null } = {},
  ): Promise<User> {
    caller.requireAdmin("create users");
    const [nowS, nowMs] = this.now();
    const user: User = {
      userId: this.newId(),
      email: normalizeEmail(email),
      name,
      department: options.department ?? null,
      createdAt: nowMs,
      updatedAt: nowMs,
      expiresAt: options.expiresAt === null || options.expiresAt === undefined ? null : futureExpiry(options.expiresAt, nowS),
      version: 1,
      subject: options.subject ?? null,
    };
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      try {
        await this.repository.add(user, nowS);
      } catch (error) {
        if (error instanceof ConcurrentChange) continue; // another transaction held the guard
        throw error;
      }
      return user;
    }
    throw new ConcurrentChange("The email is being claimed by other requests; try again.");
  }

  /** CreatedResourceGone unless the user an Idempotency-Key created still lives. */
  async confirmReplay(caller: Principal, userId: string): Promise<void> {
    caller.requireAdmin("create users");
    try {
      await this.get(caller, userId);
    } catch (error) {
      if (error instanceof NotFound) {
        throw new CreatedResourceGone(
          "The user this Idempotency-Key created has been deleted since; send a new Idempotency-Key to create another.",
        );
      }
      throw error;
    }
  }

  private async visible(caller: Principal, userId: string, nowS: number): Promise<User> {
    const user = await this.repository.get(userId, nowS);
    if (!caller.maySee(user.subject)) throw new NotFound(NO_SUCH_USER);
    return user;
  }

  async get(caller: Principal, userId: string): Promise<User> {
    const [nowS] = this.now();
    return this.visible(caller, userId, nowS);
  }

  async list(caller: Principal, query: UserQuery, limit: number, cursor: string | null = null): Promise<UserPage> {
    caller.requireAdmin("list users");
    const [nowS] = this.now();
    const normalized: UserQuery = { ...query, email: query.email ? normalizeEmail(query.email) : query.email };
    // A cursor continues only the query, and the caller, it was issued to.
    const bound = { email: normalized.email, department: normalized.department, caller: caller.subject };
    const after = cursor === null ? null : this.cursors.decode(cursor, bound);
    const [users, position] = await this.repository.find(normalized, limit, after, nowS);
    return { items: users, nextCursor: position === null ? null : this.cursors.encode(bound, position) };
  }

  async update(caller: Principal, userId: string, changes: UserChanges, ifMatch: string | null = null, ifNoneMatch: string | null = null): Promise<User> {
    let attempted: User | null = null;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const [nowS, nowMs] = this.now();
      const current = await this.visible(caller, userId, nowS);
      if (sameUser(current, attempted)) return current; // the write was retried after it had landed
      checkPreconditions(current, ifMatch, ifNoneMatch);
      if ("email" in changes && normalizeEmail(changes.email as string) !== current.email) {
        // Emails are unique: a caller trying others' would learn whose are taken.
        caller.requireAdmin("change a user's email");
      }
      const next = applyChanges(current, changes, nowS, nowMs);
      attempted = next;
      try {
        await this.repository.replace(current, next, nowS);
      } catch (error) {
        if (error instanceof ConcurrentChange) continue; // re-read: 404, 412 or another try
        throw error;
      }
      return next;
    }
    throw new ConcurrentChange("The user is being changed by other requests; try again.");
  }

  async delete(caller: Principal, userId: string, ifMatch: string | null = null, ifNoneMatch: string | null = null): Promise<void> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const [nowS] = this.now();
      const current = await this.visible(caller, userId, nowS);
      checkPreconditions(current, ifMatch, ifNoneMatch);
      try {
        await this.repository.remove(current, nowS);
      } catch (error) {
        if (error instanceof ConcurrentChange) continue;
        throw error;
      }
      return;
    }
    throw new ConcurrentChange("The user is being changed by other requests; try again.");
  }
}
