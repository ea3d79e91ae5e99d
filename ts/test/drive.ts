// Serves API Gateway events read as a JSON array on stdin with the users function on the
// in-memory DynamoDB, and writes their results as a JSON array on stdout: what
// tests/ts/test_node_suite.py compares with the Python function's answers.
import type { GatewayEvent } from "../src/core/http.js";
import { usersFunction } from "./events.js";

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const events = JSON.parse(Buffer.concat(chunks).toString("utf8")) as GatewayEvent[];
const { invoke } = usersFunction();
const results = [];
for (const event of events) results.push(await invoke(event));
process.stdout.write(JSON.stringify(results));
