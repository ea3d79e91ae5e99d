// The AWS clients of a function, created once per process (in the init phase) and reused
// by every invocation; nothing connects until the first request.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

import type { Settings } from "./settings.js";

// As the Python functions: at most 3 attempts (standard mode), each waiting at most 1 s to
// connect and the settings' read timeout for an answer.
export const MAX_ATTEMPTS = 3;
const CONNECT_TIMEOUT_MS = 1000;

/** The DynamoDB document client of `settings`: its region and endpoint, the read timeout
 * and the standard retry mode, numbers as JS numbers (every stored number is an integer
 * below 2^53). */
export function documentClient(settings: Settings): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: settings.region,
    ...(settings.awsEndpointUrl ? { endpoint: settings.awsEndpointUrl } : {}),
    maxAttempts: MAX_ATTEMPTS,
    retryMode: "standard",
    requestHandler: { requestTimeout: settings.awsReadTimeoutSeconds * 1000, connectionTimeout: CONNECT_TIMEOUT_MS },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
