// The assets function's Lambda entry point: the app built once, in the init phase; it also
// receives the bucket's notifications and the scheduled warm-up ping.
import validators from "./generated/assets.validators.cjs";
import { ROUTES } from "./generated/assets.routes.js";
import { buildAssets } from "./assets/function.js";
import { lambdaHandler } from "./core/lambda.js";
import { settingsFromEnv } from "./core/settings.js";

const { app, s3Events } = buildAssets(
  settingsFromEnv(process.env, ["ASSETS_TABLE", "IDEMPOTENCY_TABLE", "RATE_LIMITS_TABLE", "ASSETS_BUCKET", "CURSOR_KEY"]),
  { routes: ROUTES, validators },
);

export const handler = lambdaHandler(app, { warmUps: [{ method: "POST", path: "/assets", body: {}, status: 401 }], s3Events });
