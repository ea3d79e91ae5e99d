// Users in DynamoDB (api/users/storage.py): the repository over the Users table, emails kept
// unique by guard items written in the same transaction as their user.
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";

import type { Position } from "../core/cursors.js";
import { AwsRefusal, cancellation, cancellationCodes, translatingFaults, unavailable, type DocumentSender, type Item } from "../core/dynamo.js";
import { ConcurrentChange, EmailTaken, InvalidCursor, NotFound } from "../core/errors.js";
import { guardItem, guardKey, toUser, userItem, USER_ENTITY } from "./items.js";
import { listNewestFirst } from "./listing.js";
import { isLive, NO_SUCH_USER, sameUser, type User, type UserQuery, type UserRepository } from "./service.js";

type Action = Record<string, Record<string, unknown>>;

const TAKEN = "Another user already has this email.";

/** Users in the DynamoDB Users table. */
export class DynamoUserRepository implements UserRepository {
  constructor(
    private readonly client: DocumentSender,
    private readonly table: string,
  ) {}

  private put(item: Item, condition: string, names: Record<string, string>, values: Record<string, unknown> = {}): Action {
    return {
      Put: {
        TableName: this.table,
        Item: item,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  private delete(key: Item, condition: string, names: Record<string, string>, values: Record<string, unknown>): Action {
    return { Delete: { TableName: this.table, Key: key, ConditionExpression: condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
  }

  // "free": (attribute_not_exists(userId) OR ttl <= now_s)
  private putGuardIfFree(user: User, nowS: number): Action {
    return this.put(guardItem(user), "(attribute_not_exists(#userId) OR #ttl <= :now)", { "#userId": "userId", "#ttl": "ttl" }, { ":now": nowS });
  }

  // "owned": ownerId = <userId>
  private owned(user: User): [string, Record<string, string>, Record<string, unknown>] {
    return ["#ownerId = :owner", { "#ownerId": "ownerId" }, { ":owner": user.userId }];
  }

  // "live(v)": (version = v AND (attribute_not_exists(ttl) OR ttl > now_s))
  private unchanged(user: User, nowS: number): [string, Record<string, string>, Record<string, unknown>] {
    return [
      "(#version = :version AND (attribute_not_exists(#ttl) OR #ttl > :now))",
      { "#version": "version", "#ttl": "ttl" },
      { ":version": user.version, ":now": nowS },
    ];
  }

  private async transact(actions: Action[], conditionErrors: Map<number, Error>): Promise<void> {
    try {
      await translatingFaults(() => this.client.send(new TransactWriteCommand({ TransactItems: actions as never })));
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes === null) throw error;
      const kind = cancellation(codes);
      if (kind === "none") throw error;
      if (kind === "refused") throw new AwsRefusal(`TransactWriteItems was cancelled: ${codes.map(String).join(", ")}`);
      if (kind === "transient") throw unavailable(error);
      const failed = codes.flatMap((code, i) => (code !== null && code !== "None" ? [i] : []));
      // Only when the new guard's condition alone failed is the email taken; otherwise the
      // user itself changed: the caller re-reads and decides.
      const first = failed[0] as number;
      if (conditionErrors.has(first) && failed.every((i) => codes[i] === "ConditionalCheckFailed")) throw conditionErrors.get(first);
      throw new ConcurrentChange("The user changed while this request was changing it.");
    }
  }

  private async stored(userId: string): Promise<User | null> {
    const found = await translatingFaults(() => this.client.send(new GetCommand({ TableName: this.table, Key: { userId }, ConsistentRead: true })));
    const item = found.Item as Item | undefined;
    return item === undefined ? null : toUser(item);
  }

  async add(user: User, nowS: number): Promise<void> {
    const actions = [this.put(userItem(user), "attribute_not_exists(#userId)", { "#userId": "userId" }), this.putGuardIfFree(user, nowS)];
    try {
      await this.transact(actions, new Map([[1, new EmailTaken(TAKEN)]]));
    } catch (error) {
      if ((error instanceof EmailTaken || error instanceof ConcurrentChange) && sameUser(await this.stored(user.userId), user)) {
        return; // a retried transaction whose first attempt had landed
      }
      throw error;
    }
  }

  async get(userId: string, nowS: number): Promise<User> {
    const found = await translatingFaults(() => this.client.send(new GetCommand({ TableName: this.table, Key: { userId }, ConsistentRead: true })));
    const item = found.Item as Item | undefined;
    if (item === undefined || item.entity !== USER_ENTITY || !isLive(toUser(item), nowS)) throw new NotFound(NO_SUCH_USER);
    return toUser(item);
  }

  async replace(current: User, next: User, nowS: number): Promise<void> {
    const deletes: Action[] = [];
    const puts: Action[] = [this.put(userItem(next), ...this.unchanged(current, nowS))];
    if (next.email !== current.email) {
      deletes.push(this.delete(guardKey(current.email), ...this.owned(current)));
      puts.push(this.putGuardIfFree(next, nowS));
    } else if (next.expiresAt !== current.expiresAt) {
      puts.push(this.put(guardItem(next), ...this.owned(current)));
    }
    // DynamoDB is sent the deletes first, then the puts, as pynamodb sends them.
    await this.transact([...deletes, ...puts], new Map([[2, new EmailTaken(TAKEN)]]));
  }

  async remove(current: User, nowS: number): Promise<void> {
    await this.transact(
      [this.delete({ userId: current.userId }, ...this.unchanged(current, nowS)), this.delete(guardKey(current.email), ...this.owned(current))],
      new Map(),
    );
  }

  async find(query: UserQuery, limit: number, after: Position | null, nowS: number): Promise<[User[], Position | null]> {
    if (query.email !== null) {
      // The email listing is always a single page.
      if (after !== null) throw new InvalidCursor("The cursor belongs to a query with other filters.");
      return [(await this.withEmail(query, nowS)).slice(0, limit), null];
    }
    return translatingFaults(() => listNewestFirst(this.client, this.table, query.department, limit, after, nowS));
  }

  /** The live user holding the email, through its guard item: two reads, however many
   * expired users once had it. */
  private async withEmail(query: UserQuery, nowS: number): Promise<User[]> {
    const email = String(query.email);
    const found = await translatingFaults(() => this.client.send(new GetCommand({ TableName: this.table, Key: guardKey(email), ConsistentRead: true })));
    const guard = found.Item as Item | undefined;
    if (guard === undefined || typeof guard.ownerId !== "string") return [];
    if (guard.ttl !== undefined && guard.ttl !== null && Number(guard.ttl) <= nowS) return [];
    const owner = await this.stored(guard.ownerId);
    if (owner === null || owner.email !== email || !isLive(owner, nowS)) return [];
    if (query.department !== null && owner.department !== query.department) return [];
    return [owner];
  }
}
