/**
 * `HonoCommandResponseConsumer` on the fake Kafka: the durable way to command responses (issue 13). It is
 * the event consumer's engine with command responses as records: decoded, handed to `response`, committed
 * only after the handler resolved; malformed ones go to `invalid`; expired ones are skipped as Hono's own
 * response consumer skips them.
 */
import { describe, expect, it, vi } from 'vitest';
import { HonoCommandResponseConsumer } from '../../../src/commands/hono-command-response-consumer.js';
import type { HonoCommandResponseHandlers } from '../../../src/commands/response-route.js';
import { withClients } from '../../../src/consumer/consumer-engine.js';
import type { HonoEventConsumerOptions } from '../../../src/consumer/options.js';
import { type DecodeError, OptionsError } from '../../../src/errors.js';
import {
  type CommandResponse,
  encodeCommandResponse,
  encodeDeliveryFailure,
} from '../../../src/wire/commands.js';
import { fakeClients, fakeKafka } from '../fakes/fake-kafka.js';
import { fakeKafkaPerTest } from '../fakes/per-test.js';

const topic = 'hono.command_response.t';
fakeKafkaPerTest([topic]);

const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
const options = { brokers: 'kafka:9092', tenant: 't', groupId: 'workflows', commitIntervalMs: 100, logger };

/** A running response consumer of tenant `t`, assigned partition 0, and what it handled. */
async function started(
  handlers: HonoCommandResponseHandlers,
  extra: Partial<HonoEventConsumerOptions> = {},
): Promise<HonoCommandResponseConsumer> {
  const consumer = withClients(fakeClients, () => new HonoCommandResponseConsumer({ ...options, ...extra }));
  const running = consumer.run(handlers);
  await vi.advanceTimersByTimeAsync(0);
  await running;
  fakeKafka.client.rebalance('assign', [{ topic, partition: 0 }]);
  return consumer;
}

