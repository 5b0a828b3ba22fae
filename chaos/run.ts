/**
 * `npm run chaos [-- --short] [-- --only name,name] [-- --keep]`: starts a 3-node Kafka cluster, runs each
 * fault-injection scenario against consumer OS processes with durable ledgers (the command scenarios
 * against a Hono simulator process and a command client process, see commands-scenario.ts; the tenants
 * scenario with consumers of every tenant, see tenants-scenario.ts), prints a
 * verdict table and `N passed, N failed`, and exits 1 if any scenario failed. Leaves no process behind.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { KafkaCluster } from '../test/harness/kafka-cluster.js';
import { randomSuffix, TestAdmin } from '../test/integration/clients.js';
import { type CommandScenario, commandScenarios, runCommandScenario } from './commands-scenario.js';
import { type Figures, outageThroughput, poisonIsolation } from './fault-figures.js';
import { Fleet, killAllConsumers } from './fleet.js';
import { type Scenario, scenarios } from './scenarios.js';
import { runTenantsScenario, type TenantsScenario, tenantsScenarios } from './tenants-scenario.js';
import { count, countHandled, type Counts } from './verdict.js';
import { buildWorkload, createTopic, produce } from './workload.js';

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    events: { type: 'string' },
  },
});
const short = args.short;
const events = Number(args.events ?? (short ? 3000 : 20_000));
const productionMs = short ? 6000 : 25_000;
const scenarioTimeoutMs = 240_000;
const partitions = [0, 1, 2, 3, 4, 5];
const chosen = (scenario: { readonly name: string; readonly short: boolean }): boolean =>
  args.only === undefined ? !short || scenario.short : args.only.split(',').includes(scenario.name);
const selected = [
  ...scenarios.filter(chosen),
  ...tenantsScenarios.filter(chosen),
  ...commandScenarios.filter(chosen),
];

const log = (line: string): void => {
  console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);
};

interface Row {
  readonly name: string;
  readonly counts: Counts | undefined;
  readonly seconds: number;
  readonly problems: string[];
  readonly notes: string[];
}

/** Rejects once `deadline` (ms since the epoch) has passed, so that no step can hold a scenario forever. */
async function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error('deadline: producing and injecting faults took too long'));
    }, deadline - Date.now());
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function runScenario(cluster: KafkaCluster, root: string, scenario: Scenario): Promise<Row> {
  const began = Date.now();
  const problems: string[] = [];
  const notes: string[] = [];
  const tenant = `chaos-${scenario.name}-${randomSuffix()}`;
  const topic = `hono.event.${tenant}`;
  const groupId = `chaos-${scenario.name}-${randomSuffix()}`;
  const dir = join(root, scenario.name);
  await mkdir(dir);
  const brokers = cluster.bootstrapServers;
  await createTopic(brokers, topic);
  const admin = new TestAdmin(brokers);
  const fleet = new Fleet({
    brokers,
    tenant,
    groupId,
    ledgerDir: dir,
    ordering: 'device',
    concurrency: 32,
    commitIntervalMs: 2000,
    failFirstRate: scenario.failFirstRate ?? 0,
    retryDelayMs: scenario.retryDelayMs ?? 50,
    kafka: { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 1000, ...scenario.kafka },
    ...scenario.consumer,
  });
  const marks: Record<string, number> = {};
  const workload = buildWorkload(tenant, events, scenario.malformedEvery, scenario.slow);
  const deadline = began + scenarioTimeoutMs;
  const progress = async (share: number): Promise<void> => {
    const target = Math.ceil(share * workload.ids.size);
    while ((await countHandled(dir, workload.ids)) < target) {
      if (Date.now() > deadline) throw new Error(`deadline: fewer than ${target} records handled`);
      await sleep(250);
    }
  };
  let counts: Counts | undefined;
  try {
    for (let index = 0; index < scenario.consumers; index++) await fleet.start();
    const act = scenario.act({
      cluster,
      fleet,
      progress,
      log: (line) => {
        log(`${scenario.name}: ${line}`);
      },
      short,
      marks,
    });
    await withDeadline(Promise.all([produce(brokers, workload.records, productionMs), act]), deadline);
    await progress(1);
    const codes = await fleet.terminateAll();
    if (codes.some((code) => code !== 0))
      problems.push(`a consumer exited with ${codes.join(',')} after SIGTERM`);
    counts = await count(dir, workload.ids, new Set(fleet.members.filter((m) => m.killed).map((m) => m.pid)));
    const figures = await faultFigures(scenario, dir, marks);
    notes.push(...figures.notes);
    problems.push(...figures.problems);
    const committed = await admin.committedOffsets(groupId, topic, partitions);
    const behind = partitions.filter((p) => committed.get(p) !== (counts?.endOffsets.get(p) ?? -1001));
    if (behind.length > 0) {
      problems.push(
        `final commit not at the end on partitions ${behind.map((p) => `${p}: ${committed.get(p)} vs ${counts?.endOffsets.get(p)}`).join(', ')}`,
      );
    }
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
    counts ??= await count(dir, workload.ids, new Set()).catch(() => undefined);
  } finally {
    await fleet.killAll();
    await admin.deleteTopic(topic);
    admin.disconnect();
  }
  const lostPartitions = fleet.members.reduce((sum, m) => sum + (m.counts.get('lost') ?? 0), 0);
  const revoked = fleet.members.reduce((sum, m) => sum + (m.counts.get('revoked') ?? 0), 0);
  const errors = fleet.members.flatMap((m) => m.errors.map((e) => `${m.label}: ${e}`));
  notes.push(`revoked ${revoked}, lost ${lostPartitions}, errors ${errors.length}`);
  if (errors.length > 0) notes.push(...new Set(errors.map((e) => e.slice(0, 160))));
  for (const member of fleet.members) {
    if (!member.killed && (await member.exited).code !== 0)
      problems.push(`${member.label} exited with ${(await member.exited).code}`);
  }
  if (counts !== undefined) {
    if (counts.lost > 0) problems.push(`lost ${counts.lost}, e.g. ${counts.lostExamples.join(' ')}`);
    if (scenario.duplicates === 'zero' && counts.duplicates > 0)
      problems.push(`${counts.duplicates} duplicates (must be 0)`);
    if (scenario.duplicates === 'bounded' && counts.duplicates > counts.duplicateBound) {
      problems.push(`${counts.duplicates} duplicates, more than the bound ${counts.duplicateBound}`);
    }
    if (scenario.duplicates === 'zeroUnlessLost' && lostPartitions === 0 && counts.duplicates > 0) {
      problems.push(`${counts.duplicates} duplicates without a lost partition (must be 0)`);
    }
    if (scenario.checkOrder && counts.orderViolations > 0)
      problems.push(`${counts.orderViolations} order violations`);
    if (scenario.checkOverlap === true) {
      notes.push(`overlapping calls ${counts.overlaps}`);
      if (counts.overlaps > 0) problems.push(`${counts.overlaps} calls overlapped a call of their device`);
    }
    if (scenario.skipped !== undefined) {
      notes.push(`skipped ${counts.skipped}`);
      if (counts.skipped !== scenario.skipped)
        problems.push(`skipped ${counts.skipped}, expected ${scenario.skipped}`);
    }
    if (scenario.late !== undefined) {
      notes.push(`calls past their timeout ${counts.late}`);
      if (counts.late < scenario.late) problems.push(`only ${counts.late} calls ran past their timeout`);
    }
  }
  if (scenario.noLostPartitions === true && lostPartitions > 0)
    problems.push(`${lostPartitions} lost-partition events`);
  if (problems.length > 0 || args.keep) notes.push(`ledgers and logs: ${dir}`);
  return { name: scenario.name, counts, seconds: (Date.now() - began) / 1000, problems, notes };
}

