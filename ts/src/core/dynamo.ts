// What the tables share (api/aws/dynamo.py, api/aws/faults.py): the document client's
// interface, newest-first reads of a createdAt-sorted index within a page's budget, and
// which AWS faults become 503 Service Unavailable.
import { ServiceUnavailable } from "./errors.js";
import type { Position } from "./cursors.js";
import { checkedPosition, type Batch } from "./paging.js";

/** The part of @aws-sdk/lib-dynamodb's DynamoDBDocumentClient the storage uses: `send` of
 * its commands. Tests give an in-memory fake. */
export interface DocumentSender {
  send(command: { input: object; constructor: { name: string } }): Promise<any>;
}

export type Item = Record<string, unknown>;

/** The ExclusiveStartKey of a createdAt-ordered index query, from a page position
 * {idName: uuid, createdAt: millis}; InvalidCursor for anything else. */
export function startKey(position: Position, idName: string, partition: [string, string]): Item {
  const [id, createdAt] = checkedPosition(position, idName);
  return { [idName]: id, [partition[0]]: partition[1], createdAt };
}

/** The page position of a LastEvaluatedKey: the inverse of startKey. */
export function positionOfKey(key: Item, idName: string): Position {
  return { [idName]: key[idName], createdAt: Number(key.createdAt) };
}

export interface NewestFirst<T> {
  client: DocumentSender;
  query: (input: object) => { input: object; constructor: { name: string } };
  table: string;
  index: string;
  partition: [string, string];
  idName: string;
  /** The filter: an expression with its names and values. */
  filter: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
  after: Position | null;
  convert: (item: Item) => T;
}

/** Reads of one partition of a createdAt-sorted index, newest first from after `after`
 * (InvalidCursor now if it is not a position): each read is one Query of at most `n` items
 * evaluated (DynamoDB's Limit counts them before the filter). */
export function newestFirst<T>(options: NewestFirst<T>): (n: number) => Promise<Batch<T>> {
  let exclusiveStartKey: Item | undefined = options.after === null ? undefined : startKey(options.after, options.idName, options.partition);
  return async (n) => {
    const page = await options.client.send(
      options.query({
        TableName: options.table,
        IndexName: options.index,
        KeyConditionExpression: "#p0 = :p0",
        FilterExpression: options.filter.expression,
        ExpressionAttributeNames: { "#p0": options.partition[0], ...options.filter.names },
        ExpressionAttributeValues: { ":p0": options.partition[1], ...options.filter.values },
        ScanIndexForward: false,
        Limit: n,
        ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
      }),
    );
    const last = page.LastEvaluatedKey as Item | undefined;
    exclusiveStartKey = last;
    return {
      items: ((page.Items ?? []) as Item[]).map(options.convert),
      evaluated: Number(page.ScannedCount ?? 0),
      lastEvaluated: last === undefined ? null : positionOfKey(last, options.idName),
    };
  };
}

// The error codes the SDK's standard retry mode retries as throttling or transient, and the
// 5xx codes of DynamoDB and S3 (api/aws/faults.py's TRANSIENT_CODES).
const TRANSIENT_CODES = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "InternalFailure",
  "InternalError",
  "InternalServerError",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "RequestTimeout",
  "RequestTimeoutException",
  "ServiceUnavailable",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
]);
// What Node raises when no answer came.
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]);
const TIMEOUT_NAMES = new Set(["TimeoutError", "RequestTimeout", "AbortError"]);

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
  CancellationReasons?: { Code?: string }[];
}

/** A fault that a later retry may not meet: throttling, a 5xx, no answer at all. */
export function isTransient(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as SdkError;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.name && TIMEOUT_NAMES.has(e.name)) return true;
  const name = e.name ?? "";
  const status = e.$metadata?.httpStatusCode ?? 0;
  return TRANSIENT_CODES.has(name) || status >= 500 || (/^[0-9]+$/.test(name) && Number(name) >= 500);
}

/** The 503 for `error`, naming what AWS answered for the log. */
export function unavailable(error: unknown): ServiceUnavailable {
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkError;
  return new ServiceUnavailable(undefined, { errorType: e.name ?? typeof error, errorCode: e.name ?? e.code ?? null });
}

/** `action`, with transient AWS faults that outlasted the client's retries as
 * ServiceUnavailable; other errors pass through. */
export async function translatingFaults<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (isTransient(error)) throw unavailable(error);
    throw error;
  }
}

const TRANSIENT_CANCELLATIONS = new Set(["ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"]);
const CONFLICT_CANCELLATIONS = new Set(["ConditionalCheckFailed", "TransactionConflict"]);
export type Cancellation = "none" | "transient" | "conflict" | "refused";

/** What the cancellation reasons of a transaction say as a whole: a refusal outweighs
 * throttling, which outweighs a conflict. */
export function cancellation(codes: readonly (string | null | undefined)[]): Cancellation {
  const failed = new Set(codes.filter((code): code is string => code !== null && code !== undefined && code !== "None"));
  if (!failed.size) return "none";
  if ([...failed].some((code) => !TRANSIENT_CANCELLATIONS.has(code) && !CONFLICT_CANCELLATIONS.has(code))) return "refused";
  if ([...failed].some((code) => TRANSIENT_CANCELLATIONS.has(code))) return "transient";
  return "conflict";
}

/** AWS refused a request for a reason no retry changes: an error of the server (500). */
export class AwsRefusal extends Error {}

/** The cancellation reason codes of a cancelled transaction, or null if `error` is not one. */
export function cancellationCodes(error: unknown): (string | null)[] | null {
  const e = error as SdkError | null;
  if (!e || e.name !== "TransactionCanceledException") return null;
  return (e.CancellationReasons ?? []).map((reason) => reason?.Code ?? null);
}
