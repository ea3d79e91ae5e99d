// Newest-first pages read within a budget (api/rules/paging.py): a page of items and the
// position after it, from one index or merged from the shards of one.
import type { Position } from "./cursors.js";
import { InvalidCursor } from "./errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_MILLIS = 2 ** 53;
const NOT_ISSUED = "The cursor is not one this API issued.";

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

// A shard's place in a merged listing: null before its first item, DONE once it has nothing
// more, else the position of the last item taken from it.
export const DONE = "done";
export type ShardPosition = Position | typeof DONE | null;
type Read<T> = (n: number) => Promise<Batch<T>>;

/** One shard during a merged page: what it read and the page has not taken yet. */
class Shard<T> {
  readonly pending: T[] = [];
  // The position of the last item it evaluated, null once it has nothing after it.
  lastEvaluated: Position | null = null;
  evaluated = 0;
  private started = false;

  constructor(
    private readonly read: Read<T>,
    public position: ShardPosition,
  ) {}

  async fetch(n: number): Promise<void> {
    const batch = await this.read(n);
    // A read that reports nothing evaluated still counts: the walk always ends.
    this.evaluated += Math.max(batch.evaluated, 1);
    this.pending.push(...batch.items);
    this.lastEvaluated = batch.lastEvaluated;
    this.started = true;
  }

  exhausted(): boolean {
    return this.started && this.lastEvaluated === null;
  }
}

/** The first `limit` items, greatest `sortKey` first, of shards each read newest first:
 * shard i from after `positions[i]` through the reads `openShard(i, that position)` gives, a
 * shard at DONE not at all; and the positions to continue from, null when every shard is
 * done. Each shard not done is read once with limit + 1, again only when the page needs its
 * next item and the filter left it none, with the rest of its budget; when a shard's budget
 * runs out before it has an item to compare, the page ends short there. A shard's next
 * position is the last item taken from it, its old one if none was, or its last item
 * evaluated when the page left none of its items unread. */
export async function mergedPage<T>(
  positions: readonly ShardPosition[],
  openShard: (shard: number, start: Position | null) => Read<T>,
  limit: number,
  positionOf: (item: T) => Position,
  sortKey: (item: T) => [number, string],
  budget = ITEMS_EVALUATED_PER_REQUEST,
): Promise<[T[], ShardPosition[] | null]> {
  if (limit < 1) throw new RangeError("a page holds at least one item");
  const shards = new Map<number, Shard<T>>();
  positions.forEach((start, i) => {
    if (start !== DONE) shards.set(i, new Shard(openShard(i, start), start));
  });
  const all = [...shards.values()];
  await Promise.all(all.map((shard) => shard.fetch(Math.min(limit + 1, budget))));
  const page: T[] = [];
  const waiting = (shard: Shard<T>): boolean => !shard.pending.length && !shard.exhausted();
  while (page.length < limit) {
    for (const shard of all.filter(waiting)) {
      while (waiting(shard) && shard.evaluated < budget) await shard.fetch(budget - shard.evaluated);
    }
    if (all.some(waiting)) break; // a shard spent its budget: its next item is unknown
    let newest: Shard<T> | null = null;
    for (const shard of all) {
      if (shard.pending.length && (newest === null || greater(sortKey(shard.pending[0] as T), sortKey(newest.pending[0] as T)))) newest = shard;
    }
    if (newest === null) break;
    const item = newest.pending.shift() as T;
    newest.position = positionOf(item);
    page.push(item);
  }
  const after: ShardPosition[] = positions.map(() => DONE);
  for (const [i, shard] of shards) {
    if (shard.pending.length) after[i] = shard.position;
    else if (shard.lastEvaluated !== null) after[i] = shard.lastEvaluated;
  }
  return [page, after.every((p) => p === DONE) ? null : after];
}

function greater([createdAt, id]: [number, string], [otherCreatedAt, otherId]: [number, string]): boolean {
  return createdAt !== otherCreatedAt ? createdAt > otherCreatedAt : id > otherId;
}

/** The id and createdAt of a page position {idName: uuid, createdAt: millis} of a
 * createdAt-ordered listing; InvalidCursor for anything else. */
export function checkedPosition(position: Position, idName: string): [string, number] {
  const names = Object.keys(position).sort();
  const id = position[idName];
  const createdAt = position.createdAt;
  if (
    names.length !== 2 ||
    !names.includes(idName) ||
    !names.includes("createdAt") ||
    typeof id !== "string" ||
    !UUID.test(id) ||
    typeof createdAt !== "number" ||
    !Number.isInteger(createdAt) ||
    createdAt < 0 ||
    createdAt >= MAX_MILLIS
  ) {
    throw new InvalidCursor(NOT_ISSUED);
  }
  return [id, createdAt];
}

/** The positions of each of `shards` shards in the page position of a merged listing,
 * {"shards": [...]}: each null (not started), "done" or [createdAt, id], as page positions
 * {idName: id, createdAt} of its shard; InvalidCursor for anything else. */
export function shardPositions(position: Position, idName: string, shards: number): ShardPosition[] {
  const entries = position.shards;
  if (Object.keys(position).join(",") !== "shards" || !Array.isArray(entries) || entries.length !== shards) throw new InvalidCursor(NOT_ISSUED);
  return entries.map((entry: unknown): ShardPosition => {
    if (entry === null || entry === DONE) return entry;
    if (!Array.isArray(entry) || entry.length !== 2) throw new InvalidCursor(NOT_ISSUED);
    const shardPosition = { [idName]: entry[1], createdAt: entry[0] };
    checkedPosition(shardPosition, idName);
    return shardPosition;
  });
}

/** The page position of a merged listing from its shards' positions: the inverse of
 * `shardPositions`. */
export function mergedPosition(positions: readonly ShardPosition[], idName: string): Position {
  return { shards: positions.map((p) => (p === null || p === DONE ? p : [p.createdAt, p[idName]])) };
}

/** A page of a listing merged from `shards` shards by (createdAt, id) descending, from after
 * the page position `after` (`shardPositions`; null for the first page), and the page
 * position to continue from, null when every shard is done. */
export async function mergedListing<T>(
  after: Position | null,
  shards: number,
  openShard: (shard: number, start: Position | null) => Read<T>,
  limit: number,
  positionOf: (item: T) => Position,
  idName: string,
): Promise<[T[], Position | null]> {
  const starts = after === null ? Array.from({ length: shards }, () => null) : shardPositions(after, idName, shards);
  const sortKey = (item: T): [number, string] => {
    const position = positionOf(item);
    return [position.createdAt as number, position[idName] as string];
  };
  const [items, positions] = await mergedPage(starts, openShard, limit, positionOf, sortKey);
  return [items, positions === null ? null : mergedPosition(positions, idName)];
}
