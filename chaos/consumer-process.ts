/**
 * One consumer OS process of the chaos suite: runs a HonoEventConsumer whose handler does 0-20 ms of
 * random async work (or `slowMs` when the payload asks), then appends `partition offset device sequence
 * pid time` to this process's ledger and fsyncs it before it resolves. Optionally throws on a share of
 * records on their first attempt. Records that do not decode go to `invalid` and are ledgered too.
 *
 * Configured by `CHAOS_CONFIG` (JSON, see protocol.ts). SIGTERM, or the runner closing stdin, stops the
 * consumer (drain and commit) and exits 0. Prints lifecycle lines as JSON on stdout.
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { HonoEventConsumer, type HandlerContext, type HonoEvent, type KafkaRecord } from '../src/index.js';
import { Faults } from './faults.js';
import { LedgerWriter } from './ledger-writer.js';
import {
  type ChaosPayload,
  type ConsumerConfig,
  formatEntry,
  type LifecycleLine,
  type MarkEntry,
  now,
} from './protocol.js';
import { labelledLogger, reportLifecycle, stopAndExitOnSignals } from './member.js';

const config = JSON.parse(process.env['CHAOS_CONFIG'] ?? '') as ConsumerConfig;
const ledger = await LedgerWriter.open(join(config.ledgerDir, `${config.label}-${process.pid}.ledger`));
const faults = new Faults(config);
/** The poison record's identity by `partition/offset`, for its `skipped` event. */
const poisoned = new Map<string, { device: string; seq: number }>();

function say(line: LifecycleLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function record(context: HandlerContext, device: string, seq: number): Promise<void> {
  const { partition, offset } = context;
  await ledger.append(
    formatEntry({ kind: 'handled', partition, offset, device, seq, pid: process.pid, at: now() }),
  );
}

async function mark(
  kind: MarkEntry['mark'],
  at: { partition: number; offset: number },
  device: string,
  seq: number,
): Promise<void> {
  const { partition, offset } = at;
  await ledger.append(
    formatEntry({ kind: 'mark', mark: kind, partition, offset, device, seq, pid: process.pid, at: now() }),
  );
}

const consumer = new HonoEventConsumer({
  brokers: config.brokers,
  tenant: config.tenant,
  groupId: config.groupId,
  ordering: config.ordering,
  concurrency: config.concurrency,
  commitIntervalMs: config.commitIntervalMs,
  ...(config.onFailure === undefined ? {} : { onFailure: config.onFailure }),
  ...(config.handlerTimeoutMs === undefined ? {} : { handlerTimeoutMs: config.handlerTimeoutMs }),
  retry: {
    maxAttempts: config.maxAttempts ?? 5,
    initialDelayMs: config.retryDelayMs,
    maxDelayMs: Math.max(1000, config.retryDelayMs),
  },
  kafka: config.kafka,
  logger: labelledLogger(config.label),
});

reportLifecycle(consumer, say);
consumer.on('skipped', (info) => {
  const id = poisoned.get(`${info.partition}/${info.offset}`) ?? { device: 'unknown', seq: -1 };
  void mark('skip', info, id.device, id.seq);
});
consumer.on('committed', (offsets) => {
  const at = now();
  const lines = offsets.map((o) =>
    formatEntry({ kind: 'commit', partition: o.partition, offset: o.offset, pid: process.pid, at }),
  );
  void ledger.append(lines.join(''));
});

async function handleEvent(event: HonoEvent, context: HandlerContext): Promise<void> {
  if (event.type !== 'event') throw new Error(`unexpected ${event.type} record`);
  const payload = JSON.parse(event.payload.toString('utf8')) as ChaosPayload;
  const device = event.deviceId;
  const overlap = faults.enter(device);
  try {
    if (overlap) await mark('overlap', context, device, payload.seq);
    if (context.attempt === 1 && Math.random() < config.failFirstRate) {
      throw new Error(`chaos: first attempt of ${device}/${payload.seq} fails`);
    }
    const failure = faults.failure(device, payload.seq);
    if (failure !== undefined) {
      if (config.poison !== undefined)
        poisoned.set(`${context.partition}/${context.offset}`, { device, seq: payload.seq });
      throw new Error(failure);
    }
    const timed = config.handlerTimeoutMs !== undefined;
    // Taken at the start (the SDK makes a signal only for handlers that ask for one), then ignored by the
    // sleep: a slow call runs on past handlerTimeoutMs.
    const { signal } = context;
    await sleep((timed && context.attempt > 1 ? undefined : payload.slowMs) ?? Math.random() * 20);
    if (timed && signal.aborted) {
      // Timed out: the SDK counts the call as failed however it ends, so its result is not kept.
      await mark('late', context, device, payload.seq);
      throw new Error(`chaos: ${device}/${payload.seq} ran past its timeout`);
    }
    await record(context, device, payload.seq);
  } finally {
    faults.leave(device);
  }
}

async function handleInvalid(record_: KafkaRecord, context: HandlerContext): Promise<void> {
  // Malformed records carry their identity in the key: `malformed-<n>`.
  const key = typeof record_.key === 'string' ? record_.key : (record_.key?.toString('utf8') ?? 'null');
  const seq = Number(/^malformed-(\d+)$/.exec(key)?.[1] ?? -1);
  await sleep(Math.random() * 20);
  await record(context, key, seq);
}

stopAndExitOnSignals(config.label, consumer, say, ledger);
// Fault switches from the runner: `outage on`, `outage off`.
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'outage on') faults.outage = true;
  if (line === 'outage off') faults.outage = false;
});

await consumer.run({
  event: handleEvent,
  invalid: (_error, kafkaRecord, context) => handleInvalid(kafkaRecord, context),
});
