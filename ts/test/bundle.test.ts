// The bundles the build makes: CommonJS files whose `handler` serves API Gateway events,
// loaded as Lambda loads them, in a process of their own.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const ENV = {
  USERS_TABLE: "Users",
  ASSETS_TABLE: "Assets",
  IDEMPOTENCY_TABLE: "Idempotency",
  RATE_LIMITS_TABLE: "RateLimits",
  ASSETS_BUCKET: "assets",
  CURSOR_KEY: "tests only: a cursor key of 32 bytes",
  AWS_REGION: "us-east-1",
  LOG_LEVEL: "ERROR",
};

function invoke(bundle: string, event: object): { statusCode: number; headers: Record<string, string>; body: string } {
  const script = `require(${JSON.stringify(DIST + bundle)}).handler(${JSON.stringify(event)}, {}).then((r) => process.stdout.write(JSON.stringify(r)))`;
  const run = spawnSync(process.execPath, ["-e", script], { env: { PATH: process.env.PATH, ...ENV }, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const event = (method: string, path: string): object => ({
  version: "2.0",
  rawPath: path,
  rawQueryString: "",
  headers: { host: "api.example.com" },
  requestContext: { http: { method, path }, requestId: "bundle-1" },
});

describe("the bundles", () => {
  it("the users bundle answers health", () => {
    const result = invoke("users-handler.js", event("GET", "/health"));
    assert.equal(result.statusCode, 200);
    assert.equal(result.body, '{"status": "ok"}\n');
  });

  it("each bundle answers a path of no operation with a 404 problem", () => {
    for (const bundle of ["users-handler.js", "assets-handler.js"]) {
      const result = invoke(bundle, event("GET", "/nowhere"));
      assert.equal(result.statusCode, 404, bundle);
      assert.equal(result.headers["content-type"], "application/problem+json");
      assert.equal(JSON.parse(result.body).requestId, "bundle-1");
    }
  });

  it("the assets bundle does not serve the users operations", () => {
    assert.equal(invoke("assets-handler.js", event("GET", "/users")).statusCode, 404);
  });
});
