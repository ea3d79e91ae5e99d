// contract/vectors.json, the golden vectors every implementation checks, with the helpers
// the tests compare them with.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { marshall } from "@aws-sdk/util-dynamodb";

import type { Recorded } from "./fakes/document-client.js";
import { resolved } from "./fakes/document-client.js";

export interface Vector<I = any, O = any> {
  name: string;
  input: I;
  output: O;
}

const PATH = fileURLToPath(new URL("../../contract/vectors.json", import.meta.url));
export const VECTORS: Record<string, Vector[]> = JSON.parse(readFileSync(PATH, "utf8"));

export function vectors(section: string): Vector[] {
  const found = VECTORS[section];
  if (!found?.length) throw new Error(`contract/vectors.json has no section ${section}`);
  return found;
}

/** A plain item in DynamoDB JSON, as the vectors write items. */
export function dynamoJson(item: Record<string, unknown>): Record<string, unknown> {
  return marshall(item);
}

function action(kind: string, request: Record<string, any>): Record<string, unknown> {
  const condition = request.ConditionExpression ? { Condition: resolved(request.ConditionExpression, request.ExpressionAttributeNames, request.ExpressionAttributeValues) } : {};
  const body = kind === "Put" ? { Item: dynamoJson(request.Item) } : { Key: dynamoJson(request.Key) };
  return { [kind]: { ...body, ...condition } };
}

/** The recorded write requests as the vectors' `writes` list them. */
export function asVectorWrites(recorded: Recorded[]): Record<string, unknown>[] {
  return recorded.map(({ command, input }) => {
    if (command === "TransactWriteCommand") {
      return { TransactWriteItems: (input.TransactItems as Record<string, Record<string, any>>[]).map((a) => action(...(Object.entries(a)[0] as [string, Record<string, any>]))) };
    }
    const kind = { PutCommand: "Put", DeleteCommand: "Delete" }[command];
    if (!kind) return { [command]: input };
    const inner = action(kind, input)[kind] as Record<string, unknown>;
    return { [`${kind}Item`]: inner };
  });
}
