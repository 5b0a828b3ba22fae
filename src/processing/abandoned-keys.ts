/**
 * The ordering keys (device, or partition) whose record was abandoned in an ownership period of a
 * partition: a revoke or `stop()` gave up on the record, so the key's later records of that period must
 * not run either. Otherwise the application would see them before the abandoned record, which the
 * partition's next owner (or the consumer after a restart) handles again: N+1, then N, then N+1.
 */
import type { PartitionLease } from '../engine/partition-table.js';

/** Keys blocked for the rest of a lease; forgotten with the lease. */
export class AbandonedKeys {
  readonly #keys = new WeakMap<PartitionLease, Set<string>>();

  /**
   * A record of `key` was abandoned in `lease`: block the key for the rest of the lease.
   *
   * @param lease - the ownership period the record was fetched in
   * @param key - the record's ordering key
   */
  abandon(lease: PartitionLease, key: string): void {
    let keys = this.#keys.get(lease);
    if (keys === undefined) {
      keys = new Set();
      this.#keys.set(lease, keys);
    }
    keys.add(key);
  }

  /**
   * Whether an earlier record of `key` was abandoned in `lease`.
   *
   * @param lease - the ownership period
   * @param key - the ordering key
   * @returns true when the key's records of this lease must not run
   */
  blocks(lease: PartitionLease, key: string): boolean {
    return this.#keys.get(lease)?.has(key) === true;
  }
}
