// How a function is made from the spec's routes and its operations: the one builder every
// entry point, test and local server uses.
import type { ValidateFunction } from "ajv";

import { createApp, type App } from "./app.js";
import type { Authenticator } from "./identity.js";
import { createLogger, type Logger } from "./observability.js";
import type { Operations } from "./operations.js";
import type { RateLimit } from "./rate-limits.js";
import type { RouteSpec } from "./routes.js";
import type { Settings } from "./settings.js";
import { SPEC_JSON, SPEC_YAML } from "../generated/spec.js";

export interface FunctionParts<Id extends string> {
  routes: readonly RouteSpec<Id>[];
  validators: Record<string, ValidateFunction>;
  operations: Operations<Id>;
  settings: Settings;
  rateLimit?: RateLimit | null;
  authenticate?: Authenticator;
  log?: Logger & { clear(): void };
  clock?: () => number;
}

export function buildApp<Id extends string>(parts: FunctionParts<Id>): App {
  return createApp({ ...parts, log: parts.log ?? createLogger(parts.settings.logLevel), documents: { specJson: SPEC_JSON, yaml: SPEC_YAML } });
}
