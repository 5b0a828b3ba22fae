/**
 * Offsets that go back within an assignment (issue 12): librdkafka resets a partition's position after
 * the log was truncated, or when the topic was deleted and made again under the same name. The records
 * from there on are handled, and nothing is committed past a record that is not finished.
 */
import { describe, expect, it, vi } from 'vitest';
import { fakeKafka } from '../fakes/fake-kafka.js';
import { fakeKafkaPerTest } from '../fakes/per-test.js';

const topic = 'hono.event.t';

const fake = fakeKafkaPerTest([topic]);

/** A running consumer of tenant `t` whose handler takes `slowMs` for the records `slow` names. */
async function started(slow: (deviceId: string, offset: number) => boolean, slowMs = 1_000) {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const handled: string[] = [];
  const made = fake.consumer({
    brokers: 'kafka:9092',
    tenant: 't',
    groupId: 'g',
    commitIntervalMs: 100,
    logger,
  });
  const running = made.run({
    event: async (event, context) => {
      if (slow(event.deviceId, context.offset)) await new Promise((resolve) => setTimeout(resolve, slowMs));
      handled.push(`${event.deviceId}@${String(context.offset)}`);
    },
  });
  await vi.advanceTimersByTimeAsync(0);
  await running;
  const client = fakeKafka.client;
  client.rebalance('assign', [{ topic, partition: 0 }]);
  return { consumer: made, client, logger, handled };
}

describe('offsets that go back within an assignment', () => {
  it('handles the records of a topic made again from offset 0, and commits their positions', async () => {
    const { client, logger, handled } = await started(() => false);
    for (let index = 0; index < 5; index++) fakeKafka.broker.produce(topic, 0, 'a');
    await vi.advanceTimersByTimeAsync(500);
    expect(fakeKafka.broker.committed(topic, 0)).toBe(5);

    fakeKafka.broker.recreate(topic);
    for (let index = 0; index < 3; index++) fakeKafka.broker.produce(topic, 0, 'b');
    client.rewind(topic, 0, 0);
    await vi.advanceTimersByTimeAsync(500);

    // Before the fix, records at or below offset 4 were dropped as "already handled": b's were lost.
    expect(handled).toStrictEqual(['a@0', 'a@1', 'a@2', 'a@3', 'a@4', 'b@0', 'b@1', 'b@2']);
    expect(fakeKafka.broker.committed(topic, 0)).toBe(3);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/^hono\.event\.t\[0\] went back from offset 4 to 0: the log was truncated/),
      expect.objectContaining({ partition: 0, from: 4, to: 0 }),
    );
  });

  it('commits nothing while a record fetched before the rewind runs, then the new position', async () => {
    // Record 2 of device a takes a second; the log is truncated meanwhile and librdkafka goes back to 0.
    const { client, handled } = await started((deviceId, offset) => deviceId === 'a' && offset === 2);
    for (let index = 0; index < 5; index++) fakeKafka.broker.produce(topic, 0, index === 2 ? 'a' : 'c');
    await vi.advanceTimersByTimeAsync(300);
    expect(fakeKafka.broker.committed(topic, 0)).toBe(2);
    client.rewind(topic, 0, 0);
    await vi.advanceTimersByTimeAsync(300);
    // The records fetched again finished, but a@2 of before the rewind still runs: no commit may pass
    // it, and the new generation's positions cannot be compared with the old ones.
    expect(handled).toStrictEqual(['c@0', 'c@1', 'c@3', 'c@4', 'c@0', 'c@1', 'c@3', 'c@4']);
    expect(fakeKafka.broker.committed(topic, 0)).toBe(2);
    await vi.advanceTimersByTimeAsync(2_500);
    // a@2 finished, then its second delivery (same device: one call at a time).
    expect(handled.slice(8)).toStrictEqual(['a@2', 'a@2']);
    expect(fakeKafka.broker.committed(topic, 0)).toBe(5);
  });
});
