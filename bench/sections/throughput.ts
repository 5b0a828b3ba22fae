/**
 * Section 1: throughput with a no-op handler over the Hono mix, each contender in a process of its own,
 * all reading the same pre-produced topic.
 */
import { performance } from 'node:perf_hooks';
import { eventTopic } from '../../src/index.js';
import { runWorker, round } from '../lib/child.js';
import { table, verdict } from '../lib/table.js';
import { createTopic, honoMixRecord, produce } from '../lib/workload.js';
import { contenderLabels, contenderNames } from '../contenders/index.js';
import type { ThroughputResult } from '../workers/throughput.js';
import type { SectionContext } from './context.js';

const partitions = 6;
const devices = 1000;

/** Produces the topic, runs every contender, prints the table and returns the figures. */
export async function runThroughput(
  context: SectionContext & { readonly events: number },
): Promise<
  { readonly tenant: string; readonly events: number; readonly failed: readonly string[] } & Record<
    string,
    unknown
  >
> {
  const { brokers, log, events } = context;
  const tenant = `bench-${context.suffix}`;
  const topic = eventTopic(tenant);
  await createTopic(brokers, topic, partitions);
  const producing = performance.now();
  const bytes = await produce(
    brokers,
    events,
    (index) => honoMixRecord(tenant, index, devices),
    (done) => {
      if (done % 200_000 === 0 || done === events) log(`produced ${String(done)} of ${String(events)}`);
    },
  );
  const produceSeconds = (performance.now() - producing) / 1000;
  log(
    `produced ${String(events)} records (${String(Math.round(bytes / events))} bytes each) in ${produceSeconds.toFixed(1)} s`,
  );

  const results: ThroughputResult[] = [];
  const failed: string[] = [];
  for (const contender of contenderNames) {
    log(`throughput: ${contenderLabels[contender]}`);
    try {
      const result = await runWorker<ThroughputResult>(
        'throughput',
        {
          contender,
          brokers,
          topic,
          tenant,
          groupId: `bench-${contender}-${context.suffix}`,
          expected: events,
        },
        { timeoutMs: 300_000 },
      );
      log(`  ${String(result.eventsPerSecond)} events/s`);
      results.push(result);
    } catch (error) {
      log(`  failed: ${String(error)}`);
      failed.push(contender);
    }
  }
  if (events < 100_000)
    log('a small run: start-up dominates, the ratios say little (the figures use 1,000,000)');
  const ceiling = results.find((result) => result.contender === 'raw')?.eventsPerSecond ?? Number.NaN;
  const rows = results.map((result) => ({ ...result, ratio: round(result.eventsPerSecond / ceiling, 2) }));
  console.log(
    `\nThroughput: ${String(events)} Hono events (70 % JSON, 20 % empty notifications, 10 % connection events), ${String(devices)} devices, ${String(partitions)} partitions, no-op handler`,
  );
  console.log(
    table(
      ['consumer', 'events/s', 'x raw', 'seconds', 'wall s', 'CPU s', 'peak RSS MB'],
      rows.map((row) => [
        contenderLabels[row.contender],
        row.eventsPerSecond,
        row.ratio,
        row.seconds,
        row.wallSeconds,
        row.cpuSeconds,
        row.peakRssMb,
      ]),
    ),
  );
  const device = rows.find((row) => row.contender === 'sdk-device');
  const kafkaJs = rows.find((row) => row.contender === 'kafkajs');
  const targets = {
    deviceAtLeast085xRaw: device !== undefined && device.ratio >= 0.85,
    deviceBeatsKafkaJs:
      device !== undefined && kafkaJs !== undefined && device.eventsPerSecond > kafkaJs.eventsPerSecond,
  };
  console.log(
    `target: SDK device >= 0.85x raw: ${verdict(targets.deviceAtLeast085xRaw)} (${String(device?.ratio)})`,
  );
  console.log(
    `target: SDK device beats KafkaJS: ${verdict(targets.deviceBeatsKafkaJs)} (${String(device?.eventsPerSecond)} vs ${String(kafkaJs?.eventsPerSecond)})`,
  );
  return {
    tenant,
    failed,
    events,
    partitions,
    devices,
    bytesPerEvent: Math.round(bytes / events),
    produceSeconds: round(produceSeconds, 1),
    results: rows,
    targets,
  };
}
