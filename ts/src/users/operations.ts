// The users operations: each unpacks its arguments, makes one service call and shapes the
// answer (api/users/operations.py).
import { idempotencyKey, replayable, type IdempotentRequests, type Outcome } from "../core/idempotency.js";
import type { Operation, OperationRequest } from "../core/operations.js";
import type { Principal } from "../core/principal.js";
import { formatMillis, formatSeconds } from "../core/timestamps.js";
import { etagOfUser, type User, type UserChanges, type UserService } from "./service.js";

export type UsersOperationId = "listUsers" | "createUser" | "getUser" | "updateUser" | "deleteUser";

const JSON_TYPE = { "Content-Type": "application/json" };

export function userJson(user: User): Record<string, unknown> {
  const body: Record<string, unknown> = {
    userId: user.userId,
    email: user.email,
    name: user.name,
    createdAt: formatMillis(user.createdAt),
    updatedAt: formatMillis(user.updatedAt),
  };
  if (user.department !== null) body.department = user.department;
  if (user.subject !== null) body.subject = user.subject;
  if (user.expiresAt !== null) body.expiresAt = formatSeconds(user.expiresAt);
  return body;
}

function caller(request: OperationRequest): Principal {
  if (request.principal === null) throw new Error("a secured operation without a caller");
  return request.principal;
}

const header = (request: OperationRequest, name: string): string | null => request.headers.get(name) ?? null;

/** The users operations of openapi.yaml, by operationId. */
export function userOperations(users: UserService, idempotency: IdempotentRequests): Record<UsersOperationId, Operation> {
  return {
    async createUser(request) {
      const body = request.body as { email: string; name: string; department?: string; expiresAt?: string; subject?: string };
      const created = async (): Promise<Outcome> => {
        const user = await users.create(caller(request), body.email, body.name, {
          department: body.department ?? null,
          expiresAt: body.expiresAt ?? null,
          subject: body.subject ?? null,
        });
        return { body: userJson(user), status: 201, headers: { ...JSON_TYPE, Location: `/users/${user.userId}`, ETag: etagOfUser(user) } };
      };
      const key = idempotencyKey(request.headers.get("idempotency-key"));
      const [outcome, replayed] = await idempotency.run("createUser", caller(request), key, body, created);
      if (replayed) await users.confirmReplay(caller(request), String(outcome.body.userId));
      return replayable(outcome, replayed);
    },

    async listUsers(request) {
      const { limit, cursor, email, department } = request.query;
      const page = await users.list(
        caller(request),
        { email: (email as string | undefined) ?? null, department: (department as string | undefined) ?? null },
        (limit as number | undefined) ?? 20,
        (cursor as string | undefined) ?? null,
      );
      return { status: 200, body: { items: page.items.map(userJson), nextCursor: page.nextCursor }, headers: JSON_TYPE };
    },

    async getUser(request) {
      const user = await users.get(caller(request), request.path.userId as string);
      return { status: 200, body: userJson(user), headers: { ...JSON_TYPE, ETag: etagOfUser(user) } };
    },

    async updateUser(request) {
      const user = await users.update(
        caller(request),
        request.path.userId as string,
        request.body as UserChanges,
        header(request, "if-match"),
        header(request, "if-none-match"),
      );
      return { status: 200, body: userJson(user), headers: { ...JSON_TYPE, ETag: etagOfUser(user) } };
    },

    async deleteUser(request) {
      await users.delete(caller(request), request.path.userId as string, header(request, "if-match"), header(request, "if-none-match"));
      return { status: 204 };
    },
  };
}
