// The users listing (contract/DATA.md, "Listings and cursors"): which index a listing reads,
// and the position its cursor holds. The one module that knows how users are listed.
import { QueryCommand } from "@aws-sdk/lib-dynamodb";

import type { Position } from "../core/cursors.js";
import { newestFirst, type DocumentSender } from "../core/dynamo.js";
import { boundedPage } from "../core/paging.js";
import { toUser, USER_ENTITY } from "./items.js";
import type { User } from "./service.js";

export const CREATED_AT_INDEX = "createdAt-index";
export const DEPARTMENT_INDEX = "department-index";

/** A page of the live users, newest first, of all users or of one department. */
export function listNewestFirst(
  client: DocumentSender,
  table: string,
  department: string | null,
  limit: number,
  after: Position | null,
  nowS: number,
): Promise<[User[], Position | null]> {
  const [index, partition]: [string, [string, string]] =
    department === null ? [CREATED_AT_INDEX, ["entity", USER_ENTITY]] : [DEPARTMENT_INDEX, ["department", department]];
  const read = newestFirst({
    client,
    query: (input) => new QueryCommand(input as ConstructorParameters<typeof QueryCommand>[0]),
    table,
    index,
    partition,
    idName: "userId",
    filter: { expression: "(attribute_not_exists(#ttl) OR #ttl > :now)", names: { "#ttl": "ttl" }, values: { ":now": nowS } },
    after,
    convert: toUser,
  });
  return boundedPage(read, limit, (user) => ({ userId: user.userId, createdAt: user.createdAt }));
}
