/**
 * The seam between the engine and the Kafka client: what the engine asks of a consumer client and of a
 * producer, and what the clients report back. The engine receives {@link ClientFactories} and sees
 * nothing else of the client library; `src/kafka/` holds the one adapter, for
 * `@confluentinc/kafka-javascript`, and the unit tests drive the engine through a fake one
 * (`npm run check:deps` keeps the engine away from the adapters).
 *
 * @module
 */
import { thrownMessage } from '../errors.js';
import type { KafkaRecord, TopicPartition, TopicPartitionOffset } from '../types.js';

/** Settings handed to a client: librdkafka's names and values. */
export type ClientSettings = Record<string, string | number | boolean>;

/** A record as the client delivers it. */
export type ClientMessage = KafkaRecord;

/** What the client reports when the group hands partitions out or takes them back. */
export interface RebalanceEvent {
  readonly kind: 'assign' | 'revoke';
  readonly partitions: readonly TopicPartition[];
  /** True when the partitions were taken away without a revoke (session timeout, fatal error). */
  readonly lost: boolean;
}

/**
 * A failure reported by a client. Its numeric code is the client's own (librdkafka's); the SDK maps it to
 * its typed errors in `src/kafka/failure-codes.ts`. The original error is the `cause`.
 */
export class ClientFailure extends Error {
  override readonly name = 'ClientFailure';
  /** The client's error code (-1 when it gave none). */
  readonly code: number;
  /** The client cannot go on: it must be closed (and made again, for a producer). */
  readonly isFatal: boolean;
  /** The same call may succeed when tried again. */
  readonly isRetriable: boolean;

  constructor(
    code: number,
    message: string,
    flags: { isFatal: boolean; isRetriable: boolean },
    cause: unknown,
  ) {
    super(message, { cause });
    this.code = code;
    this.isFatal = flags.isFatal;
    this.isRetriable = flags.isRetriable;
  }
}

/** Callbacks from a consumer client to the engine. They run while {@link ConsumerClient.poll} runs. */
export interface ConsumerListeners {
  /** Partitions handed out or taken back; the engine calls assign or unassign itself. */
  rebalance(event: RebalanceEvent): void;
  /** The broker's answer to a {@link ConsumerClient.commit}: undefined on success. */
  commitResult(failure: ClientFailure | undefined, offsets: readonly TopicPartitionOffset[]): void;
  /** A failure outside a call (brokers down, a fatal error, a missing topic, ...). */
  clientError(failure: ClientFailure): void;
}

/**
 * A group consumer with manual rebalances and explicit commits: it never stores or commits an offset
 * on its own.
 */
export interface ConsumerClient {
  /**
   * Connects and fetches metadata; connection failures seen meanwhile go to `clientError`.
   *
   * @throws {@link ClientFailure} when no broker answered in time, or at once on a definitive failure
   */
  connect(timeoutMs: number): Promise<void>;
  /** Subscribes to topics; partitions arrive through `rebalance`. */
  subscribe(topics: readonly string[]): void;
  /** Up to `max` records, waiting at most `timeoutMs` for the first; serves the listeners meanwhile. */
  poll(max: number, timeoutMs: number): Promise<ClientMessage[]>;
  /** Accepts partitions the group handed out, at their committed (or given) positions. */
  assign(partitions: readonly TopicPartition[]): void;
  /** Releases partitions after a revoke. */
  unassign(partitions: readonly TopicPartition[]): void;
  /** Commits explicit positions; the answer arrives through `commitResult`. */
  commit(offsets: readonly TopicPartitionOffset[]): void;
  /** Stops fetching from partitions. */
  pause(partitions: readonly TopicPartition[]): void;
  /** Fetches from paused partitions again. */
  resume(partitions: readonly TopicPartition[]): void;
  /** The last known high watermark of a partition, if the client knows one. */
  highWatermark(topic: string, partition: number): number | undefined;
  /** Whether a broker answers a metadata request for `topic` (undefined: every topic) within `timeoutMs`. */
  reachable(topic: string | undefined, timeoutMs: number): Promise<boolean>;
  /** The cluster's topic names, or undefined when no broker answered in time. */
  topicNames(timeoutMs: number): Promise<Set<string> | undefined>;
  /** The group's committed positions (`offset` undefined: none), or undefined on no answer in time. */
  committed(
    partitions: readonly TopicPartition[],
    timeoutMs: number,
  ): Promise<{ topic: string; partition: number; offset: number | undefined }[] | undefined>;
  /** Whether the client is connected. */
  readonly connected: boolean;
  /** Leaves the group and closes; resolves with whether that finished within `timeoutMs`. */
  disconnect(timeoutMs: number): Promise<boolean>;
}

/** One record to write. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly Readonly<Record<string, Buffer | string>>[];
}

/** Callbacks from a producer client. */
export interface ProducerListeners {
  /** A failure outside a send (brokers down, a fatal error, ...). */
  clientError(failure: ClientFailure): void;
}

/** A producer whose sends resolve once the broker acknowledged them. */
export interface ProducerClient {
  /** Connects. @throws {@link ClientFailure} when no broker answered in time */
  connect(timeoutMs: number): Promise<void>;
  /** Writes a record; resolves once acknowledged. @throws {@link ClientFailure} when refused or timed out */
  send(record: OutgoingRecord): Promise<void>;
  /** Flushes and closes within `timeoutMs`. */
  disconnect(timeoutMs: number): Promise<void>;
}

/** How the engine makes its clients (the adapter's constructors, or a test's fakes). */
export interface ClientFactories {
  /** Makes a consumer client; checks the settings, connects nothing. @throws when a setting is refused */
  consumer(settings: ClientSettings, listeners: ConsumerListeners): ConsumerClient;
  /** Makes a producer client; checks the settings, connects nothing. @throws when a setting is refused */
  producer(settings: ClientSettings, listeners: ProducerListeners): ProducerClient;
  /** The client's logical offset for "the partition's beginning", for {@link ConsumerClient.assign}. */
  readonly beginning: number;
  /** Whether a failure says that a subscribed topic does not exist. */
  isUnknownTopic(failure: ClientFailure): boolean;
}

/**
 * A failure a client threw, as a {@link ClientFailure}: the adapters throw nothing else, but a value of
 * another kind (a bug, a fake) is wrapped rather than trusted.
 *
 * @param thrown - what the client threw or reported
 * @returns the failure itself, or one with code -1 around it
 */
export function toFailure(thrown: unknown): ClientFailure {
  if (thrown instanceof ClientFailure) return thrown;
  const message = thrown instanceof Error ? thrown.message : thrownMessage(thrown);
  return new ClientFailure(-1, message, { isFatal: false, isRetriable: false }, thrown);
}
