/**
 * The examples, run as their header says (`node --import tsx examples/<file>.ts`, the package name mapped
 * to `src/` by tsconfig.json), against the real broker: each consumes the events of a fresh tenant, stops
 * on SIGTERM with exit code 0, and leaves its group committed past everything it handled.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { HonoSimulator } from '../../src/testing/hono-simulator.js';
import { encodeDataEvent } from '../../src/wire/encode.js';
import { killAll, type RunningProcess, startNode, waitUntil } from './child-process.js';
import { randomSuffix, TestAdmin } from './clients.js';
import { createTestTopic, quietLogger, sequencedEvents, type TestTopic } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

let topic: TestTopic | undefined;
afterEach(async () => {
  await killAll();
  await topic?.cleanup();
  topic = undefined;
});

function startExample(file: string, env: Record<string, string>): RunningProcess {
  return startNode(['--import', 'tsx', `examples/${file}`], {
    KAFKA_BOOTSTRAP_SERVERS: kafkaEnvironment().bootstrapServers,
    ...env,
  });
}

/** Stops the example with SIGTERM and returns its exit code. */
async function terminate(example: RunningProcess): Promise<number | null> {
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
    await waitUntil(
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

    await waitUntil(example, () => example.output().includes('(200 in all)'), 'all 200 rows flushed');

    expect(await terminate(example)).toBe(0);
    expect(example.output()).toContain('wrote 200 rows for 40 devices; 0 out of device order');
    expect(sum((await topic.committed([0, 1, 2])).values())).toBe(200);
  });

  it('send-command-on-ttd.ts: commands a device every interval while ttd -1, stops at ttd 0, exits 0', async () => {
    topic = await createTestTopic(1);
    const { tenant, admin } = topic;
    const simulator = new HonoSimulator({
      brokers: kafkaEnvironment().bootstrapServers,
      logger: quietLogger,
    });
    try {
      // No response topic exists yet: the command client's reader has it made, without an error.
      await simulator.answerCommands(tenant, (command) => ({
        status: 200,
        payload: `{"done":"${command.name}"}`,
        contentType: 'application/json',
      }));
      const example = startExample('send-command-on-ttd.ts', {
        HONO_TENANT: tenant,
        GROUP_ID: topic.groupId,
        COMMAND_INTERVAL_MS: '500',
      });
      await waitUntil(example, () => example.output().includes('consumer running'), 'consumer running');

      const device = simulator.device(tenant, 'lamp-1');
      await device.connect({ ttd: -1 });
      const answered = /^res lamp-1 200 application\/json \{"done":"setBrightness"\}$/gm;
      await waitUntil(
        example,
        () => (example.output().match(answered) ?? []).length >= 2,
        'two answers printed',
        15_000,
      );

      await device.disconnect();
      await waitUntil(
        example,
        () => example.output().includes('lamp-1: command window closed (ttd 0)'),
        'ttd 0 read',
      );
      const closedAt = Date.now();
      // A command already on its way when the example read the ttd 0 may still be handled (and get a 503);
      // none may be written after it.
      await sleep(2_000); // four intervals
      const writtenAfterClose = simulator.commands.filter(
        ({ command }) => !('creationTime' in command) || (command.creationTime ?? Infinity) > closedAt,
      );
      expect(writtenAfterClose).toEqual([]);
      expect(
        simulator.commands.filter((command) => command.outcome === 'answered').length,
      ).toBeGreaterThanOrEqual(2);

      expect(await terminate(example)).toBe(0);
      expect(example.output()).toContain('stopped');
      expect(example.output()).not.toMatch(/ERR_|failed/);
    } finally {
      await simulator.close();
      for (const kind of ['command', 'command_response']) await admin.deleteTopic(`hono.${kind}.${tenant}`);
    }
  }, 25_000);

  it('telemetry-every-tenant.ts: reads events and telemetry of tenants created while it runs, exits 0', async () => {
    const run = randomSuffix();
    const tenants = [`ex-all-${run}-a`, `ex-all-${run}-b`];
    const admin = new TestAdmin(kafkaEnvironment().bootstrapServers);
    const simulator = new HonoSimulator({
      brokers: kafkaEnvironment().bootstrapServers,
      logger: quietLogger,
    });
    try {
      const example = startExample('telemetry-every-tenant.ts', { GROUP_ID: `ex-all-${run}` });
      await waitUntil(example, () => example.output().includes('consuming every tenant'), 'consumer running');
      for (const tenant of tenants) {
        await admin.createTopic(`hono.event.${tenant}`, 1);
        await admin.createTopic(`hono.telemetry.${tenant}`, 1);
        const device = simulator.device(tenant, 'sensor-1');
        await device.sendTelemetry('{"t":21}', 'application/json', 0);
        await device.sendTelemetry('{"t":22}', 'application/json', 1);
        await device.sendEvent('{"alarm":true}', 'application/json');
      }
      const lines = (): string[] =>
        example
          .output()
          .split('\n')
          .filter((line) => line.includes(run));
      await waitUntil(example, () => lines().length === 6, 'six records of the new tenants', 30_000);
      expect(
        lines().filter((line) => line.includes(' telemetry qos0 sensor-1 application/json')),
      ).toHaveLength(2);
      expect(lines().filter((line) => line.includes(' event qos1 sensor-1 application/json'))).toHaveLength(
        2,
      );

      expect(await terminate(example)).toBe(0);
      expect(example.output()).toContain(`${tenants[0] ?? ''} telemetry: 2`);
      expect(example.output()).not.toMatch(/ERR_/);
    } finally {
      await simulator.close();
      for (const tenant of tenants) {
        for (const kind of ['event', 'telemetry']) await admin.deleteTopic(`hono.${kind}.${tenant}`);
      }
      admin.disconnect();
    }
  }, 60_000);

  it('opentelemetry.ts: prints a process span continuing each traceparent, and the metrics; exits 0', async () => {
    topic = await createTestTopic(1);
    const { tenant } = topic;
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const honoSpanIds = ['b7ad6b7169203331', 'b7ad6b7169203332', 'b7ad6b7169203333'];
    await topic.produce(
      honoSpanIds.map((spanId, index) =>
        encodeDataEvent({
          tenantId: tenant,
          deviceId: `sensor-${String(index)}`,
          contentType: 'application/json',
          payload: `{"t":${String(20 + index)}}`,
          traceparent: `00-${traceId}-${spanId}-01`,
        }),
      ),
    );
    const example = startExample('opentelemetry.ts', {
      HONO_TENANT: tenant,
      GROUP_ID: topic.groupId,
      METRICS_INTERVAL_MS: '500',
    });
    const count = (text: string): number => example.output().split(text).length - 1;
    await waitUntil(
      example,
      () =>
        count('stored event of sensor-') === 3 &&
        count("name: 'process hono.event.{tenant_id}'") >= 3 &&
        count("name: 'messaging.process.duration'") >= 1,
      'three events stored, three process spans and the metrics printed',
    );
    const output = example.output();
    // traceContext 'parent': each process span continues Hono's trace as a child of its producer span.
    for (const spanId of honoSpanIds) expect(output).toContain(`spanId: '${spanId}'`);
    expect(count(`traceId: '${traceId}'`)).toBeGreaterThanOrEqual(6); // the process spans and the store spans
    expect(output).toContain("name: 'store'");
    expect(output).toContain("'messaging.destination.template': 'hono.event.{tenant_id}'");
    expect(output).toContain(`'messaging.destination.name': '${topic.topic}'`);
    expect(output).toContain("name: 'messaging.client.consumed.messages'");

    expect(await terminate(example)).toBe(0);
    expect(example.output()).toContain('stopped');
    expect(example.output()).not.toMatch(/ERR_/);
    expect(sum((await topic.committed([0])).values())).toBe(3);
  }, 45_000);
});
