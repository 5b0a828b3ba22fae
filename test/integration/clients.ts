/**
 * Promise wrappers around the client library's admin client, producer and consumer, for tests.
 * Each test gets its own topic and group (random suffix) and deletes its topic afterwards.
 */
import { randomBytes } from 'node:crypto';
import kafka from '@confluentinc/kafka-javascript';

type Config = Record<string, string | number | boolean>;

/** A random lowercase suffix for topic, tenant and group names. */
export function randomSuffix(): string {
  return randomBytes(5).toString('hex');
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function callback<T>(resolve: (value: T) => void, reject: (error: Error) => void) {
  return (error: unknown, value: T): void => {
    if (error !== null && error !== undefined) reject(asError(error));
    else resolve(value);
  };
}

/** An admin client with the calls tests need. */
export class TestAdmin {
  readonly #client: kafka.IAdminClient;

  constructor(bootstrapServers: string, config: Config = {}) {
    this.#client = kafka.AdminClient.create({ 'bootstrap.servers': bootstrapServers, ...config });
  }

  /** Creates a topic and waits until its metadata is visible. */
  async createTopic(topic: string, partitions = 1): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const created = (error: kafka.LibrdKafkaError | null | undefined): void => {
        if (error !== null && error !== undefined) reject(asError(error));
        else resolve();
      };
      this.#client.createTopic(
        { topic, num_partitions: partitions, replication_factor: -1 },
        15_000,
        created,
      );
    });
  }

  /** Deletes a topic; a topic that is already gone is fine. */
  async deleteTopic(topic: string): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#client.deleteTopic(topic, 15_000, () => {
        resolve();
      });
    });
  }

  /** The offsets a group has committed for a topic's partitions (`-1001` means none). */
  async committedOffsets(groupId: string, topic: string, partitions: number[]): Promise<Map<number, number>> {
    const results = await new Promise<kafka.GroupResults[]>((resolve, reject) => {
      this.#client.listConsumerGroupOffsets(
        [{ groupId, partitions: partitions.map((partition) => ({ topic, partition })) }],
        { timeout: 10_000, requireStableOffsets: true },
        callback(resolve, reject),
      );
    });
    const group = results[0];
    if (group === undefined) throw new Error(`no offsets answer for group ${groupId}`);
    if (group.error !== undefined) throw asError(group.error);
    return new Map(group.partitions.map((p) => [p.partition, p.offset]));
  }

  disconnect(): void {
    this.#client.disconnect();
  }
}

/** One record to produce. */
export interface TestRecord {
  readonly topic: string;
  readonly partition?: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: kafka.MessageHeader[] | undefined;
}

/** A producer that resolves each `send` once the broker acknowledged every record. */
export class TestProducer {
  readonly #producer: kafka.Producer;
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  #next = 0;

  constructor(bootstrapServers: string, config: Config = {}) {
    this.#producer = new kafka.Producer({
      'bootstrap.servers': bootstrapServers,
      dr_cb: true,
      acks: -1,
      'enable.idempotence': true,
      ...config,
    });
    this.#producer.setPollInterval(20);
    this.#producer.on('delivery-report', (error: kafka.LibrdKafkaError | null | undefined, report) => {
      const id = report.opaque as number;
      const waiter = this.#pending.get(id);
      this.#pending.delete(id);
      if (error !== null && error !== undefined) waiter?.reject(asError(error));
      else waiter?.resolve();
    });
  }

  async connect(): Promise<void> {
    await new Promise((resolve, reject) =>
      this.#producer.connect({ timeout: 15_000 }, callback(resolve, reject)),
    );
  }

  /** Produces records and waits for all their delivery reports. */
  async send(records: readonly TestRecord[]): Promise<void> {
    await Promise.all(
      records.map(
        (record) =>
          new Promise<void>((resolve, reject) => {
            const id = this.#next++;
            this.#pending.set(id, { resolve, reject });
            this.#producer.produce(
              record.topic,
              record.partition ?? null,
              record.value,
              record.key,
              Date.now(),
              id,
              record.headers,
            );
          }),
      ),
    );
  }

  async disconnect(): Promise<void> {
    await new Promise((resolve) => this.#producer.disconnect(resolve));
  }
}

/** A consumer with promise-based connect, consume and committed-offset reads. */
export class TestConsumer {
  readonly client: kafka.KafkaConsumer;

  constructor(bootstrapServers: string, groupId: string, config: Config = {}) {
    this.client = new kafka.KafkaConsumer({
      'bootstrap.servers': bootstrapServers,
      'group.id': groupId,
      'enable.auto.commit': false,
      'auto.offset.reset': 'earliest',
      ...config,
    });
  }

  async connect(timeoutMs = 15_000): Promise<void> {
    await new Promise((resolve, reject) =>
      this.client.connect({ timeout: timeoutMs }, callback(resolve, reject)),
    );
  }

  /** Polls until `count` messages arrived or the deadline passes. */
  async consumeAtLeast(count: number, timeoutMs = 30_000): Promise<kafka.Message[]> {
    const messages: kafka.Message[] = [];
    const deadline = Date.now() + timeoutMs;
    while (messages.length < count) {
      if (Date.now() > deadline) throw new Error(`received ${messages.length} of ${count} messages`);
      const batch = await new Promise<kafka.Message[]>((resolve, reject) => {
        this.client.consume(100, callback(resolve, reject));
      });
      messages.push(...batch);
    }
    return messages;
  }

  async disconnect(): Promise<void> {
    await new Promise((resolve) => this.client.disconnect(resolve));
  }
}
