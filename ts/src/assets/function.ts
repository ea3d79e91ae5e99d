// The assets function (its tag: assets): its operations over the assets table and the
// bucket, and the S3 notifications of uploads, in the app the core builds. The Lambda entry
// point and the tests build it here and nowhere else.
import { S3Client } from "@aws-sdk/client-s3";
import type { ValidateFunction } from "ajv";

import type { App } from "../core/app.js";
import { documentClient, MAX_ATTEMPTS } from "../core/clients.js";
import type { DocumentSender } from "../core/dynamo.js";
import { cursorCodec, rateLimit } from "../core/from-settings.js";
import { buildApp, type FunctionParts } from "../core/function.js";
import { IdempotentRequests } from "../core/idempotency.js";
import type { EventHandler } from "../core/lambda.js";
import type { RouteSpec } from "../core/routes.js";
import type { Settings } from "../core/settings.js";
import type { OperationId } from "../generated/assets.routes.js";
import { S3ObjectStorage } from "./bucket.js";
import { assetOperations } from "./operations.js";
import { handleS3Event } from "./s3-events.js";
import { AssetService, type Clock, type ObjectStorage } from "./service.js";
import { DynamoAssetRepository } from "./storage.js";

const CONNECT_TIMEOUT_MS = 1000;

/** The S3 client of `settings`, as the DynamoDB one: its region and endpoint (path-style
 * addressing there, as an emulator on a host and port needs), the read timeout and the
 * standard retry mode. */
export function s3Client(settings: Settings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.awsEndpointUrl ? { endpoint: settings.awsEndpointUrl, forcePathStyle: true } : {}),
    maxAttempts: MAX_ATTEMPTS,
    retryMode: "standard",
    requestHandler: { requestTimeout: settings.awsReadTimeoutSeconds * 1000, connectionTimeout: CONNECT_TIMEOUT_MS },
  });
}

export interface AssetsParts {
  /** The document client every table is read through; one per process by default. */
  client?: DocumentSender;
  /** The bucket; S3 through the settings' client by default. */
  storage?: ObjectStorage;
  clock?: Clock;
  wallClock?: () => number;
  newId?: () => string;
  log?: FunctionParts<OperationId>["log"];
  authenticate?: FunctionParts<OperationId>["authenticate"];
}

export interface AssetsFunction {
  app: App;
  /** The bucket's ObjectCreated notifications of uploads under `uploads/`. */
  s3Events: EventHandler;
}

export function buildAssets(
  settings: Settings,
  spec: { routes: readonly RouteSpec<OperationId>[]; validators: Record<string, ValidateFunction> },
  parts: AssetsParts = {},
): AssetsFunction {
  const client = parts.client ?? documentClient(settings);
  const storage = parts.storage ?? new S3ObjectStorage(s3Client(settings), settings.buckets.assets);
  const assets = new AssetService(new DynamoAssetRepository(client, settings.tables.assets), storage, cursorCodec(settings), {
    uploadExpiresSeconds: settings.uploadUrlExpiresSeconds,
    ...(parts.clock ? { clock: parts.clock } : {}),
    ...(parts.newId ? { newId: parts.newId } : {}),
  });
  const idempotency = new IdempotentRequests(client, settings.tables.idempotency, parts.wallClock);
  const app = buildApp({
    ...spec,
    operations: assetOperations(assets, idempotency),
    settings,
    rateLimit: rateLimit(settings, client),
    ...(parts.log ? { log: parts.log } : {}),
    ...(parts.authenticate ? { authenticate: parts.authenticate } : {}),
    ...(parts.wallClock ? { clock: parts.wallClock } : {}),
  });
  return { app, s3Events: (event) => handleS3Event(assets, event) };
}
