/**
 * One consumer OS process of the `tenants-sigkill` scenario: a HonoEventConsumer of every tenant
 * (`tenant: '*'`), of events and telemetry, with `qos0: 'atMostOnce'`. Its handler does 0 to
 * `handlerMaxMs` of random async work, then appends `handled topic partition offset id qos pid time` to this process's
 * ledger and fsyncs it before it resolves; every confirmed commit is ledgered too. Records of tenants
 * outside the scenario (topics that other work left on the cluster) are read and not ledgered.
 *
 * Configured by `CHAOS_CONFIG` (JSON, see tenants-protocol.ts). SIGTERM, or the runner closing stdin,
 * stops the consumer (drain and commit) and exits 0. Prints lifecycle lines as JSON on stdout.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HonoEventConsumer, type HandlerContext, type HonoEvent } from '../src/index.js';
import { LedgerWriter } from './ledger-writer.js';
import type { LifecycleLine } from './protocol.js';
import { now } from './protocol.js';
import {
  formatTenantsEntry,
  type TenantsConsumerConfig,
  type TenantsPayload,
  tenantsRecordId,
} from './tenants-protocol.js';
import { labelledLogger, reportLifecycle, stopAndExitOnSignals } from './member.js';

const config = JSON.parse(process.env['CHAOS_CONFIG'] ?? '') as TenantsConsumerConfig;
const ledger = await LedgerWriter.open(join(config.ledgerDir, `${config.label}-${process.pid}.ledger`));

function say(line: LifecycleLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const consumer = new HonoEventConsumer({
  brokers: config.brokers,
  tenant: '*',
  endpoints: ['event', 'telemetry'],
  qos0: 'atMostOnce',
  groupId: config.groupId,
  concurrency: config.concurrency,
  commitIntervalMs: config.commitIntervalMs,
  maxUncommitted: config.maxUncommitted,
  kafka: config.kafka,
  logger: labelledLogger(config.label),
});

reportLifecycle(consumer, say);
consumer.on('committed', (offsets) => {
  const at = now();
  const lines = offsets
    .filter((o) => o.topic.includes(`.${config.tenantPrefix}`))
    .map((o) =>
      formatTenantsEntry({
        kind: 'commit',
        topic: o.topic,
        partition: o.partition,
        offset: o.offset,
        pid: process.pid,
        at,
      }),
    );
  if (lines.length > 0) void ledger.append(lines.join(''));
});

async function handleEvent(event: HonoEvent, context: HandlerContext): Promise<void> {
  if (!event.tenantId.startsWith(config.tenantPrefix)) return;
  if (event.type !== 'event') throw new Error(`unexpected ${event.type} record`);
  const payload = JSON.parse(event.payload.toString('utf8')) as TenantsPayload;
  await sleep(Math.random() * config.handlerMaxMs);
  const { topic, partition, offset } = context;
  await ledger.append(
    formatTenantsEntry({
      kind: 'handled',
      topic,
      partition,
      offset,
      id: tenantsRecordId(event.tenantId, payload.index),
      qos: event.qos,
      pid: process.pid,
      at: now(),
    }),
  );
}

stopAndExitOnSignals(config.label, consumer, say, ledger);

await consumer.run({
  event: handleEvent,
  // Records of other work's topics that do not decode: read and dropped (ours always decode).
  invalid: () => undefined,
});
