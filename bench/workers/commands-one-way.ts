/**
 * Worker: writes `count` one-way commands to `hono.command.<tenant>` with at most `window` of them
 * unacknowledged at any time, through one of three writers:
 *
 * - `raw`: the client library's `Producer` alone, with the settings the SDK gives its producer (acks from
 *   all replicas, idempotence, delivery reports polled every 20 ms), each record encoded with
 *   `encodeOneWayCommand` just before it is produced, delivery reports counted in one listener;
 * - `adapter`: the SDK's librdkafka adapter (`RdkafkaProducer`, a promise per record), same records;
 * - `sdk`: `HonoCommandClient.sendOneWay`, which validates, encodes and writes the same records.
 *
 * Rate is measured from the first write to the last acknowledgement, after the producer connected and
 * wrote one record.
 */
import kafka from '@confluentinc/kafka-javascript';
import { performance } from 'node:perf_hooks';
import type { EncodedRecord } from '../../src/index.js';
import type { RdkafkaProducer as RdkafkaProducerType } from '../../src/kafka/rdkafka-producer.js';
import { processFigures, report, round } from '../lib/child.js';
import { loadSdk, quietLogger } from '../lib/sdk.js';

/** The writers compared. */
export type OneWayWriter = 'raw' | 'adapter' | 'sdk';

/** One one-way run. */
export interface OneWayRun {
  readonly writer: OneWayWriter;
  readonly brokers: string;
  readonly tenant: string;
  readonly count: number;
  /** Most commands written and not acknowledged yet. */
  readonly window: number;
  readonly devices: number;
}

/** What one one-way run measured. */
export interface OneWayResult {
  readonly writer: OneWayWriter;
  readonly commands: number;
  readonly failed: number;
  /** First write to last acknowledgement. */
  readonly seconds: number;
  readonly commandsPerSecond: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as OneWayRun;
const sdk = await loadSdk();
const { encodeOneWayCommand, HonoCommandClient } = sdk;
/** The settings the command client gives its producer (see `HonoCommandClient`). */
const settings = {
  'topic.metadata.refresh.interval.ms': 10_000,
  'bootstrap.servers': config.brokers,
  'client.id': `bench-commands-${config.writer}`,
};

/** The command with index `index`, as both writers are asked to write it. */
const command = (
  index: number,
): { deviceId: string; name: string; payload: string; contentType: string } => ({
  deviceId: `device-${String(index % config.devices).padStart(4, '0')}`,
  name: 'setVolume',
  payload: `{"level":${String(index % 11)}}`,
  contentType: 'application/json',
});
const encode = (index: number): EncodedRecord =>
  encodeOneWayCommand({ tenantId: config.tenant, ...command(index), creationTime: Date.now() });

/** Writes `count` commands through `send`, at most `window` unacknowledged; the failures. */
async function sendAll(send: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  let failed = 0;
  const lane = async (): Promise<void> => {
    while (next < config.count) {
      const index = next++;
      try {
        await send(index);
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: config.window }, lane));
  return failed;
}

/** The raw library: produce while fewer than `window` are outstanding, count delivery reports. */
async function runRaw(): Promise<{ first: number; last: number; failed: number }> {
  const producer = new kafka.Producer({ ...settings, dr_cb: true, acks: -1, 'enable.idempotence': true });
  await new Promise<void>((resolve, reject) => {
    producer.connect({ timeout: 30_000 }, (error: kafka.LibrdKafkaError | null | undefined) => {
      if (error === null || error === undefined) resolve();
      else reject(new Error(error.message));
    });
  });
  producer.setPollInterval(20);
  const produce = (index: number): void => {
    const record = encode(index);
    producer.produce(
      record.topic,
      null,
      record.value,
      record.key,
      Date.now(),
      undefined,
      record.headers.map((header) => ({ ...header })),
    );
  };
  let acknowledged = 0;
  let failed = 0;
  let produced = 0;
  let onReport: () => void = () => undefined;
  producer.on('delivery-report', (error: kafka.LibrdKafkaError | null | undefined) => {
    if (error !== null && error !== undefined) failed += 1;
    acknowledged += 1;
    onReport();
  });
  // One record first: connected, topic metadata known.
  await new Promise<void>((resolve) => {
    onReport = resolve;
    produce(0);
  });
  acknowledged = 0;
  failed = 0;
  const first = performance.now();
  await new Promise<void>((resolve) => {
    const topUp = (): void => {
      while (produced < config.count && produced - acknowledged < config.window) produce(produced++);
      if (acknowledged >= config.count) resolve();
    };
    onReport = topUp;
    topUp();
  });
  const last = performance.now();
  await new Promise((resolve) => producer.disconnect(10_000, resolve));
  return { first, last, failed };
}

/** The SDK's producer adapter: one promise per record. */
async function runAdapter(): Promise<{ first: number; last: number; failed: number }> {
  const entry = new URL('../../dist/kafka/rdkafka-producer.js', import.meta.url).href;
  const { RdkafkaProducer } = (await import(entry)) as { RdkafkaProducer: typeof RdkafkaProducerType };
  const producer = new RdkafkaProducer(settings, { clientError: () => undefined });
  await producer.connect(30_000);
  await producer.send(encode(0));
  const first = performance.now();
  const failed = await sendAll((index) => producer.send(encode(index)));
  const last = performance.now();
  await producer.disconnect(10_000);
  return { first, last, failed };
}

/** `HonoCommandClient.sendOneWay`. */
async function runSdk(): Promise<{ first: number; last: number; failed: number }> {
  const client = new HonoCommandClient({
    brokers: config.brokers,
    clientId: settings['client.id'],
    logger: quietLogger,
  });
  await client.sendOneWay({ tenant: config.tenant, ...command(0) });
  const first = performance.now();
  const failed = await sendAll((index) => client.sendOneWay({ tenant: config.tenant, ...command(index) }));
  const last = performance.now();
  await client.close();
  return { first, last, failed };
}

const run = { raw: runRaw, adapter: runAdapter, sdk: runSdk }[config.writer];
const { first, last, failed } = await run();
const figures = processFigures();
const seconds = (last - first) / 1000;
const result: OneWayResult = {
  writer: config.writer,
  commands: config.count,
  failed,
  seconds: round(seconds, 3),
  commandsPerSecond: Math.round(config.count / seconds),
  ...figures,
};
report(result);
process.exit(0);
