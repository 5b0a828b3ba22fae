/**
 * Bad input on `hono.command_response.<tenant>`, on the real broker (issue 13): responses without
 * `correlation-id`, without `status`, with a status that is not a number, with a broken delivery-failure
 * body, and a duplicate. None crashes the command client's reader, each undecodable one is reported as
 * `invalidResponse`, the duplicate is ignored, and requests before and after them get their answers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HonoCommandClient } from '../../src/commands/hono-command-client.js';
import type { DecodeError } from '../../src/errors.js';
import { HonoSimulator } from '../../src/testing/index.js';
import { encodeCommandResponse } from '../../src/wire/commands.js';
import { randomSuffix, TestAdmin, TestProducer, type TestRecord } from './clients.js';
import { quietLogger } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

const tenant = `bad-responses-${randomSuffix()}`;
const responseTopic = `hono.command_response.${tenant}`;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  const admin = new TestAdmin(kafkaEnvironment().bootstrapServers);
  for (const topic of [`hono.command.${tenant}`, responseTopic])
    await admin.deleteTopic(topic).catch(() => undefined);
  admin.disconnect();
});

/** A response record with the given headers (name, text) and value. */
function record(headers: readonly (readonly [string, string])[], value: string | null = null): TestRecord {
  return {
    topic: responseTopic,
    key: Buffer.from('d1'),
    value: value === null ? null : Buffer.from(value),
    headers: headers.map(([name, text]) => ({ [name]: Buffer.from(text) })),
  };
}

describe('bad command responses', () => {
  it('are reported one by one and stop nothing; a duplicate is ignored', async () => {
    const { bootstrapServers } = kafkaEnvironment();
    const hono = new HonoSimulator({ brokers: bootstrapServers, logger: quietLogger });
    cleanups.push(() => hono.close());
    await hono.device(tenant, 'd1').connect({ ttd: -1 });
    const answered: string[] = [];
    await hono.answerCommands(tenant, (command) => {
      answered.push(command.correlationId ?? '-');
      return { status: 200, payload: 'ok', contentType: 'text/plain' };
    });
    const client = new HonoCommandClient({ brokers: bootstrapServers, logger: quietLogger });
    cleanups.push(() => client.close());
    const invalid: DecodeError[] = [];
    client.on('invalidResponse', (error) => invalid.push(error));
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));

    const first = await client.request({ tenant, deviceId: 'd1', name: 'before' });
    expect(first).toMatchObject({ kind: 'response', status: 200 });

    const producer = new TestProducer(bootstrapServers);
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const base: [string, string][] = [
      ['tenant_id', tenant],
      ['device_id', 'd1'],
      ['creation-time', String(Date.now())],
    ];
    const duplicate = encodeCommandResponse({
      tenantId: tenant,
      deviceId: 'd1',
      correlationId: answered[0] ?? 'none',
      status: 200,
      payload: 'again',
    });
    await producer.send([
      record([...base, ['status', '200']], 'no correlation id'),
      record([...base, ['correlation-id', 'c-1']], 'no status'),
      record([...base, ['correlation-id', 'c-2'], ['status', 'two hundred']], 'status not a number'),
      record(
        [
          ...base,
          ['correlation-id', 'c-3'],
          ['status', '503'],
          ['content-type', 'application/vnd.eclipse-hono-delivery-failure-notification+json'],
        ],
        '{"error": 42',
      ),
      { topic: duplicate.topic, key: duplicate.key, value: duplicate.value, headers: duplicate.headers },
    ]);

    const second = await client.request({ tenant, deviceId: 'd1', name: 'after' });
    expect(second).toMatchObject({ kind: 'response', status: 200 });
    // The bad records have the same key as the second answer, so they are in its partition, before it:
    // once it arrived, they were read.
    expect(invalid.map(({ code }) => code)).toStrictEqual([
      'ERR_HONO_MISSING_CORRELATION_ID',
      'ERR_HONO_MISSING_STATUS',
      'ERR_HONO_BAD_STATUS',
      'ERR_HONO_BAD_DELIVERY_FAILURE',
    ]);
    expect(client.pendingRequests).toBe(0);
    expect(errors).toStrictEqual([]);
  }, 60_000);
});
