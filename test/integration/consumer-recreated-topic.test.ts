/**
 * The consumer on the real broker when its topic is deleted and made again under the same name while it
 * owns the partitions (issue 12): librdkafka goes back to offset 0 in the same assignment, or reports the
 * partitions lost and assigns them again (see `offset-rewind.test.ts` for which happens when). Either
 * way the new topic's records are handled and committed. Before the fix, in the first case the records
 * at or below the last offset of the old topic were dropped as "already handled" (both tests failed
 * then: without waiting for the loss, the second case went back in the same assignment too).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type TestTopic, createTestTopic, sequencedEvents, waitFor } from './consumer-helpers.js';

let topic: TestTopic | undefined;

afterEach(async () => {
  await topic?.cleanup();
  topic = undefined;
});

/**
 * Deletes the topic and creates it again (while the broker may still be finishing the deletion), after
 * `between` resolved.
 */
async function recreate(test: TestTopic, between: () => Promise<void>): Promise<void> {
  await test.admin.deleteTopic(test.topic);
  await between();
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await test.admin.createTopic(test.topic, 1);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe('a topic deleted and made again while the consumer owns it', () => {
  it.each([
    ['between two metadata refreshes (offsets go back in the same assignment)', 60_000],
    ['seen missing at a metadata refresh (partitions lost, then assigned again)', 1_000],
  ])(
    'handles the new topic’s records, %s',
    async (_case, refreshMs) => {
      const missingSeen = refreshMs < 60_000;
      topic = await createTestTopic(1);
      const test = topic;
      await test.produce(sequencedEvents(test.tenant, ['old'], 6));
      const handled: string[] = [];
      const warnings: string[] = [];
      const consumer = test.consumer({
        kafka: { 'topic.metadata.refresh.interval.ms': refreshMs },
        logger: {
          debug: () => undefined,
          info: () => undefined,
          warn: (message) => warnings.push(message),
          error: () => undefined,
        },
      });
      await consumer.run({
        event: (event) => {
          handled.push(`${event.deviceId}@${String(event.offset)}`);
        },
      });
      await waitFor(() => consumer.health().partitions[0]?.committed === 6, 'the old records committed');

      const lost: unknown[] = [];
      consumer.on('lost', (partitions) => lost.push(partitions));
      await recreate(test, async () => {
        if (missingSeen) await waitFor(() => lost.length > 0, 'the partition lost at a metadata refresh');
      });
      // Fewer records than the old topic had: librdkafka resets to 0 only while the new log ends below the
      // old position (with more, it reads on from there; see offset-rewind.test.ts).
      await test.produce(sequencedEvents(test.tenant, ['new'], 3));
      await waitFor(() => handled.filter((entry) => entry.startsWith('new')).length === 3, 'the new records');
      expect(handled.filter((entry) => entry.startsWith('new'))).toStrictEqual(['new@0', 'new@1', 'new@2']);
      await waitFor(() => consumer.health().partitions[0]?.committed === 3, 'the new position committed');
      expect(await test.committed()).toStrictEqual(new Map([[0, 3]]));
      if (missingSeen) expect(lost).toHaveLength(1);
      else {
        expect(lost).toStrictEqual([]);
        expect(warnings).toContainEqual(expect.stringMatching(/went back from offset 5 to 0/));
      }
    },
    60_000,
  );
});
