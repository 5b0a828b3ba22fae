/**
 * A platform application: the events and the telemetry of every tenant, including tenants created while
 * it runs, from one consumer. Telemetry a device sent at most once (`qos` 0) never holds back a commit;
 * events and `qos` 1 telemetry are handled at least once.
 *
 * Run against a local broker: `npm run kafka:start`, then
 * `KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port> npx tsx examples/telemetry-every-tenant.ts`, and send
 * telemetry, e.g. with `npx eclipse-hono-kafka simulate`.
 */
import { HonoEventConsumer, isHonoKafkaError } from 'eclipse-hono-kafka';

const consumer = new HonoEventConsumer({
  brokers: process.env['KAFKA_BOOTSTRAP_SERVERS'] ?? '127.0.0.1:9092',
  tenant: '*',
  endpoints: ['event', 'telemetry'],
  groupId: process.env['GROUP_ID'] ?? 'platform-example',
  // A new group starts at the end of the topics that exist; a tenant created later is read from its start.
  startFrom: 'latest',
  qos0: 'atMostOnce',
});

/** Records handled per tenant and endpoint. */
const counts = new Map<string, number>();

consumer.on('error', (error) => {
  console.error(`[${error.code}] ${error.message}`);
});
consumer.on('started', () => {
  console.log('consuming every tenant');
});

await consumer.run({
  event: (event) => {
    const key = `${event.tenantId} ${event.endpoint}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const what = event.type === 'event' ? event.contentType : event.type;
    console.log(
      `${key} qos${String(event.qos)} ${event.deviceId} ${what} (${String(counts.get(key))} so far)`,
    );
  },
});

process.once('SIGTERM', () => {
  consumer
    .stop()
    .then(() => {
      for (const [key, count] of counts) console.log(`${key}: ${String(count)}`);
    })
    .catch((error: unknown) => {
      console.error(isHonoKafkaError(error) ? error.code : error);
    });
});
