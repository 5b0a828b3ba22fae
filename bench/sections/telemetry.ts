/**
 * Section 6 (`--only telemetry`): telemetry throughput at qos 1 and qos 0 (the latter with the default
 * `qos0` and with `qos0: 'atMostOnce'`) against the raw loop on the same topic, then a subscription of
 * 50 tenants (`tenant: '*'`, and the same tenants named) against one tenant at the same total volume.
 * Every run is a process of its own in a new group, as in section 1.
 */
import { telemetryTopic } from '../../src/index.js';
import { TestAdmin } from '../../test/integration/clients.js';
import { runWorker, round } from '../lib/child.js';
import { table, verdict } from '../lib/table.js';
import { createTopic, listTopics, produce, telemetryRecord } from '../lib/workload.js';
import type { Subscription } from '../contenders/contender.js';
import type { ContenderName } from '../contenders/index.js';
import type { ThroughputResult } from '../workers/throughput.js';
import type { SectionContext } from './context.js';

const partitions = 6;
const devices = 1000;
const tenantCount = 50;
/** Partitions of each of the 50 tenant topics. */
const tenantPartitions = 2;

/** One row of the section: a contender on a topic set. */
interface Run {
  readonly label: string;
  readonly contender: ContenderName;
  /** The row whose rate this one is compared with (its raw loop), by label. */
  readonly against?: string;
  readonly topic: string;
  readonly tenant: string;
  readonly subscription?: Subscription;
}

/** A row's figures. */
type Row = Run & ThroughputResult & { readonly ratio: number };

/** Produces the topics, runs every row, prints the tables and returns the figures. */
export async function runTelemetry(
  context: SectionContext & { readonly events: number },
): Promise<{ readonly failed: readonly string[] } & Record<string, unknown>> {
  const { brokers, log, events, suffix } = context;
  const admin = new TestAdmin(brokers);
  const created: string[] = [];
  const failed: string[] = [];
  try {
    // Telemetry at qos 1 and at qos 0, one topic each.
    const qos1Tenant = `bench-q1-${suffix}`;
    const qos0Tenant = `bench-q0-${suffix}`;
    for (const [tenant, qos] of [
      [qos1Tenant, 1],
      [qos0Tenant, 0],
    ] as const) {
      const topic = telemetryTopic(tenant);
      await createTopic(brokers, topic, partitions);
      created.push(topic);
      await produce(
        brokers,
        events,
        (index) => telemetryRecord(tenant, index, devices, qos),
        () => undefined,
      );
      log(`produced ${String(events)} telemetry records at qos ${String(qos)} to ${topic}`);
    }
    const single = (tenant: string): Subscription => ({
      endpoint: 'telemetry',
      tenants: [tenant],
      countedTopicPrefix: telemetryTopic(tenant),
    });
    const qosRuns: Run[] = [
      { label: 'raw loop, qos 1', contender: 'raw', topic: telemetryTopic(qos1Tenant), tenant: qos1Tenant },
      {
        label: 'KafkaJS 2.2, qos 1',
        contender: 'kafkajs',
        against: 'raw loop, qos 1',
        topic: telemetryTopic(qos1Tenant),
        tenant: qos1Tenant,
      },
      {
        label: 'SDK device, qos 1',
        contender: 'sdk-device',
        against: 'raw loop, qos 1',
        topic: telemetryTopic(qos1Tenant),
        tenant: qos1Tenant,
        subscription: single(qos1Tenant),
      },
      { label: 'raw loop, qos 0', contender: 'raw', topic: telemetryTopic(qos0Tenant), tenant: qos0Tenant },
      {
        label: 'SDK device, qos 0, qos0 default (atLeastOnce)',
        contender: 'sdk-device',
        against: 'raw loop, qos 0',
        topic: telemetryTopic(qos0Tenant),
        tenant: qos0Tenant,
        subscription: single(qos0Tenant),
      },
      {
        label: "SDK device, qos 0, qos0 'atMostOnce'",
        contender: 'sdk-device',
        against: 'raw loop, qos 0',
        topic: telemetryTopic(qos0Tenant),
        tenant: qos0Tenant,
        subscription: { ...single(qos0Tenant), qos0: 'atMostOnce' },
      },
    ];
    const qosRows = await measure(context, qosRuns, events, failed);
    console.log(
      `\nTelemetry: ${String(events)} JSON records (about 200 bytes) per topic, ${String(devices)} devices, ${String(partitions)} partitions, no-op handler`,
    );
    printRows(qosRows);
    const qosTargets = {
      qos1AtLeast085xRaw: ratioOf(qosRows, 'SDK device, qos 1') >= 0.85,
      qos0DefaultAtLeast085xRaw: ratioOf(qosRows, 'SDK device, qos 0, qos0 default (atLeastOnce)') >= 0.85,
      qos0AtMostOnceAtLeast085xRaw: ratioOf(qosRows, "SDK device, qos 0, qos0 'atMostOnce'") >= 0.85,
      qos1BeatsKafkaJs: rateOf(qosRows, 'SDK device, qos 1') > rateOf(qosRows, 'KafkaJS 2.2, qos 1'),
    };
    for (const [name, met] of Object.entries(qosTargets)) console.log(`target: ${name}: ${verdict(met)}`);

    // The '*' pattern would match the two topics above: they go before the tenants are produced.
    for (const topic of created.splice(0)) await admin.deleteTopic(topic);

    // 50 tenants against one, the same records in all.
    const prefix = `bench-t${suffix}-`;
    const tenants = Array.from(
      { length: tenantCount },
      (_, index) => `${prefix}${String(index).padStart(2, '0')}`,
    );
    for (const tenant of tenants) {
      await createTopic(brokers, telemetryTopic(tenant), tenantPartitions);
      created.push(telemetryTopic(tenant));
    }
    const oneTenant = `bench-one-${suffix}`;
    await createTopic(brokers, telemetryTopic(oneTenant), partitions);
    created.push(telemetryTopic(oneTenant));
    await produce(
      brokers,
      events,
      (index) => telemetryRecord(oneTenant, index, devices, 1),
      () => undefined,
    );
    // Record i goes to tenant i % 50, with the devices spread over the tenants (20 each).
    await produce(
      brokers,
      events,
      (index) => telemetryRecord(tenants[index % tenantCount] ?? prefix, index, devices, 1),
      () => undefined,
    );
    log(
      `produced ${String(events)} telemetry records at qos 1 to one tenant and as many over ${String(tenantCount)} tenants`,
    );
    const others = (await listTopics(brokers)).filter(
      (topic) => topic.startsWith('hono.telemetry.') && !created.includes(topic),
    );
    if (others.length > 0)
      log(
        `the pattern also matches ${String(others.length)} other topics (read, not counted): ${others.slice(0, 5).join(', ')}`,
      );
    const everyTenant: Subscription = {
      endpoint: 'telemetry',
      tenants: '*',
      countedTopicPrefix: telemetryTopic(prefix),
    };
    const named: Subscription = {
      endpoint: 'telemetry',
      tenants,
      countedTopicPrefix: telemetryTopic(prefix),
    };
    const tenantRuns: Run[] = [
      { label: 'raw loop, 1 tenant', contender: 'raw', topic: telemetryTopic(oneTenant), tenant: oneTenant },
      {
        label: 'SDK device, 1 tenant',
        contender: 'sdk-device',
        against: 'raw loop, 1 tenant',
        topic: telemetryTopic(oneTenant),
        tenant: oneTenant,
        subscription: single(oneTenant),
      },
      {
        label: 'raw loop, 50 tenants, pattern',
        contender: 'raw',
        topic: telemetryTopic(oneTenant),
        tenant: oneTenant,
        subscription: everyTenant,
      },
      {
        label: "SDK device, 50 tenants, tenant '*'",
        contender: 'sdk-device',
        against: 'raw loop, 50 tenants, pattern',
        topic: telemetryTopic(oneTenant),
        tenant: oneTenant,
        subscription: everyTenant,
      },
      {
        label: 'SDK device, 50 tenants named',
        contender: 'sdk-device',
        against: 'raw loop, 50 tenants, pattern',
        topic: telemetryTopic(oneTenant),
        tenant: oneTenant,
        subscription: named,
      },
    ];
    const tenantRows = await measure(context, tenantRuns, events, failed);
    console.log(
      `\nTenants: ${String(events)} telemetry records at qos 1 in one tenant (${String(partitions)} partitions) or over ${String(tenantCount)} tenants (${String(tenantPartitions)} partitions each), ${String(devices)} devices, no-op handler`,
    );
    printRows(tenantRows);
    const manyOverOne = round(
      rateOf(tenantRows, "SDK device, 50 tenants, tenant '*'") / rateOf(tenantRows, 'SDK device, 1 tenant'),
      2,
    );
    console.log(`SDK, 50 tenants by '*' / 1 tenant: ${String(manyOverOne)}`);
    return {
      failed,
      events,
      partitions,
      devices,
      tenants: tenantCount,
      tenantPartitions,
      qos: qosRows,
      qosTargets,
      tenantRows,
      manyOverOne,
      otherMatchingTopics: others.length,
    };
  } finally {
    for (const topic of created) await admin.deleteTopic(topic);
    admin.disconnect();
  }
}

