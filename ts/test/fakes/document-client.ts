// An in-memory DynamoDB behind the document client's `send`: the tables of contract/DATA.md
// with their keys and indexes, condition and filter expressions evaluated as DynamoDB does
// for the forms the storage writes, transactions all or nothing, and every request recorded.
import { marshall } from "@aws-sdk/util-dynamodb";

import type { DocumentSender, Item } from "../../src/core/dynamo.js";

export interface TableSchema {
  key: string;
  /** index name → [partition attribute, sort attribute]. */
  indexes: Record<string, [string, string | null]>;
}

// contract/DATA.md's tables, by their local names (api/resources.py).
export const TABLES: Record<string, TableSchema> = {
  Users: {
    key: "userId",
    indexes: { "email-index": ["email", null], "listShard-index": ["listShard", "createdAt"], "department-index": ["department", "createdAt"] },
  },
  Assets: { key: "assetId", indexes: { "ownerId-index": ["ownerId", "createdAt"] } },
  Idempotency: { key: "id", indexes: {} },
  RateLimits: { key: "window", indexes: {} },
};

export class FakeAwsError extends Error {
  constructor(
    name: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = name;
    Object.assign(this, extra);
  }
}

type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

// ---- expressions -------------------------------------------------------------------------

type Node =
  | { op: "or" | "and"; left: Node; right: Node }
  | { op: "not"; inner: Node }
  | { op: "exists" | "not_exists"; path: string }
  | { op: "cmp"; cmp: string; left: Operand; right: Operand };
type Operand = { path: string } | { value: string };

