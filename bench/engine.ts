/**
 * The engine's own cost per record, without Kafka: `HonoEventConsumer` over an in-memory client that
 * serves pre-built records of the Hono mix (section 1's workload: 6 partitions, 1,000 devices) as fast
 * as the engine polls, with section 1's no-op handler. Everything runs on one thread, so the CPU time per
 * record is the SDK's alone: decoding, scheduling, offset tracking, handler calls and commits. It prints,
 * per ordering mode, the CPU µs per record (median of rounds, and its range), the promises made per record
 * and the share of garbage collection, and the decoding alone for comparison.
 *
 * Run: `npm run bench:engine` (it builds `dist/` first and measures that) (options: `--records <n>` per round, default 200,000; `--rounds <n>`, default
 * 5; `--only device,partition,none`).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { promiseHooks } from 'node:v8';
import type {
  ClientFactories,
  ClientMessage,
  ConsumerClient,
  ConsumerListeners,
  ProducerClient,
} from '../src/engine/client.js';
import type * as ConsumerEngineModule from '../src/consumer/consumer-engine.js';
import { loadSdk } from './lib/sdk.js';
import type { TopicPartition, TopicPartitionOffset } from '../src/types.js';
import { round } from './lib/child.js';
import { formatSpread, median, spread } from './lib/rounds.js';
import { table } from './lib/table.js';
import { honoMixRecord } from './lib/workload.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
const records = Number(values.records);
const rounds = Number(values.rounds);
// The compiled package, as users get it (`npm run bench:engine` builds it first).
const { decodeEvent, eventTopic, HonoEventConsumer } = await loadSdk();
const { withClients } = (await import(
  new URL('../dist/consumer/consumer-engine.js', import.meta.url).href
)) as typeof ConsumerEngineModule;
const partitions = 6;
const devices = 1000;
const tenant = 'bench-engine';
const topic = eventTopic(tenant);

/** The records, spread over the partitions by device, each partition's offsets from 0. */
function buildRecords(): ClientMessage[] {
  const next = new Array<number>(partitions).fill(0);
  const built: ClientMessage[] = [];
  for (let index = 0; index < records; index++) {
    const encoded = honoMixRecord(tenant, index, devices);
    const partition = (index % devices) % partitions;
    const offset = next[partition] ?? 0;
    next[partition] = offset + 1;
    built.push({
      topic: encoded.topic,
      partition,
      offset,
      key: encoded.key,
      value: encoded.value,
      headers: encoded.headers,
      timestamp: Date.now(),
    });
  }
  return built;
}

/** A consumer client that assigns every partition at its first poll and then serves `messages` in order. */
class InMemoryConsumer implements ConsumerClient {
  readonly connected = true;
  readonly #listeners: ConsumerListeners;
  readonly #messages: readonly ClientMessage[];
  #next = 0;
  #assigned = false;
  #commits: TopicPartitionOffset[][] = [];

