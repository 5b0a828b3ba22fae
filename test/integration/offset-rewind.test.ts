/**
 * What librdkafka delivers, through the SDK's adapter {@link RdkafkaConsumer}, when a topic is deleted
 * and created again under the same name (same partition count) while the consumer owns its partitions
 * and has consumed and committed records. Observed with librdkafka 2.15.1 (kafka-javascript 1.10.1) and
 * Kafka 4.1, and asserted here so that a client upgrade that changes it shows up:
 *
 * - Recreated between two periodic metadata refreshes: no rebalance and no error reach the
 *   application. The fetch at the old position fails (`UNKNOWN_TOPIC_OR_PART`, then
 *   `OFFSET_OUT_OF_RANGE` on the new topic), librdkafka resets the position by `auto.offset.reset`
 *   (only a warning log line, facility `OFFSET`, says so) and the same assignment delivers the new
 *   topic's records from offset 0: offsets go back within the assignment.
 * - Missing at a periodic metadata refresh: the poll fails with `ERR_UNKNOWN_TOPIC_OR_PART` (3), the
 *   partitions are revoked as lost, and assigned again once the topic is back; reading starts at 0 by
 *   `auto.offset.reset`, since the group's committed offsets were deleted with the topic.
 * - Recreated and already longer than the old position when the partition fetches again: no reset
 *   happens, reading goes on at the old position, and the new topic's records below it are never
 *   delivered. librdkafka notes this case as a FIXME where it sees a topic's id change
 *   (`rd_kafka_topic_metadata_update`, rdkafka_topic.c). Offsets do not go back, so a consumer cannot
 *   tell.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RdkafkaConsumer } from '../../src/kafka/rdkafka-consumer.js';
import { randomSuffix, TestAdmin, TestProducer } from './clients.js';
import { kafkaEnvironment } from './kafka-env.js';

type Listeners = ConstructorParameters<typeof RdkafkaConsumer>[1];

/** What the adapter reported, in order. */
type Observation =
  | { readonly kind: 'record'; readonly partition: number; readonly offset: number; readonly value: string }
  | { readonly kind: 'assign' | 'revoke'; readonly partitions: number[]; readonly lost: boolean }
  | { readonly kind: 'pollError' | 'clientError'; readonly code: number }
  | { readonly kind: 'committed'; readonly ok: boolean };

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A topic with `partitions` partitions, a producer, and an adapter consumer in its own group that
 * accepts every assignment and records what it sees.
 */
