/**
 * A consumer started before its topic exists (a new Hono tenant before its first event): the warning names
 * the topic and says that the consumer waits for it; once the topic is created, it is read within 15 s
 * (the SDK's 10 s `topic.metadata.refresh.interval.ms` plus the group's re-join), and no record written
 * right after the creation is missed, with `startFrom` 'earliest' and 'latest'. 'latest' still means
 * "from now" for a topic that existed at the start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HonoEventConsumer } from '../../src/consumer/hono-event-consumer.js';
import { eventTopic } from '../../src/tenant.js';
import type { HonoEvent } from '../../src/wire/types.js';
import { randomSuffix, TestAdmin, TestProducer } from './clients.js';
import { sequencedEvents, waitFor } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

/** The promise: a topic created later is read within this long. */
const pickUpMs = 15_000;
/** Slack for a loaded machine (two cores, the broker on the same host). */
const slackMs = 5_000;

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recordingLogger() {
  const lines: { level: string; message: string; context: unknown }[] = [];
  const at =
    (level: string) =>
    (message: string, context?: unknown): void => {
      lines.push({ level, message, context });
    };
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

async function tools() {
  const { bootstrapServers } = kafkaEnvironment();
  const admin = new TestAdmin(bootstrapServers);
  const producer = new TestProducer(bootstrapServers);
  await producer.connect();
  const topics: string[] = [];
  cleanups.push(async () => {
    await producer.disconnect();
    for (const topic of topics) await admin.deleteTopic(topic);
    admin.disconnect();
  });
  return {
    bootstrapServers,
    producer,
    createTopic: async (topic: string, partitions: number) => {
      topics.push(topic);
      await admin.createTopic(topic, partitions);
    },
  };
}

function start(consumer: HonoEventConsumer): void {
  cleanups.push(() => consumer.stop());
}

describe('a topic created after the consumer started', () => {
  it.each([
    ['earliest', 'classic'],
    ['latest', 'classic'],
    ['latest', 'consumer'],
  ] as const)(
    'is read within 15 s of its creation, from its first record, with startFrom %s (group protocol %s); the warning names it',
    async (startFrom, groupProtocol) => {
      const { bootstrapServers, producer, createTopic } = await tools();
      const tenant = `it-new-${randomSuffix()}`;
      const topic = eventTopic(tenant);
      const { lines, logger } = recordingLogger();
      const handled: HonoEvent[] = [];
      const errors: unknown[] = [];
      const consumer = new HonoEventConsumer({
        brokers: bootstrapServers,
        tenant,
        groupId: `it-group-${randomSuffix()}`,
        startFrom,
        groupProtocol,
        commitIntervalMs: 200,
        logger,
      });
      start(consumer);
      consumer.on('error', (error) => errors.push(error));
      const positions = new Set<string>();
      await consumer.run({
        event: (event, context) => {
          handled.push(event);
          positions.add(`${context.partition}@${context.offset}`);
        },
      });

      await waitFor(() => lines.some((line) => line.level === 'warn'), 'the missing-topic warning', 10_000);
      expect(lines.filter((line) => line.level === 'warn')).toStrictEqual([
        {
          level: 'warn',
          message: expect.stringMatching(
            new RegExp(
              `^topic ${topic.replaceAll('.', '\\.')} does not exist \\(yet\\): the consumer waits for it and reads it ${groupProtocol === 'classic' ? 'within about 10 s of its creation' : 'once the broker assigns it'}`,
            ),
          ) as string,
          context: { topic },
        },
      ]);
      // Let the consumer settle in its wait (librdkafka asks for a missing topic more often at first).
      await new Promise((resolve) => setTimeout(resolve, 6_000));

      await createTopic(topic, 2);
      const created = Date.now();
      const records = sequencedEvents(tenant, ['a', 'b', 'c', 'd'], 5);
      await producer.send(records);

      await waitFor(() => handled.length >= records.length, `${records.length} records`, pickUpMs + slackMs);
      const elapsed = Date.now() - created;
      expect(elapsed).toBeLessThan(pickUpMs + slackMs);
      expect(handled).toHaveLength(records.length);
      expect(positions.size).toBe(records.length);
      // Still one warning: no repeat while waiting, none once the topic exists.
      expect(lines.filter((line) => line.level === 'warn' || line.level === 'error')).toHaveLength(1);
      expect(lines.map((line) => line.message)).toContain(
        `topic ${topic} exists now: its partitions are assigned`,
      );
      expect(errors).toStrictEqual([]);
      console.log(
        `[new-topic] startFrom ${startFrom}, ${groupProtocol}: all ${records.length} records handled ${elapsed} ms after the topic was created`,
      );
    },
    60_000,
  );

  it('keeps startFrom \'latest\' meaning "from now" for a topic that existed at the start', async () => {
    const { bootstrapServers, producer, createTopic } = await tools();
    const [existing, later] = [`it-old-${randomSuffix()}`, `it-new-${randomSuffix()}`];
    await createTopic(eventTopic(existing), 1);
    await producer.send(sequencedEvents(existing, ['before'], 3));
    const { lines, logger } = recordingLogger();
    const handled: HonoEvent[] = [];
    const consumer = new HonoEventConsumer({
      brokers: bootstrapServers,
      tenant: [existing, later],
      groupId: `it-group-${randomSuffix()}`,
      startFrom: 'latest',
      logger,
    });
    start(consumer);
    const assigned: string[] = [];
    consumer.on('assigned', (partitions) => assigned.push(...partitions.map((p) => p.topic)));
    await consumer.run({ event: (event) => void handled.push(event) });
    await waitFor(() => assigned.includes(eventTopic(existing)), 'the existing topic assigned', 20_000);
    expect(lines.filter((line) => line.level === 'warn').map((line) => line.context)).toStrictEqual([
      { topic: eventTopic(later) },
    ]);

    // 'latest' takes effect when the client has looked up the end of the partition, some time after the
    // assignment: a probe record that gets handled shows that it has.
    while (!handled.some((event) => event.deviceId === 'probe')) {
      await producer.send(sequencedEvents(existing, ['probe'], 1));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await producer.send(sequencedEvents(existing, ['after'], 2));
    await createTopic(eventTopic(later), 1);
    await producer.send(sequencedEvents(later, ['new'], 3));

    const count = (name: string): number => handled.filter((event) => event.deviceId === name).length;
    await waitFor(() => count('after') === 2 && count('new') === 3, 'the new records', pickUpMs + slackMs);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(count('before')).toBe(0);
    expect(count('after')).toBe(2);
    expect(count('new')).toBe(3);
  }, 60_000);
});