  constructor(listeners: ConsumerListeners, messages: readonly ClientMessage[]) {
    this.#listeners = listeners;
    this.#messages = messages;
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  subscribe(): void {
    // The first poll assigns.
  }

  poll(max: number): Promise<ClientMessage[]> {
    if (!this.#assigned) {
      this.#assigned = true;
      const all: TopicPartition[] = Array.from({ length: partitions }, (_, partition) => ({
        topic,
        partition,
      }));
      this.#listeners.rebalance({ kind: 'assign', partitions: all, lost: false });
    }
    for (const offsets of this.#commits) this.#listeners.commitResult(undefined, offsets);
    this.#commits = [];
    const batch = this.#messages.slice(this.#next, this.#next + max);
    this.#next += batch.length;
    // As the client's: an empty poll waits a little, and a batch arrives in a later turn of the event loop
    // (the client's worker thread fills it), after the handlers' pending continuations ran.
    return new Promise((resolve) => {
      const deliver = (): void => {
        resolve(batch);
      };
      if (batch.length === 0) setTimeout(deliver, 5);
      else setImmediate(deliver);
    });
  }

  assign(): void {}
  unassign(): void {}
  commit(offsets: readonly TopicPartitionOffset[]): void {
    this.#commits.push([...offsets]);
  }
  pause(): void {}
  resume(): void {}
  highWatermark(): number | undefined {
    return undefined;
  }
  reachable(): Promise<boolean> {
    return Promise.resolve(true);
  }
  topicNames(): Promise<Set<string>> {
    return Promise.resolve(new Set([topic]));
  }
  committed(
    asked: readonly TopicPartition[],
  ): Promise<{ topic: string; partition: number; offset: number | undefined }[]> {
    return Promise.resolve(asked.map((partition) => ({ ...partition, offset: undefined })));
  }
  disconnect(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

const noProducer: ProducerClient = {
  connect: () => Promise.resolve(),
  send: () => Promise.reject(new Error('the engine benchmark writes no dead letters')),
  disconnect: () => Promise.resolve(),
};

let promises = 0;
promiseHooks.onInit(() => {
  promises += 1;
});
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

/** One round: CPU µs per record, promises per record, GC share. */
async function measure(
  ordering: 'partition' | 'device' | 'none',
  messages: readonly ClientMessage[],
): Promise<{ cpu: number; promises: number; gc: number }> {
  const clients: ClientFactories = {
    consumer: (_settings, listeners) => new InMemoryConsumer(listeners, messages),
    producer: () => noProducer,
    beginning: -2,
    isUnknownTopic: () => false,
  };
  const consumer = withClients(
    clients,
    () =>
      new HonoEventConsumer({
        brokers: '127.0.0.1:1',
        tenant,
        groupId: 'bench-engine',
        ordering,
        telemetry: false,
        logger: {
          debug: () => undefined,
          info: () => undefined,
          warn: () => undefined,
          error: console.error,
        },
      }),
  );
  let handled = 0;
  let started: NodeJS.CpuUsage | undefined;
  let promisesAtStart = 0;
  let gcAtStart = 0;
  let wallAtStart = 0;
  let done: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  // Section 1's no-op handler: an async function that awaits once.
  const noop = async (): Promise<void> => {
    if (handled === 0) {
      started = process.cpuUsage();
      promisesAtStart = promises;
      gcAtStart = gcMs;
      wallAtStart = performance.now();
    }
    handled += 1;
    if (handled === messages.length) done?.();
    await Promise.resolve();
  };
  await consumer.run({
    event: noop,
    emptyNotification: noop,
    connection: noop,
    invalid: noop,
  });
  await finished;
  const used = process.cpuUsage(started);
  const wallMs = performance.now() - wallAtStart;
  const result = {
    cpu: (used.user + used.system) / messages.length,
    promises: (promises - promisesAtStart) / messages.length,
    gc: (gcMs - gcAtStart) / wallMs,
  };
  await consumer.stop();
  return result;
}

const messages = buildRecords();
// Decoding alone, the engine's first step for each record.
const decodeStarted = process.cpuUsage();
for (const message of messages) decodeEvent(message);
const decodeUsed = process.cpuUsage(decodeStarted);
const modes = (['device', 'partition', 'none'] as const).filter(
  (mode) => values.only === undefined || values.only.split(',').includes(mode),
);
await measure('device', messages.slice(0, 20_000)); // warm-up: let the JIT settle
const results = new Map<string, { cpu: number[]; promises: number[]; gc: number[] }>();
for (let index = 0; index < rounds; index++) {
  for (const mode of modes) {
    const run = await measure(mode, messages);
    const entry = results.get(mode) ?? { cpu: [], promises: [], gc: [] };
    entry.cpu.push(run.cpu);
    entry.promises.push(run.promises);
    entry.gc.push(run.gc);
    results.set(mode, entry);
  }
}
console.log(
  `Engine alone: ${String(records)} Hono events (the mix of section 1), ${String(devices)} devices, ${String(partitions)} partitions, an in-memory client, no-op handler; ${String(rounds)} rounds`,
);
console.log(
  table(
    ['ordering', 'CPU µs per record, median (range)', 'promises per record', 'GC share of wall time'],
    modes.map((mode) => {
      const entry = results.get(mode) ?? { cpu: [], promises: [], gc: [] };
      return [
        mode,
        formatSpread(spread(entry.cpu), 2),
        round(median(entry.promises), 2),
        `${String(round(100 * median(entry.gc), 1))} %`,
      ];
    }),
  ),
);
console.log(
  `decoding alone: ${String(round((decodeUsed.user + decodeUsed.system) / messages.length, 2))} µs per record (the first step of each)`,
);
process.exit(0);
