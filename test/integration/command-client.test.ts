/**
 * The command client against the real broker. The test plays the device (and Hono): it reads the
 * commands from `hono.command.<tenant>` with a plain consumer and writes the responses with the wire
 * format's encoders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HonoCommandClient } from '../../src/commands/hono-command-client.js';
import { CommandErrorCode, isCommandError } from '../../src/errors.js';
import type { KafkaRecord } from '../../src/types.js';
import {
  type DecodedCommand,
  decodeCommand,
  encodeCommandResponse,
  encodeDeliveryFailure,
  encodeOneWayCommand,
} from '../../src/wire/commands.js';
import type { EncodedRecord } from '../../src/wire/types.js';
import { randomSuffix, TestAdmin, TestConsumer, TestProducer } from './clients.js';
import { kafkaEnvironment } from './kafka-env.js';

const quietLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A device that reads the tenant's commands and answers through `answer` (undefined: no answer). */
interface TestDevice {
  readonly commands: DecodedCommand[];
  stop(): Promise<void>;
}

async function startDevice(
  bootstrapServers: string,
  tenant: string,
  answer: (command: DecodedCommand) => EncodedRecord | undefined,
): Promise<TestDevice> {
  const consumer = new TestConsumer(bootstrapServers, `device-${randomSuffix()}`);
  await consumer.connect();
  consumer.client.subscribe([`hono.command.${tenant}`]);
  const producer = new TestProducer(bootstrapServers);
  await producer.connect();
  const commands: DecodedCommand[] = [];
  const state = { stopped: false };
  const loop = (async () => {
    while (!state.stopped) {
      const batch = await new Promise<KafkaRecord[]>((resolve, reject) => {
        consumer.client.consume(100, (error, messages) => {
          // The client's types say the error is always there; it is null on success.
          if ((error as unknown) === null) resolve(messages);
          else reject(new Error(error.message, { cause: error }));
        });
      });
      for (const record of batch) {
        const command = decodeCommand(record);
        if ('kind' in command) continue;
        commands.push(command);
        const reply = answer(command);
        if (reply !== undefined) {
          await producer.send([
            { topic: reply.topic, key: reply.key, value: reply.value, headers: reply.headers },
          ]);
        }
      }
    }
  })();
  return {
    commands,
    async stop() {
      state.stopped = true;
      await loop;
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** The device's answer: 200 with the command's payload echoed, and its correlation id as content type. */
function echo(command: DecodedCommand): EncodedRecord {
  return encodeCommandResponse({
    tenantId: command.tenantId,
    deviceId: command.deviceId,
    correlationId: command.correlationId ?? '',
    status: 200,
    payload: command.payload ?? '',
    contentType: 'text/plain',
  });
}

describe('HonoCommandClient against the real broker', () => {
  const { bootstrapServers } = kafkaEnvironment();
  const admin = new TestAdmin(bootstrapServers);
  const tenant = `cc-${randomSuffix()}`;
  const topics = [`hono.command.${tenant}`, `hono.command_response.${tenant}`];

  beforeAll(async () => {
    await admin.createTopic(topics[0] ?? '', 2);
    await admin.createTopic(topics[1] ?? '', 3);
  });
  afterAll(async () => {
    for (const topic of topics) await admin.deleteTopic(topic);
    admin.disconnect();
  });

  const newClient = (requestTimeoutMs = 15_000): HonoCommandClient =>
    new HonoCommandClient({
      brokers: bootstrapServers,
      logger: quietLogger,
      requestTimeoutMs,
      closeTimeoutMs: 5_000,
    });

  it('writes a one-way command byte for byte as the encoder (and so as Hono) does', async () => {
    const oneWayTenant = `cc-ow-${randomSuffix()}`;
    const topic = `hono.command.${oneWayTenant}`;
    await admin.createTopic(topic, 1);
    const client = newClient();
    try {
      await client.sendOneWay({
        tenant: oneWayTenant,
        deviceId: '4711',
        name: 'setVolume',
        payload: '{"level":3}',
        contentType: 'application/json',
        ttlMs: 30_000,
      });
      const reader = new TestConsumer(bootstrapServers, `it-${randomSuffix()}`);
      await reader.connect();
      reader.client.subscribe([topic]);
      const [record] = await reader.consumeAtLeast(1);
      await reader.disconnect();
      if (record === undefined) throw new Error('no record');
      const creationTime = Number(
        record.headers?.find((header) => 'creation-time' in header)?.['creation-time']?.toString(),
      );
      const expected = encodeOneWayCommand({
        tenantId: oneWayTenant,
        deviceId: '4711',
        name: 'setVolume',
        payload: '{"level":3}',
        contentType: 'application/json',
        ttlMs: 30_000,
        creationTime,
      });
      expect(record.topic).toBe(expected.topic);
      expect(record.key).toEqual(expected.key);
      expect(record.value).toEqual(expected.value);
      expect(record.headers).toEqual(expected.headers);
      expect(Date.now() - creationTime).toBeLessThan(60_000);
    } finally {
      await client.close();
      await admin.deleteTopic(topic);
    }
  });

  it('resolves a request with the device response, and with the delivery failure Hono writes', async () => {
    const device = await startDevice(bootstrapServers, tenant, (command) =>
      command.deviceId === 'offline'
        ? encodeDeliveryFailure({
            tenantId: command.tenantId,
            deviceId: command.deviceId,
            correlationId: command.correlationId ?? '',
            status: 503,
            error: 'no consumer available',
            failureMetadata: command.failureMetadata,
          })
        : echo(command),
    );
    const client = newClient();
    try {
      const response = await client.request({ tenant, deviceId: '4711', name: 'getState', payload: 'ping' });
      expect(response).toMatchObject({ kind: 'response', tenantId: tenant, deviceId: '4711', status: 200 });
      expect(response.kind === 'response' ? response.payload?.toString() : undefined).toBe('ping');
      const command = device.commands.find((each) => each.correlationId === response.correlationId);
      expect(command).toMatchObject({ name: 'getState', responseRequired: true });

      const failure = await client.request({
        tenant,
        deviceId: 'offline',
        name: 'getState',
        failureMetadata: { workflow: 'w-1' },
      });
      expect(failure).toMatchObject({ kind: 'deliveryFailure', status: 503, error: 'no consumer available' });
      expect(client.pendingRequests).toBe(0);
    } finally {
      await client.close();
      await device.stop();
    }
  });

  it('rejects a request that gets no response within its timeout, and ignores the late response', async () => {
    let late: DecodedCommand | undefined;
    const device = await startDevice(bootstrapServers, tenant, (command) => {
      late = command;
      return undefined;
    });
    const client = newClient();
    const errors: unknown[] = [];
    client.on('invalidResponse', (error) => errors.push(error));
    try {
      const started = Date.now();
      const error: unknown = await client
        .request({ tenant, deviceId: 'slow', name: 'getState', timeoutMs: 3_000 })
        .catch((thrown: unknown) => thrown);
      expect(Date.now() - started).toBeLessThan(4_500);
      expect(isCommandError(error) && error.code).toBe(CommandErrorCode.CommandTimedOut);
      expect(isCommandError(error) && error.acknowledged).toBe(true);
      // The device answers too late: nothing is matched, kept or reported.
      if (late !== undefined) {
        const producer = new TestProducer(bootstrapServers);
        await producer.connect();
        const reply = echo(late);
        await producer.send([
          { topic: reply.topic, key: reply.key, value: reply.value, headers: reply.headers },
        ]);
        await producer.disconnect();
      }
      const next = client.request({ tenant, deviceId: 'slow', name: 'again', timeoutMs: 1_000 });
      await expect(next).rejects.toMatchObject({ code: CommandErrorCode.CommandTimedOut });
      expect(errors).toEqual([]);
      expect(client.pendingRequests).toBe(0);
    } finally {
      await client.close();
      await device.stop();
    }
  });

  it('gives each of two client instances its own responses', async () => {
    const device = await startDevice(bootstrapServers, tenant, echo);
    const first = newClient();
    const second = newClient();
    try {
      const requests = Array.from({ length: 20 }, (_, index) => {
        const client = index % 2 === 0 ? first : second;
        const payload = `${index % 2 === 0 ? 'first' : 'second'}-${String(index)}`;
        return client
          .request({ tenant, deviceId: `device-${String(index % 5)}`, name: 'echo', payload })
          .then((response) => ({ payload, response }));
      });
      const results = await Promise.all(requests);
      for (const { payload, response } of results) {
        expect(response.kind === 'response' ? response.payload?.toString() : undefined).toBe(payload);
      }
      expect(first.pendingRequests + second.pendingRequests).toBe(0);
    } finally {
      await Promise.all([first.close(), second.close()]);
      await device.stop();
    }
  });

  it('close() rejects pending requests at once and releases everything within its deadline', async () => {
    const device = await startDevice(bootstrapServers, tenant, () => undefined);
    const client = newClient(60_000);
    try {
      const pending = client.request({ tenant, deviceId: '4711', name: 'neverAnswered' });
      const outcome = pending.catch((thrown: unknown) => thrown);
      // Wait until the command is written (the device sees it), then close.
      const deadline = Date.now() + 20_000;
      while (device.commands.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const started = Date.now();
      await client.close();
      expect(Date.now() - started).toBeLessThan(6_000);
      const error = await outcome;
      expect(isCommandError(error) && error.code).toBe(CommandErrorCode.ClientClosed);
      expect(isCommandError(error) && error.acknowledged).toBe(true);
      await expect(client.sendOneWay({ tenant, deviceId: '4711', name: 'after' })).rejects.toMatchObject({
        code: CommandErrorCode.ClientClosed,
      });
    } finally {
      await client.close();
      await device.stop();
    }
  });
});
