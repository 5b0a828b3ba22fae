/**
 * The lifecycle events of a {@link HonoEventConsumer}. Listeners observe; the SDK never waits for them
 * before it commits, and an exception thrown by a listener is logged, not propagated.
 */
import type { CommitError, DecodeError, HandlerError, HonoKafkaError } from '../errors.js';
import type { TopicPartition, TopicPartitionOffset } from '../types.js';
import type { HonoEvent } from '../wire/types.js';

/**
 * Where a record sits in Kafka.
 *
 * @category Handlers and lifecycle events
 */
export interface RecordCoordinates {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
  /** The offset. */
  readonly offset: number;
}

/**
 * Why partitions were paused or resumed: `backlog` when a partition's fetching ran `maxUncommitted`
 * offsets ahead of its committable position, `backpressure` when `maxInFlight` records are held (the
 * partitions holding the most pause), `failure` when a record failed for good, `stopping` when `stop()`
 * or a revoke drains the partition.
 *
 * @category Handlers and lifecycle events
 */
export type PauseReason = 'backlog' | 'backpressure' | 'failure' | 'stopping';

/**
 * A retry that is about to happen.
 *
 * @category Handlers and lifecycle events
 */
export interface RetryInfo extends RecordCoordinates {
  /** The attempt that failed (1 is the first). */
  readonly attempt: number;
  /** How long the SDK waits before the next attempt. */
  readonly delayMs: number;
  /** Why the attempt failed. */
  readonly error: HandlerError;
}

/**
 * A record the SDK gave up on and committed past, with the reason.
 *
 * @category Handlers and lifecycle events
 */
export interface SkipInfo extends RecordCoordinates {
  /** The last failure. */
  readonly error: HonoKafkaError;
}

/**
 * A record written to the dead-letter topic.
 *
 * @category Handlers and lifecycle events
 */
export interface DeadLetterInfo extends SkipInfo {
  /** The dead-letter topic. */
  readonly deadLetterTopic: string;
}

/**
 * Event names of a consumer ({@link HonoEventConsumer}, {@link HonoCommandResponseConsumer}), each with its
 * listener's signature.
 *
 * @typeParam Expired - what the consumer decodes records into, as `expired` reports them
 *
 * @example
 * ```ts
 * consumer.on('error', (error) => console.error(error.code, error.message));
 * consumer.on('paused', (partitions, reason) => console.warn('paused', reason, partitions));
 * consumer.on('deadLettered', (info) => console.warn('dead-lettered', info.offset, info.error.code));
 * ```
 * @category Handlers and lifecycle events
 */
