// The users function: its operations over the users table, in the app the core builds.
import type { ValidateFunction } from "ajv";

import type { App } from "../core/app.js";
import { buildApp, type FunctionParts } from "../core/function.js";
import { getHealth } from "../core/health.js";
import type { Operation, Operations } from "../core/operations.js";
import type { RouteSpec } from "../core/routes.js";
import type { Settings } from "../core/settings.js";
import type { OperationId } from "../generated/users.routes.js";

const notYet: Operation = () => {
  throw new Error("not implemented yet");
};

export function usersOperations(): Operations<OperationId> {
  return { getHealth, listUsers: notYet, createUser: notYet, getUser: notYet, updateUser: notYet, deleteUser: notYet };
}

export function buildUsersApp(
  settings: Settings,
  spec: { routes: readonly RouteSpec<OperationId>[]; validators: Record<string, ValidateFunction> },
  parts: Partial<FunctionParts<OperationId>> = {},
): App {
  return buildApp({ ...spec, operations: usersOperations(), settings, ...parts });
}
