/**
 * Helpers for consumer tests on the real broker: a topic per test, Hono events produced with the SDK's
 * encoders, consumers that are always stopped, and waits on conditions (never fixed sleeps).
 */
import { encodeDataEvent } from '../../src/wire/encode.js';
import { HonoEventConsumer } from '../../src/consumer/hono-event-consumer.js';
import type { HonoEventConsumerOptions } from '../../src/consumer/options.js';
import type { EncodedRecord } from '../../src/wire/types.js';
import { randomSuffix, TestAdmin, TestProducer, type TestRecord } from './clients.js';
import { kafkaEnvironment } from './kafka-env.js';

/** A tenant topic that exists for one test. */
export interface TestTopic {
  readonly tenant: string;
  readonly topic: string;
  readonly groupId: string;
  readonly admin: TestAdmin;
  /** Produces records and waits for the broker's acknowledgement. */
  produce(records: readonly (EncodedRecord | TestRecord)[]): Promise<void>;
  /** The group's committed positions per partition (`-1001`: none). */
  committed(partitions?: number[]): Promise<Map<number, number>>;
  /** A consumer of this topic in this test's group; stopped by `cleanup()`. */
  consumer(options?: Partial<HonoEventConsumerOptions>): HonoEventConsumer;
  /** Stops every consumer, deletes the topic. */
  cleanup(): Promise<void>;
}

/**
 * Creates `hono.event.<random tenant>` with the given partitions.
 *
 * @param partitions - partition count
 * @returns the topic and its helpers
 */
export async function createTestTopic(partitions = 1): Promise<TestTopic> {
  const { bootstrapServers } = kafkaEnvironment();
  const tenant = `it-${randomSuffix()}`;
  const topic = `hono.event.${tenant}`;
  const groupId = `it-group-${randomSuffix()}`;
  const admin = new TestAdmin(bootstrapServers);
  await admin.createTopic(topic, partitions);
  const producer = new TestProducer(bootstrapServers);
  await producer.connect();
  const consumers: HonoEventConsumer[] = [];
  return {
    tenant,
    topic,
    groupId,
    admin,
    produce: (records) => producer.send(records),
    committed: (list = Array.from({ length: partitions }, (_, i) => i)) =>
      admin.committedOffsets(groupId, topic, list),
    consumer: (options = {}) => {
      const consumer = new HonoEventConsumer({
        brokers: bootstrapServers,
        tenant,
        groupId,
        commitIntervalMs: 200,
        drainTimeoutMs: 5_000,
        logger: quietLogger,
        ...options,
      });
      consumers.push(consumer);
      return consumer;
    },
    cleanup: async () => {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      await producer.disconnect();
      await admin.deleteTopic(topic);
      admin.disconnect();
    },
  };
}

/** A logger that keeps quiet in tests (errors are asserted through events). */
export const quietLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * Data events for devices, with a sequence number per device in the payload.
 *
 * @param tenant - the tenant
 * @param devices - device ids
 * @param perDevice - events per device
 * @param partition - optional fixed partition
 * @returns records, interleaved across devices in sequence order
 */
export function sequencedEvents(
  tenant: string,
  devices: readonly string[],
  perDevice: number,
  partition?: number,
): (EncodedRecord & { partition?: number })[] {
  const records: (EncodedRecord & { partition?: number })[] = [];
  for (let sequence = 0; sequence < perDevice; sequence++) {
    for (const deviceId of devices) {
      const record = encodeDataEvent({
        tenantId: tenant,
        deviceId,
        contentType: 'application/json',
        payload: Buffer.from(JSON.stringify({ sequence })),
      });
      records.push(partition === undefined ? record : { ...record, partition });
    }
  }
  return records;
}

/**
 * Waits until a condition holds, checking every 20 ms.
 *
 * @param condition - the condition
 * @param what - what is awaited, for the error
 * @param timeoutMs - how long to wait
 * @throws Error when it does not hold in time
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A promise with its resolve function, for handlers that finish when a test says so. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