function oneError(make: () => unknown): OptionsError {
  try {
    make();
  } catch (error) {
    if (error instanceof OptionsError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('HonoCommandResponseConsumer', () => {
  it('subscribes to hono.command_response.<tenant> and hands each decoded response to its handler', async () => {
    const handled: CommandResponse[] = [];
    const consumer = await started({
      response: (response) => {
        handled.push(response);
      },
    });
    fakeKafka.broker.append(
      0,
      encodeCommandResponse({
        tenantId: 't',
        deviceId: 'd1',
        correlationId: 'c-1',
        status: 200,
        payload: '{"ok":true}',
        contentType: 'application/json',
      }),
    );
    fakeKafka.broker.append(
      0,
      encodeDeliveryFailure({
        tenantId: 't',
        deviceId: 'd2',
        correlationId: 'c-2',
        status: 503,
        error: 'no consumer available',
      }),
    );
    await vi.advanceTimersByTimeAsync(300);

    expect(fakeKafka.client.subscribed).toStrictEqual([topic]);
    expect(handled.map((response) => [response.kind, response.correlationId, response.status])).toStrictEqual(
      [
        ['response', 'c-1', 200],
        ['deliveryFailure', 'c-2', 503],
      ],
    );
    expect(handled[0]?.kind === 'response' && handled[0].payload?.toString()).toBe('{"ok":true}');
    expect(handled[1]?.kind === 'deliveryFailure' && handled[1].error).toBe('no consumer available');
    expect(fakeKafka.broker.committed(topic, 0)).toBe(2);
    expect(consumer.health().partitions).toMatchObject([{ topic, partition: 0, committed: 2 }]);
  });

  it('commits nothing past a response whose handler has not resolved, and retries it', async () => {
    let calls = 0;
    await started(
      {
        response: () => {
          calls += 1;
          if (calls === 1) throw new Error('database down');
        },
      },
      { retry: { maxAttempts: 3, initialDelayMs: 1_000, jitter: 0 } },
    );
    fakeKafka.broker.append(
      0,
      encodeCommandResponse({ tenantId: 't', deviceId: 'd', correlationId: 'c', status: 200 }),
    );
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toBe(1);
    expect(fakeKafka.broker.committed(topic, 0) ?? 0).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    expect(fakeKafka.broker.committed(topic, 0)).toBe(1);
  });

  it('gives a response without correlation-id to the invalid handler, with a decodeError event', async () => {
    const invalid: DecodeError[] = [];
    const decodeErrors: string[] = [];
    const consumer = await started({
      response: () => undefined,
      invalid: (error) => {
        invalid.push(error);
      },
    });
    consumer.on('decodeError', (error) => decodeErrors.push(error.code));
    const record = encodeCommandResponse({ tenantId: 't', deviceId: 'd', correlationId: 'c', status: 200 });
    fakeKafka.broker.append(0, {
      ...record,
      headers: record.headers.filter((header) => !('correlation-id' in header)),
    });
    await vi.advanceTimersByTimeAsync(300);
    expect(invalid.map((error) => error.code)).toStrictEqual(['ERR_HONO_MISSING_CORRELATION_ID']);
    expect(decodeErrors).toStrictEqual(['ERR_HONO_MISSING_CORRELATION_ID']);
    expect(fakeKafka.broker.committed(topic, 0)).toBe(1);
  });

  it('skips a response whose ttl has passed, as Hono does, and reports it as expired', async () => {
    const handled: string[] = [];
    const expired: CommandResponse[] = [];
    const consumer = await started({
      response: (response) => {
        handled.push(response.correlationId);
      },
    });
    consumer.on('expired', (response) => expired.push(response));
    const now = Date.now();
    fakeKafka.broker.append(
      0,
      encodeCommandResponse({
        tenantId: 't',
        deviceId: 'd',
        correlationId: 'old',
        status: 200,
        ttlMs: 1_000,
        creationTime: now - 5_000,
      }),
    );
    fakeKafka.broker.append(
      0,
      encodeCommandResponse({
        tenantId: 't',
        deviceId: 'd',
        correlationId: 'new',
        status: 200,
        ttlMs: 60_000,
        creationTime: now,
      }),
    );
    await vi.advanceTimersByTimeAsync(300);
    expect(handled).toStrictEqual(['new']);
    expect(expired.map((response) => response.correlationId)).toStrictEqual(['old']);
    expect(fakeKafka.broker.committed(topic, 0)).toBe(2);
  });

  it('validates its handlers and names the two it knows', async () => {
    const consumer = withClients(fakeClients, () => new HonoCommandResponseConsumer(options));
    const running = consumer.run({ respones: () => undefined } as unknown as HonoCommandResponseHandlers);
    await expect(running).rejects.toBeInstanceOf(OptionsError);
    await expect(running).rejects.toMatchObject({
      problems: [
        {
          path: 'handlers.respones',
          message: 'is no handler (did you mean "response"?); the handlers are response, invalid',
        },
      ],
    });
    expect(consumer.state).toBe('idle');
  });

  it('checks tenant ids against the longer command response prefix, and defaults the dead-letter topic to it', () => {
    const tooLong = 'x'.repeat(228);
    const error = oneError(() => new HonoCommandResponseConsumer({ ...options, tenant: tooLong }));
    expect(error.problems).toStrictEqual([
      {
        path: 'tenant',
        message:
          "tenant id is 228 characters long, at most 227 fit Kafka's 249-character limit for hono.command_response.<tenant> topics",
      },
    ]);
    const fits = 'x'.repeat(227);
    expect(() =>
      withClients(fakeClients, () => new HonoCommandResponseConsumer({ ...options, tenant: fits })),
    ).not.toThrow();
  });

  it('writes a response that failed for good to hono.command_response.<tenant>.dlq by default', async () => {
    await started(
      {
        response: () => {
          throw new Error('never works');
        },
      },
      { onFailure: 'deadLetter', retry: { maxAttempts: 1 } },
    );
    fakeKafka.broker.append(
      0,
      encodeCommandResponse({ tenantId: 't', deviceId: 'd', correlationId: 'c', status: 200 }),
    );
    await vi.advanceTimersByTimeAsync(500);
    expect(fakeKafka.producers[0]?.acknowledged.map((record) => record.topic)).toStrictEqual([
      `${topic}.dlq`,
    ]);
    expect(fakeKafka.broker.committed(topic, 0)).toBe(1);
  });
});
