/**
 * The README's quick start, as pasted: the two snippets marked `<!-- readme-snippet: consumer -->` and
 * `<!-- readme-snippet: producer -->` are written to files, type-checked with the project's strict
 * settings, and run as the README says (`tsx`, the package name mapped to `src/` by tsconfig.json) against
 * the real broker: the producer writes test events, the consumer handles them, and SIGTERM or SIGINT stops
 * it cleanly (exit code 0, everything it handled committed).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, root, type RunningProcess, startNode, waitUntil } from './child-process.js';
import { randomSuffix } from './clients.js';
import { createTestTopic, type TestTopic } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

/** The consumer group the README's consumer snippet joins. */
const README_GROUP = 'my-app';

/**
 * The code block that follows `<!-- readme-snippet: <name> -->` in the README.
 *
 * @param readme - the README's text
 * @param name - the marker's name
 * @returns the code, without its fence
 * @throws Error when the README has no such snippet, or more than one
 */
function readmeSnippet(readme: string, name: string): string {
  const pattern = new RegExp(`<!-- readme-snippet: ${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  const matches = [...readme.matchAll(pattern)];
  if (matches.length !== 1 || matches[0]?.[1] === undefined) {
    throw new Error(`README.md must have exactly one ts code block after <!-- readme-snippet: ${name} -->`);
  }
  return `${matches[0][1]}\n`;
}

/** Waits until the output satisfies a condition. */
async function until(
  running: RunningProcess,
  condition: (output: string) => boolean,
  what: string,
): Promise<void> {
  await waitUntil(running, () => condition(running.output()), what);
}

const count = (text: string, part: string): number => text.split(part).length - 1;

let dir = '';
let topic: TestTopic | undefined;
beforeAll(() => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  // Inside the project, so that `eclipse-hono-kafka` (tsconfig paths) and the Kafka client resolve.
  dir = join(root, 'test-results', `readme-snippets-${randomSuffix()}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'consumer.mts'), readmeSnippet(readme, 'consumer'));
  writeFileSync(join(dir, 'producer.mts'), readmeSnippet(readme, 'producer'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.json', include: ['*.mts'] }),
  );
});
afterEach(async () => {
  await killAll();
  await topic?.cleanup();
  topic = undefined;
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('README quick start', () => {
  it('both snippets type-check under the project’s strict settings', async () => {
    const tsc = startNode([join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', dir]);
    expect(await tsc.exited, tsc.output()).toBe(0);
  });

  it('the producer writes test events; the consumer handles them and stops on SIGTERM, then on SIGINT', async () => {
    topic = await createTestTopic(2);
    const { tenant } = topic;
    const env = { KAFKA_BOOTSTRAP_SERVERS: kafkaEnvironment().bootstrapServers, HONO_TENANT: tenant };
    const produce = async (): Promise<void> => {
      const producer = startNode(['--import', 'tsx', join(dir, 'producer.mts')], env);
      expect(await producer.exited, producer.output()).toBe(0);
      expect(producer.output()).toContain(`wrote 3 events to hono.event.${tenant}`);
    };
    const committed = async (): Promise<number> => {
      const positions = await topic?.admin.committedOffsets(README_GROUP, `hono.event.${tenant}`, [0, 1]);
      return [...(positions?.values() ?? [])].reduce((sum, offset) => sum + Math.max(offset, 0), 0);
    };

    await produce();
    // A record that is not a Hono event (no key, no device_id header): the `invalid` handler's turn.
    await topic.produce([{ topic: topic.topic, partition: 1, key: null, value: Buffer.from('garbage') }]);

    const first = startNode(['--import', 'tsx', join(dir, 'consumer.mts')], env);
    await until(
      first,
      (output) =>
        output.includes('consuming; Ctrl+C stops') &&
        output.includes('sensor-1 connected') &&
        output.includes('sensor-1 command window') &&
        output.includes('stored event of sensor-1') &&
        /not a Hono event at offset \d+: ERR_HONO_MISSING_DEVICE_ID/.test(output),
      'all four records handled',
    );
    first.child.kill('SIGTERM');
    expect(await first.exited, first.output()).toBe(0);
    expect(first.output()).toContain('stopped');
    expect(first.output()).not.toContain('[ERR_HONO');
    expect(await committed()).toBe(4);

    // The group resumes where it stopped: only the new events, and Ctrl+C (SIGINT) stops it as well.
    await produce();
    const second = startNode(['--import', 'tsx', join(dir, 'consumer.mts')], env);
    await until(
      second,
      (output) => output.includes('consuming; Ctrl+C stops') && output.includes('stored event of sensor-1'),
      'the new events handled',
    );
    second.child.kill('SIGINT');
    expect(await second.exited, second.output()).toBe(0);
    const output = second.output();
    expect(output).toContain('stopped');
    expect(count(output, 'sensor-1 connected')).toBe(1);
    expect(count(output, 'stored event of sensor-1')).toBe(1);
    expect(output).not.toContain('not a Hono event');
    expect(await committed()).toBe(7);
  }, 120_000);
});
