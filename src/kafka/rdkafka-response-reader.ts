/**
 * The command client's clients made with `@confluentinc/kafka-javascript`: the acknowledged producer of
 * the engine, and a `KafkaConsumer` that reads `hono.command_response.<tenant>` in a group of its own,
 * at positions the command client chooses (it asks the partition leaders for their high watermarks).
 */
import kafka from '@confluentinc/kafka-javascript';
import { settlesWithin } from '../deadline.js';
import { clientCodes, toClientFailure } from './rdkafka-consumer.js';
import { RdkafkaProducer } from './rdkafka-producer.js';
import type { ClientMessage, ClientSettings } from '../engine/client.js';
import type {
  CommandClientFactories,
  ReaderPosition,
  ResponseReaderClient,
  ResponseReaderListeners,
} from '../commands/response-reader-client.js';
import type { TopicPartition } from '../types.js';

/** Methods present at run time but missing from the client's type declarations (1.10). */
interface ConsumerRuntime {
  incrementalAssign(assignments: kafka.TopicPartitionOffset[]): void;
  incrementalUnassign(assignments: TopicPartition[]): void;
  assign(assignments: kafka.TopicPartitionOffset[]): void;
  unassign(): void;
  assignmentLost(): boolean;
  rebalanceProtocol(): 'COOPERATIVE' | 'EAGER' | 'NONE';
  setDefaultIsTimeoutOnlyForFirstMessage(value: boolean): void;
  setDefaultConsumeTimeout(ms: number): void;
}

/** librdkafka's logical offset for "the partition's first record" (`RD_KAFKA_OFFSET_BEGINNING`). */
const offsetBeginning = -2;

/** A response reader on librdkafka: no commits, no offset store, positions set by the caller. */
export class RdkafkaResponseReader implements ResponseReaderClient {
  readonly #consumer: kafka.KafkaConsumer;
  readonly #runtime: ConsumerRuntime;

  /**
   * @param settings - librdkafka settings, with `group.id`; commits and the offset store are turned off
   * @param listeners - where rebalances and client errors go
   */
  constructor(settings: ClientSettings, listeners: ResponseReaderListeners) {
    const isLost = (): boolean => this.#runtime.assignmentLost();
    this.#consumer = new kafka.KafkaConsumer(
      {
        ...settings,
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        rebalance_cb(this: unknown, error: kafka.LibrdKafkaError, assignment: kafka.TopicPartition[]) {
          const partitions = assignment.map(({ topic, partition }) => ({ topic, partition }));
          if (error.code === kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
            listeners.rebalance({ kind: 'assign', partitions, lost: false });
          } else {
            listeners.rebalance({ kind: 'revoke', partitions, lost: isLost() });
          }
        },
      },
      // A topic configuration object replaces librdkafka's default one, where a global setting lands.
      { 'auto.offset.reset': settings['auto.offset.reset'] === 'earliest' ? 'earliest' : 'latest' },
    );
    this.#runtime = this.#consumer as unknown as ConsumerRuntime;
    this.#runtime.setDefaultIsTimeoutOnlyForFirstMessage(true);
    this.#consumer.on('event.error', (error) => {
      listeners.clientError(toClientFailure(error));
    });
  }

  /**
   * Connects and fetches metadata.
   *
   * @param timeoutMs - how long the first metadata request may take
   * @throws ClientFailure when no broker answered in time
   */
  async connect(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#consumer.connect({ timeout: timeoutMs }, (error: kafka.LibrdKafkaError | null | undefined) => {
        if (error === null || error === undefined) resolve();
        else reject(toClientFailure(error));
      });
    });
  }

  /** Asks for one topic's metadata (a broker that allows it creates the topic); see the interface. */
  async requestTopic(topic: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      try {
        this.#consumer.getMetadata({ topic, timeout: timeoutMs }, (error: unknown) => {
          resolve(error === null || error === undefined);
        });
      } catch {
        resolve(false);
      }
    });
  }

  /** Subscribes to one topic; partitions arrive through the rebalance listener. */
  subscribe(topic: string): void {
    this.#consumer.subscribe([topic]);
  }

  /** Polls up to `max` records, waiting at most `timeoutMs` for the first; rebalances are served meanwhile. */
  async poll(max: number, timeoutMs: number): Promise<ClientMessage[]> {
    this.#runtime.setDefaultConsumeTimeout(timeoutMs);
    return new Promise((resolve, reject) => {
      this.#consumer.consume(max, (error: kafka.LibrdKafkaError | null | undefined, messages) => {
        if (error === null || error === undefined) resolve(messages);
        else reject(toClientFailure(error));
      });
    });
  }

  /** Accepts partitions the group handed out, each at its position. */
  assign(positions: readonly ReaderPosition[]): void {
    const assignments = positions.map(({ topic, partition, offset }) => ({
      topic,
      partition,
      offset: offset === 'beginning' ? offsetBeginning : offset,
    }));
    if (this.#runtime.rebalanceProtocol() === 'COOPERATIVE') this.#runtime.incrementalAssign(assignments);
    else this.#runtime.assign(assignments);
  }

  /** Releases partitions after a revoke (all of them under the eager protocol). */
  unassign(partitions: readonly TopicPartition[]): void {
    if (this.#runtime.rebalanceProtocol() === 'COOPERATIVE')
      this.#runtime.incrementalUnassign([...partitions]);
    else this.#runtime.unassign();
  }

  /**
   * Asks the partition's leader for its high watermark (`queryWatermarkOffsets`).
   *
   * @param topic - the topic
   * @param partition - the partition
   * @param timeoutMs - how long to wait for the answer
   * @returns the offset the next record written to the partition will get
   * @throws ClientFailure when no answer came in time
   */
  async highWatermark(topic: string, partition: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      try {
        this.#consumer.queryWatermarkOffsets(topic, partition, timeoutMs, (error, offsets) => {
          // The client's types say the error is always there; at run time it is null on success.
          if ((error as kafka.LibrdKafkaError | null | undefined) == null) resolve(offsets.highOffset);
          else reject(toClientFailure(error));
        });
      } catch (error) {
        reject(toClientFailure(error));
      }
    });
  }

  /**
   * Leaves the group and closes the client, giving up after a deadline.
   *
   * @param timeoutMs - the deadline
   * @returns whether the client closed before the deadline
   */
  async disconnect(timeoutMs: number): Promise<boolean> {
    if (!this.#consumer.isConnected()) return true;
    const closing = new Promise<void>((resolve) => {
      this.#consumer.disconnect(() => {
        resolve();
      });
    });
    return settlesWithin(closing, timeoutMs);
  }
}

/** Makes the command client's clients with librdkafka. */
export const rdkafkaCommandClients: CommandClientFactories = {
  producer: (settings, listeners) => new RdkafkaProducer(settings, listeners),
  responseReader: (settings, listeners) => new RdkafkaResponseReader(settings, listeners),
  isUnknownTopic: (failure) => failure.code === clientCodes.unknownTopic,
};
