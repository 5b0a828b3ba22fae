/**
 * Section 5: Command & Control (issue 13). Three measurements, each client in a process of its own:
 *
 * - one-way commands/s through `HonoCommandClient.sendOneWay` against the client library's producer
 *   writing the same records, both with 1,000 commands unacknowledged at a time;
 * - request/response round trips at 200 and 1,000 requests/s, started on a fixed schedule, with the Hono
 *   simulator answering at once from a process of its own;
 * - memory with 10,000 requests pending (nobody answers), and after they timed out.
 *
 * `BENCH_ONE_WAY_COMMANDS` sets the number of one-way commands per run (default 50,000).
 */
import { commandResponseTopic, commandTopic, eventTopic } from '../../src/tenant.js';
import { runWorker, round } from '../lib/child.js';
import { table, verdict } from '../lib/table.js';
import { createTopic } from '../lib/workload.js';
import type { OneWayResult, OneWayRun, OneWayWriter } from '../workers/commands-one-way.js';
import type { PendingResult, PendingRun } from '../workers/commands-pending.js';
import type { RequestResult, RequestRun } from '../workers/commands-request.js';
import type { SimulatorResult, SimulatorRun } from '../workers/commands-simulator.js';
import type { SectionContext } from './context.js';

const partitions = 6;
const devices = 100;
const oneWayCommands = Number(process.env['BENCH_ONE_WAY_COMMANDS'] ?? 50_000);
const window = 1_000;
/** Each round runs every writer once; the second round in the reverse order. */
const oneWayRounds = 2;
const rates = [200, 1_000];
const rateSeconds = 10;
const warmup = 200;
const pending = 10_000;
const pendingTimeoutMs = 5_000;
const pendingRounds = 2;

const writerLabels: Record<OneWayWriter, string> = {
  raw: 'raw `Producer`, delivery reports counted',
  adapter: 'SDK producer adapter, a promise per record',
  sdk: '`HonoCommandClient.sendOneWay`',
};

async function createTopics(brokers: string, topics: readonly string[]): Promise<void> {
  for (const topic of topics) await createTopic(brokers, topic, partitions);
}

async function measureOneWay(context: SectionContext): Promise<Record<string, unknown>> {
  const { brokers, log } = context;
  const tenant = `bench-cmd-ow-${context.suffix}`;
  await createTopics(brokers, [commandTopic(tenant)]);
  const order: OneWayWriter[] = ['raw', 'adapter', 'sdk'];
  const runs: (OneWayResult & { round: number })[] = [];
  for (let round = 1; round <= oneWayRounds; round++) {
    for (const writer of round % 2 === 1 ? order : [...order].reverse()) {
      log(`commands: ${String(oneWayCommands)} one-way commands, ${writerLabels[writer]}`);
      const run: OneWayRun = { writer, brokers, tenant, count: oneWayCommands, window, devices };
      const result = await runWorker<OneWayResult>('commands-one-way', run, { timeoutMs: 120_000 });
      log(`  ${String(result.commandsPerSecond)} commands/s`);
      runs.push({ ...result, round });
    }
  }
  const best = (writer: OneWayWriter): number =>
    Math.max(...runs.filter((run) => run.writer === writer).map((run) => run.commandsPerSecond));
  const ceiling = best('raw');
  console.log(
    `\nOne-way commands: ${String(oneWayCommands)} per run to ${String(partitions)} partitions, ${String(window)} unacknowledged at a time, acks from all replicas, idempotent; ${String(oneWayRounds)} rounds, the second in reverse order`,
  );
  console.log(
    table(
      ['writer', 'round', 'commands/s', 'x raw (best)', 'seconds', 'failed', 'CPU s', 'peak RSS MB'],
      runs.map((run) => [
        writerLabels[run.writer],
        run.round,
        run.commandsPerSecond,
        round(run.commandsPerSecond / ceiling, 2),
        run.seconds,
        run.failed,
        run.cpuSeconds,
        run.peakRssMb,
      ]),
    ),
  );
  const ratio = round(best('sdk') / ceiling, 2);
  const met = ratio >= 0.9 && runs.every((run) => run.failed === 0);
  console.log(`target: sendOneWay >= 0.9x the raw producer (best runs): ${verdict(met)} (${String(ratio)})`);
  return { commands: oneWayCommands, window, partitions, results: runs, sdkToRaw: ratio, met };
}

