/**
 * End to end through the real broker: a Hono event produced with Hono's headers, consumed with the
 * client library's consumer, committed, and the committed offset read back with the admin client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSuffix, TestAdmin, TestConsumer, TestProducer } from './clients.js';
import { kafkaEnvironment } from './kafka-env.js';

const text = (value: string): Buffer => Buffer.from(value, 'utf8');

describe('a Hono event through the real broker', () => {
  const { bootstrapServers } = kafkaEnvironment();
  const tenant = `it-${randomSuffix()}`;
  const topic = `hono.event.${tenant}`;
  const admin = new TestAdmin(bootstrapServers);

  beforeAll(async () => {
    await admin.createTopic(topic, 1);
  });
  afterAll(async () => {
    await admin.deleteTopic(topic);
    admin.disconnect();
  });

  it('is produced with Hono headers, consumed, committed, and its committed offset read back', async () => {
    const producer = new TestProducer(bootstrapServers);
    await producer.connect();
    await producer.send([
      {
        topic,
        key: text('4711'),
        value: text('{"temp":21.5}'),
        headers: [
          { 'content-type': text('application/json') },
          { device_id: text('4711') },
          { qos: text('1') },
          { 'creation-time': text('1712345678901') },
          { orig_adapter: text('hono-mqtt') },
        ],
      },
      {
        topic,
        key: text('4711'),
        value: null,
        headers: [
          { 'content-type': text('application/vnd.eclipse-hono-empty-notification') },
          { device_id: text('4711') },
          { qos: text('1') },
          { ttd: text('60') },
          { 'creation-time': text('1712345678902') },
        ],
      },
    ]);
    await producer.disconnect();

    const groupId = `it-group-${randomSuffix()}`;
    const consumer = new TestConsumer(bootstrapServers, groupId);
    await consumer.connect();
    try {
      consumer.client.subscribe([topic]);
      const [event, notification] = await consumer.consumeAtLeast(2);

      expect(event?.key?.toString()).toBe('4711');
      expect(event?.value?.toString()).toBe('{"temp":21.5}');
      expect(event?.headers).toEqual([
        { 'content-type': text('application/json') },
        { device_id: text('4711') },
        { qos: text('1') },
        { 'creation-time': text('1712345678901') },
        { orig_adapter: text('hono-mqtt') },
      ]);
      // Hono sends empty notifications with a null value, not a zero-length one.
      expect(notification?.value).toBeNull();
      expect(notification?.headers).toContainEqual({ ttd: text('60') });

      expect(await admin.committedOffsets(groupId, topic, [0])).toEqual(new Map([[0, -1001]]));
      consumer.client.commitSync({ topic, partition: 0, offset: (notification?.offset ?? -2) + 1 });
    } finally {
      await consumer.disconnect();
    }
    expect(await admin.committedOffsets(groupId, topic, [0])).toEqual(new Map([[0, 2]]));
  });
});
