// Serves API Gateway events read on stdin with the users function on the in-memory DynamoDB,
// and writes their results as a JSON array on stdout: what tests/ts/test_node_suite.py
// compares with the Python function's answers. The input is the events' JSON array, or
// {"events": [...], "ids": [...], "start": s}: the user ids to draw in order, and a clock
// that reads s, s + 1, s + 2, ... at each reading.
import type { GatewayEvent } from "../src/core/http.js";
import { usersFunction } from "./events.js";

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as GatewayEvent[] | { events: GatewayEvent[]; ids: string[]; start: number };
const { events, ids, start } = Array.isArray(input) ? { events: input, ids: null, start: null } : input;
let readings = 0;
const { invoke } = usersFunction(
  {},
  {
    ...(ids ? { newId: () => ids.shift() ?? "00000000-0000-4000-8000-000000000000" } : {}),
    ...(start !== null ? { clock: () => start + readings++ } : {}),
  },
);
const results = [];
for (const event of events) results.push(await invoke(event));
process.stdout.write(JSON.stringify(results));
