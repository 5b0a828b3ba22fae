/**
 * The lifecycle events of a {@link HonoEventConsumer}. Listeners observe; the SDK never waits for them
 * before it commits, and an exception thrown by a listener is logged, not propagated.
 */
import type { CommitError, DecodeError, HandlerError, HonoKafkaError } from './errors.js';
import type { TopicPartition, TopicPartitionOffset } from './kafka/rdkafka-consumer.js';
import type { HonoEvent } from './wire/types.js';

/** Where a record sits in Kafka. */
export interface RecordCoordinates {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
  /** The offset. */
  readonly offset: number;
}

/** Why partitions were paused or resumed. */
export type PauseReason = 'backpressure' | 'failure' | 'stopping';

/** A retry that is about to happen. */
export interface RetryInfo extends RecordCoordinates {
  /** The attempt that failed (1 is the first). */
  readonly attempt: number;
  /** How long the SDK waits before the next attempt. */
  readonly delayMs: number;
  /** Why the attempt failed. */
  readonly error: HandlerError;
}

/** A record the SDK gave up on and committed past, with the reason. */
export interface SkipInfo extends RecordCoordinates {
  /** The last failure. */
  readonly error: HonoKafkaError;
}

/** A record written to the dead-letter topic. */
export interface DeadLetterInfo extends SkipInfo {
  /** The dead-letter topic. */
  readonly deadLetterTopic: string;
}

/** Event names of a {@link HonoEventConsumer}, each with its listener's signature. */
export interface HonoEventConsumerEvents {
  /** The consumer connected and subscribed; partitions follow through `assigned`. */
  started: () => void;
  /** The group assigned these partitions to this consumer. */
  assigned: (partitions: readonly TopicPartition[]) => void;
  /** The group took these partitions back; finished work was committed before they were released. */
  revoked: (partitions: readonly TopicPartition[]) => void;
  /** These partitions were lost (e.g. the session expired): nothing was committed for them. */
  lost: (partitions: readonly TopicPartition[]) => void;
  /** The broker confirmed these positions (the next offset to read, per partition). */
  committed: (offsets: readonly TopicPartitionOffset[]) => void;
  /** A commit failed; the positions are committed again at the next opportunity. */
  commitFailed: (error: CommitError) => void;
  /** Fetching from these partitions stopped. */
  paused: (partitions: readonly TopicPartition[], reason: PauseReason) => void;
  /** Fetching from these partitions started again. */
  resumed: (partitions: readonly TopicPartition[], reason: PauseReason) => void;
  /** A handler failed and the record is tried again after a delay. */
  retrying: (info: RetryInfo) => void;
  /** A record was written to the dead-letter topic and is committed past. */
  deadLettered: (info: DeadLetterInfo) => void;
  /** A record was given up on and is committed past (`onFailure: 'skip'`). */
  skipped: (info: SkipInfo) => void;
  /** A record's `ttl` had expired; with `expired: 'skip'` it is committed without a handler call. */
  expired: (event: HonoEvent) => void;
  /** A handler threw, rejected or timed out (every attempt). */
  handlerError: (error: HandlerError) => void;
  /** A record could not be decoded; it goes to the `invalid` handler. */
  decodeError: (error: DecodeError) => void;
  /** A problem that needs attention: a paused partition, a broker or authentication failure, a fatal client error. */
  error: (error: HonoKafkaError) => void;
  /** `stop()` finished: work drained, positions committed, client closed. */
  stopped: () => void;
}
