// One cold start of a function of the TypeScript bundle: a fresh Node process requires the
// bundle and answers one event (stdin); it reports, on the file descriptor given, the time
// from the process's start to the end of the require and of the answer, and its peak RSS.
import { readFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const [bundle, reportFd] = process.argv.slice(2);
const event = JSON.parse(readFileSync(0, "utf8"));
const context = {
  functionName: "bench",
  awsRequestId: "bench-1",
  memoryLimitInMB: "512",
  getRemainingTimeInMillis: () => 30000,
};
const started = performance.now();
const { handler } = createRequire(import.meta.url)(bundle);
const loaded = performance.now();
const result = await handler(event, context);
const answered = performance.now();
const report = {
  startup_ms: started,
  import_ms: loaded - started,
  first_request_ms: answered - loaded,
  total_ms: answered,
  peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  status: result?.statusCode ?? null,
};
writeSync(Number(reportFd), JSON.stringify(report) + "\n");
