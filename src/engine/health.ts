/**
 * The consumer's state and health snapshot, as `health()` reports them for readiness and liveness probes.
 */
import type { PauseReason } from '../consumer/events.js';
import type { TopicPartition } from '../types.js';

/**
 * Where the consumer is in its life: `idle` before {@link HonoEventConsumer.run}, `starting` while
 * `run()` connects, `running`, `stopping` while {@link HonoEventConsumer.stop} drains and closes,
 * `stopped`, or `failed` when `run()` could not connect. A consumer runs once: after `failed` or
 * `stopped`, create a new one.
 *
 * @category Consumer
 */
export type ConsumerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/**
 * An owned partition's position and lag, for monitoring.
 *
 * @category Consumer
 */
export interface PartitionHealth extends TopicPartition {
  /**
   * The position that would be committed now (the next offset to read): the lowest fetched record not
   * finished yet, or the last fetched one + 1. `undefined` until a record was fetched since the
   * partition was assigned.
   */
  readonly committable: number | undefined;
  /** The last position the broker confirmed since the partition was assigned to this consumer. */
  readonly committed: number | undefined;
  /**
   * Records between {@link PartitionHealth.committable} (or {@link PartitionHealth.committed}) and the
   * partition's end, as far as the client knows the end. `undefined` while either is unknown, e.g.
   * before the first record was fetched.
   */
  readonly lag: number | undefined;
  /** Why fetching is paused; empty while the partition fetches. */
  readonly pausedFor: readonly PauseReason[];
}

/**
 * A snapshot for readiness and liveness probes.
 *
 * @category Consumer
 */
export interface HealthSnapshot {
  /** Where the consumer is in its life. */
  readonly state: ConsumerState;
  /**
   * Running or stopping, the client is connected, and the brokers answered at the last contact: `false`
   * from an "all brokers down" report until the next fetched record or confirmed commit.
   */
  readonly connected: boolean;
  /** Owned partitions with their positions. */
  readonly partitions: readonly PartitionHealth[];
  /**
   * Records being handled now, retries and the waits between them included. At most `concurrency` of
   * them run a handler: a record waiting for its retry delay or paused for failure holds no handler slot.
   */
  readonly inFlight: number;
  /** Records fetched and waiting for their turn (device or partition order, or a free handler slot). */
  readonly buffered: number;
  /** When the poll loop last returned (it runs while handlers run). */
  readonly lastPollAt: Date | undefined;
  /** When the broker last confirmed a commit. */
  readonly lastCommitAt: Date | undefined;
}
