// The users function end to end: API Gateway events in, responses and stored items out.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ALICE, httpEvent, json, usersFunction } from "../events.js";

const ADA = { email: "Ada@Example.com", name: "Ada Lovelace", department: "Engineering" };

function problem(result: { statusCode: number; headers: Record<string, string>; body: string }, status: number, detail: string): void {
  assert.equal(result.statusCode, status);
  assert.equal(result.headers["content-type"], "application/problem+json");
  const body = json(result as never);
  assert.deepEqual(Object.keys(body), ["type", "title", "status", "detail", "requestId"]);
  assert.equal(body.status, status);
  assert.equal(body.detail, detail);
  assert.equal(body.requestId, "apigw-request-1");
}

describe("the users function", () => {
  it("answers health without a caller, as the Python function writes it", async () => {
    const { invoke } = usersFunction();
    const result = await invoke(httpEvent({ path: "/health", caller: null }));
    assert.deepEqual(result, {
      statusCode: 200,
      headers: { "content-type": "application/json", "x-request-id": "apigw-request-1", "x-content-type-options": "nosniff", "cache-control": "no-store" },
      body: '{"status": "ok"}\n',
      isBase64Encoded: false,
    });
  });

  it("creates a user with its email normalised, a Location and an ETag", async () => {
    const { invoke, client } = usersFunction();
    const result = await invoke(httpEvent({ method: "POST", body: ADA }));
    assert.equal(result.statusCode, 201);
    const user = json(result);
    assert.equal(user.email, "ada@example.com");
    assert.equal(result.headers.location, `/users/${user.userId}`);
    assert.equal(result.headers.etag, '"1"');
    assert.deepEqual(
      client.items("Users").map((item) => item.userId),
      [user.userId, "email#ada@example.com"].sort(),
    );
  });

  it("refuses a second user with the same email in another spelling with 409 and stores nothing", async () => {
    const { invoke, client } = usersFunction();
    await invoke(httpEvent({ method: "POST", body: ADA }));
    const before = client.items("Users");
    problem(await invoke(httpEvent({ method: "POST", body: { ...ADA, email: " ADA@example.COM" } })), 409, "Another user already has this email.");
    assert.deepEqual(client.items("Users"), before);
  });

  it("answers a get with If-None-Match of the current ETag with 304 and no body", async () => {
    const { invoke } = usersFunction();
    const created = json(await invoke(httpEvent({ method: "POST", body: ADA })));
    const result = await invoke(httpEvent({ path: `/users/${created.userId}`, headers: { "If-None-Match": '"1"' } }));
    assert.equal(result.statusCode, 304);
    assert.equal(result.body, "");
    assert.equal(result.headers.etag, '"1"');
  });

  it("changes a user only with the current ETag and answers 412 with a stale one, changing nothing", async () => {
    const { invoke, client } = usersFunction();
    const created = json(await invoke(httpEvent({ method: "POST", body: ADA })));
    const path = `/users/${created.userId}`;
    const changed = await invoke(httpEvent({ method: "PATCH", path, headers: { "If-Match": '"1"' }, body: { name: "Ada King", department: null } }));
    assert.equal(changed.statusCode, 200);
    assert.equal(changed.headers.etag, '"2"');
    assert.equal(json(changed).department, undefined);
    const before = client.items("Users");
    problem(await invoke(httpEvent({ method: "PATCH", path, headers: { "If-Match": '"1"' }, body: { name: "Ada" } })), 412, "The user has changed since the ETag given in If-Match.");
    assert.deepEqual(client.items("Users"), before);
  });

  it("deletes a user and frees its email", async () => {
    const { invoke, client } = usersFunction();
    const created = json(await invoke(httpEvent({ method: "POST", body: ADA })));
    const result = await invoke(httpEvent({ method: "DELETE", path: `/users/${created.userId}` }));
    assert.equal(result.statusCode, 204);
    assert.equal(result.body, "");
    assert.deepEqual(client.items("Users"), []);
    problem(await invoke(httpEvent({ path: `/users/${created.userId}` })), 404, "There is no user with this id.");
  });

  it("lists users newest first in pages whose cursor leads to the next", async () => {
    let now = 1790000000;
    const { invoke } = usersFunction({}, { clock: () => (now += 1) });
    for (const n of [1, 2, 3]) await invoke(httpEvent({ method: "POST", body: { email: `u${n}@example.com`, name: `U${n}` } }));
    const first = json(await invoke(httpEvent({ query: "limit=2" })));
    assert.deepEqual(
      first.items.map((u: { email: string }) => u.email),
      ["u3@example.com", "u2@example.com"],
    );
    const second = json(await invoke(httpEvent({ query: `limit=2&cursor=${first.nextCursor}` })));
    assert.deepEqual(second, { items: [second.items[0]], nextCursor: null });
    assert.equal(second.items[0].email, "u1@example.com");
    problem(await invoke(httpEvent({ query: `limit=2&department=X&cursor=${first.nextCursor}` })), 400, "The cursor belongs to a query with other filters.");
  });

  it("refuses the listing to a caller who is not an administrator with 403", async () => {
    const { invoke } = usersFunction();
    problem(await invoke(httpEvent({ caller: ALICE })), 403, "Only administrators may list users.");
  });

  it("hides another caller's user as 404 and shows a caller its own", async () => {
    const { invoke } = usersFunction();
    const own = json(await invoke(httpEvent({ method: "POST", body: { ...ADA, subject: ALICE } })));
    const other = json(await invoke(httpEvent({ method: "POST", body: { email: "g@example.com", name: "Grace" } })));
    assert.equal((await invoke(httpEvent({ path: `/users/${own.userId}`, caller: ALICE }))).statusCode, 200);
    problem(await invoke(httpEvent({ path: `/users/${other.userId}`, caller: ALICE })), 404, "There is no user with this id.");
  });

  it("fails closed without the authorizer's claims: 401", async () => {
    const { invoke } = usersFunction();
    const event = httpEvent({});
    delete (event.requestContext as Record<string, unknown>).authorizer;
    const result = await invoke(event);
    problem(result, 401, "The token was not verified by the API's authorizer.");
    assert.match(result.headers["www-authenticate"] ?? "", /^Bearer realm="users-assets-api", error="invalid_token"/);
  });

  it("asks for a bearer token without an Authorization header: 401", async () => {
    const { invoke } = usersFunction();
    const result = await invoke(httpEvent({ caller: null }));
    problem(result, 401, "The request needs a bearer token: send Authorization: Bearer <token>.");
    assert.equal(result.headers["www-authenticate"], 'Bearer realm="users-assets-api"');
  });

  it("replays a creation retried with its Idempotency-Key and creates nothing more", async () => {
    const { invoke, client } = usersFunction();
    const event = httpEvent({ method: "POST", body: ADA, headers: { "Idempotency-Key": '"k-1"' } });
    const first = await invoke(event);
    const again = await invoke(event);
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(json(again).userId, json(first).userId);
    assert.equal(client.items("Users").length, 2);
    problem(
      await invoke(httpEvent({ method: "POST", body: { ...ADA, name: "Other" }, headers: { "Idempotency-Key": "k-1" } })),
      422,
      "This Idempotency-Key was used with another request body.",
    );
  });

  it("counts each caller's requests and refuses them past the quota with 429 and its headers", async () => {
    const { invoke } = usersFunction({ rateLimitPerMinute: 1 }, { wallClock: () => 1790000000.25 });
    assert.equal((await invoke(httpEvent({}))).statusCode, 200);
    const refused = await invoke(httpEvent({}));
    problem(refused, 429, "This caller has made 1 requests in this minute; retry in 40 seconds.");
    assert.equal(refused.headers["retry-after"], "40");
    assert.equal(refused.headers.ratelimit, '"per-minute";r=0;t=40');
  });

  it("answers the warm-up ping at once", async () => {
    const { invoke, lines } = usersFunction();
    assert.deepEqual(await invoke({ source: "aws.events", "detail-type": "Scheduled Event" }), { warmed: true });
    assert.deepEqual(lines, []);
  });

  it("logs one line a request with the Python functions' fields and EMF metrics", async () => {
    const { invoke, lines } = usersFunction();
    await invoke(httpEvent({ path: "/health", caller: null }));
    const [line] = lines as [Record<string, any>];
    assert.equal(line.event, "request");
    assert.equal(line.level, "info");
    assert.equal(line.request_id, "apigw-request-1");
    assert.deepEqual([line.method, line.route, line.operation, line.status, line.cold_start], ["GET", "/health", "getHealth", 200, true]);
    assert.deepEqual(line._aws.CloudWatchMetrics, [
      {
        Namespace: "UsersAssetsApi",
        Dimensions: [["operation", "service"]],
        Metrics: [
          { Name: "Requests", Unit: "Count" },
          { Name: "Latency", Unit: "Milliseconds" },
          { Name: "ClientErrors", Unit: "Count" },
          { Name: "ServerErrors", Unit: "Count" },
        ],
      },
    ]);
    assert.deepEqual([line.Requests, line.ClientErrors, line.ServerErrors, line.service], [[1], [0], [0], "users-assets-api"]);
  });

  it("answers a fault of storage with 500 without its details and logs it", async () => {
    const { invoke, client, lines } = usersFunction();
    client.failNext("QueryCommand", Object.assign(new Error("boom"), { name: "ValidationException", $metadata: { httpStatusCode: 400 } }));
    problem(await invoke(httpEvent({})), 500, "The server could not complete the request.");
    assert.ok(lines.some((line) => line.event === "unhandled_error"));
  });

  it("answers throttling that outlasted the retries with 503 and Retry-After", async () => {
    const { invoke, client } = usersFunction();
    client.failNext("QueryCommand", Object.assign(new Error("slow down"), { name: "ProvisionedThroughputExceededException", $metadata: { httpStatusCode: 400 } }));
    const result = await invoke(httpEvent({}));
    problem(result, 503, "The service is busy; nothing was changed. Retry shortly.");
    assert.equal(result.headers["retry-after"], "1");
  });

});
