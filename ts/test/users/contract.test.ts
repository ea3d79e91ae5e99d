// The users function's stored shapes against the golden vectors: emails, items, writes,
// creations, pages and refused cursors, through the real service and storage into the
// in-memory DynamoDB.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";

import { CursorCodec } from "../../src/core/cursors.js";
import { DomainError } from "../../src/core/errors.js";
import { Principal } from "../../src/core/principal.js";
import { normalizeEmail } from "../../src/users/emails.js";
import { guardItem, listShard, userItem } from "../../src/users/items.js";
import { UserService, type User } from "../../src/users/service.js";
import { DynamoUserRepository } from "../../src/users/storage.js";
import { FakeDocumentClient } from "../fakes/document-client.js";
import { asVectorWrites, dynamoJson, vectors } from "../vectors.js";

/** A vector's user: the API's names, the expiry as `expiresAt`, absent values absent. */
function user(given: Record<string, any>): User {
  return {
    userId: given.userId,
    email: given.email,
    name: given.name,
    department: given.department ?? null,
    createdAt: given.createdAt,
    updatedAt: given.updatedAt,
    expiresAt: given.expiresAt ?? null,
    version: given.version,
    subject: given.subject ?? null,
  };
}

function seeded(stored: Record<string, any>[] = []): FakeDocumentClient {
  const client = new FakeDocumentClient();
  client.seed("Users", stored.flatMap((given) => [userItem(user(given)), guardItem(user(given))]));
  return client;
}

async function outcome(run: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await run();
    return {};
  } catch (error) {
    if (error instanceof DomainError) return { error: error.constructor.name };
    throw error;
  }
}

const table = (client: FakeDocumentClient): unknown[] => client.items("Users").map(dynamoJson);

describe("the email_normalization vectors", () => {
  for (const vector of vectors("email_normalization")) {
    it(vector.name, async () => {
      let normalized = "";
      const refused = await outcome(async () => {
        normalized = normalizeEmail(vector.input.email);
      });
      assert.deepEqual(refused.error ? refused : { email: normalized }, vector.output);
      if (!refused.error) assert.equal(normalizeEmail(normalized), normalized, "normalised once");
    });
  }
});

describe("the list_shards vectors", () => {
  for (const vector of vectors("list_shards")) {
    it(vector.name, () => {
      const first4Bytes = createHash("sha256").update(vector.input.userId, "utf8").digest().subarray(0, 4).toString("hex");
      assert.deepEqual({ first4Bytes, listShard: listShard(vector.input.userId) }, vector.output);
    });
  }
});

describe("the user_items vectors", () => {
  for (const vector of vectors("user_items")) {
    it(vector.name, async () => {
      const client = seeded();
      await new DynamoUserRepository(client, "Users").add(user(vector.input.user), vector.input.now);
      assert.deepEqual(table(client), vector.output.table);
    });
  }
});

describe("the user_writes vectors", () => {
  for (const vector of vectors("user_writes")) {
    it(vector.name, async () => {
      const { now, stored, operation } = vector.input;
      const client = seeded(stored);
      const repository = new DynamoUserRepository(client, "Users");
      const refused = await outcome(async () => {
        if (operation === "add") await repository.add(user(vector.input.user), now);
        if (operation === "replace") await repository.replace(user(vector.input.current), user(vector.input.new), now);
        if (operation === "remove") await repository.remove(user(vector.input.current), now);
      });
      const writes = asVectorWrites(client.writes());
      assert.deepEqual({ ...refused, writes, table: table(client) }, vector.output);
    });
  }
});

describe("the user_creates vectors", () => {
  for (const vector of vectors("user_creates")) {
    it(vector.name, async () => {
      const { now, userId, body } = vector.input;
      const client = seeded();
      const service = new UserService(new DynamoUserRepository(client, "Users"), () => now, { newId: () => userId });
      let etag = "";
      const refused = await outcome(async () => {
        const created = await service.create(new Principal("admin", true), body.email, body.name, body);
        etag = `"${created.version}"`;
      });
      assert.deepEqual({ ...refused, ...(etag ? { etag } : {}), table: table(client) }, vector.output);
    });
  }
});

function pageService(input: Record<string, any>): [UserService, Principal] {
  const client = seeded();
  const repository = new DynamoUserRepository(client, "Users");
  const stored = [...(input.stored ?? [])];
  // The `expiredAbove` users (contract/DATA.md, "Reading the vectors"): n = 1, 2, ... newer
  // than every stored one, ids in the list shard of the newest stored one, expired at `now`.
  const newest = stored.reduce((a: { createdAt: number }, b: { createdAt: number }) => (b.createdAt > a.createdAt ? b : a), stored[0]);
  let k = 0;
  for (let n = 1; n <= (input.expiredAbove ?? 0); n++) {
    let userId: string;
    do userId = `00000000-0000-4000-8000-${String(++k).padStart(12, "0")}`;
    while (listShard(userId) !== listShard(newest.userId));
    stored.push({
      userId,
      email: `expired-${n}@example.com`,
      name: "Expired",
      createdAt: newest.createdAt + n,
      updatedAt: newest.createdAt + n,
      expiresAt: input.now,
      version: 1,
    });
  }
  client.seed("Users", stored.flatMap((given) => [userItem(user(given)), guardItem(user(given))]));
  const codec = new CursorCodec([Buffer.from(input.cursorKey, "utf8")]);
  return [new UserService(repository, () => input.now, { cursors: codec }), new Principal(input.caller, true)];
}

describe("the users pages vectors", () => {
  for (const vector of vectors("pages").filter((v) => v.input.resource === "users")) {
    it(vector.name, async () => {
      const { query, limit, cursor } = vector.input;
      const [service, caller] = pageService(vector.input);
      const page = await service.list(caller, { email: query.email ?? null, department: query.department ?? null }, limit, cursor ?? null);
      assert.deepEqual({ ids: page.items.map((u) => u.userId), nextCursor: page.nextCursor }, vector.output);
    });
  }
});

describe("the users cursor_rejections vectors", () => {
  for (const vector of vectors("cursor_rejections").filter((v) => v.input.resource === "users")) {
    it(vector.name, async () => {
      const { query, limit, cursor } = vector.input;
      const [service, caller] = pageService(vector.input);
      const refused = await outcome(() => service.list(caller, { email: query.email ?? null, department: query.department ?? null }, limit, cursor));
      assert.deepEqual(refused, vector.output);
    });
  }
});
