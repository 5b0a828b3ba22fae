/**
 * What the consumer reports, with the Kafka client a scripted one behind the engine's client seam. Client
 * failures: each is emitted as `error` and logged, the same one at most once per five minutes. Topics
 * that do not exist at the start: the warning names each missing topic once; with startFrom 'latest', partitions of a topic that
 * appeared later start at their beginning unless the group committed a position; a revoke that arrives
 * while the committed positions are being read waits for the assignment.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HonoEventConsumer } from '../../../src/consumer/hono-event-consumer.js';
import { withClients } from '../../../src/consumer/consumer-engine.js';
import { ClientFailure, type RebalanceEvent } from '../../../src/engine/client.js';
import { clientCodes } from '../../../src/kafka/rdkafka-consumer.js';
import type { TopicPartition } from '../../../src/types.js';
import { type CommittedPosition, scriptedClients, type ScriptedClients } from '../fakes/scripted-client.js';

const consumers: InstanceType<typeof HonoEventConsumer>[] = [];
const unknownTopic = () =>
  new ClientFailure(
    clientCodes.unknownTopic,
    'Broker: Unknown topic or partition',
    { isFatal: false, isRetriable: false },
    undefined,
  );

let scripted: ScriptedClients;

beforeEach(() => {
  scripted = scriptedClients();
});

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  // These consumers write no dead letters: none of them makes a producer.
  expect(scripted.producers).toStrictEqual([]);
});

async function started(options: { tenant: string | string[]; startFrom?: 'earliest' | 'latest' }) {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const consumer = withClients(
    scripted.factories,
    () => new HonoEventConsumer({ brokers: 'kafka:9092', groupId: 'g', logger, ...options }),
  );
  consumers.push(consumer);
  const errors: unknown[] = [];
  consumer.on('error', (error) => errors.push(error));
  await consumer.run({ event: () => undefined });
  const client = scripted.consumer;
  const rebalance = (event: RebalanceEvent): void => {
    client.listeners.rebalance(event);
  };
  const calls = (): string[] => client.calls.map((call) => call.name).filter((name) => name !== 'subscribe');
  return { consumer, client, logger, errors, rebalance, calls };
}

const settle = (ms = 30): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

describe('a subscribed topic that does not exist', () => {
  it('is named in one warning that says the consumer waits for it, before run() resolves', async () => {
    scripted.existingTopics = new Set(['hono.event.old']);
    const { logger } = await started({ tenant: ['old', 'new'] });
    expect(logger.warn).toHaveBeenCalledExactlyOnceWith(
      "topic hono.event.new does not exist (yet): the consumer waits for it and reads it within about 10 s of its creation (kafka 'topic.metadata.refresh.interval.ms')",
      { topic: 'hono.event.new' },
    );
  });

  it('is reported by librdkafka as a consume error without a name: no error event, no second warning', async () => {
    scripted.existingTopics = new Set();
    const { client, logger, errors } = await started({ tenant: 'new' });
    client.pollFailures.push(unknownTopic());
    await settle(300);
    expect(errors).toStrictEqual([]);
    expect(logger.warn).toHaveBeenCalledOnce();
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/^topic hono\.event\.new does not exist/);
  });

  it('is named again when it disappears after it was assigned', async () => {
    scripted.existingTopics = new Set();
    const { client, logger, rebalance } = await started({ tenant: 'new' });
    rebalance({ kind: 'assign', partitions: [tp('hono.event.new', 0)], lost: false });
    await settle();
    expect(logger.info).toHaveBeenCalledWith('topic hono.event.new exists now: its partitions are assigned', {
      topic: 'hono.event.new',
    });
    client.pollFailures.push(unknownTopic());
    await settle(300);
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });

  it('is named as one of the topics when the metadata request fails after the client reported it', async () => {
    scripted.existingTopics = undefined;
    const { client, logger } = await started({ tenant: ['a', 'b'] });
    expect(logger.warn).not.toHaveBeenCalled();
    client.pollFailures.push(unknownTopic());
    await settle(300);
    expect(logger.warn).toHaveBeenCalledOnce();
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(
      /^a subscribed topic does not exist \(yet\) \(one of hono\.event\.a, hono\.event\.b;/,
    );
  });

  it('marks nothing when the metadata request fails at the start; names the only topic once the client reports it', async () => {
    scripted.existingTopics = undefined;
    const { client, logger, rebalance, calls } = await started({ tenant: 'a', startFrom: 'latest' });
    expect(logger.warn).not.toHaveBeenCalled();
    rebalance({ kind: 'assign', partitions: [tp('hono.event.a', 0)], lost: false });
    expect(calls()).toStrictEqual(['assign']); // an existing topic: 'latest' from now
    client.pollFailures.push(unknownTopic());
    await settle(300);
    expect(logger.warn).toHaveBeenCalledExactlyOnceWith(
      expect.stringMatching(/^topic hono\.event\.a does not exist \(yet\)/) as string,
      { topic: 'hono.event.a' },
    );
  });
});

describe("startFrom 'latest' and a topic created after the start", () => {
  it('starts its partitions at their beginning where the group committed nothing, elsewhere where it did', async () => {
    scripted.existingTopics = new Set(['hono.event.old']);
    scripted.committed = (partitions) =>
      Promise.resolve(partitions.map((p) => ({ ...p, offset: p.partition === 1 ? 17 : undefined })));
    const { client, rebalance, logger } = await started({ tenant: ['old', 'new'], startFrom: 'latest' });
    rebalance({
      kind: 'assign',
      partitions: [tp('hono.event.old', 0), tp('hono.event.new', 0), tp('hono.event.new', 1)],
      lost: false,
    });
    await settle();
    expect(client.calls.find((call) => call.name === 'committed')?.partitions).toStrictEqual([
      tp('hono.event.new', 0),
      tp('hono.event.new', 1),
    ]);
    expect(client.calls.find((call) => call.name === 'assign')?.partitions).toStrictEqual([
      tp('hono.event.old', 0),
      { ...tp('hono.event.new', 0), offset: -2 },
      tp('hono.event.new', 1),
    ]);
    expect(logger.warn).toHaveBeenCalledOnce(); // the missing-topic warning only
  });

  it('reads from the beginning, and says so, when the committed positions cannot be read', async () => {
    scripted.existingTopics = new Set();
    scripted.committed = () => Promise.resolve(undefined);
    const { client, rebalance, logger } = await started({ tenant: 'new', startFrom: 'latest' });
    rebalance({ kind: 'assign', partitions: [tp('hono.event.new', 0)], lost: false });
    await settle();
    expect(client.calls.find((call) => call.name === 'assign')?.partitions).toStrictEqual([
      { ...tp('hono.event.new', 0), offset: -2 },
    ]);
    expect(String(logger.warn.mock.calls[1]?.[0])).toBe(
      "the group's committed positions of hono.event.new could not be read: reading them from their beginning (records already handled are handled again)",
    );
  });

  it('assigns before it unassigns when a revoke arrives while the committed positions are read', async () => {
    scripted.existingTopics = new Set();
    let answer: (value: CommittedPosition[]) => void = () => undefined;
    scripted.committed = () => new Promise((resolve) => (answer = resolve));
    const { rebalance, calls, consumer } = await started({ tenant: 'new', startFrom: 'latest' });
    const assigned: unknown[] = [];
    const revoked: unknown[] = [];
    consumer.on('assigned', (partitions) => assigned.push(partitions));
    consumer.on('revoked', (partitions) => revoked.push(partitions));
    rebalance({ kind: 'assign', partitions: [tp('hono.event.new', 0)], lost: false });
    rebalance({ kind: 'revoke', partitions: [tp('hono.event.new', 0)], lost: false });
    await settle();
    expect(calls()).toStrictEqual(['committed']);
    expect(consumer.health().partitions).toStrictEqual([]);

    answer([{ ...tp('hono.event.new', 0), offset: undefined }]);
    await settle();
    expect(calls()).toStrictEqual(['committed', 'assign', 'unassign']);
    expect(assigned).toHaveLength(1);
    expect(revoked).toHaveLength(1);
    expect(consumer.health().partitions).toStrictEqual([]);
  });

  it('keeps later assignments in order behind one that waits', async () => {
    scripted.existingTopics = new Set(['hono.event.old']);
    let answer: (value: CommittedPosition[]) => void = () => undefined;
    scripted.committed = () => new Promise((resolve) => (answer = resolve));
    const { rebalance, client } = await started({ tenant: ['old', 'new'], startFrom: 'latest' });
    rebalance({ kind: 'assign', partitions: [tp('hono.event.new', 0)], lost: false });
    rebalance({ kind: 'assign', partitions: [tp('hono.event.old', 0)], lost: false });
    await settle();
    expect(client.calls.filter((call) => call.name === 'assign')).toStrictEqual([]);
    answer([{ ...tp('hono.event.new', 0), offset: undefined }]);
    await settle();
    expect(
      client.calls.filter((call) => call.name === 'assign').map((call) => call.partitions),
    ).toStrictEqual([[{ ...tp('hono.event.new', 0), offset: -2 }], [tp('hono.event.old', 0)]]);
  });
});

describe("startFrom 'earliest', or a topic that existed at the start", () => {
  it('assigns at once, without reading committed positions', async () => {
    scripted.existingTopics = new Set();
    const { rebalance, calls } = await started({ tenant: 'new', startFrom: 'earliest' });
    rebalance({ kind: 'assign', partitions: [tp('hono.event.new', 0)], lost: false });
    expect(calls()).toStrictEqual(['assign']);
  });

  it("assigns a topic that existed at once with startFrom 'latest'", async () => {
    scripted.existingTopics = new Set(['hono.event.old']);
    const { rebalance, client } = await started({ tenant: 'old', startFrom: 'latest' });
    rebalance({ kind: 'assign', partitions: [tp('hono.event.old', 0)], lost: false });
    expect(client.calls.filter((call) => call.name !== 'subscribe')).toStrictEqual([
      { name: 'assign', partitions: [tp('hono.event.old', 0)] },
    ]);
  });
});

describe('client failures', () => {
  const failure = (code: number, message: string, isFatal = false) =>
    new ClientFailure(code, message, { isFatal, isRetriable: false }, undefined);

  it('are each emitted as error, and logged at warn once per five minutes for the same failure', async () => {
    scripted.existingTopics = new Set(['hono.event.t']);
    const { client, logger, errors } = await started({ tenant: 't' });
    for (let i = 0; i < 5; i++) client.pollFailures.push(failure(25, 'Broker: Unknown member'));
    client.pollFailures.push(failure(25, 'Broker: Unknown member id'));
    await settle(1_000);
    expect(errors).toHaveLength(6);
    expect(logger.warn.mock.calls.map((call) => call[1] as unknown)).toStrictEqual([
      { code: 'ERR_HONO_KAFKA' },
      { code: 'ERR_HONO_KAFKA' },
    ]);
  });

  it('logs a fatal failure at error', async () => {
    scripted.existingTopics = new Set(['hono.event.t']);
    const { client, logger, errors } = await started({ tenant: 't' });
    client.pollFailures.push(failure(-150, 'Local: Fatal error', true));
    await settle(300);
    expect(errors).toHaveLength(1);
    expect(logger.error).toHaveBeenCalledExactlyOnceWith(expect.stringContaining('Fatal error') as string, {
      code: 'ERR_HONO_KAFKA_FATAL',
    });
  });
});