async function measureRequests(context: SectionContext): Promise<Record<string, unknown>> {
  const { brokers, log } = context;
  const tenant = `bench-cmd-rr-${context.suffix}`;
  await createTopics(brokers, [commandTopic(tenant), commandResponseTopic(tenant), eventTopic(tenant)]);
  const requests = 1 + warmup + rates.reduce((sum, rate) => sum + rate * rateSeconds, 0);
  const simulatorRun: SimulatorRun = {
    brokers,
    tenant,
    devices,
    expected: requests,
    idleMs: 5_000,
    maxSeconds: 120,
  };
  const requestRun: RequestRun = { brokers, tenant, devices, rates, seconds: rateSeconds, warmup };
  log(
    `commands: request/response at ${rates.join(' and ')} requests/s, the simulator in a process of its own`,
  );
  let requesting: Promise<RequestResult> | undefined;
  const simulator = await runWorker<SimulatorResult>('commands-simulator', simulatorRun, {
    timeoutMs: 150_000,
    onLine: (line) => {
      if (line !== 'ready') return;
      requesting = runWorker<RequestResult>('commands-request', requestRun, { timeoutMs: 120_000 });
      // Awaited below; until then a failure must not count as unhandled.
      requesting.catch(() => undefined);
    },
  });
  if (requesting === undefined) throw new Error('the simulator never got ready');
  const { results, cpuSeconds, peakRssMb } = await requesting;
  log(
    `  simulator handled ${String(simulator.handled)} commands, answered ${String(simulator.answered)}; CPU ${String(simulator.cpuSeconds)} s`,
  );
  console.log(
    `\nRequest/response round trips, ms: requests started on a fixed schedule for ${String(rateSeconds)} s per rate over ${String(devices)} devices, the simulator (own process) answering each at once with 200; ${String(partitions)} partitions each way`,
  );
  console.log(
    table(
      [
        'requests/s',
        'requests',
        'status 200',
        'p50',
        'p90',
        'p99',
        'max',
        'p99 from schedule',
        'loop delay p99',
      ],
      results.map((row) => [
        row.rate,
        row.requests,
        row.ok,
        row.p50,
        row.p90,
        row.p99,
        row.max,
        row.p99FromSchedule,
        row.eventLoopDelayP99,
      ]),
    ),
  );
  for (const row of results) {
    if (Object.keys(row.failures).length > 0)
      console.log(`  at ${String(row.rate)}/s not answered with 200: ${JSON.stringify(row.failures)}`);
  }
  const fastest = results.find((row) => row.rate === 1_000);
  const met = fastest !== undefined && fastest.p99 < 50 && fastest.ok === fastest.requests;
  console.log(
    `target: p99 round trip under 50 ms at 1,000 requests/s: ${verdict(met)} (${String(fastest?.p99)} ms)`,
  );
  return {
    seconds: rateSeconds,
    devices,
    partitions,
    results,
    client: { cpuSeconds, peakRssMb },
    simulator,
    met,
  };
}

async function measurePending(context: SectionContext): Promise<Record<string, unknown>> {
  const { brokers, log } = context;
  const tenant = `bench-cmd-pending-${context.suffix}`;
  await createTopics(brokers, [commandTopic(tenant), commandResponseTopic(tenant)]);
  log(`commands: ${String(pending)} pending requests, ${String(pendingRounds)} rounds`);
  const run: PendingRun = {
    brokers,
    tenant,
    pending,
    timeoutMs: pendingTimeoutMs,
    sampleAfterMs: 3_000,
    rounds: pendingRounds,
  };
  const result = await runWorker<PendingResult>('commands-pending', run, { timeoutMs: 120_000 });
  console.log(
    `\nMemory with ${String(pending)} requests pending: nobody answers, each times out after ${String(pendingTimeoutMs)} ms; heap used and RSS after a full garbage collection, MB`,
  );
  console.log(
    table(
      [
        'round',
        'heap before',
        'pending',
        'after',
        'RSS before',
        'pending',
        'after',
        'pending seen',
        'outcomes',
      ],
      result.rounds.map((row, index) => [
        index + 1,
        row.before.heapMb,
        row.pending.heapMb,
        row.after.heapMb,
        row.before.rssMb,
        row.pending.rssMb,
        row.after.rssMb,
        row.pendingRequests,
        JSON.stringify(row.outcomes),
      ]),
    ),
  );
  const first = result.rounds[0];
  const perRequestBytes =
    first === undefined
      ? Number.NaN
      : Math.round(((first.pending.heapMb - first.before.heapMb) * 2 ** 20) / pending);
  const leftMb = Math.max(...result.rounds.map((row) => round(row.after.heapMb - row.before.heapMb, 1)));
  const met =
    leftMb < 2 &&
    result.rounds.every(
      (row) => row.pendingRequests === pending && row.outcomes['ERR_HONO_COMMAND_TIMEOUT'] === pending,
    );
  console.log(`  about ${String(perRequestBytes)} bytes of heap per pending request`);
  console.log(
    `target: heap back within 2 MB of before once ${String(pending)} pending requests timed out: ${verdict(met)} (${String(leftMb)} MB at most)`,
  );
  return { pending, timeoutMs: pendingTimeoutMs, ...result, perRequestBytes, leftMb, met };
}

/** Runs the three command measurements, prints their tables and returns the figures. */
export async function runCommands(context: SectionContext): Promise<unknown> {
  const oneWay = await measureOneWay(context);
  const requests = await measureRequests(context);
  const memory = await measurePending(context);
  return {
    oneWay,
    requests,
    memory,
    targets: {
      oneWayAtLeast09xRaw: oneWay['met'],
      p99RoundTripUnder50msAt1000: requests['met'],
      pendingMemoryFlat: memory['met'],
    },
  };
}
