/** Builders of raw records for the wire tests. */
import type { KafkaRecord } from '../../../src/types.js';

export const CREATION_TIME = 1712345678901;
export const EMPTY = 'application/vnd.eclipse-hono-empty-notification';
export const CONNECTION = 'application/vnd.eclipse-hono-dc-notification+json';
export const PROVISIONING = 'application/vnd.eclipse-hono-device-provisioning-notification';

type Header = readonly [name: string, value: string | Buffer];

/** The headers every Hono record has: content type, device, qos, creation time. */
export function standardHeaders(contentType: string, deviceId = '4711'): Header[] {
  return [
    ['content-type', contentType],
    ['device_id', deviceId],
    ['qos', '1'],
    ['creation-time', String(CREATION_TIME)],
  ];
}

/** A record of `hono.event.DEFAULT_TENANT` with Buffer header values, as the Kafka client delivers it. */
export function rawRecord(headers: readonly Header[], overrides: Partial<KafkaRecord> = {}): KafkaRecord {
  return {
    topic: 'hono.event.DEFAULT_TENANT',
    partition: 3,
    offset: 42,
    key: Buffer.from('4711'),
    value: null,
    headers: headers.map(([name, value]) => ({
      [name]: typeof value === 'string' ? Buffer.from(value) : value,
    })),
    timestamp: CREATION_TIME + 4,
    ...overrides,
  };
}
