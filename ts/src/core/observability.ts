// Telemetry as api/web/observability.py writes it: JSON lines on stdout (console.log), one
// per request with its id and never a body or header value, carrying CloudWatch Embedded
// Metric Format metrics per operation.

export const SERVICE = "users-assets-api";
const LEVELS = { debug: 10, info: 20, warning: 30, error: 40, critical: 50 } as const;
export type Level = keyof typeof LEVELS;

export type Fields = Record<string, unknown>;

/** A logger bound to the fields of the request being served (`request_id`, `caller`). */
export interface Logger {
  bind(fields: Fields): void;
  info(event: string, fields?: Fields): void;
  warning(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
}

/** Lines as structlog renders them: the bound fields, the event's, `event`, `level` and an
 * ISO `timestamp` in UTC. */
export function createLogger(level: string, write: (line: string) => void = console.log): Logger & { clear(): void } {
  const threshold = LEVELS[level.toLowerCase() as Level] ?? LEVELS.info;
  let bound: Fields = {};
  const emit = (name: Level, event: string, fields: Fields = {}): void => {
    if (LEVELS[name] < threshold) return;
    write(JSON.stringify({ ...bound, ...fields, event, level: name, timestamp: new Date().toISOString().replace("Z", "000Z") }));
  };
  return {
    bind: (fields) => {
      bound = { ...bound, ...fields };
    },
    clear: () => {
      bound = {};
    },
    info: (event, fields) => emit("info", event, fields),
    warning: (event, fields) => emit("warning", event, fields),
    error: (event, fields) => emit("error", event, fields),
  };
}

// What each request line reports, in the order CloudWatch reads it.
const METRICS: [string, string, (status: number, durationMs: number) => number][] = [
  ["Requests", "Count", () => 1.0],
  ["Latency", "Milliseconds", (_status, durationMs) => durationMs],
  ["ClientErrors", "Count", (status) => Number(status >= 400 && status < 500)],
  ["ServerErrors", "Count", (status) => Number(status >= 500)],
];
const DIMENSIONS = [["operation", "service"]];
const DEFINITIONS = METRICS.map(([Name, Unit]) => ({ Name, Unit }));

/** CloudWatch Embedded Metric Format fields for a log line: count, latency and errors per
 * operation, as the Python functions write them. */
export function embeddedMetrics(namespace: string, operation: string, status: number, durationMs: number, nowMs: number = Date.now()): Fields {
  const fields: Fields = {
    _aws: {
      Timestamp: Math.trunc(nowMs),
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: DIMENSIONS, Metrics: DEFINITIONS }],
    },
    operation,
    service: SERVICE,
  };
  for (const [name, , value] of METRICS) fields[name] = [value(status, durationMs)];
  return fields;
}
