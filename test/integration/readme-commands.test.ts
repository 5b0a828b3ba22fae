/**
 * The README's Command & Control snippets, as pasted (only the broker address and the tenant are
 * replaced): `<!-- readme-snippet: commands -->` sends a one-way command and a request to a device that
 * the Hono simulator plays, `<!-- readme-snippet: simulator -->` runs the simulator itself, and
 * `<!-- readme-snippet: durable-responses -->` reads the response of a command written with `send()`.
 * All are type-checked with the project's strict settings and run with `tsx`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HonoSimulator } from '../../src/testing/index.js';
import { killAll, root, startNode, waitUntil } from './child-process.js';
import { randomSuffix, TestAdmin } from './clients.js';
import { kafkaEnvironment } from './kafka-env.js';

/** The code block that follows `<!-- readme-snippet: <name> -->` in the README. */
function readmeSnippet(readme: string, name: string): string {
  const pattern = new RegExp(`<!-- readme-snippet: ${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  const matches = [...readme.matchAll(pattern)];
  if (matches.length !== 1 || matches[0]?.[1] === undefined) {
    throw new Error(`README.md must have exactly one ts code block after <!-- readme-snippet: ${name} -->`);
  }
  return `${matches[0][1]}\n`;
}

const tenant = `readme-${randomSuffix()}`;
let dir = '';
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const { bootstrapServers } = kafkaEnvironment();
  const adapt = (code: string): string =>
    code
      .replaceAll("'127.0.0.1:9092'", `'${bootstrapServers}'`)
      .replaceAll("'DEFAULT_TENANT'", `'${tenant}'`);
  // Inside the project, so that `eclipse-hono-kafka` (tsconfig paths) and the Kafka client resolve.
  dir = join(root, 'test-results', `readme-commands-${randomSuffix()}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'commands.mts'), adapt(readmeSnippet(readme, 'commands')));
  writeFileSync(join(dir, 'simulator.mts'), adapt(readmeSnippet(readme, 'simulator')));
  writeFileSync(join(dir, 'durable.mts'), adapt(readmeSnippet(readme, 'durable-responses')));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.json', include: ['*.mts'] }),
  );
});
afterEach(async () => {
  await killAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  const admin = new TestAdmin(kafkaEnvironment().bootstrapServers);
  for (const topic of [`hono.command.${tenant}`, `hono.command_response.${tenant}`, `hono.event.${tenant}`]) {
    await admin.deleteTopic(topic).catch(() => undefined);
  }
  admin.disconnect();
});

describe('README Command & Control snippets', () => {
  it('type-check under the project’s strict settings', async () => {
    const tsc = startNode([join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', dir]);
    expect(await tsc.exited, tsc.output()).toBe(0);
  });

  it('the commands snippet gets the simulated device’s answer', async () => {
    const hono = new HonoSimulator({ brokers: kafkaEnvironment().bootstrapServers });
    cleanups.push(() => hono.close());
    await hono.device(tenant, 'sensor-1').connect({ ttd: -1 });
    await hono.answerCommands(tenant, (command) => ({
      status: 200,
      payload: command.name === 'setVolume' ? 'volume set' : undefined,
      contentType: 'text/plain',
    }));
    const commands = startNode(['--import', 'tsx', join(dir, 'commands.mts')]);
    expect(await commands.exited, commands.output()).toBe(0);
    expect(commands.output()).toContain('200 volume set');
    await hono.waitForCommands(2, { tenant });
    expect(
      hono.commands.map(({ command }) => ('name' in command ? command.name : command.kind)),
    ).toStrictEqual(['blink', 'setVolume']);
  }, 60_000);

  it('the simulator snippet runs a device and answers commands', async () => {
    const simulator = startNode(['--import', 'tsx', join(dir, 'simulator.mts')]);
    expect(await simulator.exited, simulator.output()).toBe(0);
  }, 60_000);

  it('the durable-responses snippet reads the response to the command it sent', async () => {
    const hono = new HonoSimulator({ brokers: kafkaEnvironment().bootstrapServers });
    cleanups.push(() => hono.close());
    await hono.device(tenant, 'sensor-1').connect();
    await hono.answerCommands(tenant, () => ({ status: 202 }));
    const durable = startNode(['--import', 'tsx', join(dir, 'durable.mts')]);
    await waitUntil(durable, () => /sent (\S+)/.test(durable.output()), 'the command sent', 30_000);
    const correlationId = /sent (\S+)/.exec(durable.output())?.[1] ?? '';
    await waitUntil(
      durable,
      () => durable.output().includes(`response ${correlationId} response 202`),
      'its response handled',
      30_000,
    );
  }, 60_000);
});
