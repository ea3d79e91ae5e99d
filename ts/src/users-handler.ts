// The users function's Lambda entry point: the app built once, in the init phase.
import validators from "./generated/users.validators.cjs";
import { ROUTES } from "./generated/users.routes.js";
import { lambdaHandler } from "./core/lambda.js";
import { buildUsersApp } from "./users/function.js";
import { settingsFromEnv } from "./core/settings.js";

export const handler = lambdaHandler(
  buildUsersApp(settingsFromEnv(process.env, ["USERS_TABLE", "IDEMPOTENCY_TABLE", "RATE_LIMITS_TABLE", "CURSOR_KEY"]), { routes: ROUTES, validators }),
  // What the function sends itself during init: no AWS; the POST carries no claims, so it
  // is refused (401) before the rate limit would count it.
  {
    warmUps: [
      { method: "GET", path: "/health", status: 200 },
      { method: "POST", path: "/users", body: {}, status: 401 },
    ],
  },
);
