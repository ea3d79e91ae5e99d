// Per-caller rate limits (api/rules/rate_limits.py): a quota of requests in fixed windows of
// a minute, counted in a store every instance shares.
import { RateLimited } from "./errors.js";

export const POLICY_NAME = "per-minute";
export const WINDOW_SECONDS = 60;

/** A shared counter of requests per key. */
export interface HitCounter {
  /** Count one request under `key` and answer how many it has counted, this one included;
   * the count may be forgotten after `expiresAt` (epoch seconds). */
  hit(key: string, expiresAt: number): Promise<number>;
}

export interface Allowance {
  quota: number;
  remaining: number;
  resetSeconds: number;
}

/** The IETF httpapi RateLimit and RateLimit-Policy fields for `allowance`. */
export function rateLimitHeaders(allowance: Allowance): Record<string, string> {
  return {
    RateLimit: `"${POLICY_NAME}";r=${allowance.remaining};t=${allowance.resetSeconds}`,
    "RateLimit-Policy": `"${POLICY_NAME}";q=${allowance.quota};w=${WINDOW_SECONDS}`,
  };
}

/** At most `quota` requests per caller in each window of WINDOW_SECONDS seconds. */
export class RateLimit {
  constructor(
    private readonly counter: HitCounter,
    readonly quota: number,
  ) {
    if (quota < 1) throw new RangeError("a rate limit needs a quota of at least one request");
  }

  /** Count a request of `subject` at `now`; RateLimited (with what is left) past the quota. */
  async admit(subject: string, now: number): Promise<Allowance> {
    const window = Math.floor(now / WINDOW_SECONDS);
    const windowEnd = (window + 1) * WINDOW_SECONDS;
    const count = await this.counter.hit(`${subject}#${window}`, windowEnd + WINDOW_SECONDS);
    const allowance = {
      quota: this.quota,
      remaining: Math.max(this.quota - count, 0),
      resetSeconds: Math.max(Math.ceil(windowEnd - now), 1),
    };
    if (count > this.quota) {
      throw new RateLimited(`This caller has made ${this.quota} requests in this minute; retry in ${allowance.resetSeconds} seconds.`, {
        headers: { ...rateLimitHeaders(allowance), "Retry-After": String(allowance.resetSeconds) },
      });
    }
    return allowance;
  }
}
