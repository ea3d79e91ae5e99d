// Idempotency-Key (IETF httpapi draft) for POSTs, with records exactly as Powertools for AWS
// Lambda (Python) writes them (api/web/idempotency.py; contract/DATA.md, "Idempotency
// table"), so that either runtime replays what the other stored.
import { createHash } from "node:crypto";

import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";

import type { DocumentSender, Item } from "./dynamo.js";
import { IdempotencyKeyReused, RequestInProgress, ServiceUnavailable } from "./errors.js";
import type { OperationResult } from "./operations.js";
import type { Principal } from "./principal.js";
import { pyDumps } from "./python-json.js";

export const WINDOW_SECONDS = 24 * 3600;
// A request still "in flight" after this long has died (Lambda's timeout): its key frees.
export const IN_FLIGHT_MILLIS = 30_000;
// Powertools retries a record that changed state under it this often in all.
const ATTEMPTS = 3;
// The name the Python functions log for a failure of the idempotency table (Powertools').
const PERSISTENCE_ERROR = "IdempotencyPersistenceLayerError";

/** What an operation answered: the part of a response that a replay repeats. */
export interface Outcome {
  body: Record<string, unknown>;
  status: number;
  headers: Record<string, string>;
}

/** The operation's result, marked when it replays an earlier outcome. */
export function replayable(outcome: Outcome, replayed: boolean): OperationResult {
  return { status: outcome.status, body: outcome.body, headers: { ...outcome.headers, ...(replayed ? { "Idempotent-Replayed": "true" } : {}) } };
}

/** The key of an Idempotency-Key header: a structured-field string, quotes optional. */
export function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  return header.length > 1 && header.startsWith('"') && header.endsWith('"') ? header.slice(1, -1) : header;
}

/** Python's json.dumps(value, sort_keys=True): what Powertools hashes and stores. */
export function powertoolsJson(value: unknown): string {
  return pyDumps(value, { sortKeys: true });
}

const md5 = (text: string): string => createHash("md5").update(text, "utf8").digest("hex");

/** The record's key: `<operationId>#<md5 of JSON([caller, key])>`. */
export function recordId(operation: string, caller: string, key: string): string {
  return `${operation}#${md5(powertoolsJson([caller, key]))}`;
}

/** The `validation` hash of a request body. */
export function payloadHash(payload: unknown): string {
  return md5(powertoolsJson(payload));
}

class Inconsistent extends Error {}

function oldItem(error: unknown): Item | null {
  const item = (error as { Item?: Record<string, unknown> }).Item;
  if (!item) return null;
  // The SDK returns the old item of a failed condition in DynamoDB JSON.
  const marshalled = Object.values(item).every((v) => typeof v === "object" && v !== null && !Array.isArray(v));
  return marshalled ? (unmarshall(item as never) as Item) : item;
}

/** Runs an operation at most once per Idempotency-Key, operation and caller within the
 * window, answering retries with its first outcome. */
export class IdempotentRequests {
  constructor(
    private readonly client: DocumentSender,
    private readonly table: string,
    /** Powertools uses the wall clock, never the application's. */
    private readonly wallClock: () => number = () => Date.now() / 1000,
  ) {}

  /** The outcome of `execute()`, or of its first run with this key by this caller, and
   * whether it is a replay. */
  async run(operation: string, caller: Principal, key: string | null, payload: unknown, execute: () => Promise<Outcome>): Promise<[Outcome, boolean]> {
    if (key === null) return [await execute(), false];
    const id = recordId(operation, caller.subject, key);
    const validation = payloadHash(payload);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(id, validation, execute);
      } catch (error) {
        if (!(error instanceof Inconsistent) || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  private async once(id: string, validation: string, execute: () => Promise<Outcome>): Promise<[Outcome, boolean]> {
    const now = this.wallClock();
    let old: Item | null = null;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            id,
            expiration: Math.floor(now + WINDOW_SECONDS),
            status: "INPROGRESS",
            in_progress_expiration: Math.floor((now + IN_FLIGHT_MILLIS / 1000) * 1000),
            validation,
          },
          ConditionExpression: "attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)",
          ExpressionAttributeNames: { "#id": "id", "#expiry": "expiration", "#in_progress_expiry": "in_progress_expiration", "#status": "status" },
          ExpressionAttributeValues: { ":now": Math.floor(this.wallClock()), ":now_in_millis": Math.floor(this.wallClock() * 1000), ":inprogress": "INPROGRESS" },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== "ConditionalCheckFailedException") {
        throw new ServiceUnavailable(undefined, { errorType: PERSISTENCE_ERROR });
      }
      old = oldItem(error);
      if (old === null) throw new Inconsistent();
    }
    if (old !== null) return [this.stored(old, validation), true];
    let outcome: Outcome;
    try {
      outcome = await execute();
    } catch (error) {
      await this.persist(() => this.client.send(new DeleteCommand({ TableName: this.table, Key: { id } })));
      throw error;
    }
    await this.persist(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: "SET #response_data = :response_data, #expiry = :expiry, #status = :status, #validation_key = :validation_key",
          ExpressionAttributeNames: { "#expiry": "expiration", "#response_data": "data", "#status": "status", "#validation_key": "validation" },
          ExpressionAttributeValues: {
            ":expiry": Math.floor(this.wallClock() + WINDOW_SECONDS),
            ":response_data": powertoolsJson({ outcome }),
            ":status": "COMPLETED",
            ":validation_key": validation,
          },
        }),
      ),
    );
    return [outcome, false];
  }

  private stored(record: Item, validation: string): Outcome {
    if (record.validation !== validation) throw new IdempotencyKeyReused("This Idempotency-Key was used with another request body.");
    if (record.status === "INPROGRESS") {
      const expiry = record.in_progress_expiration;
      if (expiry !== undefined && Number(expiry) < Math.floor(this.wallClock() * 1000)) throw new Inconsistent();
      throw new RequestInProgress("A request with this Idempotency-Key is still being served; retry shortly.");
    }
    if (record.status !== "COMPLETED") throw new Inconsistent();
    const data = JSON.parse(String(record.data ?? "null")) as { outcome: Outcome } | null;
    if (data === null) throw new Inconsistent();
    return data.outcome;
  }

  private async persist(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      throw new ServiceUnavailable(undefined, { errorType: PERSISTENCE_ERROR });
    }
  }
}
