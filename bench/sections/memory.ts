/**
 * Section 4: memory under back-pressure. Handlers slower than the arrival rate read a backlog of a
 * million Hono events; the records the SDK holds stay within `maxInFlight`, and so does its memory. The
 * client library's own fetch queue (`queued.max.messages.kbytes`, 64 MiB by default) comes on top; one
 * run shows it smaller.
 */
import { eventTopic } from '../../src/index.js';
import { runWorker } from '../lib/child.js';
import { table, verdict } from '../lib/table.js';
import { createTopic, honoMixRecord, produce } from '../lib/workload.js';
import type { MemoryResult, MemoryRun } from '../workers/memory.js';
import type { SectionContext } from './context.js';

const backlog = 1_000_000;
const seconds = 15;
const handlerMs = 5;

/** Runs three memory measurements, prints the table and returns the figures. */
export async function runMemory(
  context: SectionContext & { readonly tenant?: string | undefined },
): Promise<unknown> {
  const { brokers, log } = context;
  let tenant = context.tenant;
  if (tenant === undefined) {
    tenant = `bench-mem-${context.suffix}`;
    const name = tenant;
    await createTopic(brokers, eventTopic(name), 6);
    await produce(
      brokers,
      backlog,
      (index) => honoMixRecord(name, index, 1000),
      () => undefined,
    );
  }
  const settings: { maxInFlight: number; kafka: Record<string, number> }[] = [
    { maxInFlight: 1_000, kafka: {} },
    { maxInFlight: 10_000, kafka: {} },
    { maxInFlight: 1_000, kafka: { 'queued.max.messages.kbytes': 8_192 } },
  ];
  const rows: MemoryResult[] = [];
  for (const [index, { maxInFlight, kafka }] of settings.entries()) {
    log(`memory: maxInFlight ${String(maxInFlight)} ${JSON.stringify(kafka)}`);
    const run: MemoryRun = {
      brokers,
      tenant,
      groupId: `bench-mem-${String(index)}-${context.suffix}`,
      maxInFlight,
      seconds,
      handlerMs,
      kafka,
    };
    rows.push(await runWorker<MemoryResult>('memory', run, { timeoutMs: 120_000 }));
  }
  console.log(
    `\nMemory under back-pressure: a backlog of ${String(backlog)} events, handlers of ${String(handlerMs)} ms at concurrency 32 (at most 6,400 events/s), ${String(seconds)} s per run`,
  );
  console.log(
    table(
      [
        'maxInFlight',
        'librdkafka settings',
        'handled',
        'max held',
        'peak RSS MB',
        'RSS at 1/4, 1/2, 3/4 MB',
        'peak heap MB',
        'pauses',
      ],
      rows.map((row) => [
        row.maxInFlight,
        Object.keys(row.kafka).length === 0 ? 'defaults' : JSON.stringify(row.kafka),
        row.handled,
        row.maxHeld,
        row.peakRssMb,
        row.rssByQuarterMb.join(' / '),
        row.peakHeapUsedMb,
        row.pauses,
      ]),
    ),
  );
  const bounded = rows.every((row) => row.maxHeld <= row.maxInFlight);
  console.log(`target: records held never above maxInFlight: ${verdict(bounded)}`);
  return { backlog, seconds, handlerMs, results: rows, targets: { heldWithinMaxInFlight: bounded } };
}
