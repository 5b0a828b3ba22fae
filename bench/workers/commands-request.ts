/**
 * Worker: `HonoCommandClient.request` round trips, open-loop. Requests are started on a fixed schedule
 * (`rate` per second for `seconds`), whether or not the earlier ones were answered; the simulator, in
 * a process of its own, answers each at once. Each rate reports the round trip from the call to the
 * response, and from the scheduled start to the response (which also counts a late start).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile, preciseNow, processFigures, report, round } from '../lib/child.js';
import { loadSdk, quietLogger } from '../lib/sdk.js';

/** One request/response run. */
export interface RequestRun {
  readonly brokers: string;
  readonly tenant: string;
  readonly devices: number;
  readonly rates: readonly number[];
  readonly seconds: number;
  /** Requests at the first rate before the measured ones, not counted. */
  readonly warmup: number;
}

/** Round trips at one rate, in milliseconds. */
export interface RateResult {
  readonly rate: number;
  readonly requests: number;
  /** Requests that got status 200. */
  readonly ok: number;
  /** Rejected requests by error code, and responses with another status as `status <n>`. */
  readonly failures: Readonly<Record<string, number>>;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** p99 from the scheduled start: includes the start's delay behind the schedule. */
  readonly p99FromSchedule: number;
  /** The event loop's delay p99 while this rate ran. */
  readonly eventLoopDelayP99: number;
}

/** What the request/response run measured. */
export interface RequestResult {
  readonly results: readonly RateResult[];
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as RequestRun;
const { HonoCommandClient, isCommandError } = await loadSdk();
const client = new HonoCommandClient({ brokers: config.brokers, logger: quietLogger });
const deviceOf = (index: number): string => `device-${String(index % config.devices).padStart(4, '0')}`;

/** Starts `count` requests at `rate` per second; the round trips once all settled. */
async function openLoop(rate: number, count: number): Promise<RateResult> {
  const fromCall: number[] = [];
  const fromSchedule: number[] = [];
  const failures: Record<string, number> = {};
  const fail = (reason: string): void => {
    failures[reason] = (failures[reason] ?? 0) + 1;
  };
  let ok = 0;
  const requests: Promise<void>[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const start = preciseNow();
  let started = 0;
  while (started < count) {
    const due = Math.min(count, Math.floor(((preciseNow() - start) / 1000) * rate) + 1);
    for (; started < due; started++) {
      const scheduled = start + (started * 1000) / rate;
      const called = preciseNow();
      requests.push(
        client.request({ tenant: config.tenant, deviceId: deviceOf(started), name: 'getState' }).then(
          (response) => {
            const now = preciseNow();
            fromCall.push(now - called);
            fromSchedule.push(now - scheduled);
            if (response.status === 200) ok += 1;
            else fail(`status ${String(response.status)}`);
          },
          (error: unknown) => {
            fail(isCommandError(error) ? error.code : String(error));
          },
        ),
      );
    }
    await sleep(1);
  }
  await Promise.all(requests);
  delay.disable();
  const sorted = fromCall.sort((a, b) => a - b);
  fromSchedule.sort((a, b) => a - b);
  return {
    rate,
    requests: count,
    ok,
    failures,
    p50: round(percentile(sorted, 50), 1),
    p90: round(percentile(sorted, 90), 1),
    p99: round(percentile(sorted, 99), 1),
    max: round(sorted.at(-1) ?? Number.NaN, 1),
    p99FromSchedule: round(percentile(fromSchedule, 99), 1),
    eventLoopDelayP99: round(delay.percentile(99) / 1e6, 1),
  };
}

// The first request waits for the tenant's response reader; the warm-up runs the code paths hot.
await client.request({ tenant: config.tenant, deviceId: deviceOf(0), name: 'getState' });
await openLoop(config.rates[0] ?? 200, config.warmup);
const results: RateResult[] = [];
for (const rate of config.rates) {
  process.stderr.write(`[bench]   ${String(rate)} requests/s for ${String(config.seconds)} s\n`);
  results.push(await openLoop(rate, rate * config.seconds));
}
const figures = processFigures();
await client.close();
const result: RequestResult = { results, ...figures };
report(result);
process.exit(0);
