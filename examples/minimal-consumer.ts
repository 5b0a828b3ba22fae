/**
 * The smallest useful application: consume a tenant's events at least once, and stop cleanly on SIGTERM.
 *
 * Run against a local broker: `npm run kafka:start`, then
 * `KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port> npx tsx examples/minimal-consumer.ts`.
 */
import { HonoEventConsumer, commandWindow, isHonoKafkaError } from 'eclipse-hono-kafka';

const consumer = new HonoEventConsumer({
  brokers: process.env['KAFKA_BOOTSTRAP_SERVERS'] ?? '127.0.0.1:9092',
  tenant: process.env['HONO_TENANT'] ?? 'DEFAULT_TENANT',
  groupId: 'minimal-example',
});

consumer.on('error', (error) => {
  console.error(`[${error.code}] ${error.message}`);
});

/** Stands in for the application's own storage. */
async function store(deviceId: string, type: string): Promise<void> {
  await Promise.resolve();
  console.log(`${deviceId} ${type}`);
}

await consumer.run({
  connection: (event) => {
    console.log(`${event.deviceId} ${event.cause} (${event.source})`);
  },
  emptyNotification: (event) => {
    console.log(`${event.deviceId} command window:`, commandWindow(event));
  },
  event: async (event) => {
    // Resolve only when the event is fully processed: the SDK commits after that.
    await store(event.deviceId, event.type);
  },
  invalid: (error, record) => {
    console.warn(
      `skipping invalid record ${record.topic}/${record.partition}@${record.offset}: ${error.code}`,
    );
  },
});

process.once('SIGTERM', () => {
  consumer.stop().catch((error: unknown) => {
    console.error(isHonoKafkaError(error) ? error.code : error);
  });
});
