/**
 * The per-partition backlog bound (`maxUncommitted`) and back-pressure that stops fetching only where
 * the backlog is, against the fake Kafka client (issue 12, defects 2 and 6).
 */
import { describe, expect, it } from 'vitest';
import { baseConfig, ConsumerModel } from '../fakes/consumer-model.js';
import { fakeKafka } from '../fakes/fake-kafka.js';

const topic = 'hono.event.t';

/** Runs a model with the consumer's pause and resume events recorded. */
async function withModel(
  config: Partial<typeof baseConfig>,
  test: (model: ConsumerModel, events: string[]) => Promise<void>,
): Promise<void> {
  const model = await ConsumerModel.start({ ...baseConfig, ...config });
  const events: string[] = [];
  model.consumer.on('paused', (partitions, reason) => {
    events.push(`paused ${reason} [${partitions.map(({ partition }) => partition).join(', ')}]`);
  });
  model.consumer.on('resumed', (partitions, reason) => {
    events.push(`resumed ${reason} [${partitions.map(({ partition }) => partition).join(', ')}]`);
  });
  try {
    await test(model, events);
    await model.check();
  } finally {
    await model.dispose();
  }
}

describe('maxUncommitted', () => {
  it('pauses a partition at the bound behind a slow record, resumes it at half, and skips nothing', async () => {
    await withModel({ handlerTimeoutMs: 5_000, slowMs: 1_000, replayBound: 8 }, async (model, events) => {
      model.behave('a', 'slow');
      model.produce('a', 1);
      model.produce('b', 20);
      model.produce('c', 3);
      model.rebalance('assign', [0, 1]);
      await model.advance(500);
      // Records 0 (slow) to 7 of partition 0 were fetched: 8 offsets from the committable position on.
      expect(model.client.position(topic, 0)).toBe(8);
      expect(model.client.isPaused(topic, 0)).toBe(true);
      const health = model.consumer.health();
      expect(health.partitions.find(({ partition }) => partition === 0)).toMatchObject({
        committable: 0,
        pausedFor: ['backlog'],
      });
      expect(events).toStrictEqual(['paused backlog [0]']);
      // The other partition is not held up.
      await model.advance(200);
      expect(model.client.position(topic, 1)).toBe(3);
      await model.advance(700);
      // The slow record finished, and with it every fetched one: the partition resumes where it stopped
      // (and pauses again whenever a poll fills the bound of 8 before its records finish).
      expect(events.slice(0, 2)).toStrictEqual(['paused backlog [0]', 'resumed backlog [0]']);
      await model.settle();
      expect(model.client.position(topic, 0)).toBe(21);
      expect(model.consumer.health().partitions[0]).toMatchObject({ committed: 21, pausedFor: [] });
    });
  });
});

describe('back-pressure', () => {
  it('pauses only the partition whose device holds maxInFlight records, not the others', async () => {
    // A slow device catching up on partition 0 holds every slot for seconds: the other partitions keep
    // fetching (before the fix, back-pressure paused them all until half of a's records finished).
    await withModel(
      { maxInFlight: 6, handlerTimeoutMs: 5_000, slowMs: 3_000, replayBound: 100 },
      async (model, events) => {
        model.behave('a', 'slow');
        model.produce('a', 8);
        model.rebalance('assign', [0, 1, 2]);
        // 6 records held, and the handlers free no room within a second: partition 0 holds more than
        // its share (6 / 3 partitions) and pauses; the others do not.
        await model.advance(1_500);
        expect(events).toStrictEqual(['paused backpressure [0]']);
        model.produce('c', 10);
        model.produce('d', 10);
        await model.advance(1_500);
        // Partitions 1 and 2 fetched and handled all of theirs, up to their share at a time, while a's
        // records still run one after another.
        expect(fakeKafka.broker.committed(topic, 1)).toBe(10);
        expect(fakeKafka.broker.committed(topic, 2)).toBe(10);
        // Partition 0 stays paused; the others pause at their share and resume at half of it.
        expect(model.client.isPaused(topic, 0)).toBe(true);
        expect(events.filter((event) => event.includes('0'))).toStrictEqual(['paused backpressure [0]']);
        await model.settle();
      },
    );
  });
});
