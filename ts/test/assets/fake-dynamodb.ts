// An in-memory DynamoDB for the assets tests: a DynamoDBClient whose `send` serves GetItem,
// PutItem, DeleteItem and Query on one table (with its GSIs by partition and sort key), with
// condition and filter expressions of comparisons, attribute_(not_)exists, AND, OR and
// parentheses; and a record of the writes sent, as contract/vectors.json spells them.
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";

type Item = Record<string, AttributeValue>;
type Names = Record<string, string> | undefined;
type Values = Record<string, AttributeValue> | undefined;

export interface IndexSpec {
  partition: string;
  sort: string;
}

function scalar(value: AttributeValue | undefined): string | number | undefined {
  if (value === undefined) return undefined;
  if (value.N !== undefined) return Number(value.N);
  return value.S;
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
  const operand = (token: string) => (token.startsWith(":") ? scalar(values?.[token]) : scalar(item?.[name(token)]));
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
    if (left === undefined || right === undefined) return false;
    switch (operator) {
      case "=":
        return left === right;
      case "<>":
        return left !== right;
      case "<":
        return left < right;
      case "<=":
        return left <= right;
      case ">":
        return left > right;
      case ">=":
        return left >= right;
      default:
        throw new Error(`the fake knows no operator ${operator}`);
    }
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
    return value?.N !== undefined ? value.N : JSON.stringify(value?.S);
  });
}

export class FakeDynamoDB extends DynamoDBClient {
  readonly items = new Map<string, Item>();
  readonly writes: Record<string, unknown>[] = [];
  /** What happens just before the next calls of a command (by its name), in order: another
   * writer's change, or an error thrown instead of the call. */
  readonly meanwhile: Record<string, (() => Promise<void> | void)[]> = {};

  constructor(
    private readonly key: string,
    private readonly indexes: Record<string, IndexSpec> = {},
  ) {
    super({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  }

  /** The table as the vectors show it: items ordered by their key. */
  table(): Item[] {
    return [...this.items.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
  }

  put(items: Item[]): void {
    for (const item of items) this.items.set(item[this.key]?.S as string, structuredClone(item));
  }

  override async send(command: unknown): Promise<any> {
    await this.meanwhile[(command as object).constructor.name]?.shift()?.();
    if (command instanceof GetItemCommand) {
      const found = this.items.get(command.input.Key?.[this.key]?.S as string);
      return found === undefined ? {} : { Item: structuredClone(found) };
    }
    if (command instanceof PutItemCommand) {
      const input = command.input;
      const item = input.Item as Item;
      this.record("PutItem", { Item: item }, input);
      const id = item[this.key]?.S as string;
      this.check(input.ConditionExpression, this.items.get(id), input.ExpressionAttributeNames, input.ExpressionAttributeValues);
      this.items.set(id, structuredClone(item));
      return {};
    }
    if (command instanceof DeleteItemCommand) {
      const input = command.input;
      this.record("DeleteItem", { Key: input.Key }, input);
      const id = input.Key?.[this.key]?.S as string;
      this.check(input.ConditionExpression, this.items.get(id), input.ExpressionAttributeNames, input.ExpressionAttributeValues);
      this.items.delete(id);
      return {};
    }
    if (command instanceof QueryCommand) return this.query(command);
    throw new Error(`the fake serves no ${(command as object).constructor.name}`);
  }

  private record(kind: string, request: Record<string, unknown>, input: { ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values }): void {
    const condition = input.ConditionExpression;
    this.writes.push({
      [kind]: {
        ...structuredClone(request),
        ...(condition === undefined ? {} : { Condition: resolved(condition, input.ExpressionAttributeNames, input.ExpressionAttributeValues) }),
      },
    });
  }

  private check(condition: string | undefined, stored: Item | undefined, names: Names, values: Values): void {
    if (!evaluate(condition, stored, names, values)) {
      throw new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });
    }
  }

  private query(command: QueryCommand): Record<string, unknown> {
    const input = command.input;
    const index = this.indexes[input.IndexName as string];
    if (index === undefined) throw new Error(`the fake has no index ${input.IndexName}`);
    const names = input.ExpressionAttributeNames;
    const values = input.ExpressionAttributeValues;
    const forward = input.ScanIndexForward !== false;
    let candidates = [...this.items.values()]
      .filter((item) => index.sort in item && evaluate(input.KeyConditionExpression, item, names, values))
      .sort((a, b) => {
        const order = (scalar(a[index.sort]) as number) - (scalar(b[index.sort]) as number);
        const tie = (a[this.key]?.S as string) < (b[this.key]?.S as string) ? -1 : 1;
        return (order || tie) * (forward ? 1 : -1);
      });
    const start = input.ExclusiveStartKey;
    if (start !== undefined) {
      const at = candidates.findIndex((item) => item[this.key]?.S === start[this.key]?.S);
      candidates = at < 0 ? [] : candidates.slice(at + 1);
    }
    const limit = input.Limit ?? candidates.length;
    const evaluated = candidates.slice(0, limit);
    const kept = evaluated.filter((item) => evaluate(input.FilterExpression, item, names, values));
    const last = evaluated.at(-1);
    const more = candidates.length > limit && last !== undefined;
    return {
      Items: kept.map((item) => structuredClone(item)),
      Count: kept.length,
      ScannedCount: evaluated.length,
      ...(more
        ? {
            LastEvaluatedKey: {
              [this.key]: last[this.key],
              [index.partition]: last[index.partition],
              [index.sort]: last[index.sort],
            },
          }
        : {}),
    };
  }
}

export function makeAssetsTable(): FakeDynamoDB {
  return new FakeDynamoDB("assetId", { "ownerId-index": { partition: "ownerId", sort: "createdAt" } });
}
