/**
 * `npm run demo`: starts a local Kafka broker (or uses KAFKA_BOOTSTRAP_SERVERS), produces Hono-style events
 * as a protocol adapter would, consumes them with a consumer group, commits after processing, and stops.
 */
import { KafkaCluster } from '../test/harness/kafka-cluster.js';
import { randomSuffix, TestAdmin, TestConsumer, TestProducer } from '../test/integration/clients.js';

const say = (line: string): void => {
  console.log(`[demo] ${line}`);
};
const text = (value: string): Buffer => Buffer.from(value, 'utf8');

const external = process.env['KAFKA_BOOTSTRAP_SERVERS'];
const cluster =
  external === undefined || external === '' ? await KafkaCluster.start({ log: say }) : undefined;
const bootstrapServers = cluster?.bootstrapServers ?? external ?? '';
const stop = async (): Promise<void> => {
  await cluster?.stop();
};
process.once('SIGINT', () => void stop().finally(() => process.exit(130)));

try {
  const tenant = `demo-${randomSuffix()}`;
  const topic = `hono.event.${tenant}`;
  const admin = new TestAdmin(bootstrapServers);
  await admin.createTopic(topic, 1);

  say(
    `a protocol adapter reports: device 4711 connected, then an empty notification with ttd 60 on ${topic}`,
  );
  const producer = new TestProducer(bootstrapServers);
  await producer.connect();
  const now = Date.now();
  await producer.send([
    {
      topic,
      key: text('4711'),
      value: text('{"cause":"connected","remote-id":"mqtt-client-id-1","source":"hono-mqtt"}'),
      headers: [
        { 'content-type': text('application/vnd.eclipse-hono-dc-notification+json') },
        { device_id: text('4711') },
        { qos: text('1') },
        { 'creation-time': text(String(now)) },
      ],
    },
    {
      topic,
      key: text('4711'),
      value: null,
      headers: [
        { 'content-type': text('application/vnd.eclipse-hono-empty-notification') },
        { device_id: text('4711') },
        { qos: text('1') },
        { ttd: text('60') },
        { 'creation-time': text(String(now)) },
      ],
    },
  ]);
  await producer.disconnect();

  const groupId = 'demo-app';
  const consumer = new TestConsumer(bootstrapServers, groupId);
  await consumer.connect();
  consumer.client.subscribe([topic]);
  const messages = await consumer.consumeAtLeast(2);
  for (const message of messages) {
    const headers = Object.fromEntries(
      (message.headers ?? []).flatMap((header) => Object.entries(header).map(([k, v]) => [k, String(v)])),
    );
    say(
      `received offset ${message.offset}: device ${String(message.key)} ${headers['content-type'] ?? ''}` +
        (message.value === null
          ? ` (no payload, ttd ${headers['ttd'] ?? '-'})`
          : ` ${message.value.toString()}`),
    );
  }
  const last = messages.at(-1);
  if (last !== undefined) consumer.client.commitSync({ topic, partition: 0, offset: last.offset + 1 });
  await consumer.disconnect();
  const committed = await admin.committedOffsets(groupId, topic, [0]);
  say(`processed ${messages.length} events; group ${groupId} committed offset ${committed.get(0) ?? '-'}`);
  await admin.deleteTopic(topic);
  admin.disconnect();
} finally {
  await stop();
  say('broker stopped; done');
}
