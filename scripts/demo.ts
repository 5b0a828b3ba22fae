/**
 * `npm run demo`: a local Kafka broker (or KAFKA_BOOTSTRAP_SERVERS), a simulated Hono protocol adapter
 * that writes events as Hono does, and a HonoEventConsumer that prints each typed event, the device's
 * command window and the commits, then a summary. Then Command & Control: the Hono simulator plays a
 * connected device, and the HonoCommandClient sends it a command and prints the answer, and again once
 * the device disconnected (Hono's 503). Ends by itself, or on Ctrl-C, and cleans up.
 */
import {
  commandWindow,
  encodeConnectionEvent,
  encodeDataEvent,
  encodeEmptyNotification,
  HonoCommandClient,
  HonoEventConsumer,
  type CommandResponse,
  type EncodedRecord,
  type HonoEvent,
} from '../src/index.js';
import { HonoSimulator } from '../src/testing/index.js';
import { KafkaCluster } from '../test/harness/kafka-cluster.js';
import { randomSuffix, TestAdmin, TestProducer } from '../test/integration/clients.js';

const say = (line: string): void => {
  console.log(`[demo] ${line}`);
};

const external = process.env['KAFKA_BOOTSTRAP_SERVERS'];
const cluster =
  external === undefined || external === '' ? await KafkaCluster.start({ log: say }) : undefined;
const brokers = cluster?.bootstrapServers ?? external ?? '';
const tenant = `demo-${randomSuffix()}`;
const topic = `hono.event.${tenant}`;
const admin = new TestAdmin(brokers);
let consumer: HonoEventConsumer | undefined;
let commands: HonoCommandClient | undefined;
let hono: HonoSimulator | undefined;

async function cleanUp(): Promise<void> {
  await consumer?.stop();
  await commands?.close();
  await hono?.close();
  for (const name of [topic, `hono.command.${tenant}`, `hono.command_response.${tenant}`]) {
    await admin.deleteTopic(name).catch(() => undefined);
  }
  admin.disconnect();
  await cluster?.stop();
}
process.once('SIGINT', () => {
  say('interrupted; cleaning up');
  void cleanUp().finally(() => process.exit(130));
});

/** What a protocol adapter writes for a few devices, as Hono's Java code writes it. */
function adapterTraffic(): EncodedRecord[] {
  const now = Date.now();
  const at = (seconds: number): number => now + seconds * 1000;
  const connection = (
    deviceId: string,
    cause: 'connected' | 'disconnected',
    seconds: number,
  ): EncodedRecord =>
    encodeConnectionEvent({
      tenantId: tenant,
      deviceId,
      cause,
      remoteId: `mqtt-client-${deviceId}`,
      source: 'hono-mqtt',
      creationTime: at(seconds),
    });
  const telemetry = (deviceId: string, temp: number, seconds: number): EncodedRecord =>
    encodeDataEvent({
      tenantId: tenant,
      deviceId,
      contentType: 'application/json',
      payload: JSON.stringify({ temp }),
      creationTime: at(seconds),
      origAdapter: 'hono-http',
    });
  const notification = (deviceId: string, ttd: number, seconds: number): EncodedRecord =>
    encodeEmptyNotification({
      tenantId: tenant,
      deviceId,
      ttd,
      creationTime: at(seconds),
      origAdapter: 'hono-mqtt',
    });
  const malformed: EncodedRecord = { ...telemetry('sensor-9', 0, 0), key: Buffer.from('someone-else') };
  return [
    connection('sensor-1', 'connected', 0),
    notification('sensor-1', -1, 0),
    telemetry('sensor-1', 21.5, 1),
    telemetry('sensor-2', 19.0, 1),
    notification('sensor-2', 30, 1),
    malformed,
    telemetry('sensor-1', 21.7, 2),
    notification('sensor-1', 0, 3),
    connection('sensor-1', 'disconnected', 3),
  ];
}

function describeWindow(event: HonoEvent): string {
  const window = commandWindow(event);
  if (window.kind === 'untilFurtherNotice') return 'reachable until further notice';
  if (window.kind === 'until') return `reachable until ${window.until.toISOString()}`;
  return 'not reachable for commands';
}

try {
  await admin.createTopic(topic, 2);
  const records = adapterTraffic();
  say(`a simulated protocol adapter writes ${records.length} records to ${topic}`);
  const producer = new TestProducer(brokers);
  await producer.connect();
  await producer.send(records);
  await producer.disconnect();

  const handled = { connection: 0, emptyNotification: 0, event: 0, invalid: 0 };
  consumer = new HonoEventConsumer({ brokers, tenant, groupId: 'demo-app', commitIntervalMs: 500 });
  consumer.on('assigned', (partitions) => {
    say(`assigned partitions ${partitions.map((p) => p.partition).join(', ')}`);
  });
  const committed = new Map<number, number>();
  consumer.on('committed', (offsets) => {
    for (const { partition, offset } of offsets) committed.set(partition, offset);
    say(`committed ${offsets.map((o) => `partition ${o.partition} up to offset ${o.offset}`).join(', ')}`);
  });
  await consumer.run({
    connection: (event) => {
      handled.connection += 1;
      say(`${event.deviceId} ${event.cause} via ${event.source} (${event.remoteId})`);
    },
    emptyNotification: (event) => {
      handled.emptyNotification += 1;
      say(`${event.deviceId} ttd ${String(event.ttd)}: ${describeWindow(event)}`);
    },
    event: (event) => {
      handled.event += 1;
      const body = event.type === 'event' ? event.payload.toString() : '';
      say(`${event.deviceId} ${event.type === 'event' ? event.contentType : event.type} ${body}`);
    },
    invalid: (error, record) => {
      handled.invalid += 1;
      say(`invalid record at offset ${record.offset}: ${error.code} (${error.message})`);
    },
  });

  const deadline = Date.now() + 30_000;
  const total = (): number => Object.values(handled).reduce((sum, n) => sum + n, 0);
  // Positions are the next offset to read: with every record committed they add up to the record count.
  const allCommitted = (): boolean =>
    [...committed.values()].reduce((sum, n) => sum + n, 0) === records.length;
  while ((total() < records.length || !allCommitted()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await consumer.stop();
  say(
    `done: ${handled.connection} connection events, ${handled.emptyNotification} empty notifications, ` +
      `${handled.event} other events, ${handled.invalid} invalid record(s); every record committed: ${String(allCommitted())}`,
  );
  if (!allCommitted()) process.exitCode = 1;

  // Command & Control: the simulator plays Hono (a connected device that answers), the SDK sends.
  hono = new HonoSimulator({
    brokers,
    logger: { debug: () => undefined, info: () => undefined, warn: say, error: say },
  });
  const device = hono.device(tenant, 'sensor-1');
  await device.connect({ ttd: -1 });
  await hono.answerCommands(tenant, (command) => ({
    status: 200,
    contentType: 'application/json',
    payload: JSON.stringify({ done: command.name }),
  }));
  commands = new HonoCommandClient({ brokers });
  const show = (result: CommandResponse): string =>
    result.kind === 'response'
      ? `${String(result.status)} ${result.contentType ?? '-'} ${result.payload?.toString() ?? '-'}`
      : `not delivered: ${String(result.status)} ${result.error}`;
  const request = { tenant, deviceId: 'sensor-1', name: 'setBrightness', payload: '{"brightness":42}' };
  say(`command setBrightness to sensor-1 (connected): ${show(await commands.request(request))}`);
  await device.disconnect();
  say(`command setBrightness to sensor-1 (disconnected): ${show(await commands.request(request))}`);
} finally {
  await cleanUp();
  say('broker stopped');
}
