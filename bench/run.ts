/**
 * `npm run bench`: every benchmark in one run, against one broker, printing tables and writing the
 * figures to `bench/results/<time>.json`.
 *
 * Options: `--events <n>` (throughput events, default 1,000,000; records per topic of the telemetry and
 * observability sections, default 300,000),
 * `--only throughput,concurrency,latency,memory,commands,telemetry,observability`, `--rounds <n>` (the
 * interleaved rounds of the throughput section, every contender once per round, and of the observability
 * section, its three settings once per round; the sections report the median and range of each ratio
 * over the rounds; default 3), `--no-save` (print only; CI runs the throughput section this way with 20,000
 * events, three rounds of seven runs in about 30 s, so that the benchmarks keep working).
 * `KAFKA_BOOTSTRAP_SERVERS` uses an existing broker instead of starting one.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { benchBroker } from './lib/broker.js';
import { randomSuffix } from '../test/integration/clients.js';
import { runThroughput } from './sections/throughput.js';
import { runConcurrency } from './sections/concurrency.js';
import { runLatency } from './sections/latency.js';
import { runMemory } from './sections/memory.js';
import { runCommands } from './sections/commands.js';
import { runTelemetry } from './sections/telemetry.js';
import { runObservability } from './sections/observability.js';

const sections = [
  'throughput',
  'concurrency',
  'latency',
  'memory',
  'commands',
  'telemetry',
  'observability',
] as const;
const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    only: { type: 'string', default: sections.join(',') },
    rounds: { type: 'string', default: '3' },
    'no-save': { type: 'boolean', default: false },
  },
});
const events = Number(values.events ?? '1000000');
/**
 * The records per topic of the telemetry section (two topics, 11 runs) and of the observability section:
 * `--events` when given, else 300,000.
 */
const telemetryEvents = Number(values.events ?? '300000');
/** The rounds of the throughput and observability sections: every contender or setting once per round. */
const rounds = Number(values.rounds);
const only = new Set(values.only.split(','));
const unknown = [...only].filter((name) => !(sections as readonly string[]).includes(name));
if (
  !Number.isSafeInteger(events) ||
  events < 1 ||
  !Number.isSafeInteger(rounds) ||
  rounds < 1 ||
  unknown.length > 0
) {
  console.error(
    `usage: npm run bench -- [--events <n>] [--only ${sections.join(',')}] [--rounds <n>] [--no-save]` +
      (unknown.length > 0 ? `\nunknown section(s): ${unknown.join(', ')}` : ''),
  );
  process.exit(2);
}
const startedAt = new Date();
const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

// The consumers under test load the SDK as users get it: the compiled package in dist/.
log('building dist/');
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
const broker = await benchBroker(log);
const results: Record<string, unknown> = {};
try {
  const context = { brokers: broker.bootstrapServers, suffix: randomSuffix(), log };
  const throughput = only.has('throughput') ? await runThroughput({ ...context, events, rounds }) : undefined;
  results['throughput'] = throughput;
  if (throughput !== undefined && throughput.failed.length > 0) {
    log(`failed: ${throughput.failed.join(', ')}`);
    process.exitCode = 1;
  }
  if (only.has('concurrency')) results['concurrency'] = await runConcurrency(context);
  if (only.has('latency')) results['latency'] = await runLatency(context);
  // The memory runs read the throughput topic's backlog when there is one (1M events by default).
  const backlog = throughput !== undefined && events >= 1_000_000 ? throughput.tenant : undefined;
  if (only.has('memory')) results['memory'] = await runMemory({ ...context, tenant: backlog });
  if (only.has('commands')) results['commands'] = await runCommands(context);
  if (only.has('telemetry')) {
    const telemetry = await runTelemetry({ ...context, events: telemetryEvents });
    results['telemetry'] = telemetry;
    if (telemetry.failed.length > 0) {
      log(`failed: ${telemetry.failed.join(', ')}`);
      process.exitCode = 1;
    }
  }
  if (only.has('observability')) {
    const observability = await runObservability({ ...context, events: telemetryEvents, rounds });
    results['observability'] = observability;
    if (observability.failed.length > 0) {
      log(`failed: ${observability.failed.join(', ')}`);
      process.exitCode = 1;
    }
  }
} finally {
  await broker.stop();
}

const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const file = `bench/results/${startedAt.toISOString().replaceAll(':', '-').slice(0, 19)}.json`;
if (values['no-save']) process.exit();
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  file,
  `${JSON.stringify(
    {
      at: startedAt.toISOString(),
      commit,
      node: process.version,
      kafka: broker.version,
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
      },
      ...results,
    },
    null,
    2,
  )}\n`,
);
log(`figures written to ${file}`);
