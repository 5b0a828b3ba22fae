/**
 * `tenants-sigkill`: two consumer processes read every tenant (`tenant: '*'`), events and telemetry,
 * with `qos0: 'atMostOnce'`, while a producer writes events, qos-1 telemetry and qos-0 telemetry for
 * tenants whose topics are created during the run. Midway one consumer is SIGKILLed and a new process
 * starts a second later. The verdict is {@link judgeTenants}.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { encodeDataEvent } from '../src/index.js';
import type { KafkaCluster } from '../test/harness/kafka-cluster.js';
import { randomSuffix, TestAdmin, TestProducer, type TestRecord } from '../test/integration/clients.js';
import { type Member, spawnMember, started } from './fleet.js';
import { type TenantsConsumerConfig, tenantsRecordId, type TenantsPayload } from './tenants-protocol.js';
import { judgeTenants, type ProducedRecord } from './tenants-verdict.js';
import { createTopic } from './workload.js';

/** The sizes of one run. */
interface TenantsSize {
  readonly records: number;
  readonly productionMs: number;
}

/** A scenario of many tenants, run by {@link runTenantsScenario}. */
export interface TenantsScenario {
  readonly name: string;
  /** One line for the docs: what the scenario proves. */
  readonly proves: string;
  /** In the `--short` run. */
  readonly short: boolean;
  readonly full: TenantsSize;
  readonly ci: TenantsSize;
}

export const tenantsScenarios: readonly TenantsScenario[] = [
  {
    name: 'tenants-sigkill',
    proves:
      "a consumer of every tenant (tenant '*', events and telemetry, qos0 'atMostOnce') SIGKILLed while tenants are created loses no event and no qos-1 telemetry; qos-0 losses stay within maxUncommitted of the position committed at the kill; new tenants are read",
    short: true,
    full: { records: 20_000, productionMs: 40_000 },
    ci: { records: 8_000, productionMs: 16_000 },
  },
];

const script = fileURLToPath(new URL('./tenants-consumer-process.ts', import.meta.url));
const partitions = [0, 1, 2, 3, 4, 5];
/** Devices per tenant: device `d` writes to partition `d % 6` of its tenant's topics. */
const devices = 60;
/** Tenants: the first two exist before the consumers start, the others are created during the run. */
const tenantCount = 4;
/** When each later tenant's topics are created, as a share of the production time. */
const creationShares = [0.25, 0.65];
/** When the consumer is SIGKILLed, as a share of the production time. */
const killShare = 0.45;
const maxUncommitted = 200;
/**
 * Consumers at concurrency 4 with handlers of 0-40 ms take about 200 records/s each; the one to be
 * killed (c2) takes 0-150 ms, about 50/s. The producer writes 500/s, so c2's partitions build a backlog
 * and c2 holds fetched qos-0 records it has not handled when it dies: the qos-0 bound is put to the
 * test rather than met by an idle consumer.
 */
const concurrency = 4;
const handlerMaxMs = 40;
const victimHandlerMaxMs = 150;
/** The most seconds from a new tenant's topics to its first handled record (the SDK aims at 15 s). */
const discoveryLimitS = 30;
const deadlineMs = 180_000;

/**
 * What record `index` of a tenant is: every fourth round of the devices an event; otherwise telemetry,
 * at qos 0 from even devices (sensors that send at most once) and at qos 1 from odd ones. So partitions
 * 0, 2 and 4 of a telemetry topic hold only qos-0 records, and 1, 3 and 5 only qos-1 records.
 */
function recordOf(
  tenant: string,
  index: number,
): { record: TestRecord & { readonly partition: number }; kind: ProducedRecord['kind'] } {
  const device = index % devices;
  const round = Math.floor(index / devices);
  const kind: ProducedRecord['kind'] = round % 4 === 0 ? 'event' : device % 2 === 0 ? 'qos0' : 'qos1';
  const payload: TenantsPayload = { index };
  const record = encodeDataEvent({
    tenantId: tenant,
    deviceId: `device-${String(device)}`,
    endpoint: kind === 'event' ? 'event' : 'telemetry',
    qos: kind === 'qos0' ? 0 : 1,
    contentType: 'application/json',
    payload: JSON.stringify(payload),
  });
  return { record: { ...record, partition: device % partitions.length }, kind };
}

/**
 * Runs the scenario against the cluster.
 *
 * @returns the notes for the scenario's line and the problems that fail it
 */