async function setUp(partitions: number, metadataRefreshMs: number) {
  const { bootstrapServers } = kafkaEnvironment();
  const topic = `it-rewind-${randomSuffix()}`;
  const admin = new TestAdmin(bootstrapServers);
  const producer = new TestProducer(bootstrapServers);
  await producer.connect();
  await admin.createTopic(topic, partitions);
  const seen: Observation[] = [];
  const listeners: Listeners = {
    rebalance: ({ kind, partitions: owned, lost }) => {
      seen.push({ kind, partitions: owned.map(({ partition }) => partition).sort(), lost });
      if (kind === 'assign') consumer.assign(owned);
      else consumer.unassign(owned);
    },
    commitResult: (failure) => {
      seen.push({ kind: 'committed', ok: failure === undefined });
    },
    clientError: ({ code }) => {
      seen.push({ kind: 'clientError', code });
    },
  };
  // The SDK's settings that matter here: cooperative-sticky, earliest, no partition EOF events.
  const consumer: RdkafkaConsumer = new RdkafkaConsumer(
    {
      'bootstrap.servers': bootstrapServers,
      'group.id': `it-rewind-group-${randomSuffix()}`,
      'partition.assignment.strategy': 'cooperative-sticky',
      'auto.offset.reset': 'earliest',
      'enable.partition.eof': false,
      'topic.metadata.refresh.interval.ms': metadataRefreshMs,
    },
    listeners,
  );
  cleanups.push(async () => {
    await consumer.disconnect(10_000);
    await producer.disconnect();
    await admin.deleteTopic(topic);
    admin.disconnect();
  });
  await consumer.connect(15_000);
  // Subscribe once the broker lists the topic: with a 60 s metadata refresh, a subscription that first
  // finds the topic missing would wait that long for its assignment.
  const visible = Date.now() + 10_000;
  while ((await consumer.topicNames(5_000))?.has(topic) !== true) {
    if (Date.now() > visible) throw new Error(`topic ${topic} not listed by the broker`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  consumer.subscribe([topic]);

  /** Polls (recording records and poll failures) until `done` holds; throws after `timeoutMs`. */
  const pollUntil = async (done: () => boolean, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out; seen: ${JSON.stringify(seen)}`);
      try {
        for (const { partition, offset, value } of await consumer.poll(100, 100)) {
          seen.push({ kind: 'record', partition, offset, value: value?.toString() ?? '' });
        }
      } catch (error) {
        seen.push({ kind: 'pollError', code: (error as { code: number }).code });
      }
    }
  };
  const records = (tag: string, count: number) =>
    Array.from({ length: partitions }, (_, partition) =>
      Array.from({ length: count }, (_, index) => ({
        topic,
        partition,
        key: null,
        value: Buffer.from(`${tag}-${index}`),
      })),
    ).flat();
  const count = (kind: Observation['kind'], from = 0): number =>
    seen.slice(from).filter((observation) => observation.kind === kind).length;

  /** Produces `perPartition` old records per partition, consumes them and commits the position after them. */
  const consumeAndCommit = async (perPartition: number): Promise<void> => {
    await producer.send(records('old', perPartition));
    await pollUntil(() => count('record') === partitions * perPartition, 20_000);
    consumer.commit(
      Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: perPartition })),
    );
    await pollUntil(() => count('committed') === 1, 10_000);
    expect(seen).toContainEqual({ kind: 'committed', ok: true });
  };
  const deleteTopic = () => admin.deleteTopic(topic);
  /** Creates the topic again, retrying while the broker still finishes its deletion. */
  const createTopic = async (): Promise<void> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await admin.createTopic(topic, partitions);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  /** The records seen from index `from` on, as `partition:offset:value`, sorted. */
  const recordsSince = (from: number) =>
    seen
      .slice(from)
      .filter((observation) => observation.kind === 'record')
      .map(({ partition, offset, value }) => `${partition}:${offset}:${value}`)
      .sort();
  return {
    topic,
    consumer,
    seen,
    pollUntil,
    count,
    consumeAndCommit,
    deleteTopic,
    createTopic,
    produce: (tag: string, perPartition: number) => producer.send(records(tag, perPartition)),
    recordsSince,
  };
}

describe('a topic deleted and created again while the consumer owns its partitions', () => {
  it('recreated between two metadata refreshes: the same assignment delivers offsets from 0 again, with no rebalance and no error', async () => {
    // No periodic metadata refresh during the test: the consumer never sees the topic missing.
    const run = await setUp(2, 60_000);
    await run.consumeAndCommit(5);
    const mark = run.seen.length;
    await run.deleteTopic();
    await run.createTopic();
    await run.produce('new', 3);
    await run.pollUntil(() => run.count('record', mark) === 6, 15_000);
    expect(run.recordsSince(mark)).toEqual([
      '0:0:new-0',
      '0:1:new-1',
      '0:2:new-2',
      '1:0:new-0',
      '1:1:new-1',
      '1:2:new-2',
    ]);
    expect(run.seen.slice(mark).filter(({ kind }) => kind !== 'record')).toEqual([]);
  });

  it('missing at a metadata refresh: the poll fails with code 3, the partitions are lost, then assigned again and read from 0', async () => {
    const run = await setUp(2, 1_000);
    await run.consumeAndCommit(5);
    const mark = run.seen.length;
    await run.deleteTopic();
    await run.pollUntil(() => run.count('revoke', mark) > 0, 10_000);
    expect(run.seen.slice(mark)).toContainEqual({ kind: 'pollError', code: 3 });
    expect(run.seen.slice(mark)).toContainEqual({ kind: 'revoke', partitions: [0, 1], lost: true });
    const revoked = run.seen.length;
    await run.createTopic();
    await run.produce('new', 3);
    await run.pollUntil(() => run.count('record', revoked) === 6, 15_000);
    const assigned = run.seen.findIndex(
      (observation, index) => index >= revoked && observation.kind === 'assign',
    );
    expect(run.seen[assigned]).toEqual({ kind: 'assign', partitions: [0, 1], lost: false });
    const firstRecord = run.seen.findIndex(
      (observation, index) => index >= revoked && observation.kind === 'record',
    );
    expect(assigned).toBeLessThan(firstRecord);
    expect(run.recordsSince(revoked)).toEqual([
      '0:0:new-0',
      '0:1:new-1',
      '0:2:new-2',
      '1:0:new-0',
      '1:1:new-1',
      '1:2:new-2',
    ]);
    // The group's committed offsets went with the deleted topic.
    const committed = await run.consumer.committed(
      [
        { topic: run.topic, partition: 0 },
        { topic: run.topic, partition: 1 },
      ],
      10_000,
    );
    expect(committed?.map(({ offset }) => offset)).toEqual([undefined, undefined]);
  });

  it('recreated and already past the old position when fetching again: reading goes on there, the records below it are never delivered', async () => {
    const run = await setUp(1, 60_000);
    await run.consumeAndCommit(5);
    const mark = run.seen.length;
    // Paused, the partition does not fetch until the new topic holds more records than the old one.
    run.consumer.pause([{ topic: run.topic, partition: 0 }]);
    await run.deleteTopic();
    await run.createTopic();
    await run.produce('new', 8);
    run.consumer.resume([{ topic: run.topic, partition: 0 }]);
    await run.pollUntil(() => run.count('record', mark) === 3, 15_000);
    // Give a reset, if librdkafka made one, time to deliver offsets 0 to 4 as well.
    const settle = Date.now() + 2_000;
    await run.pollUntil(() => Date.now() > settle, 5_000);
    expect(run.recordsSince(mark)).toEqual(['0:5:new-5', '0:6:new-6', '0:7:new-7']);
  });
});
