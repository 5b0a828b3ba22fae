/**
 * Section 1: throughput with a no-op handler over the Hono mix, each contender in a process of its own,
 * all reading the same pre-produced topic. Every contender runs once per round, in an order that rotates
 * from round to round, in a new group each time; each ratio is taken against the raw loop of the same
 * round, and the section reports the median and range of those ratios over the rounds.
 */
import { performance } from 'node:perf_hooks';
import { eventTopic } from '../../src/index.js';
import { runWorker, round } from '../lib/child.js';
import { formatSpread, order, ratioSpread, ratioToBaseline, spread, type Spread } from '../lib/rounds.js';
import { table, verdict } from '../lib/table.js';
import { createTopic, honoMixRecord, produce } from '../lib/workload.js';
import { type ContenderName, contenderLabels, contenderNames } from '../contenders/index.js';
import type { ThroughputResult } from '../workers/throughput.js';
import type { SectionContext } from './context.js';

const partitions = 6;
const devices = 1000;

/** What one run of one contender in one round measured. */
type Measured = ThroughputResult & {
  /** The round, counted from 1. */
  readonly round: number;
  /** CPU seconds of the whole process per million records handled. */
  readonly cpuSecondsPerMillion: number;
  /** CPU seconds of the main thread per million records handled (NaN where unknown). */
  readonly mainCpuSecondsPerMillion: number;
};

/** A run with its ratio to the raw loop of its round. */
type Run = Measured & {
  /** Events per second against the raw loop's in the same round; NaN when that run failed. */
  readonly ratio: number;
};

/** A contender's figures over the rounds. */
interface ContenderSummary {
  readonly contender: ContenderName;
  /** The rounds in which it ran to the end. */
  readonly runs: number;
  readonly eventsPerSecond: Spread;
  /** The per-round ratios of events per second to the raw loop's. */
  readonly ratioToRaw: Spread;
  readonly cpuSecondsPerMillion: Spread;
  /** The per-round ratios of CPU seconds per million records to the raw loop's. */
  readonly cpuRatioToRaw: Spread;
  /** The main thread's CPU seconds per million records: the consumer's own work, where it saturates. */
  readonly mainCpuSecondsPerMillion: Spread;
  readonly peakRssMb: Spread;
}

const isRaw = (run: Measured): boolean => run.contender === 'raw';
const rate = (run: Measured): number => run.eventsPerSecond;
const cpuPerMillion = (run: Measured): number => run.cpuSecondsPerMillion;

/**
 * Produces the topic once, runs every contender in each of `rounds` rounds, prints the tables and
 * returns every run with the summary.
 */
export async function runThroughput(
  context: SectionContext & { readonly events: number; readonly rounds: number },
): Promise<
  { readonly tenant: string; readonly events: number; readonly failed: readonly string[] } & Record<
    string,
    unknown
  >
