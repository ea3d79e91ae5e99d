// Newest-first pages read within a budget (api/rules/paging.py): a page of items and the
// position after it.

/** The most items one listing request evaluates: items read from an index, whether its
 * filter keeps them or not (expired items not yet swept count as much as live ones). */
export const ITEMS_EVALUATED_PER_REQUEST = 200;

/** One read of an index: the items its filter kept, in order; how many items it evaluated to
 * find them; and the position of the last item evaluated, or null when nothing follows. */
export interface Batch<T> {
  items: T[];
  evaluated: number;
  lastEvaluated: Record<string, unknown> | null;
}

/** The first `limit` items of successive `read(n)` (each evaluating at most `n` items, on
 * from where the previous one stopped), evaluating at most `budget` items in all; and the
 * position to continue from, null when nothing follows. The first read asks for limit + 1:
 * when they all match, the extra one tells that another page follows (no empty last page)
 * and the page ends at its last item. When the budget runs out first, the page is short
 * and continues after the last item evaluated, which may be one the filter dropped. */
export async function boundedPage<T>(
  read: (size: number) => Promise<Batch<T>>,
  limit: number,
  positionOf: (item: T) => Record<string, unknown>,
  budget: number = ITEMS_EVALUATED_PER_REQUEST,
): Promise<{ items: T[]; position: Record<string, unknown> | null }> {
  if (limit < 1) throw new RangeError("a page holds at least one item");
  const found: T[] = [];
  let evaluated = 0;
  let size = Math.min(limit + 1, budget);
  for (;;) {
    const batch = await read(size);
    // A read that reports nothing evaluated still counts: the walk always ends.
    evaluated += Math.max(batch.evaluated, 1);
    found.push(...batch.items);
    if (found.length > limit) return { items: found.slice(0, limit), position: positionOf(found[limit - 1] as T) };
    if (batch.lastEvaluated === null) return { items: found, position: null };
    if (evaluated >= budget) return { items: found, position: batch.lastEvaluated };
    size = budget - evaluated;
  }
}
