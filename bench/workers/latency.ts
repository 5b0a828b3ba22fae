/**
 * Worker: the SDK (device ordering, defaults otherwise) consumes events that the runner produces at a
 * fixed rate, each carrying its produce time in the `x-bench-sent-at` header. It records produce ->
 * handler start and produce -> commit confirmed by the broker, and prints `ready` once it owns every
 * partition.
 */
import type { HonoEvent } from '../../src/index.js';
import { loadSdk, quietLogger } from '../lib/sdk.js';
import { percentile, preciseNow, processFigures, report, round } from '../lib/child.js';

/** One latency run. */
export interface LatencyRun {
  readonly brokers: string;
  readonly tenant: string;
  readonly groupId: string;
  readonly partitions: number;
  readonly expected: number;
  /** Passed to the consumer when set. */
  readonly commitIntervalMs?: number | undefined;
}

/** Percentiles of one latency, in milliseconds. */
export interface Latencies {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** What one latency run measured. */
export interface LatencyResult {
  readonly events: number;
  readonly commitIntervalMs: number | undefined;
  readonly toHandler: Latencies;
  readonly toCommit: Latencies;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as LatencyRun;
const { findHeader, headerText, HonoEventConsumer } = await loadSdk();
const consumer = new HonoEventConsumer({
  brokers: config.brokers,
  tenant: config.tenant,
  groupId: config.groupId,
  commitIntervalMs: config.commitIntervalMs,
  logger: quietLogger,
});
const toHandler: number[] = [];
const toCommit: number[] = [];
/** Per partition: produce times of handled records by offset, until a commit covers them. */
const uncommitted = new Map<number, { offset: number; sentAt: number }[]>();
let finish: () => void = () => undefined;
const done = new Promise<void>((resolve) => {
  finish = resolve;
});
let owned = 0;
consumer.on('assigned', (partitions) => {
  owned += partitions.length;
  if (owned === config.partitions) process.stdout.write('ready\n');
});
consumer.on('committed', (offsets) => {
  const now = preciseNow();
  for (const { partition, offset } of offsets) {
    const pending = uncommitted.get(partition) ?? [];
    let covered = 0;
    while (covered < pending.length && (pending[covered]?.offset ?? Infinity) < offset) {
      toCommit.push(now - (pending[covered]?.sentAt ?? now));
      covered += 1;
    }
    pending.splice(0, covered);
  }
  if (toCommit.length >= config.expected) finish();
});
const handle = (event: HonoEvent): void => {
  const now = preciseNow();
  const sentAt = Number(headerText(findHeader(event.headers, 'x-bench-sent-at') ?? '0'));
  toHandler.push(now - sentAt);
  let pending = uncommitted.get(event.partition);
  if (pending === undefined) {
    pending = [];
    uncommitted.set(event.partition, pending);
  }
  pending.push({ offset: event.offset, sentAt });
};
await consumer.run({
  event: async (event) => {
    handle(event);
    await Promise.resolve();
  },
});
await done;
const figures = processFigures();
await consumer.stop();
const summary = (values: number[]): Latencies => {
  const sorted = values.sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50), 1),
    p90: round(percentile(sorted, 90), 1),
    p99: round(percentile(sorted, 99), 1),
    max: round(sorted.at(-1) ?? Number.NaN, 1),
  };
};
const result: LatencyResult = {
  events: toHandler.length,
  commitIntervalMs: config.commitIntervalMs,
  toHandler: summary(toHandler),
  toCommit: summary(toCommit),
  ...figures,
};
report(result);
process.exit(0);