/** The scenario's extra figures (outage throughput, poison isolation), if it asks for them. */
async function faultFigures(
  scenario: Scenario,
  dir: string,
  marks: Record<string, number>,
): Promise<Figures> {
  if (scenario.figures === 'poisonIsolation') return poisonIsolation(dir);
  if (scenario.figures === 'outageThroughput') {
    const from = marks['outageFrom'];
    const until = marks['outageUntil'];
    if (from === undefined || until === undefined) return { notes: [], problems: ['no outage window'] };
    return outageThroughput(dir, { from, until }, scenario.consumer?.failingEvery ?? 10);
  }
  return { notes: [], problems: [] };
}

/** Runs a command scenario (see commands-scenario.ts) as a row of the table. */
async function runCommand(
  kafkaCluster: KafkaCluster,
  folder: string,
  scenario: CommandScenario,
): Promise<Row> {
  const began = Date.now();
  const { notes, problems } = await runCommandScenario(kafkaCluster, folder, scenario, short, (line) => {
    log(`${scenario.name}: ${line}`);
  });
  return { name: scenario.name, counts: undefined, seconds: (Date.now() - began) / 1000, problems, notes };
}

/** Runs a scenario of many tenants (see tenants-scenario.ts) as a row of the table. */
async function runTenants(
  kafkaCluster: KafkaCluster,
  folder: string,
  scenario: TenantsScenario,
): Promise<Row> {
  const began = Date.now();
  const { notes, problems } = await runTenantsScenario(kafkaCluster, folder, scenario, short, (line) => {
    log(`${scenario.name}: ${line}`);
  });
  return { name: scenario.name, counts: undefined, seconds: (Date.now() - began) / 1000, problems, notes };
}

