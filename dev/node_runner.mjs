// One Lambda function of the TypeScript bundle in a long-lived Node process, as Lambda's
// Node.js runtime runs it: the bundle is loaded once (the init phase), then each line of
// stdin is one invocation, {"event": ..., "context": {...}}, answered by one line of JSON,
// {"result": ...} or {"error": {...}}, on the file descriptor given, so that what the
// function logs on stdout and stderr stays the function's log.
import { writeSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [bundle, replies] = process.argv.slice(2);
const replyFd = Number(replies);

async function load(path) {
  try {
    return createRequire(import.meta.url)(path);
  } catch (error) {
    if (error.code !== "ERR_REQUIRE_ESM") throw error;
    return import(pathToFileURL(path).href);
  }
}

function lambdaContext(given) {
  const deadline = Date.now() + given.remainingMillis;
  return {
    functionName: given.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${given.functionName}`,
    memoryLimitInMB: String(given.memoryLimitInMB),
    awsRequestId: given.awsRequestId,
    logGroupName: `/aws/lambda/${given.functionName}`,
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function reply(message) {
  writeSync(replyFd, JSON.stringify(message) + "\n");
}

function invocationError(error) {
  const thrown = error instanceof Error ? error : new Error(String(error));
  return {
    errorType: thrown.name,
    errorMessage: thrown.message,
    trace: String(thrown.stack ?? "").split("\n"),
  };
}

const { handler } = await load(bundle);
if (typeof handler !== "function") {
  throw new TypeError(`${bundle} does not export a function named handler`);
}
for await (const line of createInterface({ input: process.stdin })) {
  const { event, context } = JSON.parse(line);
  try {
    const result = await handler(event, lambdaContext(context));
    reply({ result: result ?? null });
  } catch (error) {
    const failure = invocationError(error);
    console.error(JSON.stringify({ level: "ERROR", ...failure }));
    reply({ error: failure });
  }
}
