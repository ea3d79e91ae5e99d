// An in-memory DynamoDB for the assets tests, behind the core's DocumentSender: Get, Put,
// Delete, Update (SET and ADD) and Query (of the table's GSIs by partition and sort key) of
// @aws-sdk/lib-dynamodb,
// with condition and filter expressions of comparisons, attribute_(not_)exists, AND, OR and
// parentheses; and a record of the writes sent, as contract/vectors.json spells them.
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";

import type { DocumentSender, Item } from "../../src/core/dynamo.js";

type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;
type Command = { input: any; constructor: { name: string } };

export interface IndexSpec {
  partition: string;
  sort: string;
}

function tokenize(expression: string): string[] {
  return expression.match(/attribute_not_exists|attribute_exists|AND|OR|[#:][A-Za-z0-9_]+|<>|<=|>=|[()=<>]/g) ?? [];
}

/** Whether `item` satisfies `expression` (absent: always). */
export function evaluate(expression: string | undefined, item: Item | undefined, names: Names, values: Values): boolean {
  if (expression === undefined) return true;
  const tokens = tokenize(expression);
  let at = 0;
  const name = (token: string) => names?.[token] ?? token;
  const operand = (token: string) => (token.startsWith(":") ? values?.[token] : item?.[name(token)]) as string | number | undefined;
  const primary = (): boolean => {
    const token = tokens[at++] as string;
    if (token === "(") {
      const result = disjunction();
      at++; // ")"
      return result;
    }
    if (token === "attribute_exists" || token === "attribute_not_exists") {
      at++; // "("
      const attribute = name(tokens[at++] as string);
      at++; // ")"
      const exists = item !== undefined && attribute in item;
      return token === "attribute_exists" ? exists : !exists;
    }
    const operator = tokens[at++] as string;
    const left = operand(token);
    const right = operand(tokens[at++] as string);
    if (left === undefined || right === undefined || typeof left !== typeof right) return false;
    const comparisons: Record<string, boolean> = { "=": left === right, "<>": left !== right, "<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right };
    const result = comparisons[operator];
    if (result === undefined) throw new Error(`the fake knows no operator ${operator}`);
    return result;
  };
  const conjunction = (): boolean => {
    let result = primary();
    while (tokens[at] === "AND") {
      at++;
      result = primary() && result;
    }
    return result;
  };
  const disjunction = (): boolean => {
    let result = conjunction();
    while (tokens[at] === "OR") {
      at++;
      result = conjunction() || result;
    }
    return result;
  };
  return disjunction();
}

/** An expression with its placeholders resolved, as contract/DATA.md "Reading the vectors" says. */
export function resolved(expression: string, names: Names, values: Values): string {
  return expression.replace(/[#:][A-Za-z0-9_]+/g, (token) => {
    if (token.startsWith("#")) return names?.[token] ?? token;
    const value = values?.[token];
    return typeof value === "number" ? String(value) : JSON.stringify(value);
  });
}

export class FakeDynamoDB implements DocumentSender {
  readonly items = new Map<string, Item>();
  /** The writes sent, in DynamoDB JSON without TableName, each with its resolved Condition. */
  readonly writes: Record<string, unknown>[] = [];
  /** What happens just before the next calls of a command (by its class name), in order:
   * another writer's change, or an error thrown instead of the call. */
  readonly meanwhile: Record<string, (() => Promise<unknown> | unknown)[]> = {};

  constructor(
    private readonly key: string,
    private readonly indexes: Record<string, IndexSpec> = {},
  ) {}

  /** The table as the vectors show it: DynamoDB JSON, items ordered by their key. */
  table(): Record<string, unknown>[] {
    return [...this.items.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => marshall(item));
  }

  /** Store items as they are, in DynamoDB JSON (as the vectors give them) or not. */
  putRaw(items: Record<string, any>[]): void {
    for (const item of items) {
      const native = Object.values(item).every((v) => typeof v === "object" && v !== null && ("S" in v || "N" in v)) ? unmarshall(item) : item;
      this.items.set(native[this.key] as string, structuredClone(native));
    }
  }

  async send(command: Command): Promise<any> {
    const kind = command.constructor.name;
    await this.meanwhile[kind]?.shift()?.();
    const input = command.input;
    switch (kind) {
      case "GetCommand": {
        const found = this.items.get(input.Key[this.key]);
        return found === undefined ? {} : { Item: structuredClone(found) };
      }
      case "PutCommand": {
        this.record("PutItem", { Item: marshall(input.Item) }, input);
        const id = input.Item[this.key];
        this.check(input, this.items.get(id));
        this.items.set(id, structuredClone(input.Item));
        return {};
      }
      case "DeleteCommand": {
        this.record("DeleteItem", { Key: marshall(input.Key) }, input);
        const id = input.Key[this.key];
        this.check(input, this.items.get(id));
        this.items.delete(id);
        return {};
      }
      case "UpdateCommand":
        return this.update(input);
      case "QueryCommand":
        return this.query(input);
      default:
        throw new Error(`the fake serves no ${kind}`);
    }
  }

  private record(kind: string, request: Record<string, unknown>, input: any): void {
    const condition = input.ConditionExpression;
    this.writes.push({
      [kind]: { ...request, ...(condition === undefined ? {} : { Condition: resolved(condition, input.ExpressionAttributeNames, input.ExpressionAttributeValues) }) },
    });
  }

  private check(input: any, stored: Item | undefined): void {
    if (!evaluate(input.ConditionExpression, stored, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
      const old = input.ReturnValuesOnConditionCheckFailure === "ALL_OLD" && stored !== undefined ? { Item: marshall(stored) } : {};
      throw new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {}, ...old });
    }
  }

  private update(input: any): Record<string, unknown> {
    const id = input.Key[this.key];
    const stored = this.items.get(id);
    this.check(input, stored);
    const item: Item = structuredClone(stored ?? input.Key);
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    for (const [, clause, actions] of (input.UpdateExpression as string).matchAll(/(SET|ADD)\s+(.*?)(?=\s+(?:SET|ADD)\s|$)/g)) {
      for (const action of (actions as string).split(",")) {
        const [name, value] = action.split(clause === "SET" ? "=" : /\s+/).map((part) => part.trim()).filter(Boolean) as [string, string];
        const attribute = names[name] ?? name;
        item[attribute] = clause === "SET" ? values[value] : Number(item[attribute] ?? 0) + Number(values[value]);
      }
    }
    this.items.set(id, item);
    return input.ReturnValues === "ALL_NEW" ? { Attributes: structuredClone(item) } : {};
  }

  private query(input: any): Record<string, unknown> {
    const index = this.indexes[input.IndexName];
    if (index === undefined) throw new Error(`the fake has no index ${input.IndexName}`);
    const names = input.ExpressionAttributeNames;
    const values = input.ExpressionAttributeValues;
    const direction = input.ScanIndexForward === false ? -1 : 1;
    let candidates = [...this.items.values()]
      .filter((item) => index.sort in item && evaluate(input.KeyConditionExpression, item, names, values))
      .sort((a, b) => {
        const order = (a[index.sort] as number) - (b[index.sort] as number);
        return (order || ((a[this.key] as string) < (b[this.key] as string) ? -1 : 1)) * direction;
      });
    const start = input.ExclusiveStartKey;
    if (start !== undefined) {
      const at = candidates.findIndex((item) => item[this.key] === start[this.key]);
      candidates = at < 0 ? [] : candidates.slice(at + 1);
    }
    const limit = input.Limit ?? candidates.length;
    const evaluated = candidates.slice(0, limit);
    const kept = evaluated.filter((item) => evaluate(input.FilterExpression, item, names, values));
    const last = evaluated.at(-1);
    return {
      Items: kept.map((item) => structuredClone(item)),
      Count: kept.length,
      ScannedCount: evaluated.length,
      ...(candidates.length > limit && last !== undefined
        ? { LastEvaluatedKey: { [this.key]: last[this.key], [index.partition]: last[index.partition], [index.sort]: last[index.sort] } }
        : {}),
    };
  }
}

/** Several tables behind one client, by TableName. */
export class FakeTables implements DocumentSender {
  constructor(readonly tables: Record<string, FakeDynamoDB>) {}

  send(command: Command): Promise<any> {
    const table = this.tables[command.input.TableName];
    if (table === undefined) throw new Error(`the fake has no table ${command.input.TableName}`);
    return table.send(command);
  }
}

export function makeAssetsTable(): FakeDynamoDB {
  return new FakeDynamoDB("assetId", { "ownerId-index": { partition: "ownerId", sort: "createdAt" } });
}
