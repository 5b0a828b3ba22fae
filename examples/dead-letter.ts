/**
 * Retries, then a dead-letter topic: a record whose handler still fails after the last attempt is written
 * to the dead-letter topic and committed past, so that one poison record does not hold up its partition.
 *
 * The handler parses each JSON event and stores it in a flaky store. A store failure is transient: the
 * record is retried with backoff and usually succeeds. A payload that is not valid JSON fails on every
 * attempt and ends up in the dead-letter topic. The listeners show each step: `handlerError` (every failed
 * attempt), `retrying` (the next attempt and its delay), `deadLettered` (written to the dead-letter topic,
 * committed past), and `error` (for instance a dead-letter write that failed: the partition then pauses and
 * the record is tried again, nothing is skipped).
 *
 * Run against a local broker: `npm run kafka:start`, then
 * `KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port> npx tsx examples/dead-letter.ts`. Stop it with Ctrl-C or
 * SIGTERM.
 *
 * Environment: `KAFKA_BOOTSTRAP_SERVERS` (default 127.0.0.1:9092), `HONO_TENANT` (DEFAULT_TENANT),
 * `GROUP_ID` (dead-letter-example), `DEAD_LETTER_TOPIC` (`hono.event.<tenant>.dlq`).
 *
 * The dead-letter topic must exist, or the broker must create topics on first use
 * (`auto.create.topics.enable`, off in most production clusters), and the application's Kafka user needs
 * the right to write to it. Give it at least the retention of the event topic: it is where failed events
 * wait for someone to look at them.
 *
 * Reprocessing the dead-letter topic. Each dead-letter record keeps the original key (the device id), value
 * and Hono headers, so it is still a Hono event, and adds headers that say where it came from and why it
 * failed: `x-dlq-original-topic`, `x-dlq-original-partition`, `x-dlq-original-offset`, `x-dlq-error-code`,
 * `x-dlq-error-message`, `x-dlq-attempts` and `x-dlq-failed-at` (ms since the epoch). Once the cause is
 * fixed (a bug in the handler, a downstream outage that outlasted the retries):
 *
 * 1. Look at what failed, e.g. `kcat -C -b <brokers> -t hono.event.<tenant>.dlq -e -f '%k %h\n'`.
 * 2. Replay: a small job with a plain Kafka consumer in a group of its own (e.g. `my-app-dlq-replay`) reads
 *    the dead-letter topic and produces each record, with its key and headers minus the `x-dlq-*` ones, to
 *    the topic named in `x-dlq-original-topic`; it commits each dead-letter record once the broker
 *    acknowledged the copy. The application then handles the copies like any other event, so its handlers
 *    must be idempotent (they must be anyway: delivery is at least once).
 * 3. Mind the order: a replayed event arrives after newer events of the same device. Handlers that keep
 *    per-device state should compare `event.creationTime` (the original `creation-time` header is kept)
 *    rather than trust arrival order.
 *
 * Records that cannot be replayed usefully (the payload itself is broken, as in this example) are better
 * repaired or dropped by a person than replayed as they are: they would only fail again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type DataEvent, HonoEventConsumer, eventTopic, isHonoKafkaError } from 'eclipse-hono-kafka';

const tenant = process.env['HONO_TENANT'] ?? 'DEFAULT_TENANT';

const consumer = new HonoEventConsumer({
  brokers: process.env['KAFKA_BOOTSTRAP_SERVERS'] ?? '127.0.0.1:9092',
  tenant,
  groupId: process.env['GROUP_ID'] ?? 'dead-letter-example',
  // After the last failed attempt: write the record to the dead-letter topic, then commit past it.
  onFailure: 'deadLetter',
  // The default is `hono.event.<tenant>.dlq` (with one tenant); spelled out here.
  deadLetterTopic: process.env['DEAD_LETTER_TOPIC'] ?? `${eventTopic(tenant)}.dlq`,
  // Four attempts in all: the first, then retries after 250 ms, 500 ms and 1 s, each up to 20% shorter at
  // random (jitter), so that many failing records do not retry in lockstep. The longest delay
  // (maxDelayMs) also paces the retries of a dead-letter write that failed.
  retry: { maxAttempts: 4, initialDelayMs: 250, multiplier: 2, maxDelayMs: 5_000, jitter: 0.2 },
  // An attempt that takes longer than this fails too (and its `signal` aborts).
  handlerTimeoutMs: 10_000,
});

consumer.on('handlerError', (error) => {
  console.warn(`[${error.code}] ${error.message}`);
});
consumer.on('retrying', ({ topic, partition, offset, attempt, delayMs }) => {
  console.warn(
    `  retrying ${topic}/${partition}@${offset}: attempt ${attempt + 1} in ${Math.round(delayMs)} ms`,
  );
});
consumer.on('deadLettered', ({ topic, partition, offset, deadLetterTopic, error }) => {
  console.error(`  dead-lettered ${topic}/${partition}@${offset} to ${deadLetterTopic} [${error.code}]`);
});
consumer.on('decodeError', (error) => {
  // Without an `invalid` handler, a record that is not a Hono event goes to the dead-letter topic at
  // once: the same bytes would fail again, so it is not retried.
  console.error(`  not a Hono event: [${error.code}] ${error.message}`);
});
consumer.on('error', (error) => {
  console.error(`[${error.code}] ${error.message}`);
});

/** What the application keeps of an event. */
interface Reading {
  readonly deviceId: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** Throws on a payload that is not a JSON object: a permanent failure, the same on every attempt. */
function parseReading(event: DataEvent): Reading {
  const values: unknown = JSON.parse(event.payload.toString('utf8'));
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new TypeError('the payload is not a JSON object');
  }
  return { deviceId: event.deviceId, values: values as Record<string, unknown> };
}

/** Stands in for a downstream store that fails now and then: a transient failure. */
async function store(reading: Reading, signal: AbortSignal): Promise<void> {
  await sleep(10, undefined, { signal });
  if (Math.random() < 0.2) throw new Error('store unavailable (simulated)');
  console.log(`stored ${reading.deviceId}: ${JSON.stringify(reading.values)}`);
}

await consumer.run({
  event: async (event, { attempt, signal }) => {
    // Only JSON data events here; connection events and notifications are committed without work.
    if (event.type !== 'event' || !event.contentType.startsWith('application/json')) return;
    if (attempt > 1) console.log(`attempt ${attempt} for ${event.topic}/${event.partition}@${event.offset}`);
    // Throwing (or rejecting) means: not processed. The SDK retries, then dead-letters, and commits past
    // the record only after the dead-letter topic acknowledged it.
    await store(parseReading(event), signal);
  },
});
console.log('consumer running');

async function shutDown(signal: NodeJS.Signals): Promise<void> {
  console.log(`${signal}: stopping`);
  try {
    await consumer.stop(); // also closes the dead-letter producer
  } catch (error) {
    console.error(isHonoKafkaError(error) ? `[${error.code}] ${error.message}` : error);
    process.exitCode = 1;
  }
}
// `once`: a second Ctrl-C or SIGTERM gets Node's default, an immediate exit.
process.once('SIGINT', (signal) => void shutDown(signal));
process.once('SIGTERM', (signal) => void shutDown(signal));