> {
  const { brokers, log, events, rounds } = context;
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

  const measured: Measured[] = [];
  const failed: string[] = [];
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    const roundNumber = roundIndex + 1;
    for (const contender of order(contenderNames, roundIndex)) {
      log(`throughput, round ${String(roundNumber)} of ${String(rounds)}: ${contenderLabels[contender]}`);
      try {
        const result = await runWorker<ThroughputResult>(
          'throughput',
          {
            contender,
            brokers,
            topic,
            tenant,
            groupId: `bench-${contender}-round-${String(roundNumber)}-${context.suffix}`,
            expected: events,
          },
          { timeoutMs: 300_000 },
        );
        log(`  ${String(result.eventsPerSecond)} events/s, ${String(result.cpuSeconds)} CPU s`);
        measured.push({
          ...result,
          round: roundNumber,
          cpuSecondsPerMillion: (result.cpuSeconds * 1e6) / result.events,
          mainCpuSecondsPerMillion: ((result.mainThreadCpuSeconds ?? Number.NaN) * 1e6) / result.events,
        });
      } catch (error) {
        log(`  failed: ${String(error)}`);
        failed.push(`${contender}, round ${String(roundNumber)}`);
      }
    }
  }
  if (events < 100_000)
    log('a small run: start-up dominates, the ratios say little (the figures use 1,000,000)');
  const runs: Run[] = measured.map((run) => ({
    ...run,
    ratio: ratioToBaseline(measured, run, isRaw, rate),
  }));
  const summary: ContenderSummary[] = contenderNames.map((contender) => {
    const mine = runs.filter((run) => run.contender === contender);
    return {
      contender,
      runs: mine.length,
      eventsPerSecond: spread(mine.map(rate)),
      ratioToRaw: ratioSpread(runs, mine, isRaw, rate),
      cpuSecondsPerMillion: spread(mine.map(cpuPerMillion)),
      cpuRatioToRaw: ratioSpread(runs, mine, isRaw, cpuPerMillion),
      mainCpuSecondsPerMillion: spread(mine.map((run) => run.mainCpuSecondsPerMillion)),
      peakRssMb: spread(mine.map((run) => run.peakRssMb)),
    };
  });

  console.log(
    `\nThroughput: ${String(events)} Hono events (70 % JSON, 20 % empty notifications, 10 % connection events), ${String(devices)} devices, ${String(partitions)} partitions, no-op handler; ${String(rounds)} round(s), each contender once per round in a rotating order, x raw against the same round's raw loop`,
  );
  console.log(
    table(
      [
        'round',
        'consumer',
        'events/s',
        'x raw',
        'wall s',
        'CPU s',
        'CPU s/M records',
        'main thread CPU s/M',
        'peak RSS MB',
      ],
      runs.map((run) => [
        run.round,
        contenderLabels[run.contender],
        run.eventsPerSecond,
        Number.isNaN(run.ratio) ? '-' : round(run.ratio, 2),
        run.wallSeconds,
        run.cpuSeconds,
        round(run.cpuSecondsPerMillion, 1),
        Number.isNaN(run.mainCpuSecondsPerMillion) ? '-' : round(run.mainCpuSecondsPerMillion, 1),
        run.peakRssMb,
      ]),
    ),
  );
  console.log('\nMedians over the rounds (lowest - highest):');
  console.log(
    table(
      [
        'consumer',
        'runs',
        'events/s',
        'x raw',
        'CPU s/M records',
        'CPU x raw',
        'main thread CPU s/M',
        'peak RSS MB',
      ],
      summary.map((row) => [
        contenderLabels[row.contender],
        row.runs,
        formatSpread(row.eventsPerSecond, 0),
        formatSpread(row.ratioToRaw, 2),
        formatSpread(row.cpuSecondsPerMillion, 1),
        formatSpread(row.cpuRatioToRaw, 2),
        formatSpread(row.mainCpuSecondsPerMillion, 1),
        formatSpread(row.peakRssMb, 0),
      ]),
    ),
  );

  const of = (contender: ContenderName): ContenderSummary | undefined =>
    summary.find((row) => row.contender === contender);
  const device = of('sdk-device');
  const none = of('sdk-none');
  const kafkaJs = of('kafkajs');
  const deviceRatio = device?.ratioToRaw.median ?? Number.NaN;
  const deviceCpuRatio = device?.cpuRatioToRaw.median ?? Number.NaN;
  const deviceRate = device?.eventsPerSecond.median ?? Number.NaN;
  const noneRate = none?.eventsPerSecond.median ?? Number.NaN;
  const kafkaJsRate = kafkaJs?.eventsPerSecond.median ?? Number.NaN;
  // A comparison with NaN (a contender that failed in every round) is false: the target is missed.
  const targets = {
    deviceAtLeast090xRaw: deviceRatio >= 0.9,
    deviceAtLeast085xRaw: deviceRatio >= 0.85,
    deviceCpuPerMillionAtMost1_2xRaw: deviceCpuRatio <= 1.2,
    noneNoSlowerThanDevice: noneRate >= deviceRate,
    deviceBeatsKafkaJs: deviceRate > kafkaJsRate,
  };
  const ratioCell = device === undefined ? '-' : formatSpread(device.ratioToRaw, 3);
  console.log(
    `target (issue 16): SDK device >= 0.90x raw, median: ${verdict(targets.deviceAtLeast090xRaw)} (${ratioCell})`,
  );
  console.log(
    `target (issue 3): SDK device >= 0.85x raw, median: ${verdict(targets.deviceAtLeast085xRaw)} (${ratioCell})`,
  );
  console.log(
    `target (issue 16): SDK device CPU per million records <= 1.2x raw's, median: ${verdict(targets.deviceCpuPerMillionAtMost1_2xRaw)} (${device === undefined ? '-' : formatSpread(device.cpuRatioToRaw, 3)})`,
  );
  console.log(
    `target (issue 16): SDK none no slower than SDK device, median events/s: ${verdict(targets.noneNoSlowerThanDevice)} (${String(noneRate)} vs ${String(deviceRate)})`,
  );
  console.log(
    `target: SDK device beats KafkaJS, median events/s: ${verdict(targets.deviceBeatsKafkaJs)} (${String(deviceRate)} vs ${String(kafkaJsRate)})`,
  );
  return {
    tenant,
    failed,
    events,
    rounds,
    partitions,
    devices,
    bytesPerEvent: Math.round(bytes / events),
    produceSeconds: round(produceSeconds, 1),
    runs: runs.map((run) => ({
      ...run,
      ratio: Number.isNaN(run.ratio) ? null : round(run.ratio, 3),
      cpuSecondsPerMillion: round(run.cpuSecondsPerMillion, 2),
      mainCpuSecondsPerMillion: Number.isNaN(run.mainCpuSecondsPerMillion)
        ? null
        : round(run.mainCpuSecondsPerMillion, 2),
    })),
    summary: summary.map((row) => ({
      contender: row.contender,
      runs: row.runs,
      eventsPerSecond: rounded(row.eventsPerSecond, 0),
      ratioToRaw: rounded(row.ratioToRaw, 3),
      cpuSecondsPerMillion: rounded(row.cpuSecondsPerMillion, 2),
      cpuRatioToRaw: rounded(row.cpuRatioToRaw, 3),
      mainCpuSecondsPerMillion: rounded(row.mainCpuSecondsPerMillion, 2),
      peakRssMb: rounded(row.peakRssMb, 1),
    })),
    targets,
  };
}

/** A spread for the JSON file: each figure rounded, and `null` for NaN (which JSON cannot hold). */
function rounded(
  of: Spread,
  digits: number,
): { median: number | null; lowest: number | null; highest: number | null; count: number } {
  const figure = (value: number): number | null => (Number.isNaN(value) ? null : round(value, digits));
  return {
    median: figure(of.median),
    lowest: figure(of.lowest),
    highest: figure(of.highest),
    count: of.count,
  };
}
