/**
 * The iteration order of a `java.util.HashMap`: Hono writes the headers of its command and response
 * records in that order, and the encoders reproduce it.
 *
 * @module
 */

/** Java's `String.hashCode()` over UTF-16 code units, spread as `HashMap.hash()` does. */
function javaHash(key: string): number {
  let hash = 0;
  for (let index = 0; index < key.length; index++) hash = (Math.imul(hash, 31) + key.charCodeAt(index)) | 0;
  return hash ^ (hash >>> 16);
}

/** Java's `HashMap.tableSizeFor`: the smallest power of two of at least `capacity`. */
function tableSizeFor(capacity: number): number {
  return capacity <= 1 ? 1 : 2 ** Math.ceil(Math.log2(capacity));
}

/**
 * The iteration order of the keys of a `java.util.HashMap` (Java 19 and later, as Hono's images run)
 * made by `new HashMap<>()`, then `putAll` of a map whose iteration order is `source`, then `put` of each
 * of `later`. Buckets are visited by index, each bucket in insertion order; the capacity grows as Java's
 * does (load factor 0.75, pre-sizing by `putAll`, doubling when a bucket reaches 9 entries in a table of
 * less than 64). Not modelled: the red-black trees Java makes of a bucket with 9 or more colliding keys
 * in a table of 64 or more; such deliberately colliding metadata names keep their insertion order.
 */
export function javaHashMapOrder(source: readonly string[], later: readonly string[]): readonly string[] {
  // Records of one kind have the same header names, mostly: each set's order is worked out once.
  const key = `${source.join('\u0000')}\u0001${later.join('\u0000')}`;
  let order = orders.get(key);
  if (order === undefined) {
    if (orders.size >= maxCachedOrders) orders.clear();
    order = Object.freeze(computeOrder(source, later));
    orders.set(key, order);
  }
  return order;
}

/** The orders worked out, by header names; bounded, as metadata names are the application's. */
const orders = new Map<string, readonly string[]>();
const maxCachedOrders = 256;

/** The order, worked out as Java's HashMap fills and grows its table. */
function computeOrder(source: readonly string[], later: readonly string[]): string[] {
  let table: string[][] = [];
  let threshold = 0;
  let size = 0;
  const resize = (): void => {
    const oldCapacity = table.length;
    let capacity: number;
    let nextThreshold = 0;
    if (oldCapacity > 0) {
      capacity = oldCapacity * 2;
      if (oldCapacity >= 16) nextThreshold = threshold * 2;
    } else if (threshold > 0) capacity = threshold;
    else {
      capacity = 16;
      nextThreshold = 12;
    }
    threshold = nextThreshold === 0 ? Math.floor(capacity * 0.75) : nextThreshold;
    const next: string[][] = Array.from({ length: capacity }, () => []);
    for (const bucket of table) for (const key of bucket) next[javaHash(key) & (capacity - 1)]?.push(key);
    table = next;
  };
  const put = (key: string): void => {
    if (table.length === 0) resize();
    const bucket = table[javaHash(key) & (table.length - 1)] ?? [];
    if (bucket.includes(key)) return; // a new value, same place
    bucket.push(key);
    if (bucket.length >= 9 && table.length < 64) resize(); // treeifyBin on a small table
    if (++size > threshold) resize();
  };
  if (source.length > 0) {
    const wanted = Math.ceil(source.length / 0.75);
    if (wanted > threshold) threshold = tableSizeFor(wanted);
  }
  for (const key of source) put(key);
  for (const key of later) put(key);
  return table.flat();
}
