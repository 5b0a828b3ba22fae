/**
 * A loopback Kafka for the simulator's unit tests: what a producer sends lands in an in-memory log, and a
 * consumer subscribed to a topic is assigned its one partition on the first poll and reads the log from
 * its committed position (or the beginning).
 */
import type {
  ClientFactories,
  ClientMessage,
  ConsumerClient,
  ConsumerListeners,
  OutgoingRecord,
  ProducerClient,
} from '../../../src/engine/client.js';
import type { TopicPartition, TopicPartitionOffset } from '../../../src/types.js';

/** One in-memory broker: a log per topic (one partition each), and committed positions per group. */
export class LoopbackBroker {
  readonly logs = new Map<string, ClientMessage[]>();
  readonly committed = new Map<string, number>();
  /** Every settings object a client was made with. */
  readonly settings: Record<string, string | number | boolean>[] = [];
  /** Sends fail with this error while set. */
  failSends: Error | undefined;
  /** Consumers see no partitions while false (a topic that never appears). */
  assigns = true;
  readonly consumers: LoopbackConsumer[] = [];
  readonly producers: LoopbackProducer[] = [];

  log(topic: string): ClientMessage[] {
    let log = this.logs.get(topic);
    if (log === undefined) {
      log = [];
      this.logs.set(topic, log);
    }
    return log;
  }

  append(record: OutgoingRecord): void {
    const log = this.log(record.topic);
    log.push({
      topic: record.topic,
      partition: 0,
      offset: log.length,
      key: record.key,
      value: record.value,
      headers: record.headers.map((header) => ({ ...header })),
      timestamp: Date.now(),
    });
  }

  get clients(): ClientFactories {
    return {
      consumer: (settings, listeners) => {
        this.settings.push(settings);
        const consumer = new LoopbackConsumer(this, String(settings['group.id']), listeners);
        this.consumers.push(consumer);
        return consumer;
      },
      producer: (settings) => {
        this.settings.push(settings);
        const producer = new LoopbackProducer(this);
        this.producers.push(producer);
        return producer;
      },
      beginning: -2,
      isUnknownTopic: () => false,
    };
  }
}

class LoopbackProducer implements ProducerClient {
  readonly #broker: LoopbackBroker;
  connected = false;
  closed = false;

  constructor(broker: LoopbackBroker) {
    this.#broker = broker;
  }

  connect(): Promise<void> {
    this.connected = true;
    return Promise.resolve();
  }

  send(record: OutgoingRecord): Promise<void> {
    if (this.#broker.failSends !== undefined) return Promise.reject(this.#broker.failSends);
    this.#broker.append(record);
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

export class LoopbackConsumer implements ConsumerClient {
  readonly #broker: LoopbackBroker;
  readonly #group: string;
  readonly #listeners: ConsumerListeners;
  readonly #positions = new Map<string, number>();
  #subscribed: string[] = [];
  #assignedOnce = false;
  connected = false;
  closed = false;

  constructor(broker: LoopbackBroker, group: string, listeners: ConsumerListeners) {
    this.#broker = broker;
    this.#group = group;
    this.#listeners = listeners;
  }

  connect(): Promise<void> {
    this.connected = true;
    return Promise.resolve();
  }

  subscribe(topics: readonly string[]): void {
    this.#subscribed = [...topics];
  }

  async poll(max: number, timeoutMs: number): Promise<ClientMessage[]> {
    if (!this.#assignedOnce && this.#broker.assigns && this.#subscribed.length > 0) {
      this.#assignedOnce = true;
      this.#listeners.rebalance({
        kind: 'assign',
        partitions: this.#subscribed.map((topic) => ({ topic, partition: 0 })),
        lost: false,
      });
    }
    const records: ClientMessage[] = [];
    for (const [topic, position] of this.#positions) {
      const log = this.#broker.log(topic);
      const taken = log.slice(position, position + max - records.length);
      this.#positions.set(topic, position + taken.length);
      records.push(...taken);
    }
    if (records.length === 0) await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 5)));
    return records;
  }

  assign(partitions: readonly TopicPartition[]): void {
    for (const { topic } of partitions) {
      this.#positions.set(topic, this.#broker.committed.get(`${this.#group}/${topic}`) ?? 0);
    }
  }

  unassign(partitions: readonly TopicPartition[]): void {
    for (const { topic } of partitions) this.#positions.delete(topic);
  }

  commit(offsets: readonly TopicPartitionOffset[]): void {
    for (const { topic, offset } of offsets) this.#broker.committed.set(`${this.#group}/${topic}`, offset);
    this.#listeners.commitResult(undefined, offsets);
  }

  pause(): void {}
  resume(): void {}
  highWatermark(): number | undefined {
    return undefined;
  }
  reachable(): Promise<boolean> {
    return Promise.resolve(true);
  }
  topicNames(): Promise<Set<string> | undefined> {
    return Promise.resolve(new Set(this.#broker.logs.keys()));
  }
  committed(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  disconnect(): Promise<boolean> {
    this.closed = true;
    this.connected = false;
    return Promise.resolve(true);
  }
}
