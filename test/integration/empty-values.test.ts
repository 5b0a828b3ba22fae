/**
 * Empty payloads on the real broker: what the SDK writes with an empty payload (the encoders, the
 * dead-letter producer) arrives as an empty value, never as a Kafka null, as Hono itself writes it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HonoEvent } from '../../src/wire/types.js';
import { encodeDataEvent } from '../../src/wire/encode.js';
import { randomSuffix, TestConsumer } from './clients.js';
import { createTestTopic, type TestTopic, waitFor } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

let topic: TestTopic | undefined;
afterEach(async () => {
  await topic?.cleanup();
  topic = undefined;
});

async function readValues(topicName: string, count: number): Promise<(Buffer | null)[]> {
  const reader = new TestConsumer(kafkaEnvironment().bootstrapServers, `empty-${randomSuffix()}`);
  await reader.connect();
  try {
    reader.client.subscribe([topicName]);
    const messages = await reader.consumeAtLeast(count);
    return messages.map((message) => message.value);
  } finally {
    await reader.disconnect();
  }
}

describe('empty payloads', () => {
  it('an encoded event with an empty payload is written as an empty value, not null', async () => {
    topic = await createTestTopic(1);
    const base = { tenantId: topic.tenant, deviceId: 'dev-1', contentType: 'text/plain' };
    await topic.produce([
      encodeDataEvent(base),
      encodeDataEvent({ ...base, payload: '' }),
      encodeDataEvent({ ...base, payload: Buffer.alloc(0) }),
      encodeDataEvent({ ...base, payload: new Uint8Array(0) }),
    ]);
    const values = await readValues(topic.topic, 4);
    expect(values.map((value) => (value === null ? 'null' : `bytes(${value.length})`))).toEqual([
      'bytes(0)',
      'bytes(0)',
      'bytes(0)',
      'bytes(0)',
    ]);

    const events: HonoEvent[] = [];
    const consumer = topic.consumer();
    await consumer.run({ event: (event) => void events.push(event) });
    await waitFor(() => events.length === 4, 'four events handled');
    expect(events.map((event) => (event.type === 'event' ? event.payload.length : -1))).toEqual([0, 0, 0, 0]);
  });

  it('a dead-lettered record with an empty value keeps an empty value', async () => {
    topic = await createTestTopic(1);
    const deadLetterTopic = `${topic.topic}.dlq`;
    await topic.admin.createTopic(deadLetterTopic, 1);
    try {
      await topic.produce([encodeDataEvent({ tenantId: topic.tenant, deviceId: 'dev-1', payload: '' })]);
      const consumer = topic.consumer({
        retry: { maxAttempts: 1 },
        onFailure: 'deadLetter',
        deadLetterTopic,
      });
      await consumer.run({
        event: () => {
          throw new Error('cannot store');
        },
      });
      await waitFor(() => consumer.health().partitions[0]?.committed === 1, 'the record dead-lettered');
      const [value] = await readValues(deadLetterTopic, 1);
      expect(value).not.toBeNull();
      expect(value?.length).toBe(0);
    } finally {
      await topic.admin.deleteTopic(deadLetterTopic);
    }
  });
});
