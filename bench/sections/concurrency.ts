/**
 * Section 2: concurrency with asynchronous work, in the shape of Confluent Parallel Consumer's published
 * benchmark: 10,000 events on one partition, each with 0-5 ms of timer work, concurrency 100, once with
 * 10,000 distinct devices and once with 100, the SDK in each ordering mode.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeDataEvent, eventTopic } from '../../src/index.js';
import { runWorker, round } from '../lib/child.js';
import { table, verdict } from '../lib/table.js';
import { createTopic, produce, seededRandom } from '../lib/workload.js';
import type { ConcurrencyResult, ConcurrencyRun } from '../workers/concurrency.js';
import type { SectionContext } from './context.js';

const events = 10_000;
const concurrency = 100;
/** Parallel Consumer's published wall times for this shape, in seconds. */
const parallelConsumer = { partition: 22.2, device: 2.13, none: 2.83 } as const;
const orderings = ['partition', 'device', 'none'] as const;

/** Runs every ordering mode over both device sets, prints the table and returns the figures. */
export async function runConcurrency(context: SectionContext): Promise<unknown> {
  const { brokers, log } = context;
  const random = seededRandom(42);
  const work = Array.from({ length: events }, () => Math.floor(random() * 6));
  const deviceOf = Array.from({ length: events }, () => Math.floor(random() * 100));
  const idealSeconds = work.reduce((sum, ms) => sum + ms, 0) / concurrency / 1000;
  // The same work on bare Node.js timers, without Kafka or the SDK: Node's floor for this shape (a
  // timer of n ms fires after n ms or later, and one of 0 ms after 1 ms), in this process.
  const bareSeconds = await bare(work);
  log(
    `concurrency: the same work on bare timers at concurrency ${String(concurrency)}: ${bareSeconds.toFixed(3)} s`,
  );
  const rows = [];
  for (const devices of [events, 100]) {
    const tenant = `bench-cc-${String(devices)}-${context.suffix}`;
    await createTopic(brokers, eventTopic(tenant), 1);
    await produce(
      brokers,
      events,
      (index) =>
        encodeDataEvent({
          tenantId: tenant,
          deviceId: `device-${String(devices === events ? index : (deviceOf[index] ?? 0))}`,
          contentType: 'application/json',
          payload: JSON.stringify({ workMs: work[index] }),
        }),
      () => undefined,
    );
    for (const ordering of orderings) {
      log(`concurrency: ${String(devices)} devices, ordering ${ordering}`);
      const run: ConcurrencyRun = {
        brokers,
        tenant,
        groupId: `bench-cc-${ordering}-${context.suffix}`,
        ordering,
        concurrency,
        expected: events,
      };
      const result = await runWorker<ConcurrencyResult>('concurrency', run, { timeoutMs: 180_000 });
      rows.push({
        devices,
        ...result,
        xIdeal: round(result.seconds / idealSeconds, 2),
        xBare: round(result.seconds / bareSeconds, 2),
      });
    }
  }
  console.log(
    `\nConcurrency: ${String(events)} events on 1 partition, 0-5 ms of timer work each, concurrency ${String(concurrency)}; ideal (total work / concurrency) ${idealSeconds.toFixed(3)} s; the same work on bare Node.js timers (no Kafka, no SDK) ${bareSeconds.toFixed(3)} s (${String(round(bareSeconds / idealSeconds, 2))}x ideal)`,
  );
  console.log(
    table(
      [
        'devices',
        'ordering',
        'seconds',
        'x ideal',
        'x bare timers',
        'peak concurrency',
        'Parallel Consumer s',
      ],
      rows.map((row) => [
        row.devices,
        row.ordering,
        row.seconds,
        row.xIdeal,
        row.xBare,
        row.peakConcurrency,
        parallelConsumer[row.ordering],
      ]),
    ),
  );
  const device = rows.filter((row) => row.ordering === 'device');
  const met = device.every((row) => row.xIdeal <= 2);
  // Issue 16's target: the run with a device per event, where device ordering leaves the most room.
  const distinct = device.find((row) => row.devices === events);
  const within15 = distinct !== undefined && distinct.xIdeal <= 1.5;
  console.log(
    `target: device mode within 2x of ideal: ${verdict(met)} (${device.map((row) => `${String(row.xIdeal)}x with ${String(row.devices)} devices`).join(', ')})`,
  );
  console.log(
    `target (issue 16): device mode with ${String(events)} devices within 1.5x of ideal: ${verdict(within15)} (${String(distinct?.xIdeal)}x)`,
  );
  return {
    events,
    concurrency,
    bareSeconds: round(bareSeconds, 3),
    idealSeconds: round(idealSeconds, 3),
    parallelConsumer,
    results: rows,
    targets: { deviceWithin2xIdeal: met, deviceWith10000DevicesWithin1_5xIdeal: within15 },
  };
}

/** The work run on bare timers, `concurrency` at a time, in order: Node's own time for it, in seconds. */
async function bare(work: readonly number[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < work.length) {
      const ms = work[next] ?? 0;
      next += 1;
      await sleep(ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return (performance.now() - started) / 1000;
}
