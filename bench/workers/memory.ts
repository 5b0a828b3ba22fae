/**
 * Worker: the SDK reads a topic with a large backlog through a handler slower than the arrival rate
 * (5 ms of timer work at concurrency 32: at most 6,400 events/s against a backlog of a million), for a
 * fixed time, sampling memory and the records it holds every 100 ms.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSdk, quietLogger } from '../lib/sdk.js';
import { processFigures, report, round } from '../lib/child.js';

/** One memory run. */
export interface MemoryRun {
  readonly brokers: string;
  readonly tenant: string;
  readonly groupId: string;
  readonly maxInFlight: number;
  readonly seconds: number;
  readonly handlerMs: number;
  /** librdkafka settings passed through. */
  readonly kafka: Readonly<Record<string, string | number>>;
}

/** What one memory run measured. */
export interface MemoryResult {
  readonly maxInFlight: number;
  readonly kafka: Readonly<Record<string, string | number>>;
  readonly handled: number;
  /** Most records held (running plus waiting) in any sample. */
  readonly maxHeld: number;
  readonly peakRssMb: number;
  /** RSS at a quarter, half and three quarters of the run. */
  readonly rssByQuarterMb: readonly number[];
  readonly peakHeapUsedMb: number;
  readonly pauses: number;
  readonly cpuSeconds: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as MemoryRun;
const { HonoEventConsumer } = await loadSdk();
const consumer = new HonoEventConsumer({
  brokers: config.brokers,
  tenant: config.tenant,
  groupId: config.groupId,
  maxInFlight: config.maxInFlight,
  kafka: config.kafka,
  logger: quietLogger,
});
let handled = 0;
let pauses = 0;
consumer.on('paused', (_partitions, reason) => {
  if (reason === 'backpressure') pauses += 1;
});
const slow = async (): Promise<void> => {
  await sleep(config.handlerMs);
  handled += 1;
};
await consumer.run({ event: slow, emptyNotification: slow, connection: slow });
let maxHeld = 0;
let peakHeapUsed = 0;
const rss: number[] = [];
const samples = (config.seconds * 1000) / 100;
for (let sample = 1; sample <= samples; sample++) {
  await sleep(100);
  const { inFlight, buffered } = consumer.health();
  maxHeld = Math.max(maxHeld, inFlight + buffered);
  const memory = process.memoryUsage();
  peakHeapUsed = Math.max(peakHeapUsed, memory.heapUsed);
  if (sample % Math.round(samples / 4) === 0 && rss.length < 3) rss.push(round(memory.rss / 2 ** 20, 1));
}
const figures = processFigures();
const result: MemoryResult = {
  maxInFlight: config.maxInFlight,
  kafka: config.kafka,
  handled,
  maxHeld,
  peakRssMb: figures.peakRssMb,
  rssByQuarterMb: rss,
  peakHeapUsedMb: round(peakHeapUsed / 2 ** 20, 1),
  pauses,
  cpuSeconds: figures.cpuSeconds,
};
await consumer.stop();
report(result);
process.exit(0);
