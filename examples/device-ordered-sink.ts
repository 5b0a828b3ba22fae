/**
 * Device-ordered, concurrent processing into a batching sink, at least once.
 *
 * Every event becomes a row for a (fake) database that is written in batches: a batch goes out after
 * 50 ms or at 100 rows, whichever comes first. The handler's promise resolves only once its row's batch
 * is in the database, so the SDK commits a record only after it is durable. With `ordering: 'device'`
 * each device's events are written one after another, in order, while up to `concurrency` devices are in
 * flight at once. The handler passes its `signal` to the sink: a row that has not gone out when the
 * handler times out, or when `stop()` gives up on the drain, is taken back out of its batch.
 *
 * Run against a local broker: `npm run kafka:start`, then
 * `KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port> npx tsx examples/device-ordered-sink.ts`. Stop it with Ctrl-C
 * or SIGTERM: the consumer drains and commits, the sink flushes, and a summary is printed.
 *
 * Environment: `KAFKA_BOOTSTRAP_SERVERS` (default 127.0.0.1:9092), `HONO_TENANT` (DEFAULT_TENANT),
 * `GROUP_ID` (device-ordered-sink-example).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type HonoEvent, HonoEventConsumer, isHonoKafkaError } from 'eclipse-hono-kafka';

/** One row per event. `id` makes writes idempotent: a record handled twice overwrites its own row. */
interface Row {
  readonly id: string;
  readonly deviceId: string;
  readonly partition: number;
  readonly offset: number;
  readonly type: HonoEvent['type'];
  readonly createdAt: Date;
  readonly body: string | undefined;
}

/** Stands in for a database table that takes many rows per round trip. */
class FakeDatabase {
  readonly rows = new Map<string, Row>();
  /** Rows that arrived before an earlier row of the same device: must stay 0 with ordering 'device'. */
  outOfOrder = 0;
  readonly #lastOffset = new Map<string, number>();

  async insertMany(rows: readonly Row[]): Promise<void> {
    await sleep(5 + Math.random() * 15); // the round trip
    for (const row of rows) {
      // A device's events share a partition (the record key is the device id), so their offsets tell
      // their order. A row at or below the last one is a redelivery (at least once), not a reordering.
      const last = this.#lastOffset.get(row.deviceId);
      if (last !== undefined && row.offset < last && !this.rows.has(row.id)) this.outOfOrder++;
      this.#lastOffset.set(row.deviceId, Math.max(last ?? -1, row.offset));
      this.rows.set(row.id, row); // upsert by id: idempotent
    }
  }
}

interface PendingRow {
  readonly row: Row;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly detach: () => void;
}

/**
 * Collects rows and writes them in batches: after `maxDelayMs`, or as soon as `maxRows` are waiting.
 * `write()` resolves once the row's batch is in the database, and rejects when that batch failed (the SDK
 * then retries the record) or when its signal aborted before the batch went out.
 */
class BatchWriter {
  readonly #database: FakeDatabase;
  readonly #maxRows: number;
  readonly #maxDelayMs: number;
  #batch: PendingRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #flushing = new Set<Promise<void>>();
  written = 0;

  constructor(database: FakeDatabase, options: { maxRows: number; maxDelayMs: number }) {
    this.#database = database;
    this.#maxRows = options.maxRows;
    this.#maxDelayMs = options.maxDelayMs;
  }

  write(row: Row, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        // Still waiting for its batch: take it out, so that abandoned work is not written after all.
        // (Once its batch is on its way, it is too late; the idempotent upsert makes that harmless.)
        this.#batch = this.#batch.filter((pending) => pending.row !== row);
        reject(asError(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#batch.push({
        row,
        resolve,
        reject,
        detach: () => {
          signal.removeEventListener('abort', onAbort);
        },
      });
      if (this.#batch.length >= this.#maxRows) this.#flush();
      else
        this.#timer ??= setTimeout(() => {
          this.#flush();
        }, this.#maxDelayMs);
    });
  }

  /** Writes what is waiting and resolves once every batch is in the database. */
  async close(): Promise<void> {
    this.#flush();
    await Promise.allSettled(this.#flushing);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#batch;
    this.#batch = [];
    if (batch.length === 0) return;
    for (const pending of batch) pending.detach();
    // Batches may be in flight concurrently without reordering a device's rows: with ordering 'device',
    // a device's next record is not handed out before this one's promise resolved, so a device never has
    // two rows in flight.
    const flushed = this.#database.insertMany(batch.map((pending) => pending.row)).then(
      () => {
        this.written += batch.length;
        console.log(`flushed ${batch.length} rows (${this.written} in all)`);
        for (const pending of batch) pending.resolve();
      },
      (error: unknown) => {
        for (const pending of batch) pending.reject(asError(error));
      },
    );
    this.#flushing.add(flushed);
    void flushed.finally(() => this.#flushing.delete(flushed));
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

function toRow(event: HonoEvent): Row {
  return {
    id: `${event.topic}/${event.partition}/${event.offset}`,
    deviceId: event.deviceId,
    partition: event.partition,
    offset: event.offset,
    type: event.type,
    createdAt: event.creationTime,
    body: event.type === 'event' ? event.payload.toString('utf8') : undefined,
  };
}

const database = new FakeDatabase();
const writer = new BatchWriter(database, { maxRows: 100, maxDelayMs: 50 });

const consumer = new HonoEventConsumer({
  brokers: process.env['KAFKA_BOOTSTRAP_SERVERS'] ?? '127.0.0.1:9092',
  tenant: process.env['HONO_TENANT'] ?? 'DEFAULT_TENANT',
  groupId: process.env['GROUP_ID'] ?? 'device-ordered-sink-example',
  // Each device in order (the default, spelled out), different devices concurrently.
  ordering: 'device',
  // Each handler waits for its batch, so a batch holds at most `concurrency` rows, and at most one row per
  // device. Keep `concurrency` above the batch size (100), or batches only ever go out on the timer. With
  // few busy devices, batches stay small whatever the setting: ordering allows one row per device.
  concurrency: 128,
  // A handler whose batch has not been written after 5 s counts as failed and is retried; its signal
  // aborts, which takes the row out of its batch.
  handlerTimeoutMs: 5_000,
});

consumer.on('error', (error) => {
  console.error(`[${error.code}] ${error.message}`);
});
consumer.on('retrying', ({ topic, partition, offset, attempt, delayMs, error }) => {
  console.warn(
    `retrying ${topic}/${partition}@${offset} in ${delayMs} ms after attempt ${attempt}: ${error.message}`,
  );
});

// Connection events, notifications and data events alike go to `event` (the catch-all), in device order.
await consumer.run({
  event: (event, { signal }) => writer.write(toRow(event), signal),
});
console.log('consumer running');

async function shutDown(signal: NodeJS.Signals): Promise<void> {
  console.log(`${signal}: stopping`);
  try {
    // First the consumer: the handlers it drains wait for their batches, so the writer must keep
    // flushing until stop() has committed. Then the writer: nothing should be left, but flush anyway.
    await consumer.stop();
    await writer.close();
  } catch (error) {
    console.error(isHonoKafkaError(error) ? `[${error.code}] ${error.message}` : error);
    process.exitCode = 1;
  }
  console.log(
    `wrote ${database.rows.size} rows for ${new Set([...database.rows.values()].map((row) => row.deviceId)).size} devices; ${database.outOfOrder} out of device order`,
  );
}
// `once`: a second Ctrl-C or SIGTERM gets Node's default, an immediate exit.
process.once('SIGINT', (signal) => void shutDown(signal));
process.once('SIGTERM', (signal) => void shutDown(signal));
