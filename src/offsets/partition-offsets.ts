/**
 * The commit position of one topic-partition: which fetched records are still being handled, and the
 * offset below which every record's handling has finished; across a rewind of the partition's offsets
 * (log truncation, a recreated topic), in generations.
 *
 * @module
 */

/** Compact the slot arrays once this many finished slots sit before the head (and they are half of all). */
const compactAfter = 1024;

/**
 * Tracks the records of one topic-partition from fetch to finished handling and yields the offset that
 * may be committed: the lowest offset whose handling has not finished, so that a restart resumes there
 * and no unfinished record is skipped (at least once).
 *
 * Offsets are tracked in fetch order (strictly increasing, gaps allowed) and completed in any order.
 * Gaps (compaction, transaction markers) never block the position. `track` is O(1) amortized; `complete`
 * is O(1) when the tracked offsets since the oldest unfinished one have no gaps and O(log g) otherwise,
 * where g is the number of offsets missing in that window.
 *
 * **Generations.** Within one assignment the client may deliver a partition's offsets from a lower
 * offset again: after log truncation (an unclean leader election: librdkafka moves the position back to
 * where the new leader's log diverges, KIP-320, or by `auto.offset.reset` when the position is out of
 * range) or when the topic was deleted and created again under the same name (its offsets start at 0
 * again). Those records are new and must be handled,
 * yet offsets from before and after the rewind cannot be compared. So a rewind starts a new tracker, a
 * generation, that keeps its predecessor while any record tracked before the rewind (in the predecessor
 * or an earlier generation) is unfinished. Until then {@link PartitionOffsets.committable} is undefined:
 * nothing is committed for the partition, neither the old position (which could skip the new records)
 * nor a new one (which could skip unfinished old ones). {@link PartitionOffsets.pending} and
 * {@link PartitionOffsets.uncommitted} count every generation, {@link PartitionOffsets.committed} starts
 * at the predecessor's, and `track` and `complete` work on the tracker's own generation only. Once the
 * predecessors finished, the reference to them is dropped and the tracker behaves like a first one.
 * `OffsetLedger.track` decides when a rewind starts a generation.
 *
 * @example
 * ```ts
 * const offsets = new PartitionOffsets('hono.event.DEFAULT_TENANT', 0);
 * offsets.track(10);
 * offsets.track(11);
 * offsets.complete(11);
 * offsets.committable; // 10: record 10 is still being handled
 * offsets.complete(10);
 * offsets.committable; // 12
 * ```
 */
export class PartitionOffsets {
  /** The topic of the partition. */
  readonly topic: string;
  /** The partition number. */
  readonly partition: number;
  /** Tracked offsets, increasing; the slots before `#head` are finished. */
  #offsets: number[] = [];
  /** Whether the record in the same slot of `#offsets` has finished. */
  #done: boolean[] = [];
  /** The slot of the oldest unfinished record (or `#offsets.length` when all finished). */
  #head = 0;
  #pending = 0;
  #lastTracked: number | undefined;
  #committed: number | undefined;
  /** The generation before a rewind, while it (or an earlier one) has unfinished records. */
  #predecessor: PartitionOffsets | undefined;

  /**
   * Creates an empty tracker: the first of its partition, or the generation that follows `predecessor`
   * after the partition's offsets went back (see the class description).
   *
   * @param topic - the topic
   * @param partition - the partition number
   * @param predecessor - the tracker of the same partition that tracked the records fetched before the
   *   rewind; it is kept only while it or its own predecessors have unfinished records
   * @throws {RangeError} when the partition is not a non-negative integer, or the predecessor is of
   *   another topic-partition
   * @example
   * ```ts
   * const before = new PartitionOffsets('hono.event.DEFAULT_TENANT', 0);
   * before.track(500);
   * // The topic was recreated: its offsets start at 0 again.
   * const after = new PartitionOffsets('hono.event.DEFAULT_TENANT', 0, before);
   * after.track(0);
   * after.complete(0);
   * after.committable; // undefined: record 500 is still being handled
   * before.complete(500);
   * after.committable; // 1
   * ```
   */
  constructor(topic: string, partition: number, predecessor?: PartitionOffsets) {
    if (!Number.isSafeInteger(partition) || partition < 0) {
      throw new RangeError(`partition must be a non-negative integer, got ${String(partition)}`);
    }
    if (predecessor !== undefined && (predecessor.topic !== topic || predecessor.partition !== partition)) {
      throw new RangeError(
        `the predecessor of ${topic}[${partition}] is of ${predecessor.topic}[${predecessor.partition}]`,
      );
    }
    this.topic = topic;
    this.partition = partition;
    if (predecessor !== undefined) {
      this.#committed = predecessor.committed;
      if (predecessor.pending > 0) this.#predecessor = predecessor;
    }
  }

