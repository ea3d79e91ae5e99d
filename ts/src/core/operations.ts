// What an operation of the spec is to the core: a function of the validated request, giving
// back a status, a body and headers. Each function's entry point maps every operationId of
// its tags to one (the build's type check fails when one is missing).
import type { Logger } from "./observability.js";
import type { Principal } from "./principal.js";

export interface OperationRequest {
  /** The authenticated caller; null for an operation without security (getHealth). */
  principal: Principal | null;
  /** The path parameters, validated. */
  path: Record<string, string>;
  /** The query parameters the spec declares, validated and converted to their types. */
  query: Record<string, string | number | boolean | undefined>;
  /** Request headers, names lower-case. */
  headers: ReadonlyMap<string, string>;
  /** The JSON body, validated; undefined without one. */
  body: unknown;
  requestId: string;
  log: Logger;
}

export interface OperationResult {
  status: number;
  /** A JSON body (written as the Python functions write it); none when undefined. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Operation = (request: OperationRequest) => Promise<OperationResult> | OperationResult;

export type Operations<Id extends string> = { readonly [K in Id]: Operation };

/** The response of an operation that answers 200 with `body` and `headers`. */
export function ok(body: unknown, headers: Record<string, string> = {}): OperationResult {
  return { status: 200, body, headers };
}
