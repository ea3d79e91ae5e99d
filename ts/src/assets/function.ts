// The assets function: its operations over the assets table and the bucket, and the S3
// notifications of uploads, in the app the core builds.
import type { ValidateFunction } from "ajv";

import type { App } from "../core/app.js";
import { buildApp, type FunctionParts } from "../core/function.js";
import type { EventHandler } from "../core/lambda.js";
import type { Operation, Operations } from "../core/operations.js";
import type { RouteSpec } from "../core/routes.js";
import type { Settings } from "../core/settings.js";
import type { OperationId } from "../generated/assets.routes.js";

const notYet: Operation = () => {
  throw new Error("not implemented yet");
};

export function assetsOperations(): Operations<OperationId> {
  return { listAssets: notYet, createAsset: notYet, getAsset: notYet, deleteAsset: notYet, downloadAsset: notYet };
}

export function buildAssetsApp(
  settings: Settings,
  spec: { routes: readonly RouteSpec<OperationId>[]; validators: Record<string, ValidateFunction> },
  parts: Partial<FunctionParts<OperationId>> = {},
): App {
  return buildApp({ ...spec, operations: assetsOperations(), settings, ...parts });
}

/** The S3 notifications of uploads under `uploads/`. */
export const s3Events: EventHandler = async () => ({});
