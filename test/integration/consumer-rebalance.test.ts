/**
 * Rebalances on the real broker: two consumers in one group, a third joins and later leaves while
 * handlers are slow. Every record is handled, none is lost, and with clean cooperative rebalances none
 * is handled twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HonoEventConsumer } from '../../src/consumer/hono-event-consumer.js';
import type { TopicPartition } from '../../src/types.js';
import { createTestTopic, sequencedEvents, type TestTopic, waitFor } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

let topic: TestTopic | undefined;
afterEach(async () => {
  await topic?.cleanup();
  topic = undefined;
});

// KIP-848 consumer groups (group protocol "consumer") exist from Kafka 4.0; on a 3.9 broker only the
// classic protocol is tested, and the test names say so.
const { version } = kafkaEnvironment();
const protocols = version.startsWith('3.') ? (['classic'] as const) : (['classic', 'consumer'] as const);

describe.each(protocols)(`rebalances with group protocol "%s" (Kafka ${version})`, (groupProtocol) => {
  it('loses nothing and handles nothing twice while a third consumer joins and leaves', async () => {
    topic = await createTestTopic(6);
    const devices = Array.from({ length: 120 }, (_, i) => `device-${i}`);
    await topic.produce(sequencedEvents(topic.tenant, devices, 10));
    const total = 1200;
    const handledBy = new Map<string, string[]>();
    const revoked: TopicPartition[] = [];
    // Positions confirmed by any member: a partition released after a drain was committed by its
    // previous owner, and its new owner may have nothing left to fetch.
    const committed = new Map<number, number>();
    const lost: TopicPartition[] = [];
    const start = async (name: string): Promise<HonoEventConsumer> => {
      // Slow handlers (2 at a time, 30 ms each): the records a member holds must drain within
      // drainTimeoutMs (5 s here) for a revoke to be clean, so it holds at most 100.
      const consumer = topic?.consumer({ groupProtocol, concurrency: 2, maxInFlight: 100 });
      if (consumer === undefined) throw new Error('no topic');
      consumer.on('revoked', (partitions) => revoked.push(...partitions));
      consumer.on('lost', (partitions) => lost.push(...partitions));
      consumer.on('committed', (offsets) => {
        for (const { partition, offset } of offsets) {
          committed.set(partition, Math.max(committed.get(partition) ?? 0, offset));
        }
      });
      await consumer.run({
        event: async (event) => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          const key = `${event.partition}:${event.offset}`;
          handledBy.set(key, [...(handledBy.get(key) ?? []), name]);
        },
      });
      return consumer;
    };

    const first = await start('first');
    const second = await start('second');
    await waitFor(
      () => first.health().partitions.length + second.health().partitions.length === 6,
      'six owned',
    );
    await waitFor(() => handledBy.size >= 100, '100 handled');
    const third = await start('third');
    await waitFor(() => third.health().partitions.length > 0, 'the third owns partitions', 60_000);
    const byThird = (): number => [...handledBy.values()].flat().filter((name) => name === 'third').length;
    await waitFor(() => byThird() >= 30, 'the third handled 30 records', 60_000);
    expect(handledBy.size).toBeLessThan(total);
    await third.stop();
    await waitFor(() => handledBy.size === total, 'every record handled', 60_000);
    await waitFor(
      () => [...committed.values()].reduce((sum, offset) => sum + offset, 0) === total,
      'every position committed',
    );

    const twice = [...handledBy].filter(([, names]) => names.length > 1);
    expect(twice).toEqual([]);
    expect(revoked.length).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    const positions = await topic.committed();
    expect([...positions.values()].reduce((sum, offset) => sum + offset, 0)).toBe(total);
  });
});
