/**
 * Decode throughput per kind of Hono event, in one process on one core.
 *
 * Run: `npx tsx bench/decode.ts` (or `npm run bench:decode`). Options: `--seconds <n>` per round
 * (default 1), `--json` to print the figures as one JSON line as well.
 *
 * The records look like what the Kafka client's consumer delivers for records that Hono wrote: Buffer
 * key, Buffer value (or null), an array of single-key header objects with Buffer values, including the
 * W3C trace context that Hono's adapters add.
 */
import { argv } from 'node:process';
import { decodeEvent, isDecodeError, type KafkaRecord } from '../src/index.js';

const TARGETS: Readonly<Record<string, number>> = { emptyNotification: 500_000, connection: 150_000 };
const DEVICES = 1024;
const ROUNDS = 5;

const secondsArg = argv.indexOf('--seconds');
const roundSeconds = secondsArg > 0 ? Number(argv[secondsArg + 1]) : 1;
const asJson = argv.includes('--json');

const text = (value: string): Buffer => Buffer.from(value, 'utf8');
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function record(
  index: number,
  contentType: string,
  value: Buffer | null,
  extra: Record<string, string>[] = [],
): KafkaRecord {
  const deviceId = `device-${String(index)}`;
  const headers: Record<string, Buffer>[] = [
    { 'content-type': text(contentType) },
    { device_id: text(deviceId) },
    { qos: text('1') },
    { 'creation-time': text(String(1712345678901 + index)) },
    { orig_adapter: text('hono-mqtt') },
    { orig_address: text('/event') },
    ...extra.map((header) => Object.fromEntries(Object.entries(header).map(([k, v]) => [k, text(v)]))),
    { traceparent: text(traceparent) },
  ];
  return {
    topic: 'hono.event.DEFAULT_TENANT',
    partition: index % 12,
    offset: 1_000_000 + index,
    key: text(deviceId),
    value,
    headers,
    timestamp: 1712345678901 + index,
  };
}

const kinds: Record<string, KafkaRecord[]> = {
  emptyNotification: Array.from({ length: DEVICES }, (_, i) =>
    record(i, 'application/vnd.eclipse-hono-empty-notification', null, [{ ttd: i % 2 === 0 ? '-1' : '60' }]),
  ),
  connection: Array.from({ length: DEVICES }, (_, i) =>
    record(
      i,
      'application/vnd.eclipse-hono-dc-notification+json',
      text(
        JSON.stringify({
          cause: i % 2 === 0 ? 'connected' : 'disconnected',
          'remote-id': `mqtt-client-id-${String(i)}`,
          source: 'hono-mqtt',
          data: { foo: 'bar' },
        }),
      ),
    ),
  ),
  provisioning: Array.from({ length: DEVICES }, (_, i) =>
    record(i, 'application/vnd.eclipse-hono-device-provisioning-notification', null, [
      { tenant_id: 'DEFAULT_TENANT' },
      { hono_registration_status: 'NEW' },
      { gateway_id: 'gw-1' },
    ]),
  ),
  event: Array.from({ length: DEVICES }, (_, i) =>
    record(i, 'application/json', text(JSON.stringify({ temp: 20 + (i % 10), humidity: 40 }))),
  ),
  'decodeError (bad ttd)': Array.from({ length: DEVICES }, (_, i) =>
    record(i, 'application/vnd.eclipse-hono-empty-notification', null, [{ ttd: 'soon' }]),
  ),
};

/** Decodes the records in a loop for about `seconds`; returns events per second. */
function measure(records: readonly KafkaRecord[], seconds: number): number {
  let count = 0;
  let sink = 0;
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const started = process.hrtime.bigint();
  let now = started;
  while (now < deadline) {
    for (const item of records) {
      try {
        sink += decodeEvent(item).offset;
      } catch (error) {
        if (!isDecodeError(error)) throw error;
        sink += 1;
      }
    }
    count += records.length;
    now = process.hrtime.bigint();
  }
  if (sink === -1) console.log('unreachable');
  return count / (Number(now - started) / 1e9);
}

const results: Record<string, number> = {};
console.log(
  `decodeEvent throughput, ${String(ROUNDS)} rounds of ${String(roundSeconds)} s per kind, best round`,
);
console.log(`node ${process.version}, ${process.platform}/${process.arch}\n`);
for (const [kind, records] of Object.entries(kinds)) {
  measure(records, Math.min(0.3, roundSeconds)); // warm-up: let the JIT settle
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) best = Math.max(best, measure(records, roundSeconds));
  results[kind] = Math.round(best);
  const target = TARGETS[kind];
  const verdict =
    target === undefined
      ? ''
      : best >= target
        ? `  (target ${target.toLocaleString('en')}: met)`
        : `  (target ${target.toLocaleString('en')}: MISSED)`;
  console.log(`${kind.padEnd(24)} ${Math.round(best).toLocaleString('en').padStart(12)} events/s${verdict}`);
}
if (asJson)
  console.log(JSON.stringify({ benchmark: 'decode', node: process.version, eventsPerSecond: results }));
