/**
 * Section 7 (`--only observability`): what tracing and metrics cost. The SDK in `device` mode with the
 * no-op handler of section 1 reads a topic of the Hono mix whose every record carries a `traceparent`
 * (as Hono writes it when its tracing is on) in four settings: `telemetry: false` (off); the default
 * options with `@opentelemetry/api` installed and no OpenTelemetry SDK registered (api only); an SDK
 * registered that records every span and metric and exports them nowhere (SDK); and that SDK registered
 * with `telemetry: false` (what registering it costs by itself, e.g. its context manager's hooks). Each
 * run is a process of its own in a new group; the four run in turns, in a rotating order, for `rounds`
 * rounds, and the section reports medians. Then the OpenTelemetry SDK's own calls per record run alone
 * in a tight loop: the floor of any observer's cost.
 */
import { eventTopic } from '../../src/index.js';
import { TestAdmin } from '../../test/integration/clients.js';
import { runWorker, round } from '../lib/child.js';
import { median, order, ratioSpread, ratioToBaseline, spread } from '../lib/rounds.js';
import { table, verdict } from '../lib/table.js';
import { createTopic, produce, tracedHonoMixRecord } from '../lib/workload.js';
import type { Observability } from '../contenders/contender.js';
import type { OpenTelemetryFloor } from '../workers/otel-floor.js';
import type { ThroughputResult } from '../workers/throughput.js';
import type { SectionContext } from './context.js';

const partitions = 6;
const devices = 1000;
const settings: readonly Observability[] = ['off', 'api', 'sdk', 'sdk-off'];
const labels: Readonly<Record<Observability, string>> = {
  off: 'SDK, telemetry: false',
  api: 'SDK, api installed, no OpenTelemetry SDK',
  sdk: 'SDK, OpenTelemetry SDK registered, exporting nowhere',
  'sdk-off': 'SDK, OpenTelemetry SDK registered, telemetry: false',
};

/** One run's figures. */
type Run = ThroughputResult & { readonly setting: Observability; readonly round: number };

