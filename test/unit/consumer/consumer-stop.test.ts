/**
 * `stop()` within `drainTimeoutMs + closeTimeoutMs` whatever the brokers do, and handlers (and
 * listeners) that throw values that are not Errors, through a whole consumer: the Kafka client and the
 * dead-letter producer are replaced by fakes at their adapter modules, on fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ClientFailure,
  type ClientFactories,
  type ConsumerClient,
  type ConsumerListeners,
} from '../../../src/engine/client.js';
import type { TopicPartition, TopicPartitionOffset } from '../../../src/types.js';

const fake = vi.hoisted(() => ({
  clients: [] as FakeClient[],
  producers: [] as FakeProducer[],
}));

interface FakeClient {
  listeners: ConsumerListeners;
  /** Records the next polls deliver. */
  records: unknown[];
  /** Every commit call, in order. */
  commits: TopicPartitionOffset[][];
  /** How commits are answered at the next poll: confirmed, failed, or never. */
  answer: 'confirm' | 'fail' | 'never';
  /** Whether disconnect() never settles (a client that ignores its own timeout). */
  hangOnDisconnect: boolean;
  /** When disconnect() was called (Date.now()). */
  disconnectedAt: number | undefined;
}

interface FakeProducer {
  hangOnDisconnect: boolean;
  sent: unknown[];
}

class FakeRdkafkaConsumer implements FakeClient {
  static readonly beginning = -2;
  readonly listeners: ConsumerListeners;
  records: unknown[] = [];
  readonly commits: TopicPartitionOffset[][] = [];
  answer: 'confirm' | 'fail' | 'never' = 'confirm';
  hangOnDisconnect = false;
  disconnectedAt: number | undefined;
  readonly #pending: TopicPartitionOffset[][] = [];
  constructor(_settings: unknown, listeners: ConsumerListeners) {
    this.listeners = listeners;
    fake.clients.push(this);
  }
  connect(): Promise<void> {
    return Promise.resolve();
  }
  subscribe(): void {}
  async poll(max: number, timeoutMs: number): Promise<unknown[]> {
    this.#answerCommits();
    const records = this.records.splice(0, max);
    if (records.length > 0) return records;
    await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 10)));
    this.#answerCommits();
    return [];
  }
  assign(): void {}
  unassign(): void {}
  pause(): void {}
  resume(): void {}
  commit(offsets: readonly TopicPartitionOffset[]): void {
    const copy = offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset }));
    this.commits.push(copy);
    this.#pending.push(copy);
  }
  highWatermark(): undefined {
    return undefined;
  }
  reachable(): Promise<boolean> {
    return Promise.resolve(true);
  }
  topicNames(): Promise<Set<string> | undefined> {
    return Promise.resolve(undefined);
  }
  committed(partitions: readonly TopicPartition[]) {
    return Promise.resolve(partitions.map((p) => ({ ...p, offset: undefined })));
  }
  get connected(): boolean {
    return true;
  }
  disconnect(): Promise<boolean> {
    this.disconnectedAt = Date.now();
    return this.hangOnDisconnect ? new Promise<boolean>(() => undefined) : Promise.resolve(true);
  }
  #answerCommits(): void {
    if (this.answer === 'never') return;
    for (const offsets of this.#pending.splice(0)) {
      const failure =
        this.answer === 'fail'
          ? new ClientFailure(
              27,
              'Broker: Rebalance in progress',
              { isFatal: false, isRetriable: true },
              undefined,
            )
          : undefined;
      this.listeners.commitResult(failure, offsets);
    }
  }
}

class FakeRdkafkaProducer implements FakeProducer {
  hangOnDisconnect = false;
  readonly sent: unknown[] = [];
  constructor() {
    fake.producers.push(this);
  }
  connect(): Promise<void> {
    return Promise.resolve();
  }
  send(record: unknown): Promise<void> {
    this.sent.push(record);
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return this.hangOnDisconnect ? new Promise<void>(() => undefined) : Promise.resolve();
  }
}

