/**
 * Worker: the SDK handles a one-partition topic whose records each ask for 0-5 ms of asynchronous
 * (timer) work, at concurrency 100, in one ordering mode. Time runs from the first handler start to the
 * last handler end.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HonoEvent, HonoEventConsumerOptions } from '../../src/index.js';
import { loadSdk, quietLogger } from '../lib/sdk.js';
import { processFigures, report, round } from '../lib/child.js';

/** One concurrency run. */
export interface ConcurrencyRun {
  readonly brokers: string;
  readonly tenant: string;
  readonly groupId: string;
  readonly ordering: NonNullable<HonoEventConsumerOptions['ordering']>;
  readonly concurrency: number;
  readonly expected: number;
}

/** What one concurrency run measured. */
export interface ConcurrencyResult {
  readonly ordering: ConcurrencyRun['ordering'];
  readonly events: number;
  readonly seconds: number;
  /** Most handlers seen running at once. */
  readonly peakConcurrency: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ConcurrencyRun;
const { HonoEventConsumer } = await loadSdk();
const consumer = new HonoEventConsumer({
  brokers: config.brokers,
  tenant: config.tenant,
  groupId: config.groupId,
  ordering: config.ordering,
  concurrency: config.concurrency,
  logger: quietLogger,
});
let first = 0;
let last = 0;
let handled = 0;
let running = 0;
let peak = 0;
let finish: () => void = () => undefined;
const done = new Promise<void>((resolve) => {
  finish = resolve;
});
await consumer.run({
  event: async (event: HonoEvent) => {
    if (first === 0) first = performance.now();
    running += 1;
    peak = Math.max(peak, running);
    const payload = event.type === 'event' ? event.payload.toString('utf8') : '{"workMs":0}';
    const { workMs } = JSON.parse(payload) as { workMs: number };
    await sleep(workMs);
    running -= 1;
    handled += 1;
    if (handled === config.expected) {
      last = performance.now();
      finish();
    }
  },
});
await done;
const result: ConcurrencyResult = {
  ordering: config.ordering,
  events: handled,
  seconds: round((last - first) / 1000, 3),
  peakConcurrency: peak,
  ...processFigures(),
};
await consumer.stop();
report(result);
process.exit(0);
