/**
 * SASL_PLAINTEXT with SCRAM-SHA-512, as Hono's sandbox uses: a good login works end to end, a wrong
 * password fails with an authentication error within seconds instead of hanging.
 */
import kafka from '@confluentinc/kafka-javascript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSuffix, TestAdmin, TestConsumer, TestProducer } from './clients.js';
import { kafkaEnvironment, saslEnvironment } from './kafka-env.js';

function scram(username: string, password: string): Record<string, string> {
  return {
    'security.protocol': 'sasl_plaintext',
    'sasl.mechanisms': 'SCRAM-SHA-512',
    'sasl.username': username,
    'sasl.password': password,
  };
}

describe('SASL/SCRAM-SHA-512', () => {
  const sasl = saslEnvironment();
  const admin = new TestAdmin(kafkaEnvironment().bootstrapServers);
  const topic = `hono.event.sasl-${randomSuffix()}`;

  beforeAll(async () => {
    await admin.createTopic(topic, 1);
  });
  afterAll(async () => {
    await admin.deleteTopic(topic);
    admin.disconnect();
  });

  it('produces and consumes with the right password', async () => {
    const login = scram(sasl.username, sasl.password);
    const producer = new TestProducer(sasl.bootstrapServers, login);
    await producer.connect();
    await producer.send([{ topic, key: Buffer.from('4711'), value: Buffer.from('{}') }]);
    await producer.disconnect();

    const consumer = new TestConsumer(sasl.bootstrapServers, `sasl-${randomSuffix()}`, login);
    await consumer.connect();
    try {
      consumer.client.subscribe([topic]);
      const [message] = await consumer.consumeAtLeast(1);
      expect(message?.key?.toString()).toBe('4711');
    } finally {
      await consumer.disconnect();
    }
  });

  it('fails with an authentication error, not a hang, with a wrong password', async () => {
    const wrong = `wrong-${randomSuffix()}`;
    const consumer = new TestConsumer(
      sasl.bootstrapServers,
      `sasl-${randomSuffix()}`,
      scram(sasl.username, wrong),
    );
    const errors: kafka.LibrdKafkaError[] = [];
    const started = Date.now();
    // librdkafka reports a failed SASL login as an error event with code -1 and only a message text.
    // The promise resolves once that event arrived; vitest's test timeout bounds the wait.
    const authenticationFailed = new Promise<number>((resolve) => {
      consumer.client.on('event.error', (error) => {
        errors.push(error);
        if (/authentication failure/i.test(error.message)) resolve(Date.now() - started);
      });
    });
    const outcome = await consumer.connect(6_000).then(
      () => 'connected',
      (error: unknown) => error,
    );
    // connect() gives up at its own deadline; the client delivers the queued error events after that.
    expect(outcome).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await authenticationFailed).toBeLessThan(15_000);
    expect(JSON.stringify(errors.map((error) => [error.message, error.stack]))).not.toContain(wrong);
    expect(String(outcome)).not.toContain(wrong);
  });
});