const { HonoEventConsumer, withClients } = await import('../../../src/consumer/hono-event-consumer.js');

/** The fakes above, as the engine's clients. */
const clients: ClientFactories = {
  consumer: (settings, listeners) =>
    new FakeRdkafkaConsumer(settings, listeners) as unknown as ConsumerClient,
  producer: () => new FakeRdkafkaProducer(),
  beginning: FakeRdkafkaConsumer.beginning,
  isUnknownTopic: (failure) => failure.code === 3,
};
const { encodeEvent } = await import('../../../src/wire/encode.js');

type Consumer = InstanceType<typeof HonoEventConsumer>;
type Options = ConstructorParameters<typeof HonoEventConsumer>[0];
type Handlers = Parameters<Consumer['run']>[0];

const TENANT = 'acme';
const TOPIC = `hono.event.${TENANT}`;
const drainTimeoutMs = 1_000;
const closeTimeoutMs = 2_000;
const bound = drainTimeoutMs + closeTimeoutMs;

/** A Hono event of device `deviceId` at `offset` of partition 0, as the client delivers it. */
function recordAt(offset: number, deviceId = `d${String(offset)}`): unknown {
  const encoded = encodeEvent({
    type: 'event',
    tenantId: TENANT,
    deviceId,
    contentType: 'text/plain',
    payload: `record ${String(offset)}`,
    creationTime: Date.now(),
  });
  return { ...encoded, partition: 0, offset, size: 0, timestamp: Date.now() };
}

