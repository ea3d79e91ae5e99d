// The rate-limits table (api/aws/rate_limits.py): one counter item per caller and window,
// shared by every instance of every function, counted with one UpdateItem (ADD) a request.
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";

import { translatingFaults, type DocumentSender } from "./dynamo.js";
import type { HitCounter } from "./rate-limits.js";

export class DynamoHitCounter implements HitCounter {
  constructor(
    private readonly client: DocumentSender,
    private readonly table: string,
  ) {}

  async hit(key: string, expiresAt: number): Promise<number> {
    const answer = await translatingFaults(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { window: key },
          UpdateExpression: "SET #0 = :0 ADD #1 :1",
          ExpressionAttributeNames: { "#0": "ttl", "#1": "hits" },
          ExpressionAttributeValues: { ":0": expiresAt, ":1": 1 },
          ReturnValues: "ALL_NEW",
        }),
      ),
    );
    return Number(answer.Attributes?.hits);
  }
}