/** Produces the topic, runs the rounds, prints the tables and returns the figures. */
export async function runObservability(
  context: SectionContext & { readonly events: number; readonly rounds: number },
): Promise<{ readonly failed: readonly string[] } & Record<string, unknown>> {
  const { brokers, log, events, rounds, suffix } = context;
  const admin = new TestAdmin(brokers);
  const tenant = `bench-otel-${suffix}`;
  const topic = eventTopic(tenant);
  const failed: string[] = [];
  try {
    await createTopic(brokers, topic, partitions);
    await produce(
      brokers,
      events,
      (index) => tracedHonoMixRecord(tenant, index, devices),
      () => undefined,
    );
    log(`produced ${String(events)} Hono events with a traceparent each to ${topic}`);
    const runs: Run[] = [];
    for (let index = 0; index < rounds; index++) {
      // Rotating order, so that no setting always runs first (on a warmer or colder machine).
      for (const setting of order(settings, index)) {
        log(`observability, round ${String(index + 1)}: ${labels[setting]}`);
        try {
          const result = await runWorker<ThroughputResult>(
            'throughput',
            {
              contender: 'sdk-device',
              brokers,
              topic,
              tenant,
              groupId: `bench-otel-${setting}-${String(index)}-${suffix}`,
              expected: events,
              observability: setting,
            },
            { timeoutMs: 300_000 },
          );
          log(`  ${String(result.eventsPerSecond)} events/s, ${String(result.cpuSeconds)} CPU s`);
          runs.push({ ...result, setting, round: index + 1 });
        } catch (error) {
          log(`  failed: ${String(error)}`);
          failed.push(`${labels[setting]}, round ${String(index + 1)}`);
        }
      }
    }
    console.log(
      `\nObservability: ${String(events)} Hono events with a traceparent each (the mix of section 1), ${String(devices)} devices, ${String(partitions)} partitions, no-op handler, ordering device; ${String(rounds)} rounds`,
    );
    console.log(
      table(
        ['round', 'setting', 'events/s', 'x off', 'CPU s', 'CPU µs/event', 'peak RSS MB', 'spans'],
        runs.map((run) => [
          run.round,
          labels[run.setting],
          run.eventsPerSecond,
          round(ratioToBaseline(runs, run, isOff, rate), 2),
          run.cpuSeconds,
          round((run.cpuSeconds * 1e6) / run.events, 1),
          run.peakRssMb,
          run.recorded?.spans ?? '-',
        ]),
      ),
    );
    const summary = settings.map((setting) => {
      const mine = runs.filter((run) => run.setting === setting);
      const rates = spread(mine.map(rate));
      return {
        setting,
        runs: mine.length,
        eventsPerSecond: Math.round(rates.median),
        lowest: rates.lowest,
        highest: rates.highest,
        // Each round's ratio to that round's `off` run, then the median of those.
        ratio: round(ratioSpread(runs, mine, isOff, rate).median, 3),
        cpuMicrosecondsPerEvent: round(median(mine.map((run) => (run.cpuSeconds * 1e6) / run.events)), 1),
        peakRssMb: median(mine.map((run) => run.peakRssMb)),
      };
    });
    console.log(
      table(
        ['setting', 'events/s median', 'range', 'x off (median)', 'CPU µs/event', 'peak RSS MB'],
        summary.map((row) => [
          labels[row.setting],
          row.eventsPerSecond,
          `${String(row.lowest)} - ${String(row.highest)}`,
          row.ratio,
          row.cpuMicrosecondsPerEvent,
          row.peakRssMb,
        ]),
      ),
    );
    const recorded = runs.find((run) => run.recorded !== undefined)?.recorded;
    if (recorded !== undefined)
      console.log(
        `the OpenTelemetry SDK recorded ${String(recorded.spans)} spans and the metrics ${recorded.metrics.join(', ') || '(none)'}`,
      );
    const ratioOf = (setting: Observability): number =>
      summary.find((row) => row.setting === setting)?.ratio ?? Number.NaN;
    const cpuOf = (setting: Observability): number =>
      summary.find((row) => row.setting === setting)?.cpuMicrosecondsPerEvent ?? Number.NaN;
    const apiCpuRatio = round(cpuOf('api') / cpuOf('off'), 3);
    console.log(
      `registering the OpenTelemetry SDK alone (telemetry: false): ${String(ratioOf('sdk-off'))}x off, CPU ${String(cpuOf('sdk-off'))} µs/event`,
    );
    const targets = {
      sdkWithin10Percent: ratioOf('sdk') >= 0.9,
      // "0 %" as far as this machine can tell: the CPU time per event, which varies far less between runs
      // than the rate on a shared machine, within 3 % of off's.
      apiCostsNothing: apiCpuRatio <= 1.03,
      sdkRecorded: (recorded?.spans ?? 0) >= events,
    };
    console.log(
      `target: OpenTelemetry SDK >= 0.90x off: ${verdict(targets.sdkWithin10Percent)} (${String(ratioOf('sdk'))}; CPU ${String(cpuOf('sdk'))} against ${String(cpuOf('off'))} µs/event)`,
    );
    console.log(
      `target: api without an SDK costs nothing (CPU per event <= 1.03x off): ${verdict(targets.apiCostsNothing)} (${String(apiCpuRatio)}; rate ${String(ratioOf('api'))}x off)`,
    );
    console.log(
      `check: the SDK recorded a span per record: ${verdict(targets.sdkRecorded)} (${String(recorded?.spans ?? 0)} spans)`,
    );
    const floor = await openTelemetryFloor(log);
    if (floor !== undefined) {
      // The consumer's thread is the bottleneck of the no-op run: a record takes 1/rate of its time.
      const offMicroseconds =
        1e6 / (summary.find((row) => row.setting === 'off')?.eventsPerSecond ?? Number.NaN);
      const bound = round(offMicroseconds / (offMicroseconds + floor.totalMicroseconds), 2);
      console.log(
        `floor: the OpenTelemetry SDK's own calls per record in a tight loop (span with link ${String(floor.spanMicroseconds)}, histogram ${String(floor.histogramMicroseconds)}, context.with ${String(floor.contextMicroseconds)}; together ${String(floor.totalMicroseconds)} µs) against ${String(round(offMicroseconds, 1))} µs per record of the off run: no observer of a span and a measurement per record can exceed about ${String(bound)}x off here`,
      );
      return { failed, events, rounds, partitions, devices, runs, summary, targets, recorded, floor, bound };
    }
    return { failed, events, rounds, partitions, devices, runs, summary, targets, recorded };
  } finally {
    await admin.deleteTopic(topic);
    admin.disconnect();
  }
}

/** The OpenTelemetry SDK's own cost per record, measured in a process of its own; undefined if that failed. */
async function openTelemetryFloor(log: (line: string) => void): Promise<OpenTelemetryFloor | undefined> {
  log('observability: the OpenTelemetry SDK alone, in a tight loop');
  try {
    return await runWorker<OpenTelemetryFloor>('otel-floor', { seconds: 1.5 }, { timeoutMs: 60_000 });
  } catch (error) {
    log(`  failed: ${String(error)}`);
    return undefined;
  }
}

/** Whether a run is its round's baseline: telemetry off. */
function isOff(run: Run): boolean {
  return run.setting === 'off';
}

/** A run's rate in events per second. */
function rate(run: Run): number {
  return run.eventsPerSecond;
}