function table(rows: readonly Row[]): string {
  const header = [
    'scenario',
    'produced',
    'handled',
    'lost',
    'dups',
    'dup bound',
    'order viol.',
    'time',
    'verdict',
  ];
  const lines = rows.map((row) => {
    const c = row.counts;
    const rule = scenarios.find((s) => s.name === row.name);
    if (rule === undefined) {
      // A command or tenants scenario: its figures are in its line, not in these columns.
      return [
        row.name,
        '-',
        '-',
        '-',
        '-',
        '-',
        '-',
        `${row.seconds.toFixed(0)} s`,
        row.problems.length === 0 ? 'PASS' : 'FAIL',
      ];
    }
    return [
      row.name,
      String(c?.produced ?? '-'),
      String(c?.handled ?? '-'),
      String(c?.lost ?? '-'),
      String(c?.duplicates ?? '-'),
      rule.duplicates === 'bounded'
        ? String(c?.duplicateBound ?? '-')
        : rule.duplicates === 'zero'
          ? '0'
          : '0 unless lost',
      rule.checkOrder ? String(c?.orderViolations ?? '-') : `${c?.orderViolations ?? '-'} (crash)`,
      `${row.seconds.toFixed(0)} s`,
      row.problems.length === 0 ? 'PASS' : 'FAIL',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join(
    '\n',
  );
}

let cluster: KafkaCluster | undefined;
let root: string | undefined;
let interrupted = false;
const onSignal = (signal: NodeJS.Signals): void => {
  if (interrupted) return;
  interrupted = true;
  log(`${signal}: killing consumers and brokers`);
  killAllConsumers();
  void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const rows: Row[] = [];
const began = Date.now();
try {
  root = await mkdtemp(join(tmpdir(), 'hono-chaos-'));
  log(
    `${selected.length} scenarios, ${events} events each over 1,000 devices (event scenarios); ledgers in ${root}`,
  );
  cluster = await KafkaCluster.start({ nodes: 3, heapMb: 256 });
  log(`3-node cluster up at ${cluster.bootstrapServers}`);
  for (const scenario of selected) {
    log(`${scenario.name}: start`);
    const row =
      'act' in scenario
        ? await runScenario(cluster, root, scenario)
        : tenantsScenarios.includes(scenario as TenantsScenario)
          ? await runTenants(cluster, root, scenario as TenantsScenario)
          : await runCommand(cluster, root, scenario as CommandScenario);
    rows.push(row);
    log(
      `${scenario.name}: ${row.problems.length === 0 ? 'PASS' : `FAIL: ${row.problems.join('; ')}`} (${row.notes.join('; ')})`,
    );
  }
} finally {
  killAllConsumers();
  await cluster?.stop();
}
const failed = rows.filter((row) => row.problems.length > 0);
console.log(`\n${table(rows)}\n`);
for (const row of failed) console.log(`${row.name}: ${row.problems.join('; ')}\n  ${row.notes.join('\n  ')}`);
console.log(
  `${rows.length - failed.length} passed, ${failed.length + selected.length - rows.length} failed (${((Date.now() - began) / 1000).toFixed(0)} s in all)`,
);
if (failed.length === 0 && !args.keep) await rm(root, { recursive: true, force: true });
process.exit(failed.length === 0 && rows.length === selected.length ? 0 : 1);
