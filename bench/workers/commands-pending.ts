/**
 * Worker: memory of `HonoCommandClient` with 10,000 requests pending. No simulator answers the tenant,
 * so every request is written and then waits until it times out. Each round measures heap and RSS
 * (after a full garbage collection) before the requests, while they are pending, and after they all
 * timed out; a second round shows whether anything stayed behind.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { processFigures, report, round } from '../lib/child.js';
import { loadSdk, quietLogger } from '../lib/sdk.js';

/** One pending-requests run. */
export interface PendingRun {
  readonly brokers: string;
  readonly tenant: string;
  readonly pending: number;
  readonly timeoutMs: number;
  /** How long after the requests were started the pending figures are taken. */
  readonly sampleAfterMs: number;
  readonly rounds: number;
}

/** Heap used and RSS at one moment, in MB. */
export interface MemorySample {
  readonly heapMb: number;
  readonly rssMb: number;
}

/** One round of requests. */
export interface PendingRound {
  readonly before: MemorySample;
  readonly pending: MemorySample;
  readonly after: MemorySample;
  /** `pendingRequests` when the pending figures were taken. */
  readonly pendingRequests: number;
  /** Rejections by error code (all should be `ERR_HONO_COMMAND_TIMEOUT`, written and acknowledged). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Timed-out requests whose command the broker had acknowledged. */
  readonly acknowledged: number;
}

/** What the pending-requests run measured. */
export interface PendingResult {
  readonly rounds: readonly PendingRound[];
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const sample = async (): Promise<MemorySample> => {
  // Two passes and a turn of the event loop in between: finalizers and weak references go as well.
  collect();
  await sleep(10);
  collect();
  const memory = process.memoryUsage();
  return { heapMb: round(memory.heapUsed / 2 ** 20, 1), rssMb: round(memory.rss / 2 ** 20, 1) };
};

const config = JSON.parse(process.argv[2] ?? '{}') as PendingRun;
const { HonoCommandClient, isCommandError } = await loadSdk();
const client = new HonoCommandClient({
  brokers: config.brokers,
  logger: quietLogger,
  maxPendingRequests: config.pending,
});

/** Starts `count` requests that nobody answers; their outcomes once all are settled. */
function requests(
  count: number,
  timeoutMs: number,
): { settled: Promise<void>; outcomes: Record<string, number>; acknowledged: () => number } {
  const outcomes: Record<string, number> = {};
  let acknowledged = 0;
  const all: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    all.push(
      client
        .request({
          tenant: config.tenant,
          deviceId: `device-${String(index % 1000).padStart(4, '0')}`,
          name: 'getState',
          timeoutMs,
        })
        .then(
          () => {
            outcomes['answered'] = (outcomes['answered'] ?? 0) + 1;
          },
          (error: unknown) => {
            const code = isCommandError(error) ? error.code : String(error);
            outcomes[code] = (outcomes[code] ?? 0) + 1;
            if (isCommandError(error) && error.acknowledged) acknowledged += 1;
          },
        ),
    );
  }
  return { settled: Promise.all(all).then(() => undefined), outcomes, acknowledged: () => acknowledged };
}

// Warm-up: the tenant's response reader is positioned, the producer connected, the code paths hot.
await requests(1_000, 2_000).settled;
const rounds: PendingRound[] = [];
for (let round = 0; round < config.rounds; round++) {
  const before = await sample();
  const { settled, outcomes, acknowledged } = requests(config.pending, config.timeoutMs);
  await sleep(config.sampleAfterMs);
  const pendingRequests = client.pendingRequests;
  const pending = await sample();
  await settled;
  const after = await sample();
  rounds.push({ before, pending, after, pendingRequests, outcomes, acknowledged: acknowledged() });
}
const figures = processFigures();
await client.close();
const result: PendingResult = { rounds, ...figures };
report(result);
process.exit(0);
