// The users function (its tags: users, operations): its operations over the users table, in
// the app the core builds. The Lambda entry point, the tests and the local server build it
// here and nowhere else.
import type { ValidateFunction } from "ajv";

import type { App } from "../core/app.js";
import { documentClient } from "../core/clients.js";
import type { DocumentSender } from "../core/dynamo.js";
import { cursorCodec, rateLimit } from "../core/from-settings.js";
import { buildApp, type FunctionParts } from "../core/function.js";
import { getHealth } from "../core/health.js";
import { IdempotentRequests } from "../core/idempotency.js";
import type { Operations } from "../core/operations.js";
import type { RouteSpec } from "../core/routes.js";
import type { Settings } from "../core/settings.js";
import type { OperationId } from "../generated/users.routes.js";
import { userOperations } from "./operations.js";
import { UserService, type Clock } from "./service.js";
import { DynamoUserRepository } from "./storage.js";

export interface UsersParts {
  /** The document client every table is read through; one per process by default. */
  client?: DocumentSender;
  clock?: Clock;
  wallClock?: () => number;
  newId?: () => string;
  log?: FunctionParts<OperationId>["log"];
  authenticate?: FunctionParts<OperationId>["authenticate"];
}

export function buildUsersApp(
  settings: Settings,
  spec: { routes: readonly RouteSpec<OperationId>[]; validators: Record<string, ValidateFunction> },
  parts: UsersParts = {},
): App {
  const client = parts.client ?? documentClient(settings);
  const users = new UserService(new DynamoUserRepository(client, settings.tables.users), parts.clock, {
    cursors: cursorCodec(settings),
    ...(parts.newId ? { newId: parts.newId } : {}),
  });
  const idempotency = new IdempotentRequests(client, settings.tables.idempotency, parts.wallClock);
  const operations: Operations<OperationId> = { getHealth, ...userOperations(users, idempotency) };
  return buildApp({
    ...spec,
    operations,
    settings,
    rateLimit: rateLimit(settings, client),
    ...(parts.log ? { log: parts.log } : {}),
    ...(parts.authenticate ? { authenticate: parts.authenticate } : {}),
    ...(parts.wallClock ? { clock: parts.wallClock } : {}),
  });
}
