/**
 * The consumer's diagnostics channels on the fake Kafka: handler calls (start and end, with their
 * duration and error), polls, commits and the records not handled successfully (retried, skipped, not
 * decodable), each published only while the channel has subscribers.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HonoEventConsumerOptions } from '../../../src/consumer/options.js';
import { diagnosticsObserver } from '../../../src/telemetry/diagnostics.js';
import {
  type CommitMessage,
  diagnosticsChannels,
  type FetchedMessage,
  type HandlerEndMessage,
  type HandlerStartMessage,
  type RecordOutcomeMessage,
} from '../../../src/telemetry/channels.js';
import type { HonoEvent } from '../../../src/wire/types.js';
import { encodeDataEvent } from '../../../src/wire/encode.js';
import { fakeKafka } from '../fakes/fake-kafka.js';
import { fakeKafkaPerTest } from '../fakes/per-test.js';

const topic = 'hono.event.t';
const fake = fakeKafkaPerTest([topic]);
const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };

/** Subscriptions of the running test, removed after it. */
const subscriptions: [string, (message: unknown) => void][] = [];

/** Collects every message of a channel. */
function collect<Message>(name: string): Message[] {
  const messages: Message[] = [];
  const listener = (message: unknown): void => {
    messages.push(message as Message);
  };
  diagnosticsChannel.subscribe(name, listener);
  subscriptions.push([name, listener]);
  return messages;
}

afterEach(() => {
  for (const [name, listener] of subscriptions.splice(0)) diagnosticsChannel.unsubscribe(name, listener);
});

function eventRecord(deviceId: string, payload: string) {
  return encodeDataEvent({ tenantId: 't', deviceId, endpoint: 'event', qos: 1, payload });
}

async function started(
  handler: (event: HonoEvent) => Promise<void> | void,
  options: Partial<HonoEventConsumerOptions> = {},
) {
  const consumer = fake.consumer({
    brokers: 'kafka:9092',
    tenant: 't',
    groupId: 'g',
    clientId: 'c',
    endpoints: 'event',
    commitIntervalMs: 100,
    retry: { maxAttempts: 2, initialDelayMs: 1_000, jitter: 0 },
    onFailure: 'skip',
    logger,
    ...options,
  });
  consumer.on('error', () => undefined);
  const running = consumer.run({ event: (event) => handler(event) });
  await vi.advanceTimersByTimeAsync(0);
  await running;
  fakeKafka.client.rebalance('assign', [{ topic, partition: 0 }]);
  return consumer;
}

describe('diagnostics channels of a consumer', () => {
  it('publish each handler call, poll and commit', async () => {
    const starts = collect<HandlerStartMessage>(diagnosticsChannels.handlerStart);
    const ends = collect<HandlerEndMessage>(diagnosticsChannels.handlerEnd);
    const fetched = collect<FetchedMessage>(diagnosticsChannels.fetched);
    const commits = collect<CommitMessage>(diagnosticsChannels.commit);
    await started(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    fakeKafka.broker.append(0, eventRecord('4711', 'a'));
    fakeKafka.broker.append(0, eventRecord('4712', 'b'));
    await vi.advanceTimersByTimeAsync(500);

    expect(starts).toHaveLength(2);
    expect(starts[0]).toEqual({
      groupId: 'g',
      clientId: 'c',
      topic,
      partition: 0,
      offset: 0,
      deviceId: '4711',
      tenantId: 't',
      attempt: 1,
    });
    expect(ends.map((end) => [end.offset, end.error])).toEqual([
      [0, undefined],
      [1, undefined],
    ]);
    expect(ends[0]?.durationMs).toBeTypeOf('number');
    expect(fetched.reduce((sum, message) => sum + message.count, 0)).toBe(2);
    expect(fetched[0]).toMatchObject({ groupId: 'g', clientId: 'c' });
    const last = commits.at(-1);
    expect(last?.error).toBeUndefined();
    expect(last?.positions).toEqual([{ topic, partition: 0, offset: 2 }]);
    expect(last?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('publish a failed call with its error, its retry, and the record given up', async () => {
    const ends = collect<HandlerEndMessage>(diagnosticsChannels.handlerEnd);
    const records = collect<RecordOutcomeMessage>(diagnosticsChannels.record);
    await started(() => {
      throw new Error('boom');
    });
    fakeKafka.broker.append(0, eventRecord('4711', 'a'));
    await vi.advanceTimersByTimeAsync(3_000);

    expect(ends.map((end) => [end.attempt, end.error?.code])).toEqual([
      [1, 'ERR_HONO_HANDLER_FAILED'],
      [2, 'ERR_HONO_HANDLER_FAILED'],
    ]);
    expect(records.map((record) => record.outcome)).toEqual(['retrying', 'skipped']);
    expect(records[0]).toMatchObject({
      groupId: 'g',
      topic,
      partition: 0,
      offset: 0,
      attempt: 1,
      delayMs: 1_000,
    });
    expect(records[1]?.error?.message).toContain('boom');
  });

  it('publish a record that does not decode, then given up', async () => {
    const records = collect<RecordOutcomeMessage>(diagnosticsChannels.record);
    await started(() => undefined);
    const record = eventRecord('4711', 'a');
    const headers = record.headers.map((header) => ('qos' in header ? { qos: Buffer.from('x') } : header));
    fakeKafka.broker.append(0, { ...record, headers });
    await vi.advanceTimersByTimeAsync(500);
    // Decoding failed; then `onFailure: 'skip'` gave it up.
    expect(records.map((message) => message.outcome)).toEqual(['decodeError', 'skipped']);
    expect(records[0]).toMatchObject({ outcome: 'decodeError', topic, partition: 0, offset: 0 });
    expect(records[0]?.error?.code).toBe('ERR_HONO_BAD_HEADER');
  });

  it('watch no handler call while no one subscribes to the handler channels', () => {
    const observer = diagnosticsObserver({
      telemetry: false,
      groupId: 'g',
      clientId: 'c',
      destinationTemplate: () => 'hono.event.{tenant_id}',
      health: () => {
        throw new Error('not asked');
      },
    });
    const item = { record: { topic, partition: 0, offset: 0, value: null }, decoded: { deviceId: 'd' } };
    expect(observer.handlerStarted(item as never, 1)).toBeUndefined();
    collect(diagnosticsChannels.handlerEnd);
    const observation = observer.handlerStarted(item as never, 1);
    expect(observation?.run(() => 42)).toBe(42);
  });
});
