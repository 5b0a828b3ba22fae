/**
 * What the independent producer writes: Hono data events for 1,000 devices, each payload carrying the
 * device's sequence number, with malformed records and slow records mixed in when a scenario asks.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import kafka from '@confluentinc/kafka-javascript';
import { encodeDataEvent, type EncodedRecord } from '../src/index.js';
import { TestProducer } from '../test/integration/clients.js';
import type { ChaosPayload } from './protocol.js';
import { recordId } from './protocol.js';

export const devices = 1000;

/** The records of one scenario, in produce order, and their identities. */
export interface Workload {
  readonly records: readonly EncodedRecord[];
  readonly ids: ReadonlySet<string>;
}

/**
 * Builds `events` data events round-robin over the devices, so device `d` gets sequence 0, 1, 2, ...
 * @param malformedEvery - one malformed record (key `malformed-<n>`) after every this many events
 * @param slow - the first `records` devices' sequence-1 events take `ms` in the handler
 */
export function buildWorkload(
  tenant: string,
  events: number,
  malformedEvery: number | undefined,
  slow: { readonly records: number; readonly ms: number } | undefined,
): Workload {
  const records: EncodedRecord[] = [];
  const ids = new Set<string>();
  let malformed = 0;
  for (let index = 0; index < events; index++) {
    const deviceId = `device-${index % devices}`;
    const seq = Math.floor(index / devices);
    const payload: ChaosPayload =
      slow !== undefined && seq === 1 && index % devices < slow.records ? { seq, slowMs: slow.ms } : { seq };
    records.push(
      encodeDataEvent({
        tenantId: tenant,
        deviceId,
        contentType: 'application/json',
        payload: JSON.stringify(payload),
      }),
    );
    ids.add(recordId(deviceId, seq));
    if (malformedEvery !== undefined && index % malformedEvery === malformedEvery - 1) {
      const key = `malformed-${malformed}`;
      ids.add(recordId(key, malformed));
      // Alternately: a valid event whose key is not its device id, and a connection event whose value is no JSON.
      const base = encodeDataEvent({ tenantId: tenant, deviceId, payload: 'x' });
      const badConnection: EncodedRecord = {
        topic: base.topic,
        key: Buffer.from(key),
        value: Buffer.from('not json'),
        headers: [{ 'content-type': Buffer.from('application/vnd.eclipse-hono-dc-notification+json') }],
      };
      records.push(malformed % 2 === 0 ? { ...base, key: Buffer.from(key) } : badConnection);
      malformed += 1;
    }
  }
  return { records, ids };
}

/** Produces the records in batches, spread over about `durationMs`, with acks=all and idempotence. */
export async function produce(
  brokers: string,
  records: readonly EncodedRecord[],
  durationMs: number,
): Promise<void> {
  const producer = new TestProducer(brokers, { 'linger.ms': 5 });
  await producer.connect();
  try {
    const batch = 250;
    const batches = Math.ceil(records.length / batch);
    const pause = durationMs / batches;
    for (let start = 0; start < records.length; start += batch) {
      const began = Date.now();
      await producer.send(records.slice(start, start + batch));
      await sleep(Math.max(0, pause - (Date.now() - began)));
    }
  } finally {
    await producer.disconnect();
  }
}

/** Creates the topic: 6 partitions, replication factor 3, min.insync.replicas 2. */
export async function createTopic(brokers: string, topic: string): Promise<void> {
  const admin = kafka.AdminClient.create({ 'bootstrap.servers': brokers });
  try {
    await new Promise<void>((resolve, reject) => {
      admin.createTopic(
        { topic, num_partitions: 6, replication_factor: 3, config: { 'min.insync.replicas': '2' } },
        15_000,
        (error: kafka.LibrdKafkaError | null | undefined) => {
          if (error !== null && error !== undefined)
            reject(new Error(`createTopic ${topic}: ${error.message}`));
          else resolve();
        },
      );
    });
  } finally {
    admin.disconnect();
  }
}
