// Newest-first pages read within a budget (api/rules/paging.py): a page of items and the
// position after it.
import type { Position } from "./cursors.js";

// The most items one listing request evaluates (contract/DATA.md, "Budget").
export const ITEMS_EVALUATED_PER_REQUEST = 200;

/** One read of an index: the items its filter kept, how many it evaluated, and the position
 * of the last item evaluated (null when the index has nothing after it). */
export interface Batch<T> {
  items: T[];
  evaluated: number;
  lastEvaluated: Position | null;
}

/** The first `limit` items of successive `read(n)`, evaluating at most `budget` in all, and
 * the position to continue from (null when nothing follows). */
export async function boundedPage<T>(
  read: (n: number) => Promise<Batch<T>>,
  limit: number,
  positionOf: (item: T) => Position,
  budget = ITEMS_EVALUATED_PER_REQUEST,
): Promise<[T[], Position | null]> {
  if (limit < 1) throw new RangeError("a page holds at least one item");
  const found: T[] = [];
  let evaluated = 0;
  let size = Math.min(limit + 1, budget);
  for (;;) {
    const batch = await read(size);
    // A read that reports nothing evaluated still counts: the walk always ends.
    evaluated += Math.max(batch.evaluated, 1);
    found.push(...batch.items);
    if (found.length > limit) return [found.slice(0, limit), positionOf(found[limit - 1] as T)];
    if (batch.lastEvaluated === null) return [found, null];
    if (evaluated >= budget) return [found, batch.lastEvaluated];
    size = budget - evaluated;
  }
}
