/**
 * The examples, run as their header says (`node --import tsx examples/<file>.ts`, the package name mapped
 * to `src/` by tsconfig.json), against the real broker: each consumes the events of a fresh tenant, stops
 * on SIGTERM with exit code 0, and leaves its group committed past everything it handled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestTopic, sequencedEvents, type TestTopic } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** An example running as a child process, with everything it printed. */
interface RunningExample {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code (`null` when a signal ended it). */
  readonly exited: Promise<number | null>;
}

let topic: TestTopic | undefined;
let running: RunningExample | undefined;
afterEach(async () => {
  if (running !== undefined && running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
  running = undefined;
  await topic?.cleanup();
  topic = undefined;
});

function startExample(file: string, env: Record<string, string>): RunningExample {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${file}`], {
    cwd: root,
    env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: kafkaEnvironment().bootstrapServers, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  running = { child, output: () => output, exited };
  return running;
}

/** Waits until an async condition holds; the error shows what the example printed. */
async function until(
  example: RunningExample,
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline || example.child.exitCode !== null) {
      throw new Error(`${what}: not reached; the example printed:\n${example.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Stops the example with SIGTERM and returns its exit code. */
async function terminate(example: RunningExample): Promise<number | null> {
  example.child.kill('SIGTERM');
  return example.exited;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

interface ProbeAnswer {
  readonly status: number;
  readonly body: { health: { partitions: { partition: number; committable?: number }[] } };
}

async function probe(port: number, path: string): Promise<ProbeAnswer | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, body: (await response.json()) as ProbeAnswer['body'] };
  } catch {
    return undefined; // not listening yet
  }
}

const sum = (values: Iterable<number>): number => [...values].reduce((total, value) => total + value, 0);

describe('examples', () => {
  it('graceful-shutdown-health.ts: ready, handles the events, drains and commits on SIGTERM, exits 0', async () => {
    topic = await createTestTopic(2);
    const devices = Array.from({ length: 10 }, (_, i) => `device-${i}`);
    await topic.produce(sequencedEvents(topic.tenant, devices, 3));
    const port = await freePort();
    const example = startExample('graceful-shutdown-health.ts', {
      HONO_TENANT: topic.tenant,
      GROUP_ID: topic.groupId,
      PORT: String(port),
    });

    let ready: ProbeAnswer | undefined;
    await until(
      example,
      async () => {
        ready = await probe(port, '/readyz');
        const handled = sum(ready?.body.health.partitions.map((p) => p.committable ?? 0) ?? []);
        return ready?.status === 200 && handled === 30;
      },
      '/readyz 200 with all 30 events handled',
    );
    expect((await probe(port, '/livez'))?.status).toBe(200);

    expect(await terminate(example)).toBe(0);
    expect(example.output()).toContain('stopped; exiting with code 0');
    const committed = await topic.committed([0, 1]);
    expect(sum(committed.values())).toBe(30);
    expect(committed).toEqual(
      new Map(ready?.body.health.partitions.map((p) => [p.partition, p.committable ?? -1])),
    );
  });

  it('device-ordered-sink.ts: writes every event in device order, commits on SIGTERM, exits 0', async () => {
    topic = await createTestTopic(3);
    const devices = Array.from({ length: 40 }, (_, i) => `device-${i}`);
    await topic.produce(sequencedEvents(topic.tenant, devices, 5));
    const example = startExample('device-ordered-sink.ts', {
      HONO_TENANT: topic.tenant,
      GROUP_ID: topic.groupId,
    });

    await until(example, () => example.output().includes('(200 in all)'), 'all 200 rows flushed');

    expect(await terminate(example)).toBe(0);
    expect(example.output()).toContain('wrote 200 rows for 40 devices; 0 out of device order');
    expect(sum((await topic.committed([0, 1, 2])).values())).toBe(200);
  });
});
