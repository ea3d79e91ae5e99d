// The one place where any error becomes application/problem+json (RFC 9457), as
// api/web/problems.py writes it.
import { DomainError, ServiceUnavailable } from "./errors.js";
import type { HttpResponse } from "./http.js";
import { bounded } from "./messages.js";
import type { Logger } from "./observability.js";
import { pyDumps } from "./python-json.js";

export const PROBLEM_JSON = "application/problem+json";
export const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** The problem+json body of a response with `status`. */
export function problemDocument(status: number, detail: string, requestId: string): string {
  return pyDumps({ type: "about:blank", title: TITLES[status] ?? "Error", status, detail: bounded(detail), requestId });
}

/** An RFC 9457 problem response. */
export function problem(status: number, detail: string, requestId: string, headers: Record<string, string> = {}): HttpResponse {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, headers: { ...lower, "content-type": PROBLEM_JSON }, body: problemDocument(status, detail, requestId) };
}

/** The problem answering `error`: a domain error's own, or a 500 logged with its type. */
export function problemFor(error: unknown, requestId: string, log: Logger): HttpResponse {
  if (error instanceof DomainError) {
    if (error instanceof ServiceUnavailable) {
      log.warning("aws_unavailable", { error_type: error.errorType, error_code: error.errorCode });
    }
    return problem(error.status, error.detail, requestId, error.headers);
  }
  const name = error instanceof Error ? error.constructor.name : typeof error;
  log.error("unhandled_error", { error_type: name, exception: error instanceof Error ? (error.stack ?? String(error)) : String(error) });
  return problem(500, "The server could not complete the request.", requestId);
}
