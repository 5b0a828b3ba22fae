/**
 * What the benchmarks consume: Hono events as Hono's protocol adapters write them, produced once per run
 * with the SDK's encoders.
 */
import {
  ConnectionCause,
  encodeConnectionEvent,
  encodeDataEvent,
  encodeEmptyNotification,
  type EncodedRecord,
} from '../../src/index.js';
import kafka from '@confluentinc/kafka-javascript';
import { TestAdmin, TestProducer } from '../../test/integration/clients.js';

/** A small deterministic random number generator (mulberry32), so every run produces the same data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const padding = 'x'.repeat(64);

/**
 * Record `index` of the Hono mix: 70 % JSON events of about 200 bytes, 20 % empty notifications with a
 * ttd, 10 % connection events, spread over `devices` devices.
 */
export function honoMixRecord(tenantId: string, index: number, devices: number): EncodedRecord {
  const deviceId = `device-${String(index % devices).padStart(4, '0')}`;
  const slot = index % 10;
  if (slot < 7) {
    const payload = JSON.stringify({
      temperature: 20 + (index % 150) / 10,
      humidity: 40 + (index % 30),
      battery: 87,
      seq: index,
      status: 'ok',
      note: padding,
    });
    return encodeDataEvent({ tenantId, deviceId, contentType: 'application/json', payload });
  }
  if (slot < 9) return encodeEmptyNotification({ tenantId, deviceId, ttd: slot === 7 ? 60 : -1 });
  return encodeConnectionEvent({
    tenantId,
    deviceId,
    cause: index % 20 === 9 ? ConnectionCause.Connected : ConnectionCause.Disconnected,
    remoteId: `10.0.${String(index % 256)}.${String(index % 200)}:41${String(index % 1000)}`,
    source: 'hono-mqtt',
  });
}

/**
 * Record `index` of the Hono mix with a W3C `traceparent` header, as Hono writes it when its tracing is
 * on: a trace per record, sampled (flags `01`).
 */
export function tracedHonoMixRecord(tenantId: string, index: number, devices: number): EncodedRecord {
  const record = honoMixRecord(tenantId, index, devices);
  const traceId = (index + 1).toString(16).padStart(32, '0');
  const spanId = (index + 1).toString(16).padStart(16, '0');
  record.headers.push({ traceparent: Buffer.from(`00-${traceId}-${spanId}-01`) });
  return record;
}

/**
 * Record `index` of a telemetry topic: the JSON payload of the Hono mix's data events (about 200 bytes),
 * written to `hono.telemetry.<tenant>` with the given `qos`, spread over `devices` devices.
 */
export function telemetryRecord(tenantId: string, index: number, devices: number, qos: 0 | 1): EncodedRecord {
  const payload = JSON.stringify({
    temperature: 20 + (index % 150) / 10,
    humidity: 40 + (index % 30),
    battery: 87,
    seq: index,
    status: 'ok',
    note: padding,
  });
  return encodeDataEvent({
    tenantId,
    deviceId: `device-${String(index % devices).padStart(4, '0')}`,
    endpoint: 'telemetry',
    qos,
    contentType: 'application/json',
    payload,
  });
}

/** Bytes of a record's value, key and headers, as the broker stores them (about). */
export function recordBytes(record: EncodedRecord): number {
  let bytes = record.key.length + (record.value?.length ?? 0);
  for (const header of record.headers)
    for (const [name, value] of Object.entries(header)) bytes += name.length + value.length;
  return bytes;
}

/** The names of every topic on the brokers. */
export async function listTopics(brokers: string): Promise<string[]> {
  const admin = kafka.AdminClient.create({ 'bootstrap.servers': brokers });
  try {
    return await new Promise<string[]>((resolve, reject) => {
      admin.listTopics({ timeout: 15_000 }, (error: kafka.LibrdKafkaError | null | undefined, topics) => {
        if (error === null || error === undefined) resolve(topics);
        else reject(new Error(`listTopics: ${error.message}`));
      });
    });
  } finally {
    admin.disconnect();
  }
}

/** Creates a topic and waits for it. */
export async function createTopic(brokers: string, topic: string, partitions: number): Promise<void> {
  const admin = new TestAdmin(brokers);
  try {
    await admin.createTopic(topic, partitions);
  } finally {
    admin.disconnect();
  }
}

/**
 * Produces `count` records built by `build`, in chunks, with acks from all replicas.
 *
 * @returns the bytes produced (about)
 */
export async function produce(
  brokers: string,
  count: number,
  build: (index: number) => EncodedRecord,
  progress: (done: number) => void,
): Promise<number> {
  const producer = new TestProducer(brokers, {
    'linger.ms': 20,
    'batch.size': 1_000_000,
    'queue.buffering.max.messages': 500_000,
  });
  await producer.connect();
  let bytes = 0;
  try {
    const chunk = 50_000;
    for (let start = 0; start < count; start += chunk) {
      const records = [];
      for (let index = start; index < Math.min(count, start + chunk); index++) {
        const record = build(index);
        bytes += recordBytes(record);
        records.push({ topic: record.topic, key: record.key, value: record.value, headers: record.headers });
      }
      await producer.send(records);
      progress(Math.min(count, start + chunk));
    }
  } finally {
    await producer.disconnect();
  }
  return bytes;
}
