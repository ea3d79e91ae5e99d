// A stand-in for a function of the TypeScript bundle: it answers every event with what it
// was given, so that the tests see what the runner and the gateway hand a Node handler.
"use strict";

const loadedAt = Date.now();

exports.handler = async (event, context) => {
  const headers = event.headers ?? {};
  if (headers["x-stub"] === "throw") throw new Error("the stub was asked to fail");
  if (headers["x-stub"] === "exit") process.exit(3);
  if (headers["x-stub"] === "hang") await new Promise(() => setInterval(() => {}, 1000));
  console.log(JSON.stringify({ level: "INFO", message: "stub invoked" }));
  return {
    statusCode: 200,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
    cookies: ["a=1", "b=2"],
    body: JSON.stringify({
      loadedAt,
      event,
      context: {
        functionName: context.functionName,
        awsRequestId: context.awsRequestId,
        memoryLimitInMB: context.memoryLimitInMB,
        remaining: context.getRemainingTimeInMillis(),
      },
      environment: process.env,
    }),
  };
};