  /**
   * Records that a record was fetched and its handling begins, in this tracker's generation.
   *
   * @param offset - the record's offset: greater than every offset tracked before in this generation (a
   *   lower one is a rewind: see `OffsetLedger.track`)
   * @throws {RangeError} when the offset is not a non-negative integer or not greater than the last tracked one
   */
  track(offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`${this.#name()}: offset must be a non-negative integer, got ${String(offset)}`);
    }
    if (this.#lastTracked !== undefined && offset <= this.#lastTracked) {
      throw new RangeError(
        `${this.#name()}: offset ${offset} tracked after ${this.#lastTracked}; offsets must increase`,
      );
    }
    this.#offsets.push(offset);
    this.#done.push(false);
    this.#pending += 1;
    this.#lastTracked = offset;
  }

  /**
   * Records that the handling of a tracked record finished (success, or a terminal outcome such as skip
   * or dead-letter), so the position may move past it. Call it on the tracker that tracked the record:
   * after a rewind that is the predecessor of the ledger's current tracker.
   *
   * @param offset - the offset of a record tracked by this tracker whose handling has not finished yet
   * @throws {RangeError} when the offset was never tracked or was already completed
   */
  complete(offset: number): void {
    const slot = this.#slotOf(offset);
    if (slot < 0 || this.#done[slot] === true) {
      throw new RangeError(`${this.#name()}: offset ${String(offset)} is not tracked or already completed`);
    }
    this.#done[slot] = true;
    this.#pending -= 1;
    if (slot === this.#head) this.#advance();
  }

  /**
   * The offset to commit, in Kafka's sense (the next offset to read): the lowest tracked offset whose
   * handling has not finished, or the last tracked offset + 1 when all have finished.
   *
   * @returns the position, or undefined when nothing was ever tracked in this generation or a record of
   *   a predecessor generation (tracked before a rewind) has not finished
   */
  get committable(): number | undefined {
    return this.#predecessorPending() > 0 ? undefined : this.#ownCommittable();
  }

  /**
   * How many tracked records have not finished, in this generation and its predecessors.
   *
   * @returns the count
   */
  get pending(): number {
    return this.#pending + this.#predecessorPending();
  }

  /**
   * How far fetching ran ahead of the commit position: the offsets from the lowest unfinished one (or
   * the last tracked + 1) up to the last tracked one, both included, summed over this generation and its
   * predecessors (0 when every tracked record finished, or nothing was tracked). Gaps in the offsets
   * count, so it is never less than the number of records fetched past the commit position.
   *
   * @returns the distance in offsets
   */
  get uncommitted(): number {
    const committable = this.#ownCommittable();
    const last = this.#lastTracked;
    const own = committable === undefined || last === undefined ? 0 : last + 1 - committable;
    return this.#predecessorPending() > 0 ? own + (this.#predecessor as PartitionOffsets).uncommitted : own;
  }

  /**
   * The last offset tracked in this generation.
   *
   * @returns the offset, or undefined when nothing was tracked in this generation
   */
  get lastTracked(): number | undefined {
    return this.#lastTracked;
  }

  /**
   * The last position handed to the client for committing or confirmed by the broker (see
   * {@link PartitionOffsets.markCommitted}); a new generation starts with its predecessor's.
   *
   * @returns the position, or undefined when none was marked
   */
  get committed(): number | undefined {
    return this.#committed;
  }

  /**
   * Whether {@link PartitionOffsets.committable} is defined and differs from
   * {@link PartitionOffsets.committed} (so false while a predecessor generation has unfinished records).
   *
   * @returns true when a commit would move the position
   */
  get needsCommit(): boolean {
    const committable = this.committable;
    return committable !== undefined && committable !== this.#committed;
  }

  /**
   * Records the position last handed to the client for committing or confirmed by the broker. The value
   * is taken as given; it is not compared with {@link PartitionOffsets.committable}.
   *
   * @param offset - the committed position (the next offset to read)
   * @throws {RangeError} when the offset is not a non-negative integer
   */
  markCommitted(offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`${this.#name()}: offset must be a non-negative integer, got ${String(offset)}`);
    }
    this.#committed = offset;
  }

  /** This generation's position, whatever its predecessors hold. */
  #ownCommittable(): number | undefined {
    const offsets = this.#offsets;
    if (this.#head < offsets.length) return offsets[this.#head];
    return this.#lastTracked === undefined ? undefined : this.#lastTracked + 1;
  }

  /** The unfinished records of the predecessor generations; forgets them once there are none. */
  #predecessorPending(): number {
    const predecessor = this.#predecessor;
    if (predecessor === undefined) return 0;
    const pending = predecessor.pending;
    if (pending === 0) this.#predecessor = undefined;
    return pending;
  }

  /** The slot holding `offset` among the unfinished window, or -1. */
  #slotOf(offset: number): number {
    const offsets = this.#offsets;
    let low = this.#head;
    let high = offsets.length - 1;
    if (low > high) return -1;
    const first = offsets[low] as number;
    const last = offsets[high] as number;
    if (!(offset >= first && offset <= last)) return -1;
    // Offsets increase by at least 1 per slot, so the slot lies between these bounds; they meet when the
    // window has no gaps.
    low = Math.max(low, high - (last - offset));
    high = Math.min(high, this.#head + (offset - first));
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = offsets[middle] as number;
      if (value === offset) return middle;
      if (value < offset) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** Moves the head past finished slots and drops them when enough have gathered. */
  #advance(): void {
    const done = this.#done;
    const length = done.length;
    let head = this.#head;
    while (head < length && done[head] === true) head += 1;
    if (head === length) {
      this.#offsets.length = 0;
      done.length = 0;
      head = 0;
    } else if (head >= compactAfter && head * 2 >= length) {
      this.#offsets.splice(0, head);
      done.splice(0, head);
      head = 0;
    }
    this.#head = head;
  }

  #name(): string {
    return `${this.topic}[${this.partition}]`;
  }
}
