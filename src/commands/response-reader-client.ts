/**
 * The seam between the command client and the Kafka client: what the client asks of the consumer that
 * reads `hono.command_response.<tenant>`, and the factories that make it and the command producer.
 * `src/kafka/rdkafka-response-reader.ts` implements it for `@confluentinc/kafka-javascript`; the unit
 * tests pass fakes.
 *
 * @module
 */
import type {
  ClientFailure,
  ClientMessage,
  ClientSettings,
  OutgoingRecord,
  ProducerClient,
  ProducerListeners,
  RebalanceEvent,
} from '../engine/client.js';
import type { TopicPartition } from '../types.js';

/** Where to start reading a partition: an offset, or the partition's first record. */
export interface ReaderPosition extends TopicPartition {
  /** The offset of the next record to read, or `beginning` for the first record the log still holds. */
  readonly offset: number | 'beginning';
}

/** Callbacks from a response reader client. They run while {@link ResponseReaderClient.poll} runs. */
export interface ResponseReaderListeners {
  /** Partitions handed out or taken back; the reader calls assign or unassign itself. */
  rebalance(event: RebalanceEvent): void;
  /** A failure outside a call (brokers down, a fatal error, ...). */
  clientError(failure: ClientFailure): void;
}

/**
 * A consumer in a group of its own that never commits: it subscribes, and assigns the partitions the
 * group hands out at explicit positions.
 */
export interface ResponseReaderClient {
  /** Connects. @throws {@link ClientFailure} when no broker answered in time */
  connect(timeoutMs: number): Promise<void>;
  /**
   * Asks the brokers for a topic's metadata, which makes them create a missing topic where they allow it
   * (`allow.auto.create.topics`), as the first record written to it would. librdkafka does not do so for
   * a subscription: a reader of a topic no response was written to yet would get no partition.
   *
   * @returns whether a broker answered within `timeoutMs`
   */
  requestTopic(topic: string, timeoutMs: number): Promise<boolean>;
  /** Subscribes to one topic; its partitions arrive through `rebalance`. */
  subscribe(topic: string): void;
  /** Up to `max` records, waiting at most `timeoutMs` for the first; serves the listeners meanwhile. */
  poll(max: number, timeoutMs: number): Promise<ClientMessage[]>;
  /** Accepts partitions the group handed out, each at its position. */
  assign(positions: readonly ReaderPosition[]): void;
  /** Releases partitions after a revoke. */
  unassign(partitions: readonly TopicPartition[]): void;
  /**
   * Asks the partition's leader for its high watermark: the offset the next record written will get.
   *
   * @throws {@link ClientFailure} when no answer came in time
   */
  highWatermark(topic: string, partition: number, timeoutMs: number): Promise<number>;
  /** Leaves the group and closes; resolves with whether that finished within `timeoutMs`. */
  disconnect(timeoutMs: number): Promise<boolean>;
}

/** Who is told of one record's delivery report. */
export interface SendWaiter {
  /** The broker acknowledged the record. */
  acknowledged(): void;
  /** The record was not written (the client's failure). */
  failed(error: unknown): void;
}

/**
 * The command producer: an acknowledged producer that may also report a send to a waiter instead of a
 * promise, which saves the command client a promise, a reaction and two closures per command.
 */
export interface CommandProducerClient extends ProducerClient {
  /**
   * Writes a record and tells `waiter` of its delivery report (once). Optional: a client without it is
   * sent to with `send`.
   */
  sendTo?(record: OutgoingRecord, waiter: SendWaiter): void;
}

/** How the command client makes its clients (the adapter's constructors, or a test's fakes). */
export interface CommandClientFactories {
  /** Makes the producer of commands; checks the settings, connects nothing. @throws when a setting is refused */
  producer(settings: ClientSettings, listeners: ProducerListeners): CommandProducerClient;
  /** Makes a response reader; checks the settings, connects nothing. @throws when a setting is refused */
  responseReader(settings: ClientSettings, listeners: ResponseReaderListeners): ResponseReaderClient;
  /** Whether a failure says that a topic does not exist (yet). */
  isUnknownTopic(failure: ClientFailure): boolean;
}
