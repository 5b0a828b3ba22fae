/**
 * The partitions this consumer owns, each with a lease that its in-flight records hold. A revoke, a loss
 * or `stop()` ends a lease in two steps: `halt` (fetch nothing new; records already fetched still finish,
 * retries included) and, once the partition drained or the drain time is over, `abort` (running
 * handlers are told to give up, and nothing more is attempted). Completions are only
 * counted while their lease is the partition's current one, so a handler that finishes after its
 * partition moved to another consumer never commits anything.
 */
import { setMaxListeners } from 'node:events';
import type { TopicPartition } from '../types.js';
import type { PauseReason } from '../consumer/events.js';
import { partitionKey } from '../scheduling/ordering.js';

/** One ownership period of one partition. */
export class PartitionLease implements TopicPartition {
  readonly topic: string;
  readonly partition: number;
  /** The partition's scheduling key ({@link partitionKey}): its records' keys start with it. */
  readonly key: string;
  readonly #halt = new AbortController();
  readonly #abort = new AbortController();
  /** Why fetching from the partition is paused (empty: fetching). */
  readonly pausedFor = new Set<PauseReason>();
  /** Records of this lease that failed for good and have not succeeded since. */
  #failing = 0;
  /**
   * Records handled at most once (`qos0: 'atMostOnce'`) fetched in this lease whose handler has not
   * finished: their offsets count as done, so the offsets tracker does not hold them, but back-pressure
   * and the backlog bound must (they are what a crash loses).
   */
  unhandledAtMostOnce = 0;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
    this.key = partitionKey(topic, partition);
    // Every running handler and retry wait of the partition listens; that is not a leak.
    setMaxListeners(0, this.#halt.signal, this.#abort.signal);
  }

  /** Aborted when the partition starts draining: nothing new is fetched for it. */
  get halt(): AbortSignal {
    return this.#halt.signal;
  }

  /** Aborted when the drain is over: running handlers should give up, and nothing more is attempted. */
  get abort(): AbortSignal {
    return this.#abort.signal;
  }

  /** Starts the drain. */
  halted(): void {
    this.#halt.abort();
  }

  /** Ends the lease for good. */
  aborted(): void {
    this.#halt.abort();
    this.#abort.abort();
  }

  /**
   * A record of the partition failed for good: the partition stays paused for failure until every such
   * record succeeded.
   */
  failureStarted(): void {
    this.#failing += 1;
  }

  /**
   * A record that failed for good succeeded.
   *
   * @returns whether no record of the partition fails any more (the failure pause may end)
   */
  failureEnded(): boolean {
    if (this.#failing > 0) this.#failing -= 1;
    return this.#failing === 0;
  }

  /** How many records of the partition failed for good and have not succeeded since. */
  get failing(): number {
    return this.#failing;
  }
}

/** The partitions owned now, by topic and partition (no string key is built per lookup). */
export class PartitionTable {
  readonly #topics = new Map<string, Map<number, PartitionLease>>();

  /** Starts a lease for each newly assigned partition (a re-assignment gets a new lease). */
  assign(partitions: readonly TopicPartition[]): PartitionLease[] {
    return partitions.map(({ topic, partition }) => {
      let leases = this.#topics.get(topic);
      if (leases === undefined) {
        leases = new Map();
        this.#topics.set(topic, leases);
      }
      leases.get(partition)?.aborted();
      const lease = new PartitionLease(topic, partition);
      leases.set(partition, lease);
      return lease;
    });
  }

  /** The current lease of a partition. */
  get(topic: string, partition: number): PartitionLease | undefined {
    return this.#topics.get(topic)?.get(partition);
  }

  /** Whether a lease is still its partition's current one. */
  isCurrent(lease: PartitionLease): boolean {
    return this.get(lease.topic, lease.partition) === lease;
  }

  /** The current leases of these partitions (unknown ones are left out). */
  leasesOf(partitions: readonly TopicPartition[]): PartitionLease[] {
    return partitions.flatMap(({ topic, partition }) => {
      const lease = this.get(topic, partition);
      return lease === undefined ? [] : [lease];
    });
  }

  /** Ends and forgets leases. */
  release(leases: readonly PartitionLease[]): void {
    for (const lease of leases) {
      lease.aborted();
      if (!this.isCurrent(lease)) continue;
      const leasesOfTopic = this.#topics.get(lease.topic);
      leasesOfTopic?.delete(lease.partition);
      if (leasesOfTopic?.size === 0) this.#topics.delete(lease.topic);
    }
  }

  /** Every current lease. */
  all(): PartitionLease[] {
    return [...this.#topics.values()].flatMap((leases) => [...leases.values()]);
  }

  /** How many partitions are owned. */
  get size(): number {
    let size = 0;
    for (const leases of this.#topics.values()) size += leases.size;
    return size;
  }
}