export async function runTenantsScenario(
  cluster: KafkaCluster,
  root: string,
  scenario: TenantsScenario,
  short: boolean,
  log: (line: string) => void,
): Promise<{ notes: string[]; problems: string[] }> {
  const size = short ? scenario.ci : scenario.full;
  const began = Date.now();
  const dir = join(root, scenario.name);
  await mkdir(dir);
  const brokers = cluster.bootstrapServers;
  const prefix = `chaos-tn-${randomSuffix()}-`;
  const tenants = Array.from({ length: tenantCount }, (_, index) => `${prefix}t${String(index)}`);
  const topicsOf = (tenant: string): string[] => [`hono.event.${tenant}`, `hono.telemetry.${tenant}`];
  const groupId = `chaos-${scenario.name}-${randomSuffix()}`;
  const admin = new TestAdmin(brokers);
  const created: string[] = [];
  const members: Member[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  let next = 1;
  const startMember = async (workMs = handlerMaxMs): Promise<Member> => {
    const label = `c${String(next++)}`;
    const config: TenantsConsumerConfig = {
      brokers,
      groupId,
      tenantPrefix: prefix,
      ledgerDir: dir,
      label,
      concurrency,
      handlerMaxMs: workMs,
      commitIntervalMs: 1000,
      maxUncommitted,
      kafka: { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 1000 },
    };
    const member = spawnMember(script, label, config, dir);
    members.push(member);
    await started(member);
    return member;
  };
  const createTenant = async (tenant: string): Promise<void> => {
    for (const topic of topicsOf(tenant)) {
      await createTopic(brokers, topic);
      created.push(topic);
    }
  };
  try {
    for (const tenant of tenants.slice(0, tenantCount - creationShares.length)) await createTenant(tenant);
    await startMember();
    await startMember(victimHandlerMaxMs);
    log(
      `2 consumers of tenant '*' (events and telemetry, qos0 atMostOnce, maxUncommitted ${String(maxUncommitted)})`,
    );

    // The producer: batches spread over productionMs, round-robin over the tenants that exist so far.
    const produced: ProducedRecord[] = [];
    const createdAt = new Map<string, number>();
    const nextOffset = new Map<string, number>();
    const nextIndex = new Map<string, number>();
    const producer = new TestProducer(brokers, { 'linger.ms': 5 });
    await producer.connect();
    const production = (async () => {
      try {
        const batch = 100;
        const batches = Math.ceil(size.records / batch);
        let active = tenantCount - creationShares.length;
        for (let start = 0; start < size.records; start += batch) {
          const share = start / size.records;
          while (
            active < tenantCount &&
            share >= (creationShares[active - (tenantCount - creationShares.length)] ?? 1)
          ) {
            const tenant = tenants[active] ?? '';
            await createTenant(tenant);
            createdAt.set(tenant, Date.now());
            log(`created the topics of ${tenant}`);
            active += 1;
          }
          const began_ = Date.now();
          const records: TestRecord[] = [];
          for (let n = start; n < Math.min(size.records, start + batch); n++) {
            const tenant = tenants[n % active] ?? '';
            const index = nextIndex.get(tenant) ?? 0;
            nextIndex.set(tenant, index + 1);
            const { record, kind } = recordOf(tenant, index);
            const at = `${record.topic}/${String(record.partition)}`;
            const offset = nextOffset.get(at) ?? 0;
            nextOffset.set(at, offset + 1);
            produced.push({
              id: tenantsRecordId(tenant, index),
              tenant,
              topic: record.topic,
              partition: record.partition,
              offset,
              kind,
            });
            records.push(record);
          }
          await producer.send(records);
          await sleep(Math.max(0, size.productionMs / batches - (Date.now() - began_)));
        }
      } finally {
        await producer.disconnect();
      }
    })();

    // The fault: SIGKILL c2 midway, read the group's positions, start c3 a second later.
    await sleep(size.productionMs * killShare);
    const victim = members[1];
    if (victim === undefined) throw new Error('no consumer to kill');
    log(`SIGKILL ${victim.label} (pid ${String(victim.pid)})`);
    await victim.kill();
    const committedAtKill = new Map<string, number>();
    for (const topic of [...created]) {
      for (const [partition, offset] of await admin.committedOffsets(groupId, topic, partitions))
        committedAtKill.set(`${topic}/${String(partition)}`, offset);
    }
    await sleep(1000);
    const replacement = await startMember();
    log(`restarted as ${replacement.label} (pid ${String(replacement.pid)})`);
    await production;

    // Done when every event and qos-1 record is ledgered and the group committed the end of every topic.
    const producedPerTopic = new Map<string, number>();
    for (const record of produced)
      producedPerTopic.set(record.topic, (producedPerTopic.get(record.topic) ?? 0) + 1);
    const deadline = began + deadlineMs;
    for (;;) {
      let behind = 0;
      for (const [topic, count] of producedPerTopic) {
        const offsets = await admin.committedOffsets(groupId, topic, partitions);
        const sum = [...offsets.values()].reduce((total, offset) => total + Math.max(0, offset), 0);
        behind += count - sum;
      }
      if (behind === 0) break;
      if (Date.now() > deadline)
        throw new Error(`deadline: the group's commits are ${String(behind)} records short of the end`);
      await sleep(500);
    }
    for (const member of members.filter((m) => m.running)) {
      const code = await member.terminate();
      if (code !== 0) problems.push(`${member.label} exited with ${String(code)} after SIGTERM`);
    }
    const verdict = await judgeTenants({
      dir,
      produced,
      killedPid: victim.pid,
      committedAtKill,
      maxUncommitted,
      createdAt,
      discoveryLimitS,
    });
    notes.push(...verdict.notes);
    problems.push(...verdict.problems);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    await Promise.all(members.filter((m) => m.running).map((m) => m.kill()));
    for (const topic of created) await admin.deleteTopic(topic).catch(() => undefined);
    admin.disconnect();
  }
  const errors = members.flatMap((m) => m.errors.map((e) => `${m.label}: ${e.slice(0, 160)}`));
  notes.push(
    `errors ${String(errors.length)}${errors.length > 0 ? `: ${[...new Set(errors)].slice(0, 3).join('; ')}` : ''}`,
  );
  if (problems.length > 0) notes.push(`ledgers and logs: ${dir}`);
  return { notes, problems };
}
