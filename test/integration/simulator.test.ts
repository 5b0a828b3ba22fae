/**
 * The Hono simulator against the real broker: its devices' records are what the SDK's consumer reads as
 * the right typed events, and its command router answers commands written as Hono's sender writes them,
 * with the device's response, Hono's 503 and 400 delivery failures, or nothing.
 */
import type kafka from '@confluentinc/kafka-javascript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HonoEventConsumer } from '../../src/consumer/hono-event-consumer.js';
import { HonoSimulator } from '../../src/testing/hono-simulator.js';
import { decodeEvent } from '../../src/wire/decode.js';
import {
  type CommandResponse,
  decodeCommandResponse,
  encodeOneWayCommand,
  encodeRequestCommand,
} from '../../src/wire/commands.js';
import type { EncodedRecord, HonoEvent } from '../../src/wire/types.js';
import { randomSuffix, TestAdmin, TestConsumer, TestProducer } from './clients.js';
import { quietLogger, waitFor } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

const { bootstrapServers } = kafkaEnvironment();

let tenant: string;
let admin: TestAdmin;
let simulator: HonoSimulator;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(() => {
  tenant = `it-sim-${randomSuffix()}`;
  admin = new TestAdmin(bootstrapServers);
  simulator = new HonoSimulator({ brokers: bootstrapServers, logger: quietLogger, closeTimeoutMs: 10_000 });
});

afterEach(async () => {
  await simulator.close();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const kind of ['event', 'telemetry', 'command', 'command_response']) {
    await admin.deleteTopic(`hono.${kind}.${tenant}`);
  }
  admin.disconnect();
});

/** Writes records as an application would, and waits for the broker's acknowledgement. */
async function produce(records: readonly EncodedRecord[]): Promise<void> {
  const producer = new TestProducer(bootstrapServers);
  await producer.connect();
  try {
    await producer.send(records);
  } finally {
    await producer.disconnect();
  }
}