/** Runs each row in a process of its own and computes its ratio to its raw loop. */
async function measure(
  context: SectionContext,
  runs: readonly Run[],
  expected: number,
  failed: string[],
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [index, run] of runs.entries()) {
    context.log(`telemetry: ${run.label}`);
    try {
      const result = await runWorker<ThroughputResult>(
        'throughput',
        {
          contender: run.contender,
          brokers: context.brokers,
          topic: run.topic,
          tenant: run.tenant,
          groupId: `bench-telemetry-${String(index)}-${run.contender}-${context.suffix}`,
          expected,
          subscription: run.subscription,
        },
        { timeoutMs: 300_000 },
      );
      context.log(`  ${String(result.eventsPerSecond)} events/s`);
      const ceiling = rows.find((row) => row.label === (run.against ?? run.label))?.eventsPerSecond;
      rows.push({
        ...run,
        ...result,
        ratio: round(result.eventsPerSecond / (ceiling ?? result.eventsPerSecond), 2),
      });
    } catch (error) {
      context.log(`  failed: ${String(error)}`);
      failed.push(run.label);
    }
  }
  return rows;
}

function printRows(rows: readonly Row[]): void {
  console.log(
    table(
      ['consumer', 'events/s', 'x raw', 'seconds', 'wall s', 'CPU s', 'peak RSS MB'],
      rows.map((row) => [
        row.label,
        row.eventsPerSecond,
        row.ratio,
        row.seconds,
        row.wallSeconds,
        row.cpuSeconds,
        row.peakRssMb,
      ]),
    ),
  );
}

function rateOf(rows: readonly Row[], label: string): number {
  return rows.find((row) => row.label === label)?.eventsPerSecond ?? Number.NaN;
}

function ratioOf(rows: readonly Row[], label: string): number {
  return rows.find((row) => row.label === label)?.ratio ?? Number.NaN;
}
