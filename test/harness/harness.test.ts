/**
 * The broker harness itself, on real JVMs: a 3-node cluster survives a SIGKILLed node and takes it back,
 * a broker that fails to start reports its log tail, and no JVM outlives its owner.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSuffix, TestAdmin, TestConsumer, TestProducer } from '../integration/clients.js';
import { KafkaCluster, type KafkaClusterInfo } from './kafka-cluster.js';
import { processAlive } from './kafka-node.js';
import { fetchBrokerIds } from './probe.js';

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

describe('a 3-node cluster', () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    cluster = await KafkaCluster.start({ nodes: 3, heapMb: 256 });
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('keeps accepting acks=all writes with one node SIGKILLed, and takes the node back', async () => {
    const topic = `hono.event.chaos-${randomSuffix()}`;
    const admin = new TestAdmin(cluster.bootstrapServers);
    await admin.createTopic(topic, 3);
    const producer = new TestProducer(cluster.bootstrapServers);
    await producer.connect();
    const record = (n: number) => ({ topic, key: Buffer.from(`device-${n}`), value: Buffer.from(String(n)) });
    try {
      await producer.send([0, 1, 2].map(record));

      const victim = cluster.node(2);
      const pid = victim.pid;
      await cluster.killNode(2);
      expect(pid !== undefined && processAlive(pid)).toBe(false);
      // The controller fences the node once its broker session (3 s here) expires.
      let ids: number[] = [];
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        ids = await fetchBrokerIds(cluster.bootstrapServers, 5_000);
        if (!ids.includes(2)) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(ids).toEqual([1, 3]);
      await producer.send([3, 4, 5].map(record));

      await cluster.restartNode(2);
      expect(await fetchBrokerIds(cluster.bootstrapServers, 10_000)).toEqual([1, 2, 3]);
      await producer.send([6, 7, 8].map(record));
    } finally {
      await producer.disconnect();
    }

    const consumer = new TestConsumer(cluster.bootstrapServers, `harness-${randomSuffix()}`);
    await consumer.connect();
    try {
      consumer.client.subscribe([topic]);
      const values = (await consumer.consumeAtLeast(9)).map((message) => message.value?.toString());
      expect(values.sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8']);
    } finally {
      await consumer.disconnect();
      admin.disconnect();
    }
  });

  it('stops every JVM it started', async () => {
    const pids = cluster.info().pids;
    expect(pids).toHaveLength(3);
    await cluster.stop();
    expect(pids.filter(processAlive)).toEqual([]);
  });
});

describe('the harness', () => {
  it('fails with the broker log tail when the broker cannot start, and leaves no JVM behind', async () => {
    const failure = await KafkaCluster.start({
      brokerOverrides: { 'authorizer.class.name': 'org.example.NoSuchAuthorizer' },
      startTimeoutMs: 60_000,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toMatch(/node 1 exited/);
    expect(message).toMatch(/--- node 1 log tail/);
    expect(message).toContain('org.example.NoSuchAuthorizer');
    const dataDir = /\((\/[^)]*)\/node-1\/node\.log\)/.exec(message)?.[1];
    expect(dataDir).toBeDefined();
    expect(existsSync(dataDir ?? '/')).toBe(false);
  });

  it('kills the JVM when the process that started it is SIGKILLed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/harness/fixtures/start-and-wait.ts'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    const info = JSON.parse(line) as KafkaClusterInfo;
    expect(info.pids.every(processAlive)).toBe(true);
    expect(info.tls?.caFile.startsWith(info.dataDir)).toBe(true);
    expect(existsSync(info.tls?.caFile ?? '/nonexistent')).toBe(true);

    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(await until(() => !info.pids.some(processAlive), 10_000)).toBe(true);
    expect(await until(() => !existsSync(info.dataDir), 5_000)).toBe(true);
  });
});