/** Reads the `count` records of a topic from its beginning with a plain consumer, and checks there are no more. */
async function readTopic(topic: string, count: number): Promise<kafka.Message[]> {
  const consumer = new TestConsumer(bootstrapServers, `it-read-${randomSuffix()}`);
  await consumer.connect();
  try {
    consumer.client.subscribe([topic]);
    const messages = await consumer.consumeAtLeast(count);
    // Nothing more arrives within a second and a half.
    await expect(consumer.consumeAtLeast(1, 1_500)).rejects.toThrow('received 0 of 1 messages');
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

describe('HonoSimulator devices', () => {
  it("write what the SDK's consumer reads as connection events, ttd notifications and events", async () => {
    await admin.createTopic(`hono.event.${tenant}`, 2);
    const device = simulator.device(tenant, '4711');
    await device.connect();
    await device.sendEvent('{"alarm":true}', 'application/json');
    await device.disconnect();
    await simulator.device(tenant, 'http-1').sendEvent('ping', 'text/plain', { ttd: 30 });

    const seen: HonoEvent[] = [];
    const consumer = new HonoEventConsumer({
      brokers: bootstrapServers,
      tenant,
      groupId: `it-group-${randomSuffix()}`,
      logger: quietLogger,
      commitIntervalMs: 200,
    });
    cleanups.push(() => consumer.stop());
    await consumer.run({
      connection: (event) => {
        seen.push(event);
      },
      emptyNotification: (event) => {
        seen.push(event);
      },
      event: (event) => {
        seen.push(event);
      },
    });
    await waitFor(() => seen.length >= 6, 'six events');
    const of4711 = seen.filter((event) => event.deviceId === '4711');
    expect(
      of4711.map((event) => [event.type, event.type === 'connection' ? event.cause : event.ttd]),
    ).toEqual([
      ['connection', 'connected'],
      ['emptyNotification', -1],
      ['event', undefined],
      ['emptyNotification', 0],
      ['connection', 'disconnected'],
    ]);
    expect(of4711[0]).toMatchObject({
      source: 'hono-mqtt',
      remoteId: 'simulated-4711',
      origAdapter: 'hono-mqtt',
    });
    expect(of4711[2]).toMatchObject({
      contentType: 'application/json',
      payload: Buffer.from('{"alarm":true}'),
    });
    expect(seen.filter((event) => event.deviceId === 'http-1')).toMatchObject([
      { type: 'event', ttd: 30, contentType: 'text/plain', payload: Buffer.from('ping') },
    ]);
  });

  it('send telemetry with the qos the device asks for', async () => {
    const topic = `hono.telemetry.${tenant}`;
    await admin.createTopic(topic, 1);
    const device = simulator.device(tenant, '4711');
    await device.sendTelemetry('21.5', 'text/plain');
    await device.sendTelemetry(Buffer.from([0, 1]), 'application/octet-stream', 1);
    const events = (await readTopic(topic, 2)).map((message) => decodeEvent(message));
    expect(events).toMatchObject([
      { type: 'event', endpoint: 'telemetry', tenantId: tenant, qos: 0, payload: Buffer.from('21.5') },
      { type: 'event', endpoint: 'telemetry', qos: 1, payload: Buffer.from([0, 1]) },
    ]);
  });
});

describe('HonoSimulator command router', () => {
  it("answers a connected device's request, 503 for a disconnected one, 400 for a malformed one, nothing for a key mismatch", async () => {
    const commandTopic = `hono.command.${tenant}`;
    await admin.createTopic(commandTopic, 2);
    await simulator.answerCommands(tenant, (command) =>
      command.name === 'setVolume'
        ? { status: 200, payload: command.payload ?? undefined, contentType: 'application/json' }
        : { status: 404 },
    );
    await simulator.device(tenant, 'on').connect();
    const off = simulator.device(tenant, 'off');
    await off.connect();
    await off.disconnect();

    const request = (correlationId: string, deviceId: string): EncodedRecord =>
      encodeRequestCommand({
        tenantId: tenant,
        deviceId,
        name: 'setVolume',
        payload: '{"volume":7}',
        contentType: 'application/json',
        correlationId,
        failureMetadata: { job: correlationId },
      });
    const malformed = request('c-malformed', 'on');
    await produce([
      request('c-on', 'on'),
      request('c-off', 'off'),
      { ...malformed, headers: malformed.headers.filter((header) => !('subject' in header)) },
      { ...request('c-mismatch', 'on'), key: Buffer.from('someone-else') },
      encodeOneWayCommand({ tenantId: tenant, deviceId: 'on', name: 'blink' }),
    ]);

    const handled = await simulator.waitForCommands(5, { timeoutMs: 30_000 });
    const outcomes = new Map(
      handled.map((command) => [command.command.correlationId ?? command.outcome, command.outcome]),
    );
    expect(Object.fromEntries(outcomes)).toEqual({
      'c-on': 'answered',
      'c-off': 'noConsumer',
      'c-malformed': 'malformed',
      'c-mismatch': 'dropped',
      oneWay: 'oneWay',
    });

    const messages = await readTopic(`hono.command_response.${tenant}`, 3);
    expect(messages).toHaveLength(3);
    const byId = new Map<string, CommandResponse>(
      messages
        .map((message) => decodeCommandResponse(message))
        .map((response) => [response.correlationId, response]),
    );
    expect(byId.get('c-on')).toMatchObject({
      kind: 'response',
      deviceId: 'on',
      status: 200,
      contentType: 'application/json',
      payload: Buffer.from('{"volume":7}'),
    });
    expect(byId.get('c-off')).toMatchObject({
      kind: 'deliveryFailure',
      deviceId: 'off',
      status: 503,
      error: 'no consumer available',
    });
    expect(byId.get('c-malformed')).toMatchObject({
      kind: 'deliveryFailure',
      status: 400,
      error: 'malformed command message',
    });
    const offFailure = messages.find((message) => decodeCommandResponse(message).correlationId === 'c-off');
    expect(offFailure?.headers).toContainEqual({
      'delivery-failure-notification-metadata.job': Buffer.from('c-off'),
    });
  });

  it('answers the commands of a tenant whose command topic did not exist (the broker creates it)', async () => {
    await simulator.answerCommands(tenant, () => ({ status: 204 }));
    await simulator.device(tenant, '4711').connect();
    await produce([
      encodeRequestCommand({ tenantId: tenant, deviceId: '4711', name: 'ping', correlationId: 'c-1' }),
    ]);
    const [handled] = await simulator.waitForCommands(1, { timeoutMs: 30_000 });
    expect(handled).toMatchObject({ outcome: 'answered', status: 204 });
  });

  it('closes within its deadline while answering', async () => {
    await admin.createTopic(`hono.command.${tenant}`, 1);
    const closing = new HonoSimulator({
      brokers: bootstrapServers,
      logger: quietLogger,
      closeTimeoutMs: 3_000,
    });
    await closing.answerCommands(tenant, () => new Promise<undefined>(() => undefined));
    await closing.device(tenant, '4711').connect();
    await produce([
      encodeRequestCommand({ tenantId: tenant, deviceId: '4711', name: 'hang', correlationId: 'c-1' }),
    ]);
    await waitFor(() => closing.device(tenant, '4711').received.length === 1, 'the command');
    const started = Date.now();
    await closing.close();
    expect(Date.now() - started).toBeLessThan(3_500);
  });
});
