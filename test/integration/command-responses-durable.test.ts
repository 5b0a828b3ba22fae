/**
 * The durable way to command responses on the real broker (issue 13): commands written with
 * `HonoCommandClient.send()`, answered by the simulator playing Hono, and their responses read at least
 * once by `HonoCommandResponseConsumer` in a consumer group, across a restart of the application.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HonoCommandClient } from '../../src/commands/hono-command-client.js';
import { HonoCommandResponseConsumer } from '../../src/commands/hono-command-response-consumer.js';
import { HonoSimulator } from '../../src/testing/hono-simulator.js';
import type { CommandResponse } from '../../src/wire/commands.js';
import { randomSuffix, TestAdmin } from './clients.js';
import { quietLogger, waitFor } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

const { bootstrapServers } = kafkaEnvironment();

let tenant: string;
let admin: TestAdmin;
let simulator: HonoSimulator;
let commands: HonoCommandClient;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  tenant = `it-durable-${randomSuffix()}`;
  admin = new TestAdmin(bootstrapServers);
  await admin.createTopic(`hono.command.${tenant}`, 1);
  await admin.createTopic(`hono.command_response.${tenant}`, 2);
  simulator = new HonoSimulator({ brokers: bootstrapServers, logger: quietLogger, closeTimeoutMs: 10_000 });
  commands = new HonoCommandClient({ brokers: bootstrapServers, logger: quietLogger });
  await simulator.answerCommands(tenant, (command) => ({
    status: 200,
    payload: command.payload ?? undefined,
    contentType: 'text/plain',
  }));
  for (const deviceId of ['d0', 'd1', 'd2']) await simulator.device(tenant, deviceId).connect();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await commands.close();
  await simulator.close();
  for (const kind of ['event', 'command', 'command_response'])
    await admin.deleteTopic(`hono.${kind}.${tenant}`);
  admin.disconnect();
});

/** Writes `count` commands with `send()`, spread over three devices; resolves with their correlation ids. */
function sendCommands(from: number, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, (_, index) =>
      commands.send({
        tenant,
        deviceId: `d${String((from + index) % 3)}`,
        name: 'set',
        payload: String(from + index),
      }),
    ),
  );
}

/** A running response consumer of the group; `handle` decides what its handler does. */
async function startConsumer(
  groupId: string,
  handle: (response: CommandResponse, signal: AbortSignal) => Promise<void> | void,
): Promise<HonoCommandResponseConsumer> {
  const consumer = new HonoCommandResponseConsumer({
    brokers: bootstrapServers,
    tenant,
    groupId,
    logger: quietLogger,
    commitIntervalMs: 200,
    drainTimeoutMs: 1_000,
  });
  cleanups.push(() => consumer.stop());
  await consumer.run({ response: (response, context) => handle(response, context.signal) });
  return consumer;
}

describe('HonoCommandResponseConsumer on the real broker', () => {
  it('reads the responses written while the application was down when it runs again, each at least once', async () => {
    const groupId = `workflows-${randomSuffix()}`;
    const first = await sendCommands(0, 12);
    const seenBefore = new Map<string, CommandResponse>();
    const before = await startConsumer(groupId, (response) => {
      seenBefore.set(response.correlationId, response);
    });
    await waitFor(() => first.every((id) => seenBefore.has(id)), 'the first 12 responses');
    expect(
      [...seenBefore.values()].every((response) => response.kind === 'response' && response.status === 200),
    ).toBe(true);
    expect(
      seenBefore.get(first[4] ?? '')?.kind === 'response' && seenBefore.get(first[4] ?? '')?.deviceId,
    ).toBe('d1');
    await before.stop();

    // The application is down: the devices answer these meanwhile.
    const second = await sendCommands(12, 12);
    await simulator.waitForCommands(24, { timeoutMs: 30_000 });

    const seenAfter: string[] = [];
    await startConsumer(groupId, (response) => {
      seenAfter.push(response.correlationId);
    });
    await waitFor(() => second.every((id) => seenAfter.includes(id)), 'the 12 responses written while down');
    // The first 12 were committed at the stop: the group resumes after them.
    expect(seenAfter.filter((id) => first.includes(id))).toStrictEqual([]);
  });

  it('reads a response again in the next run when its handler had not resolved at the stop', async () => {
    const groupId = `workflows-${randomSuffix()}`;
    const ids = await sendCommands(0, 6);
    const stuck = ids[2] ?? '';
    const handled = new Set<string>();
    const before = await startConsumer(groupId, async (response, signal) => {
      if (response.correlationId === stuck) {
        // Never finishes in this run: the stop's drain time ends it.
        await new Promise((resolve) => {
          signal.addEventListener('abort', resolve, { once: true });
        });
        throw new Error('aborted');
      }
      handled.add(response.correlationId);
    });
    // Device d2's later response (ids[5]) waits behind the stuck one: a device's responses keep their order.
    const others = [ids[0], ids[1], ids[3], ids[4]];
    await waitFor(
      () => others.every((id) => id !== undefined && handled.has(id)),
      "the other devices' responses",
    );
    await before.stop();
    expect(handled.has(ids[5] ?? '')).toBe(false);

    const again: string[] = [];
    await startConsumer(groupId, (response) => {
      again.push(response.correlationId);
    });
    await waitFor(
      () => again.includes(stuck) && again.includes(ids[5] ?? ''),
      'the unfinished responses, again',
    );
    // In order: the stuck response before the later one of its device.
    expect(again.indexOf(stuck)).toBeLessThan(again.indexOf(ids[5] ?? ''));
  });
});
