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
 */
export class OffsetLedger {
  /** Trackers by topic, then partition: no string key is built per record. */
  readonly #topics = new Map<string, Map<number, PartitionOffsets>>();

  /**
   * The tracker of a partition, if there is one.
   *
   * @param topic - the topic
   * @param partition - the partition number
   * @returns the tracker, or undefined
   */
  get(topic: string, partition: number): PartitionOffsets | undefined {
    return this.#topics.get(topic)?.get(partition);
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
   * Forgets a partition's tracker (the partition was revoked or lost).
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
