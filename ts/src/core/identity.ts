// Who is calling on Lambda (api/web/identity.py): API Gateway's JWT authorizer has verified
// the token; the claims it passed on are read, never verified again, and a request without
// them fails closed.
import { Unauthenticated } from "./errors.js";
import type { HttpRequest } from "./http.js";
import type { Logger } from "./observability.js";

export const NO_TOKEN = "The request needs a bearer token: send Authorization: Bearer <token>.";

/** The claims of a verified token for `request`, from its bearer value; Unauthenticated if
 * there are none to be had. */
export type Authenticator = (token: string, request: HttpRequest, log: Logger) => Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The claims API Gateway's authorizer verified: an HTTP API's JWT authorizer's
 * (requestContext.authorizer.jwt.claims), or a REST API's Cognito authorizer's
 * (requestContext.authorizer.claims). */
export const gatewayClaims: Authenticator = (_token, request, log) => {
  const context = request.event.requestContext;
  const authorizer = isRecord(context) && isRecord(context.authorizer) ? context.authorizer : {};
  const jwt = authorizer.jwt;
  const claims = (isRecord(jwt) ? jwt : authorizer).claims;
  if (!isRecord(claims)) {
    log.error("no_authorizer_claims");
    throw new Unauthenticated("The token was not verified by the API's authorizer.");
  }
  return claims;
};

/** The bearer token of the Authorization header, as Connexion's security layer reads it;
 * null when there is none. */
export function bearerToken(request: HttpRequest): string | null {
  const header = request.headers.get("authorization");
  if (header === undefined) return null;
  const parts = header.split(/\s+/).filter(Boolean);
  const [scheme, token] = [parts[0] ?? "", parts.slice(1).join(" ")];
  if (scheme.toLowerCase() !== "bearer" || !token) return null;
  return token;
}