const consumers: Consumer[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeEach(() => {
  vi.useFakeTimers();
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  const stopping = Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  await vi.advanceTimersByTimeAsync(bound + 1_000);
  await stopping;
  vi.useRealTimers();
  await new Promise((resolve) => setTimeout(resolve, 0));
  process.off('unhandledRejection', onUnhandled);
  fake.clients.length = 0;
  fake.producers.length = 0;
  expect(unhandled).toStrictEqual([]);
});

/** A running consumer with partition 0 assigned. */
async function started(handlers: Handlers, options: Partial<Options> = {}) {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const consumer = withClients(
    clients,
    () =>
      new HonoEventConsumer({
        brokers: 'kafka:9092',
        tenant: TENANT,
        groupId: 'g',
        logger,
        drainTimeoutMs,
        closeTimeoutMs,
        commitIntervalMs: 60_000,
        ...options,
      }),
  );
  consumers.push(consumer);
  await consumer.run(handlers);
  const client = fake.clients.at(-1);
  if (client === undefined) throw new Error('no client');
  client.listeners.rebalance({ kind: 'assign', partitions: [{ topic: TOPIC, partition: 0 }], lost: false });
  return { consumer, client, logger, producer: fake.producers.at(-1) };
}

/** Calls stop() and tells, on fake time, when it resolved. */
function timeStop(consumer: Consumer) {
  const startedAt = Date.now();
  const state: { tookMs: number | undefined } = { tookMs: undefined };
  void consumer.stop().then(() => {
    state.tookMs = Date.now() - startedAt;
  });
  return state;
}

/** The last position committed for partition 0. */
const lastCommitted = (client: FakeClient): number | undefined =>
  client.commits
    .flat()
    .filter((position) => position.partition === 0)
    .at(-1)?.offset;

describe('stop() within drainTimeoutMs + closeTimeoutMs', () => {
  it('with brokers that never answer a commit and a client and dead-letter producer that never close', async () => {
    const { consumer, client, producer, logger } = await started(
      { event: () => undefined },
      { onFailure: 'deadLetter' },
    );
    client.records.push(recordAt(0), recordAt(1));
    await vi.advanceTimersByTimeAsync(100);
    client.answer = 'never';
    client.hangOnDisconnect = true;
    if (producer === undefined) throw new Error('no dead-letter producer');
    producer.hangOnDisconnect = true;

    const stop = timeStop(consumer);
    await vi.advanceTimersByTimeAsync(bound);

    expect(stop.tookMs).toBeDefined();
    expect(stop.tookMs).toBeLessThanOrEqual(bound);
    expect(consumer.state).toBe('stopped');
    // The last commit was sent, and the close tried, within the deadline.
    expect(lastCommitted(client)).toBe(2);
    expect(client.disconnectedAt).toBeDefined();
    expect(logger.warn).toHaveBeenCalledWith('the Kafka client did not close in time', {});
    expect(logger.warn).toHaveBeenCalledWith('the dead-letter producer did not close in time', {});
  });

  it('with a handler that ignores its signal for longer than the drain, and brokers that never answer', async () => {
    const { consumer, client } = await started({ event: () => new Promise<void>(() => undefined) });
    client.records.push(recordAt(0));
    await vi.advanceTimersByTimeAsync(100);
    client.answer = 'never';
    client.hangOnDisconnect = true;

    const stop = timeStop(consumer);
    await vi.advanceTimersByTimeAsync(bound);

    expect(stop.tookMs).toBeDefined();
    expect(stop.tookMs).toBeLessThanOrEqual(bound);
  });

  it('retries a failing last commit for up to three quarters of closeTimeoutMs, then closes the client', async () => {
    const { consumer, client } = await started({ event: () => undefined });
    client.records.push(recordAt(0));
    await vi.advanceTimersByTimeAsync(100);
    client.answer = 'fail';
    const before = client.commits.length;

    const startedAt = Date.now();
    const stop = timeStop(consumer);
    await vi.advanceTimersByTimeAsync(bound);

    expect(client.commits.length - before).toBeGreaterThan(1);
    expect(client.disconnectedAt).toBeDefined();
    expect((client.disconnectedAt ?? Infinity) - startedAt).toBeLessThanOrEqual(
      (closeTimeoutMs * 3) / 4 + 100,
    );
    expect(stop.tookMs).toBeLessThanOrEqual(bound);
  });

  it('is quick, and commits the last position once, when the brokers answer', async () => {
    const { consumer, client } = await started({ event: () => undefined });
    client.records.push(recordAt(0), recordAt(1), recordAt(2));
    await vi.advanceTimersByTimeAsync(100);

    const stop = timeStop(consumer);
    await vi.advanceTimersByTimeAsync(200);

    expect(stop.tookMs).toBeLessThanOrEqual(100);
    expect(client.commits).toStrictEqual([[{ topic: TOPIC, partition: 0, offset: 3 }]]);
  });
});

describe('thrown values that are not Errors, through the consumer', () => {
  const strange: [string, () => unknown][] = [
    ['Object.create(null)', () => Object.create(null) as unknown],
    [
      'an object whose toString throws',
      () => ({
        toString() {
          throw new Error('toString');
        },
      }),
    ],
    ['undefined', () => undefined],
  ];

  it.each(strange)(
    'a handler that throws %s (synchronously and as a rejection) is skipped, and its position committed',
    async (_name, make) => {
      const handled: number[] = [];
      const { consumer, client } = await started(
        {
          event: (_event, context) => {
            handled.push(context.offset);

            if (context.offset === 0) throw make();
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the point of the test
            if (context.offset === 1) return Promise.reject(make());
            return undefined;
          },
        },
        { onFailure: 'skip', retry: { maxAttempts: 1 } },
      );
      const causes: unknown[] = [];
      consumer.on('handlerError', (error) => causes.push(error.cause));
      consumer.on('skipped', () => {
        throw make();
      });
      client.records.push(recordAt(0), recordAt(1), recordAt(2));
      await vi.advanceTimersByTimeAsync(100);

      const stop = timeStop(consumer);
      await vi.advanceTimersByTimeAsync(200);

      expect(stop.tookMs).toBeDefined();
      expect(handled).toStrictEqual([0, 1, 2]);
      expect(causes).toHaveLength(2);
      expect(lastCommitted(client)).toBe(3);
    },
  );
});
