/**
 * Worker: one contender consumes the pre-produced topic from the beginning, in a group of its own, until
 * it handled every record. Rate is measured from the first record handled to the last.
 */
import { performance } from 'node:perf_hooks';
import { processFigures, report, round } from '../lib/child.js';
import { type ContenderName, loadContender } from '../contenders/index.js';
import type { Recorded, ThroughputRun } from '../contenders/contender.js';

/** What one throughput run measured. */
export interface ThroughputResult {
  readonly contender: ContenderName;
  readonly events: number;
  /** First record handled to last. */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** From creating the consumer (connect, group join included) to the last record. */
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  /** The main thread's CPU seconds (Linux), see `ProcessFigures`. */
  readonly mainThreadCpuSeconds?: number | undefined;
  /** With the observability section's OpenTelemetry SDK: what it recorded. */
  readonly recorded?: Recorded | undefined;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ThroughputRun & { contender: ContenderName };
const contender = await loadContender(config.contender);
const started = performance.now();
let first = 0;
let count = 0;
let resolve: (at: number) => void = () => undefined;
const done = new Promise<number>((settle) => {
  resolve = settle;
});
const consumer = await contender.start(config, (n) => {
  if (count === 0) first = performance.now();
  count += n;
  if (count >= config.expected) resolve(performance.now());
});
const last = await done;
const figures = processFigures();
await consumer.stop();
const seconds = (last - first) / 1000;
const result: ThroughputResult = {
  contender: config.contender,
  events: count,
  seconds: round(seconds, 3),
  eventsPerSecond: Math.round(count / seconds),
  wallSeconds: round((last - started) / 1000, 3),
  ...figures,
  recorded: consumer.recorded?.(),
};
report(result);
process.exit(0);
