// The parts every function builds alike from its settings: the page cursors and the rate
// limit. Both functions build them here, so their cursors and quotas are one.
import { CursorCodec } from "./cursors.js";
import type { DocumentSender } from "./dynamo.js";
import { DynamoHitCounter } from "./rate-limit-counter.js";
import { RateLimit } from "./rate-limits.js";
import { MissingSetting, type Settings } from "./settings.js";

/** The page cursors signed with the keys of `settings`: every function and every instance
 * accept each other's cursors. */
export function cursorCodec(settings: Settings): CursorCodec {
  if (!settings.cursorKeys.length) throw new MissingSetting("CURSOR_KEY must be set: it signs the page cursors");
  return new CursorCodec(settings.cursorKeys);
}

/** Each caller's quota per minute of `settings`, counted in the rate-limits table; null when
 * the quota is 0, which switches the limit off. */
export function rateLimit(settings: Settings, client: DocumentSender): RateLimit | null {
  if (settings.rateLimitPerMinute === 0) return null;
  return new RateLimit(new DynamoHitCounter(client, settings.tables.rate_limits), settings.rateLimitPerMinute);
}
