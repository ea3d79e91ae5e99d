// The request pipeline of a function, in the order of the Python app's layers: request id and
// log line outermost; then the header and body limits, the exact paths and the router (404,
// 405); the caller (bearer token, authorizer claims); its rate limit; the validation of the
// parameters and the body; the operation; a conditional GET's 304.
import type { ValidateFunction } from "ajv";

import { documentServer } from "./documents.js";
import { ifNoneMatchAllows } from "./etags.js";
import { MethodNotAllowed, NotFound, ServiceUnavailable, Unauthenticated } from "./errors.js";
import type { HttpRequest, HttpResponse } from "./http.js";
import { bearerToken, gatewayClaims, NO_TOKEN, type Authenticator } from "./identity.js";
import { checkLimits } from "./limits.js";
import { embeddedMetrics, type Logger } from "./observability.js";
import type { Operations } from "./operations.js";
import { principalFromClaims, type Principal } from "./principal.js";
import { problemFor } from "./problems.js";
import { pyDumps } from "./python-json.js";
import type { RateLimit } from "./rate-limits.js";
import { routeMatcher, type RouteSpec } from "./routes.js";
import type { Settings } from "./settings.js";
import { validateRequest } from "./validation.js";

export interface AppOptions<Id extends string> {
  routes: readonly RouteSpec<Id>[];
  validators: Record<string, ValidateFunction>;
  operations: Operations<Id>;
  settings: Settings;
  log: Logger & { clear(): void };
  /** How a bearer token becomes claims: API Gateway's verified claims by default. */
  authenticate?: Authenticator;
  rateLimit?: RateLimit | null;
  /** The wall clock in epoch seconds, for the rate limit. */
  clock?: () => number;
  /** The authored spec and its YAML text, served whole at /openapi.json, /openapi.yaml, /docs. */
  documents: { specJson: string; yaml: string };
}

export type App = (request: HttpRequest, options?: { recorded?: boolean }) => Promise<HttpResponse>;

// What a 304 keeps of the 200 it stands for (RFC 9110 section 15.4.5).
const KEPT_BY_304 = new Set(["etag", "cache-control", "vary", "expires", "date", "content-location"]);

export function createApp<Id extends string>(options: AppOptions<Id>): App {
  const { routes, validators, operations, settings, log } = options;
  const authenticate = options.authenticate ?? gatewayClaims;
  const clock = options.clock ?? (() => Date.now() / 1000);
  const match = routeMatcher(routes);
  const document = documentServer(options.documents.specJson, options.documents.yaml);
  const routeOf = new Map(routes.map((route) => [route.operationId as string, route.path]));
  let cold = true;

  async function serve(request: HttpRequest, routed: { operationId: string | null }): Promise<HttpResponse> {
    try {
      const found = match(request.method, request.path);
      const preflight = request.method === "OPTIONS" && request.headers.has("origin") && request.headers.has("access-control-request-method");
      // A CORS preflight on a path of the API, before anything else: API Gateway adds the
      // headers its configuration allows.
      if (preflight && found.kind !== "none") return { status: 204, headers: {} };
      checkLimits(request, settings.maxBodyBytes);
      if (request.path.length > 1 && request.path.endsWith("/")) throw new NotFound("There is no resource at this path.");
      if (found.kind === "none") throw new NotFound("There is no resource at this path.");
      if (found.kind === "method") {
        throw new MethodNotAllowed("This resource does not support this method.", { headers: { Allow: found.allow.join(", ") } });
      }
      const { route, pathParameters } = found;
      routed.operationId = route.operationId;
      let principal: Principal | null = null;
      if (route.secured) {
        const token = bearerToken(request);
        if (token === null) throw new Unauthenticated(NO_TOKEN, { tokenSent: false });
        principal = principalFromClaims(authenticate(token, request, log), settings);
        log.bind({ caller: principal.subject });
        if (options.rateLimit) {
          try {
            await options.rateLimit.admit(principal.subject, clock());
          } catch (error) {
            if (!(error instanceof ServiceUnavailable)) throw error;
            log.warning("rate_limit_unavailable", { error_type: error.errorType });
          }
        }
      }
      const validated = validateRequest(route, validators, request, pathParameters);
      const result = await operations[route.operationId]({ principal, ...validated, headers: request.headers, requestId: request.requestId, log });
      const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const response: HttpResponse = { status: result.status, headers };
      if (result.body !== undefined) {
        response.headers["content-type"] ??= "application/json";
        response.body = pyDumps(result.body) + "\n";
      }
      return conditional(request, response);
    } catch (error) {
      return problemFor(error, request.requestId, log);
    }
  }

  return async (request, { recorded = true } = {}) => {
    log.clear();
    log.bind({ request_id: request.requestId });
    const coldStart = cold;
    if (recorded) cold = false;
    const started = performance.now();
    const routed = { operationId: null as string | null };
    const response = document(request) ?? (await serve(request, routed));
    response.headers["x-request-id"] = request.requestId;
    response.headers["x-content-type-options"] = "nosniff";
    // Responses hold personal data or presigned URLs: no cache keeps them.
    response.headers["cache-control"] ??= "no-store";
    if (recorded) {
      const operation = routed.operationId;
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      log.info("request", {
        method: request.method,
        route: operation ? (routeOf.get(operation) ?? null) : null,
        operation,
        status: response.status,
        duration_ms: durationMs,
        cold_start: coldStart,
        ...(operation ? embeddedMetrics(settings.metricsNamespace, operation, response.status, durationMs) : {}),
      });
    }
    return response;
  };
}

/** A 200 to a GET or HEAD whose If-None-Match names its ETag becomes 304 without a body. */
function conditional(request: HttpRequest, response: HttpResponse): HttpResponse {
  const header = request.headers.get("if-none-match");
  if (header === undefined || !["GET", "HEAD"].includes(request.method) || response.status !== 200) return response;
  const etag = response.headers.etag;
  if (etag === undefined || ifNoneMatchAllows(header, etag)) return response;
  return { status: 304, headers: Object.fromEntries(Object.entries(response.headers).filter(([k]) => KEPT_BY_304.has(k))) };
}
