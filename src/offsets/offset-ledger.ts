/**
 * The commit positions of every partition a consumer owns, one {@link PartitionOffsets} each.
 *
 * @module
 */
import { PartitionOffsets } from './partition-offsets.js';

/** A position to commit: the next offset to read in one topic-partition. */
export interface CommitPosition {
  /** The topic. */
  readonly topic: string;
  /** The partition number. */
  readonly partition: number;
  /** The next offset to read (Kafka's commit semantics). */
  readonly offset: number;
}

/**
 * The {@link PartitionOffsets} of the owned partitions, by topic and partition. The owner creates a
 * tracker when a partition's first record is fetched and deletes it when the partition is revoked or
 * lost, so that nothing is committed for a partition it no longer owns.
 *
 * Each partition has one current tracker. When a fetched offset is not above the last one tracked,
 * the partition's offsets went back within the assignment (log truncation after an unclean leader
 * election, or the topic was deleted and created again under the same name):
 * {@link OffsetLedger.track} then replaces the current tracker with a new generation that waits for the
 * old one's records before it lets anything be committed (see {@link PartitionOffsets}). The other
 * methods work on the current tracker.
 *
 * @example
 * ```ts
 * const ledger = new OffsetLedger();
 * const first = ledger.track('hono.event.DEFAULT_TENANT', 0, 41);
 * const second = ledger.track('hono.event.DEFAULT_TENANT', 0, 0); // the topic was recreated
 * second !== first; // true: a new generation; record 41 completes on `first`
 * ```
 */
export class OffsetLedger {
  /** Trackers by topic, then partition: no string key is built per record. */
  readonly #topics = new Map<string, Map<number, PartitionOffsets>>();

  /**
   * The current tracker of a partition, if there is one.
   *
   * @param topic - the topic
   * @param partition - the partition number
   * @returns the tracker, or undefined
   */
  get(topic: string, partition: number): PartitionOffsets | undefined {
    return this.#topics.get(topic)?.get(partition);
  }

  /**
   * Tracks a fetched record and returns the tracker that now holds it; complete the record on that
   * tracker. The partition's current tracker is used when `offset` is above its last tracked offset
   * (or it tracked nothing yet); a tracker is created when there is none; and when `offset` is at or
   * below the last tracked offset (a rewind), the current tracker is replaced by a new generation,
   * `new PartitionOffsets(topic, partition, current)`, which tracks the offset. O(1) amortized, with no
   * allocation unless a tracker is created.
   *
   * @param topic - the topic
   * @param partition - the partition number
   * @param offset - the record's offset
   * @returns the tracker that tracked the offset: the partition's current one
   * @throws {RangeError} when the partition or the offset is not a non-negative integer
   */
  track(topic: string, partition: number, offset: number): PartitionOffsets {
    let partitions = this.#topics.get(topic);
    let offsets = partitions?.get(partition);
    const last = offsets?.lastTracked;
    if (offsets === undefined || (last !== undefined && offset <= last)) {
      // Validate before replacing, so that an invalid offset leaves the current tracker in place.
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new RangeError(
          `${topic}[${String(partition)}]: offset must be a non-negative integer, got ${String(offset)}`,
        );
      }
      offsets = new PartitionOffsets(topic, partition, offsets);
      if (partitions === undefined) {
        partitions = new Map();
        this.#topics.set(topic, partitions);
      }
      partitions.set(partition, offsets);
    }
    offsets.track(offset);
    return offsets;
  }

  /**
   * The tracker of a partition, created empty when there is none.
   *
   * @param topic - the topic
   * @param partition - the partition number
   * @returns the existing or new tracker
   * @throws {RangeError} when the partition is not a non-negative integer
   */
  ensure(topic: string, partition: number): PartitionOffsets {
    let partitions = this.#topics.get(topic);
    let offsets = partitions?.get(partition);
    if (offsets !== undefined) return offsets;
    offsets = new PartitionOffsets(topic, partition);
    if (partitions === undefined) {
      partitions = new Map();
      this.#topics.set(topic, partitions);
    }
    partitions.set(partition, offsets);
    return offsets;
  }

  /**
   * Forgets a partition's tracker and its predecessors (the partition was revoked or lost).
   *
   * @param topic - the topic
   * @param partition - the partition number
   * @returns true when there was a tracker
   */
  delete(topic: string, partition: number): boolean {
    const partitions = this.#topics.get(topic);
    if (partitions?.delete(partition) !== true) return false;
    if (partitions.size === 0) this.#topics.delete(topic);
    return true;
  }

  /**
   * How many partitions have a tracker.
   *
   * @returns the count
   */
  get size(): number {
    let size = 0;
    for (const partitions of this.#topics.values()) size += partitions.size;
    return size;
  }

  /**
   * Every tracker (each knows its topic and partition), by topic, then in the order of creation.
   *
   * @returns an iterator over the trackers
   */
  *entries(): Generator<PartitionOffsets, void, undefined> {
    for (const partitions of this.#topics.values()) yield* partitions.values();
  }

  /**
   * The positions that moved since they were last marked committed
   * ({@link PartitionOffsets.needsCommit}).
   *
   * @returns one position per partition that needs a commit
   */
  commitPositions(): CommitPosition[] {
    const positions: CommitPosition[] = [];
    for (const offsets of this.entries()) {
      const offset = offsets.committable;
      if (offset !== undefined && offset !== offsets.committed) {
        positions.push({ topic: offsets.topic, partition: offsets.partition, offset });
      }
    }
    return positions;
  }

  /**
   * Every partition's committable position, changed or not: for the periodic re-commit that keeps the
   * broker from expiring an unchanged committed offset (Hono re-commits hourly).
   *
   * @returns one position per partition that ever tracked a record
   */
  refreshPositions(): CommitPosition[] {
    const positions: CommitPosition[] = [];
    for (const offsets of this.entries()) {
      const offset = offsets.committable;
      if (offset !== undefined)
        positions.push({ topic: offsets.topic, partition: offsets.partition, offset });
    }
    return positions;
  }

  /**
   * Marks positions as committed on the partitions that still have a tracker; positions of partitions
   * deleted meanwhile are ignored.
   *
   * @param positions - positions handed to the client or confirmed by the broker
   * @throws {RangeError} when an offset is not a non-negative integer
   */
  markCommitted(positions: readonly CommitPosition[]): void {
    for (const { topic, partition, offset } of positions) this.get(topic, partition)?.markCommitted(offset);
  }
}
