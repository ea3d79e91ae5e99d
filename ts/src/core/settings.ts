// The only reader of the environment (as api/settings.py): everything configurable, in one
// frozen object. Tests build settings with `settings({...})`.

export const MIN_CURSOR_KEY_BYTES = 32;
export const MAX_UPLOAD_URL_SECONDS = 3600;

// api/resources.py's tables and bucket: key → [environment variable, local name].
export const TABLES = {
  users: ["USERS_TABLE", "Users"],
  assets: ["ASSETS_TABLE", "Assets"],
  idempotency: ["IDEMPOTENCY_TABLE", "Idempotency"],
  rate_limits: ["RATE_LIMITS_TABLE", "RateLimits"],
} as const;
export const BUCKETS = { assets: ["ASSETS_BUCKET", "assets"] } as const;
export type TableKey = keyof typeof TABLES;
export type BucketKey = keyof typeof BUCKETS;

export class MissingSetting extends Error {}

export interface Settings {
  readonly region: string;
  readonly tables: Readonly<Record<TableKey, string>>;
  readonly buckets: Readonly<Record<BucketKey, string>>;
  readonly uploadUrlExpiresSeconds: number;
  readonly awsEndpointUrl: string | null;
  readonly allowedOrigins: readonly string[];
  readonly maxBodyBytes: number;
  readonly awsReadTimeoutSeconds: number;
  readonly logLevel: string;
  readonly metricsNamespace: string;
  readonly cursorKeys: readonly Buffer[];
  readonly adminClaim: string;
  readonly adminGroup: string;
  readonly rateLimitPerMinute: number;
}

const DEFAULTS: Settings = {
  region: "us-east-1",
  tables: Object.fromEntries(Object.entries(TABLES).map(([k, [, local]]) => [k, local])) as Record<TableKey, string>,
  buckets: Object.fromEntries(Object.entries(BUCKETS).map(([k, [, local]]) => [k, local])) as Record<BucketKey, string>,
  uploadUrlExpiresSeconds: 15 * 60,
  awsEndpointUrl: null,
  allowedOrigins: [],
  maxBodyBytes: 64 * 1024,
  awsReadTimeoutSeconds: 2.0,
  logLevel: "INFO",
  metricsNamespace: "UsersAssetsApi",
  cursorKeys: [],
  adminClaim: "cognito:groups",
  adminGroup: "admin",
  rateLimitPerMinute: 0,
};

/** Settings with `overrides` over the defaults, checked as api/settings.py checks them. */
export function settings(overrides: Partial<Settings> = {}): Settings {
  const built = { ...DEFAULTS, ...overrides };
  if (!(built.uploadUrlExpiresSeconds >= 1 && built.uploadUrlExpiresSeconds <= MAX_UPLOAD_URL_SECONDS)) {
    throw new RangeError(`UPLOAD_URL_EXPIRES_SECONDS must be 1..${MAX_UPLOAD_URL_SECONDS}, not ${built.uploadUrlExpiresSeconds}`);
  }
  if (built.rateLimitPerMinute < 0) throw new RangeError("RATE_LIMIT_PER_MINUTE must be 0 (no limit) or more");
  if (built.cursorKeys.some((key) => key.length < MIN_CURSOR_KEY_BYTES)) {
    throw new RangeError(`CURSOR_KEY and CURSOR_KEY_PREVIOUS must be at least ${MIN_CURSOR_KEY_BYTES} bytes long`);
  }
  return Object.freeze(built);
}

/** Settings from the environment; `required` names the variables a function must be given
 * (its own tables, bucket and secret): MissingSetting otherwise. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env, required: readonly string[] = []): Settings {
  const missing = required.filter((name) => !env[name]).sort();
  if (missing.length) throw new MissingSetting(`these environment variables must be set: ${missing.join(", ")}`);
  const cursorKey = env.CURSOR_KEY;
  const previous = env.CURSOR_KEY_PREVIOUS;
  if (previous && !cursorKey) throw new MissingSetting("CURSOR_KEY_PREVIOUS is set, so CURSOR_KEY must be set too");
  const int = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw new RangeError(`${name} must be an integer, not ${raw}`);
    return Number(raw);
  };
  return settings({
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULTS.region,
    tables: Object.fromEntries(Object.entries(TABLES).map(([k, [name, local]]) => [k, env[name] || local])) as Record<TableKey, string>,
    buckets: Object.fromEntries(Object.entries(BUCKETS).map(([k, [name, local]]) => [k, env[name] || local])) as Record<BucketKey, string>,
    uploadUrlExpiresSeconds: int("UPLOAD_URL_EXPIRES_SECONDS", DEFAULTS.uploadUrlExpiresSeconds),
    awsEndpointUrl: env.AWS_ENDPOINT_URL || null,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? "").split(",").map((o) => o.trim()).filter(Boolean),
    maxBodyBytes: int("MAX_BODY_BYTES", DEFAULTS.maxBodyBytes),
    awsReadTimeoutSeconds: env.AWS_READ_TIMEOUT_SECONDS ? Number(env.AWS_READ_TIMEOUT_SECONDS) : DEFAULTS.awsReadTimeoutSeconds,
    logLevel: env.LOG_LEVEL ?? DEFAULTS.logLevel,
    metricsNamespace: env.METRICS_NAMESPACE ?? DEFAULTS.metricsNamespace,
    cursorKeys: [cursorKey, previous].filter((k): k is string => Boolean(k)).map((k) => Buffer.from(k, "utf8")),
    adminClaim: env.ADMIN_CLAIM || DEFAULTS.adminClaim,
    adminGroup: env.ADMIN_GROUP || DEFAULTS.adminGroup,
    rateLimitPerMinute: int("RATE_LIMIT_PER_MINUTE", DEFAULTS.rateLimitPerMinute),
  });
}
