/**
 * Section 3: end-to-end latency. A producer in this process writes Hono events at a fixed rate (5,000/s
 * for 10 s) with the client library's default producer settings; a consumer process reports produce ->
 * handler start and produce -> commit, once with the default commit interval and once with 100 ms.
 */
import kafka from '@confluentinc/kafka-javascript';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventTopic } from '../../src/index.js';
import { preciseNow, runWorker } from '../lib/child.js';
import { table, verdict } from '../lib/table.js';
import { createTopic, honoMixRecord } from '../lib/workload.js';
import type { LatencyResult, LatencyRun } from '../workers/latency.js';
import type { SectionContext } from './context.js';

const rate = 5_000;
const seconds = 10;
const partitions = 6;
const tickMs = 10;

async function produceAtRate(brokers: string, tenant: string, count: number): Promise<number> {
  const producer = new kafka.Producer({ 'bootstrap.servers': brokers, acks: -1, 'enable.idempotence': true });
  producer.setPollInterval(50);
  await new Promise<void>((resolve, reject) => {
    producer.connect({ timeout: 15_000 }, (error: kafka.LibrdKafkaError | null | undefined) => {
      if (error === null || error === undefined) resolve();
      else reject(new Error(error.message));
    });
  });
  const start = preciseNow();
  let sent = 0;
  let worstLagMs = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((preciseNow() - start) / 1000) * rate));
    worstLagMs = Math.max(worstLagMs, ((due - sent) / rate) * 1000);
    for (; sent < due; sent++) {
      const record = honoMixRecord(tenant, sent, 1000);
      const headers = [...record.headers, { 'x-bench-sent-at': Buffer.from(preciseNow().toFixed(3)) }];
      producer.produce(record.topic, null, record.value, record.key, Date.now(), undefined, headers);
    }
    await sleep(tickMs);
  }
  await new Promise((resolve) => producer.flush(10_000, resolve));
  await new Promise((resolve) => producer.disconnect(resolve));
  return worstLagMs;
}

/** Runs the latency measurement twice, prints the table and returns the figures. */
export async function runLatency(context: SectionContext): Promise<unknown> {
  const { brokers, log } = context;
  const count = rate * seconds;
  const rows: LatencyResult[] = [];
  for (const commitIntervalMs of [undefined, 100]) {
    const tenant = `bench-lat-${String(commitIntervalMs ?? 'default')}-${context.suffix}`;
    await createTopic(brokers, eventTopic(tenant), partitions);
    const run: LatencyRun = {
      brokers,
      tenant,
      groupId: `bench-lat-${context.suffix}`,
      partitions,
      expected: count,
      commitIntervalMs,
    };
    log(
      `latency: ${String(rate)}/s for ${String(seconds)} s, commit interval ${String(commitIntervalMs ?? 'default')}`,
    );
    let producing: Promise<number> | undefined;
    const result = await runWorker<LatencyResult>('latency', run, {
      timeoutMs: 120_000,
      onLine: (line) => {
        if (line === 'ready') producing = produceAtRate(brokers, tenant, count);
      },
    });
    const lag = await producing;
    log(`  producer fell behind its schedule by at most ${String(Math.round(lag ?? 0))} ms`);
    rows.push(result);
  }
  console.log(
    `\nEnd-to-end latency: ${String(rate)} Hono events/s for ${String(seconds)} s over ${String(partitions)} partitions, producer with librdkafka defaults (linger.ms 5), SDK defaults, async no-op handler`,
  );
  console.log(
    table(
      ['commit interval', 'produce->handler p50', 'p90', 'p99', 'max', 'produce->commit p50', 'p99', 'max'],
      rows.map((row) => [
        row.commitIntervalMs === undefined ? '5000 ms (default)' : `${String(row.commitIntervalMs)} ms`,
        row.toHandler.p50,
        row.toHandler.p90,
        row.toHandler.p99,
        row.toHandler.max,
        row.toCommit.p50,
        row.toCommit.p99,
        row.toCommit.max,
      ]),
    ),
  );
  const worst = Math.max(...rows.map((row) => row.toHandler.p99));
  const met = worst < 50;
  console.log(
    `target: p99 produce->handler under 50 ms at ${String(rate)}/s: ${verdict(met)} (${String(worst)} ms)`,
  );
  return { rate, seconds, partitions, results: rows, targets: { p99ToHandlerUnder50ms: met } };
}
