/**
 * The dead-letter producer on the real broker: writes land in the topic; after a fatal error the real
 * producer is closed, a new one is made and connected, and later writes land too; a producer that cannot
 * connect says that it is the dead-letter producer.
 *
 * librdkafka offers no way to cause a fatal error of an idempotent producer on a healthy broker, so the
 * test reports one through the listeners the adapter was made with, exactly where the adapter reports
 * its `event.error`; everything after that (closing, making, connecting, writing) is real.
 */
import { type AddressInfo, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientFailure, type OutgoingRecord, type ProducerListeners } from '../../src/engine/client.js';
import { DeadLetters } from '../../src/engine/dead-letters.js';
import type { KafkaClientError } from '../../src/errors.js';
import { RdkafkaProducer } from '../../src/kafka/rdkafka-producer.js';
import { randomSuffix, TestAdmin, TestConsumer } from './clients.js';
import { kafkaEnvironment } from './kafka-env.js';

const connectTimeoutMs = 10_000;
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A dead-letter topic for one test, deleted afterwards. */
async function createTopic(): Promise<string> {
  const { bootstrapServers } = kafkaEnvironment();
  const topic = `hono.event.it-${randomSuffix()}.dlq`;
  const admin = new TestAdmin(bootstrapServers);
  await admin.createTopic(topic, 1);
  cleanups.push(async () => {
    await admin.deleteTopic(topic);
    admin.disconnect();
  });
  return topic;
}

/** Dead letters over real producers; keeps the listeners of each producer and every report. */
function deadLettersFor(topic: string, brokers: string) {
  const listeners: ProducerListeners[] = [];
  const reports: KafkaClientError[] = [];
  const deadLetters = new DeadLetters({
    makeProducer: (given) => {
      listeners.push(given);
      return new RdkafkaProducer(
        { 'bootstrap.servers': brokers, 'client.id': `it-dlq-${randomSuffix()}` },
        given,
      );
    },
    topic,
    report: (error) => reports.push(error),
    secrets: [],
    brokers,
  });
  cleanups.push(() => deadLetters.disconnect(5_000));
  return { deadLetters, listeners, reports };
}

const record = (topic: string, n: number): OutgoingRecord => ({
  topic,
  key: Buffer.from(`device-${n}`),
  value: Buffer.from(`dead letter ${n}`),
  headers: [{ 'x-dlq-attempts': Buffer.from('3') }],
});

/** The values in the topic, read from the beginning. */
async function valuesIn(topic: string, count: number): Promise<string[]> {
  const consumer = new TestConsumer(kafkaEnvironment().bootstrapServers, `it-read-${randomSuffix()}`);
  await consumer.connect();
  try {
    consumer.client.subscribe([topic]);
    const messages = await consumer.consumeAtLeast(count);
    return messages.map((message) => message.value?.toString() ?? '');
  } finally {
    await consumer.disconnect();
  }
}

describe('DeadLetters on the real broker', () => {
  it('writes, and after a fatal error makes a new producer that writes', async () => {
    const topic = await createTopic();
    const { bootstrapServers } = kafkaEnvironment();
    const { deadLetters, listeners, reports } = deadLettersFor(topic, bootstrapServers);
    await deadLetters.connect(connectTimeoutMs);
    await deadLetters.send(record(topic, 1));

    // A write on its way when the fatal error comes is not lost: acknowledged by the old producer while
    // it closes, or written again by the new one.
    const onItsWay = deadLetters.send(record(topic, 2));
    // Handed to the old producer before its fatal error.
    await new Promise((resolve) => setImmediate(resolve));
    listeners[0]?.clientError(
      new ClientFailure(
        -150,
        'Fatal error: injected by the test',
        { isFatal: true, isRetriable: false },
        undefined,
      ),
    );
    await onItsWay;
    await deadLetters.send(record(topic, 3));

    expect(listeners).toHaveLength(2);
    expect(deadLetters.recreations).toBe(1);
    expect(reports.map((error) => error.code)).toEqual(['ERR_HONO_KAFKA_FATAL']);
    expect(reports[0]?.message).toContain(
      `the dead-letter producer for topic ${topic} is closed and made again`,
    );
    const values = await valuesIn(topic, 3);
    expect(new Set(values)).toEqual(new Set(['dead letter 1', 'dead letter 2', 'dead letter 3']));
    await expect(deadLetters.disconnect(5_000)).resolves.toBe(true);
  });

  it('says that the dead-letter producer cannot connect, naming the bootstrap servers', async () => {
    // A port where nothing listens.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const brokers = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((resolve) => server.close(resolve));
    const { deadLetters } = deadLettersFor('hono.event.nowhere.dlq', brokers);

    const error = await deadLetters.connect(3_000).then(
      () => new Error('connect() resolved'),
      (thrown: unknown) => thrown as KafkaClientError,
    );

    expect(error.name).toBe('KafkaClientError');
    expect((error as KafkaClientError).code).toBe('ERR_HONO_BROKERS_DOWN');
    expect(error.message).toMatch(
      new RegExp(
        `^the dead-letter producer for topic hono\\.event\\.nowhere\\.dlq cannot connect to Kafka \\(bootstrap servers: ${brokers.replace(/\./g, '\\.')}\\): `,
      ),
    );
    await expect(deadLetters.disconnect(5_000)).resolves.toBe(true);
  });
});
