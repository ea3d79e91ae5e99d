// The users listing (contract/DATA.md, "Listings and cursors"): which index a listing reads,
// and the position its cursor holds. The one module that knows how users are listed.
import { QueryCommand } from "@aws-sdk/lib-dynamodb";

import type { Position } from "../core/cursors.js";
import { newestFirst, type DocumentSender } from "../core/dynamo.js";
import { boundedPage, mergedListing, type Batch } from "../core/paging.js";
import { LIST_SHARDS, toUser } from "./items.js";
import type { User } from "./service.js";

export const LIST_SHARD_INDEX = "listShard-index";
export const DEPARTMENT_INDEX = "department-index";

const positionOf = (user: User): Position => ({ userId: user.userId, createdAt: user.createdAt });

/** A page of the live users, newest first, of all users (every list shard merged) or of one
 * department. */
export function listNewestFirst(
  client: DocumentSender,
  table: string,
  department: string | null,
  limit: number,
  after: Position | null,
  nowS: number,
): Promise<[User[], Position | null]> {
  const read = (index: string, partition: [string, string], start: Position | null): ((n: number) => Promise<Batch<User>>) =>
    newestFirst({
      client,
      query: (input) => new QueryCommand(input as ConstructorParameters<typeof QueryCommand>[0]),
      table,
      index,
      partition,
      idName: "userId",
      filter: { expression: "(attribute_not_exists(#ttl) OR #ttl > :now)", names: { "#ttl": "ttl" }, values: { ":now": nowS } },
      after: start,
      convert: toUser,
    });
  if (department !== null) return boundedPage(read(DEPARTMENT_INDEX, ["department", department], after), limit, positionOf);
  return mergedListing(after, LIST_SHARDS, (shard, start) => read(LIST_SHARD_INDEX, ["listShard", String(shard)], start), limit, positionOf, "userId");
}