export interface ConsumerEvents<Expired> {
  /** `run()` connected and subscribed, just before it resolves; partitions follow through `assigned`. */
  started: () => void;
  /**
   * The group assigned partitions to this consumer; fetching from them starts now (unless the consumer
   * is stopping or under back-pressure).
   *
   * @param partitions - the newly assigned partitions
   */
  assigned: (partitions: readonly TopicPartition[]) => void;
  /**
   * The group took partitions back. Nothing new was fetched for them, their fetched records were
   * finished (what was still unfinished after `drainTimeoutMs` was abandoned), and the finished
   * positions were committed before they were released.
   *
   * @param partitions - the released partitions
   */
  revoked: (partitions: readonly TopicPartition[]) => void;
  /**
   * Partitions were lost (e.g. the session expired): they were released at once and nothing was
   * committed for them, so their new owner handles again everything after the last commit.
   *
   * @param partitions - the lost partitions
   */
  lost: (partitions: readonly TopicPartition[]) => void;
  /**
   * The broker confirmed a commit.
   *
   * @param offsets - the committed positions: the next offset to read, per partition
   */
  committed: (offsets: readonly TopicPartitionOffset[]) => void;
  /**
   * The broker did not confirm a commit (or did not answer within 10 s). The positions of partitions
   * still owned are committed again at the next opportunity.
   *
   * @param error - the failure, with the positions in {@link CommitError.offsets}
   */
  commitFailed: (error: CommitError) => void;
  /**
   * Fetching from partitions stopped: `backlog` when a partition fetched `maxUncommitted` offsets past
   * its committable position, `backpressure` when `maxInFlight` records are held (for the partitions
   * holding the most), `failure` when a record failed for good with `onFailure: 'pause'` (or its
   * dead-letter write failed), `stopping` on `stop()` or while a revoke drains the partition. Emitted for
   * partitions that were fetching until now.
   *
   * @param partitions - the partitions that stopped fetching
   * @param reason - why they were paused
   */
  paused: (partitions: readonly TopicPartition[], reason: PauseReason) => void;
  /**
   * Fetching from partitions started again. Emitted only for partitions that no other reason keeps
   * paused.
   *
   * @param partitions - the partitions that fetch again
   * @param reason - the pause reason that ended
   */
  resumed: (partitions: readonly TopicPartition[], reason: PauseReason) => void;
  /**
   * A handler failed and the record is tried again after a delay (before the last attempt of
   * `retry.maxAttempts`).
   *
   * @param info - the record, the failed attempt, the delay and the error
   */
  retrying: (info: RetryInfo) => void;
  /**
   * A record that failed for good (after the last attempt, or undecodable without an `invalid`
   * handler) was written to the dead-letter topic, the broker acknowledged it, and it is committed past
   * (`onFailure: 'deadLetter'`).
   *
   * @param info - the record, the last error and the dead-letter topic
   */
  deadLettered: (info: DeadLetterInfo) => void;
  /**
   * A record that failed for good (after the last attempt, or undecodable without an `invalid`
   * handler) was given up on and is committed past (`onFailure: 'skip'`).
   *
   * @param info - the record and the last error
   */
  skipped: (info: SkipInfo) => void;
  /**
   * A record's `ttl` had expired, and with `expired: 'skip'` (the default) it is committed without a
   * handler call. Not emitted with `expired: 'deliver'`.
   *
   * @param record - the decoded, expired record
   */
  expired: (record: Expired) => void;
  /**
   * A handler threw, rejected or timed out. Emitted on every failed attempt, including those of the
   * `invalid` handler and those after the last attempt while a partition is paused for the record.
   *
   * @param error - the failure; the handler's own error is its `cause`
   */
  handlerError: (error: HandlerError) => void;
  /**
   * A record could not be decoded. It goes to the `invalid` handler, or, without one, to the `onFailure`
   * outcome.
   *
   * @param error - why, with the raw record in {@link DecodeError.record}
   */
  decodeError: (error: DecodeError) => void;
  /**
   * A problem that needs attention: a partition paused for a record that failed for good (the
   * {@link HandlerError} or {@link DecodeError}), a handler call still running twice `handlerTimeoutMs`
   * after it started (it ignores its `signal`; its device waits for it), a dead-letter write that
   * failed, brokers down (once until they answer again), a refused login, any other client failure, or a
   * fatal client error (the consumer then stops). Every one is also logged through the `logger` option, with or without a
   * listener: a pause once, with the record, the reason and what resumes it, then at most one reminder
   * per 5 minutes (or when the reason changes) while the partition stays paused; brokers down once
   * until they answer again.
   *
   * @param error - the problem, with a stable `code`
   */
  error: (error: HonoKafkaError) => void;
  /**
   * `stop()` finished: work drained, positions committed, client closed. Also emitted when `stop()` is
   * called on a consumer that never ran or whose `run()` failed.
   */
  stopped: () => void;
}

/**
 * Event names of a {@link HonoEventConsumer}, each with its listener's signature: `expired` reports the
 * decoded Hono event.
 *
 * @category Handlers and lifecycle events
 */
export type HonoEventConsumerEvents = ConsumerEvents<HonoEvent>;
