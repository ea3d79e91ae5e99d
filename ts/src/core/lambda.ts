// The Lambda side of a function (api/functions/runtime.py): the app built during init,
// warm-up pings answered at once, S3 notifications to their handler, HTTP events to the app.
import { randomUUID } from "node:crypto";

import type { App } from "./app.js";
import { requestFromEvent, toGatewayResult, type GatewayEvent, type GatewayResult, type LambdaContext } from "./http.js";

export type LambdaHandler = (event: GatewayEvent, context?: LambdaContext) => Promise<GatewayResult | Record<string, unknown>>;
export type EventHandler = (event: GatewayEvent) => Promise<Record<string, unknown>>;

/** The scheduled EventBridge ping that keeps the function warm. */
export function isWarmUp(event: GatewayEvent): boolean {
  return event.source === "aws.events" && event["detail-type"] === "Scheduled Event";
}

/** An S3 notification: records, every one from S3. */
export function isS3Event(event: GatewayEvent): boolean {
  const records = event.Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => (r as { eventSource?: unknown })?.eventSource === "aws:s3");
}

/** A request the function sends itself during init, through the whole app, unlogged: what
 * the first request would otherwise build lazily is built in the init phase. */
export interface WarmUp {
  method: string;
  path: string;
  body?: unknown;
  status: number;
}

/** An API Gateway HTTP API (payload 2.0) event for `request`. */
export function warmUpEvent(request: WarmUp): GatewayEvent {
  const raw = request.body === undefined ? null : Buffer.from(JSON.stringify(request.body));
  const headers: Record<string, string> = { host: "warm-up.invalid" };
  if (raw !== null) Object.assign(headers, { "content-type": "application/json", "content-length": String(raw.length) });
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: request.path,
    rawQueryString: "",
    headers,
    requestContext: { http: { method: request.method, path: request.path }, requestId: "warm-up" },
    body: raw === null ? null : raw.toString("base64"),
    isBase64Encoded: raw !== null,
  };
}

export class WarmUpFailed extends Error {}

/** The handler of a function serving `app`, warmed up with `warmUps` before the first event,
 * and S3 notifications with `s3Events` when given. */
export function lambdaHandler(app: App, options: { warmUps?: readonly WarmUp[]; s3Events?: EventHandler } = {}): LambdaHandler {
  let warmed: Promise<void> | null = null;
  const warmUp = async (): Promise<void> => {
    for (const request of options.warmUps ?? []) {
      const response = await app(requestFromEvent(warmUpEvent(request), undefined, randomUUID), { recorded: false });
      if (response.status !== request.status) throw new WarmUpFailed(`${request.method} ${request.path} answered ${response.status}`);
    }
  };
  warmed = warmUp();
  return async (event, context) => {
    await warmed;
    if (isWarmUp(event)) return { warmed: true };
    if (options.s3Events && isS3Event(event)) return options.s3Events(event);
    return toGatewayResult(await app(requestFromEvent(event, context, randomUUID)));
  };
}
