// Events as API Gateway (HTTP API, payload 2.0) sends them, with the claims its JWT
// authorizer verified; and the users function built on the in-memory DynamoDB.
import validators from "../src/generated/users.validators.cjs";
import { ROUTES } from "../src/generated/users.routes.js";
import type { GatewayEvent, GatewayResult } from "../src/core/http.js";
import { lambdaHandler } from "../src/core/lambda.js";
import { createLogger } from "../src/core/observability.js";
import { settings, type Settings } from "../src/core/settings.js";
import { buildUsersApp, type UsersParts } from "../src/users/function.js";
import { FakeDocumentClient } from "./fakes/document-client.js";

export const ADMIN = "admin-7f3a";
export const ALICE = "alice-2c9e";
export const CURSOR_KEY = Buffer.from("tests only: a cursor key of 32 bytes");

export function claims(subject: string, admin = subject === ADMIN): Record<string, string> {
  return { sub: subject, iss: "https://issuer.example.test", aud: "tests-api", ...(admin ? { "cognito:groups": "[admin]" } : {}) };
}

export function httpEvent({
  method = "GET",
  path = "/users",
  query = "",
  headers = {},
  body = undefined as unknown,
  caller = ADMIN as string | null,
  requestId = "apigw-request-1",
} = {}): GatewayEvent {
  const raw = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const all: Record<string, string> = { host: "api.example.com" };
  if (caller !== null) all.authorization = "Bearer unsigned.token.verified-by-the-gateway";
  if (raw !== null) Object.assign(all, { "content-type": "application/json", "content-length": String(raw.length) });
  for (const [name, value] of Object.entries(headers as Record<string, string | undefined>)) {
    if (value === undefined) delete all[name.toLowerCase()];
    else all[name.toLowerCase()] = value;
  }
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: query,
    headers: all,
    requestContext: {
      http: { method, path },
      requestId,
      ...(caller === null ? {} : { authorizer: { jwt: { claims: claims(caller), scopes: null } } }),
    },
    body: raw === null ? null : raw.toString("base64"),
    isBase64Encoded: raw !== null,
  };
}

export interface UsersFunction {
  invoke(event: GatewayEvent): Promise<GatewayResult>;
  client: FakeDocumentClient;
  lines: Record<string, unknown>[];
}

/** The users function on the in-memory DynamoDB, its log lines kept. */
export function usersFunction(overrides: Partial<Settings> = {}, parts: UsersParts = {}): UsersFunction {
  const client = new FakeDocumentClient();
  const lines: Record<string, unknown>[] = [];
  const config = settings({ cursorKeys: [CURSOR_KEY], ...overrides });
  const app = buildUsersApp(config, { routes: ROUTES, validators }, { client, log: createLogger("INFO", (line) => lines.push(JSON.parse(line))), ...parts });
  const handler = lambdaHandler(app, { warmUps: [{ method: "GET", path: "/health", status: 200 }] });
  return { invoke: async (event) => (await handler(event)) as GatewayResult, client, lines };
}

export function json(result: GatewayResult): any {
  return JSON.parse(result.body);
}
