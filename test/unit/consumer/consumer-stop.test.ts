/**
 * `stop()` within `drainTimeoutMs + closeTimeoutMs` whatever the brokers do, and handlers (and
 * listeners) that throw values that are not Errors, through a whole consumer: the Kafka client and the
 * dead-letter producer are scripted clients behind the engine's client seam, on fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HonoEventConsumer } from '../../../src/consumer/hono-event-consumer.js';
import { withClients } from '../../../src/consumer/consumer-engine.js';
import type { ClientMessage } from '../../../src/engine/client.js';
import { encodeEvent } from '../../../src/wire/encode.js';
import { scriptedClients, type ScriptedClients, type ScriptedConsumer } from '../fakes/scripted-client.js';
import { captureUnhandledRejections } from '../fakes/unhandled.js';

type Consumer = InstanceType<typeof HonoEventConsumer>;
type Options = ConstructorParameters<typeof HonoEventConsumer>[0];
type Handlers = Parameters<Consumer['run']>[0];

const TENANT = 'acme';
const TOPIC = `hono.event.${TENANT}`;
const drainTimeoutMs = 1_000;
const closeTimeoutMs = 2_000;
const bound = drainTimeoutMs + closeTimeoutMs;

/** A Hono event of device `deviceId` at `offset` of partition 0, as the client delivers it. */
function recordAt(offset: number, deviceId = `d${String(offset)}`): ClientMessage {
  const encoded = encodeEvent({
    type: 'event',
    tenantId: TENANT,
    deviceId,
    contentType: 'text/plain',
    payload: `record ${String(offset)}`,
    creationTime: Date.now(),
  });
  return { ...encoded, partition: 0, offset, timestamp: Date.now() };
}

const consumers: Consumer[] = [];
/** Rejections nobody handled while a test ran (they would end a real process). */
const unhandled = captureUnhandledRejections();
let scripted: ScriptedClients;

beforeEach(() => {
  vi.useFakeTimers();
  unhandled.start();
  scripted = scriptedClients();
});

afterEach(async () => {
  const stopping = Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  await vi.advanceTimersByTimeAsync(bound + 1_000);
  await stopping;
  vi.useRealTimers();
  expect(await unhandled.stop()).toStrictEqual([]);
});

/** A running consumer with partition 0 assigned. */
async function started(handlers: Handlers, options: Partial<Options> = {}) {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const consumer = withClients(
    scripted.factories,
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
  const client = scripted.consumer;
  client.listeners.rebalance({ kind: 'assign', partitions: [{ topic: TOPIC, partition: 0 }], lost: false });
  return { consumer, client, logger, producer: scripted.producers.at(-1) };
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
const lastCommitted = (client: ScriptedConsumer): number | undefined =>
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
    producer.disconnectBehaviour = 'hang';

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