function tokenize(expression: string): string[] {
  const tokens = expression.match(/\s*(<=|>=|<>|[()=<>,]|[#:]?[A-Za-z0-9_]+)/g);
  if (tokens === null || tokens.join("").replace(/\s/g, "") !== expression.replace(/\s/g, "")) throw new Error(`cannot read ${expression}`);
  return tokens.map((t) => t.trim());
}

export function parseCondition(expression: string): Node {
  const tokens = tokenize(expression);
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const next = (): string => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`unexpected end of ${expression}`);
    return token;
  };
  const operand = (): Operand => {
    const token = next();
    return token.startsWith(":") ? { value: token } : { path: token };
  };
  const primary = (): Node => {
    const token = peek();
    if (token === "(") {
      next();
      const inner = or();
      if (next() !== ")") throw new Error(`unbalanced ${expression}`);
      return inner;
    }
    if (token?.toUpperCase() === "NOT") {
      next();
      return { op: "not", inner: primary() };
    }
    if (token === "attribute_exists" || token === "attribute_not_exists") {
      next();
      next(); // (
      const path = next();
      next(); // )
      return { op: token === "attribute_exists" ? "exists" : "not_exists", path };
    }
    const left = operand();
    const cmp = next();
    return { op: "cmp", cmp, left, right: operand() };
  };
  const and = (): Node => {
    let node = primary();
    while (peek()?.toUpperCase() === "AND") {
      next();
      node = { op: "and", left: node, right: primary() };
    }
    return node;
  };
  const or = (): Node => {
    let node = and();
    while (peek()?.toUpperCase() === "OR") {
      next();
      node = { op: "or", left: node, right: and() };
    }
    return node;
  };
  const node = or();
  if (at !== tokens.length) throw new Error(`trailing tokens in ${expression}`);
  return node;
}

function nameOf(path: string, names: Names): string {
  return path.startsWith("#") ? (names?.[path] ?? path) : path;
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

export function evaluate(node: Node, item: Item | undefined, names: Names, values: Values): boolean {
  const read = (operand: Operand): unknown => ("value" in operand ? values?.[operand.value] : item?.[nameOf(operand.path, names)]);
  switch (node.op) {
    case "or":
      return evaluate(node.left, item, names, values) || evaluate(node.right, item, names, values);
    case "and":
      return evaluate(node.left, item, names, values) && evaluate(node.right, item, names, values);
    case "not":
      return !evaluate(node.inner, item, names, values);
    case "exists":
      return item !== undefined && item[nameOf(node.path, names)] !== undefined;
    case "not_exists":
      return item === undefined || item[nameOf(node.path, names)] === undefined;
    case "cmp": {
      const [a, b] = [read(node.left), read(node.right)];
      if (a === undefined || b === undefined) return false;
      const order = compare(a, b);
      if (order === null) return node.cmp === "<>";
      return { "=": order === 0, "<>": order !== 0, "<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0 }[node.cmp] ?? false;
    }
  }
}

/** `expression` with its placeholders resolved as contract/DATA.md writes the vectors'
 * conditions: `#n` to the name, `:n` to the value (a number as written, a string as JSON). */
export function resolved(expression: string, names: Names, values: Values): string {
  return expression
    .replace(/#[A-Za-z0-9_]+/g, (token) => names?.[token] ?? token)
    .replace(/:[A-Za-z0-9_]+/g, (token) => {
      const value = values?.[token];
      return typeof value === "string" ? JSON.stringify(value) : String(value);
    });
}

// ---- the store ---------------------------------------------------------------------------

const clone = <T>(value: T): T => structuredClone(value);

export interface Recorded {
  command: string;
  input: Record<string, any>;
}

/** The fake. `failNext` makes the next request of a command fail with an error. */
export class FakeDocumentClient implements DocumentSender {
  readonly tables = new Map<string, Map<string, Item>>();
  readonly requests: Recorded[] = [];
  private failures: { command: string; error: Error }[] = [];

  constructor(private readonly schemas: Record<string, TableSchema> = TABLES) {
    for (const name of Object.keys(schemas)) this.tables.set(name, new Map());
  }

  failNext(command: string, error: Error): void {
    this.failures.push({ command, error });
  }

  /** The table's items ordered by key, as the vectors list them. */
  items(table: string): Item[] {
    const rows = this.table(table);
    return [...rows.keys()].sort(codePointOrder).map((key) => clone(rows.get(key) as Item));
  }

  seed(table: string, items: Item[]): void {
    const schema = this.schema(table);
    for (const item of items) this.table(table).set(String(item[schema.key]), clone(item));
  }

  /** The write requests sent, in order (what the vectors call `writes`). */
  writes(): Recorded[] {
    return this.requests.filter((r) => ["PutCommand", "DeleteCommand", "UpdateCommand", "TransactWriteCommand"].includes(r.command));
  }

  private table(name: string): Map<string, Item> {
    const table = this.tables.get(name);
    if (!table) throw new FakeAwsError("ResourceNotFoundException", `Requested resource not found: ${name}`);
    return table;
  }

  private schema(name: string): TableSchema {
    const schema = this.schemas[name];
    if (!schema) throw new FakeAwsError("ResourceNotFoundException", `Requested resource not found: ${name}`);
    return schema;
  }

  async send(command: { input: object; constructor: { name: string } }): Promise<any> {
    const name = command.constructor.name;
    const input = clone(command.input) as Record<string, any>;
    this.requests.push({ command: name, input });
    const failure = this.failures.findIndex((f) => f.command === name);
    if (failure >= 0) {
      const [{ error }] = this.failures.splice(failure, 1) as [{ command: string; error: Error }];
      throw error;
    }
    switch (name) {
      case "GetCommand":
        return this.get(input);
      case "PutCommand":
        return this.put(input);
      case "DeleteCommand":
        return this.delete(input);
      case "UpdateCommand":
        return this.update(input);
      case "TransactWriteCommand":
        return this.transact(input);
      case "QueryCommand":
        return this.query(input);
      default:
        throw new Error(`the fake does not know ${name}`);
    }
  }

  private keyOf(table: string, key: Item): string {
    return String(key[this.schema(table).key]);
  }

  private check(input: Record<string, any>, item: Item | undefined): boolean {
    if (!input.ConditionExpression) return true;
    return evaluate(parseCondition(input.ConditionExpression), item, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  }

  private get(input: Record<string, any>): object {
    const item = this.table(input.TableName).get(this.keyOf(input.TableName, input.Key));
    return item === undefined ? {} : { Item: clone(item) };
  }

  private conditionFailed(input: Record<string, any>, old: Item | undefined): never {
    // The document client unmarshalls outputs only: an error's old item is DynamoDB JSON.
    const extra = input.ReturnValuesOnConditionCheckFailure === "ALL_OLD" && old ? { Item: marshall(old) } : {};
    throw new FakeAwsError("ConditionalCheckFailedException", "The conditional request failed", extra);
  }

  private put(input: Record<string, any>): object {
    const table = this.table(input.TableName);
    const key = this.keyOf(input.TableName, input.Item);
    const old = table.get(key);
    if (!this.check(input, old)) this.conditionFailed(input, old);
    table.set(key, clone(input.Item));
    return {};
  }

  private delete(input: Record<string, any>): object {
    const table = this.table(input.TableName);
    const key = this.keyOf(input.TableName, input.Key);
    const old = table.get(key);
    if (!this.check(input, old)) this.conditionFailed(input, old);
    table.delete(key);
    return {};
  }

  private update(input: Record<string, any>): object {
    const table = this.table(input.TableName);
    const key = this.keyOf(input.TableName, input.Key);
    const old = table.get(key);
    if (!this.check(input, old)) this.conditionFailed(input, old);
    const item: Item = { ...(old ?? clone(input.Key)) };
    const names = input.ExpressionAttributeNames as Names;
    const values = input.ExpressionAttributeValues as Values;
    // SET a = :x, b = :y [ADD c :z]
    const match = /^\s*(?:SET\s+(.*?))?\s*(?:ADD\s+(.*))?$/i.exec(input.UpdateExpression as string);
    if (!match) throw new Error(`the fake cannot read ${input.UpdateExpression}`);
    for (const assignment of (match[1] ?? "").split(",").filter((a) => a.trim())) {
      const [path, value] = assignment.split("=").map((s) => s.trim()) as [string, string];
      item[nameOf(path, names)] = clone(values?.[value]);
    }
    for (const addition of (match[2] ?? "").split(",").filter((a) => a.trim())) {
      const [path, value] = addition.trim().split(/\s+/) as [string, string];
      const attribute = nameOf(path, names);
      item[attribute] = Number(item[attribute] ?? 0) + Number(values?.[value]);
    }
    table.set(key, item);
    return input.ReturnValues === "ALL_NEW" ? { Attributes: clone(item) } : {};
  }

  private transact(input: Record<string, any>): object {
    const actions = input.TransactItems as Record<string, Record<string, any>>[];
    const reasons = actions.map((action) => {
      const [kind, request] = Object.entries(action)[0] as [string, Record<string, any>];
      const keyItem = kind === "Put" ? request.Item : request.Key;
      const old = this.table(request.TableName).get(this.keyOf(request.TableName, keyItem));
      return this.check(request, old) ? { Code: "None" } : { Code: "ConditionalCheckFailed", Message: "The conditional request failed" };
    });
    if (reasons.some((r) => r.Code !== "None")) {
      throw new FakeAwsError("TransactionCanceledException", "Transaction cancelled", { CancellationReasons: reasons });
    }
    for (const action of actions) {
      const [kind, request] = Object.entries(action)[0] as [string, Record<string, any>];
      const table = this.table(request.TableName);
      if (kind === "Put") table.set(this.keyOf(request.TableName, request.Item), clone(request.Item));
      else if (kind === "Delete") table.delete(this.keyOf(request.TableName, request.Key));
    }
    return {};
  }

  private query(input: Record<string, any>): object {
    const schema = this.schema(input.TableName);
    const index = schema.indexes[input.IndexName as string];
    if (!index) throw new FakeAwsError("ValidationException", `no index ${input.IndexName}`);
    const [partition, sort] = index;
    const names = input.ExpressionAttributeNames as Names;
    const values = input.ExpressionAttributeValues as Values;
    const keyCondition = parseCondition(input.KeyConditionExpression);
    const filter = input.FilterExpression ? parseCondition(input.FilterExpression) : null;
    const inIndex = [...this.table(input.TableName).values()].filter((item) => item[partition] !== undefined && (sort === null || item[sort] !== undefined));
    const ordered = inIndex
      .filter((item) => evaluate(keyCondition, item, names, values))
      .sort((a, b) => {
        const bySort = sort === null ? 0 : Number(a[sort]) - Number(b[sort]);
        return bySort || codePointOrder(String(a[schema.key]), String(b[schema.key]));
      });
    if (input.ScanIndexForward === false) ordered.reverse();
    let start = 0;
    if (input.ExclusiveStartKey) {
      const startId = String(input.ExclusiveStartKey[schema.key]);
      const found = ordered.findIndex((item) => String(item[schema.key]) === startId);
      start = found < 0 ? ordered.length : found + 1;
    }
    const limit = (input.Limit as number | undefined) ?? ordered.length;
    const evaluated = ordered.slice(start, start + limit);
    const items = evaluated.filter((item) => filter === null || evaluate(filter, item, names, values));
    const more = start + limit < ordered.length;
    const last = evaluated[evaluated.length - 1];
    const lastKey =
      more && last ? { [schema.key]: last[schema.key], [partition]: last[partition], ...(sort === null ? {} : { [sort]: last[sort] }) } : undefined;
    return { Items: clone(items), Count: items.length, ScannedCount: evaluated.length, ...(lastKey ? { LastEvaluatedKey: lastKey } : {}) };
  }
}

function codePointOrder(a: string, b: string): number {
  const [x, y] = [Array.from(a, (c) => c.codePointAt(0) as number), Array.from(b, (c) => c.codePointAt(0) as number)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}
