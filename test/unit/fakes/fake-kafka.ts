/**
 * An in-memory Kafka behind the engine's client seam (`src/engine/client.ts`): a broker with partition
 * logs and a group's committed positions, and a consumer client (assign, pause, poll, commit with
 * answers delivered during a poll, ...). A test makes its consumer on it:
 *
 * ```ts
 * const consumer = withClients(fakeClients, () => new HonoEventConsumer(options));
 * ```
 *
 * The test drives the group through {@link FakeKafkaConsumer.rebalance} and decides how commits are
 * answered ({@link FakeKafkaConsumer.commitMode}). Time is whatever clock the test runs on (it works
 * with `vi.useFakeTimers()`): an empty poll waits its timeout with `setTimeout`.
 */
import { ClientFailure, type ClientFactories, type ConsumerClient } from '../../../src/engine/client.js';
import { FakeProducer } from './fake-producer.js';

/** The dead-letter producer of a consumer under test (see `fake-producer.ts`). */
export { FakeProducer };

/** A partition of a topic. */
export interface FakePartition {
  readonly topic: string;
  readonly partition: number;
}

/** A position: the next offset to read. */
export interface FakePosition extends FakePartition {
  readonly offset: number;
}

/** A record as the client delivers it (a Hono event of the generic kind, keyed by its device). */
export interface FakeRecord extends FakePosition {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer>[];
  readonly timestamp: number;
  /** The device, as the test produced it. */
  readonly deviceId: string;
}

/** The adapter's listeners, as the consumer passes them to the client's constructor. */
export interface FakeListeners {
  rebalance(event: { kind: 'assign' | 'revoke'; partitions: readonly FakePartition[]; lost: boolean }): void;
  commitResult(failure: Error | undefined, offsets: readonly FakePosition[]): void;
  clientError(failure: Error): void;
}

/** How the fake broker answers commits: at the next poll with success or a failure, or not yet. */
export type CommitMode = 'answer' | 'fail' | 'hold';

const idOf = (topic: string, partition: number): string => `${topic}/${String(partition)}`;

/** The broker: partition logs and the group's committed positions. */
export class FakeBroker {
  readonly #logs = new Map<string, FakeRecord[]>();
  readonly #committed = new Map<string, number>();
  /** The topics that exist (the consumer checks its subscription against them). */
  readonly topics = new Set<string>();

  /**
   * Appends a record for a device to a partition's log.
   *
   * @returns the record
   */
  produce(topic: string, partition: number, deviceId: string): FakeRecord {
    this.topics.add(topic);
    const log = this.log(topic, partition);
    const now = Date.now();
    const record: FakeRecord = {
      topic,
      partition,
      offset: log.length,
      key: Buffer.from(deviceId),
      value: Buffer.from(`record ${String(log.length)} of ${deviceId}`),
      headers: [
        { 'content-type': Buffer.from('text/plain') },
        { device_id: Buffer.from(deviceId) },
        { qos: Buffer.from('1') },
        { 'creation-time': Buffer.from(String(now)) },
      ],
      timestamp: now,
      deviceId,
    };
    log.push(record);
    return record;
  }

  /**
   * Appends a record as an encoder made it (e.g. a command response) to a partition's log.
   *
   * @returns the record
   */
  append(
    partition: number,
    encoded: { topic: string; key: Buffer; value: Buffer | null; headers: Record<string, Buffer>[] },
  ): FakeRecord {
    const { topic } = encoded;
    this.topics.add(topic);
    const log = this.log(topic, partition);
    const record: FakeRecord = {
      topic,
      partition,
      offset: log.length,
      key: encoded.key,
      value: encoded.value,
      headers: encoded.headers,
      timestamp: Date.now(),
      deviceId: encoded.key.toString(),
    };
    log.push(record);
    return record;
  }

  /** A partition's log (empty when nothing was produced). */
  log(topic: string, partition: number): FakeRecord[] {
    let log = this.#logs.get(idOf(topic, partition));
    if (log === undefined) {
      log = [];
      this.#logs.set(idOf(topic, partition), log);
    }
    return log;
  }

  /**
   * Deletes a topic and makes it again under the same name: its logs start empty, at offset 0, and the
   * group's committed positions of it are gone (as Kafka removes them with the topic).
   */
  recreate(topic: string): void {
    for (const id of [...this.#logs.keys()]) if (id.startsWith(`${topic}/`)) this.#logs.delete(id);
    for (const id of [...this.#committed.keys()]) if (id.startsWith(`${topic}/`)) this.#committed.delete(id);
  }

  /** The group's committed position of a partition. */
  committed(topic: string, partition: number): number | undefined {
    return this.#committed.get(idOf(topic, partition));
  }

  /** Stores a confirmed commit. */
  commit(offsets: readonly FakePosition[]): void {
    for (const { topic, partition, offset } of offsets) this.#committed.set(idOf(topic, partition), offset);
  }
}

interface Assignment extends FakePartition {
  /** The next offset to deliver. */
  position: number;
  /** Counts the assignments of this partition to this client: 1 for the first. */
  readonly epoch: number;
}

/** What a test may observe of every client call. */
export interface FakeCall {
  readonly name: string;
  readonly partitions?: readonly FakePartition[];
}

/** The shared state of the fake adapter: the broker and the clients made since the last reset. */
export const fakeKafka = {
  broker: new FakeBroker(),
  clients: [] as FakeKafkaConsumer[],
  /** The dead-letter producers made since the last reset. */
  producers: [] as FakeProducer[],
  /** Makes the failure that a failed commit answers with. */
  makeFailure: (message: string): Error =>
    new ClientFailure(-185, message, { isFatal: false, isRetriable: true }, undefined),
  /** Forgets the broker and the clients. */
  reset(): void {
    this.broker = new FakeBroker();
    this.clients = [];
    this.producers = [];
  },
  /** The last client made. */
  get client(): FakeKafkaConsumer {
    const client = this.clients.at(-1);
    if (client === undefined) throw new Error('no fake Kafka client was made');
    return client;
  },
};

/** The consumer client: the adapter's methods over {@link fakeKafka}'s broker. */
export class FakeKafkaConsumer implements ConsumerClient {
  static readonly beginning = -2;
  readonly listeners: FakeListeners;
  readonly calls: FakeCall[] = [];
  /** The topics of the last subscribe call. */
  subscribed: readonly string[] = [];
  /** How commits are answered from now on (held ones go out at the next poll in another mode). */
  commitMode: CommitMode = 'answer';
  /** Commit calls not answered yet, oldest first. */
  readonly pendingCommits: (readonly FakePosition[])[] = [];
  /** Told of every commit call, before anything else happens: where a test checks what is committed. */
  onCommit: ((offsets: readonly FakePosition[]) => void) | undefined;
  /** Told of every record a poll returns, with the assignment it was delivered in. */
  onDeliver: ((record: FakeRecord, epoch: number) => void) | undefined;
  readonly #assigned = new Map<string, Assignment>();
  readonly #paused = new Set<string>();
  readonly #epochs = new Map<string, number>();
  #connected = false;

  constructor(_settings: unknown, listeners: FakeListeners) {
    this.listeners = listeners;
    fakeKafka.clients.push(this);
  }

  // --- What the test does: ---

  /** The group hands partitions out (`assign`) or takes them back (`revoke`, `lost`). */
  rebalance(kind: 'assign' | 'revoke' | 'lost', partitions: readonly FakePartition[]): void {
    this.listeners.rebalance({
      kind: kind === 'assign' ? 'assign' : 'revoke',
      partitions: partitions.map(({ topic, partition }) => ({ topic, partition })),
      lost: kind === 'lost',
    });
  }

  /** Whether a partition is assigned (assign called, unassign not yet). */
  isAssigned(topic: string, partition: number): boolean {
    return this.#assigned.has(idOf(topic, partition));
  }

  /** Whether a partition is paused. */
  isPaused(topic: string, partition: number): boolean {
    return this.#paused.has(idOf(topic, partition));
  }

  /** The assignment count of a partition (0 before its first assignment). */
  epoch(topic: string, partition: number): number {
    return this.#epochs.get(idOf(topic, partition)) ?? 0;
  }

  /**
   * Moves an assigned partition's position, as librdkafka does after the log was truncated or the
   * topic made again (offset out of range, then `auto.offset.reset`).
   */
  rewind(topic: string, partition: number, offset: number): void {
    const assignment = this.#assigned.get(idOf(topic, partition));
    if (assignment === undefined) throw new Error(`${idOf(topic, partition)} is not assigned`);
    assignment.position = offset;
  }

  /** The next offset a poll delivers from an assigned partition. */
  position(topic: string, partition: number): number | undefined {
    return this.#assigned.get(idOf(topic, partition))?.position;
  }

  // --- The adapter's methods, as the consumer calls them: ---

  connect(): Promise<void> {
    this.#connected = true;
    return Promise.resolve();
  }

  subscribe(topics: readonly string[]): void {
    this.subscribed = [...topics];
    this.calls.push({ name: 'subscribe' });
  }

  async poll(max: number, timeoutMs: number): Promise<FakeRecord[]> {
    this.#answerCommits();
    const records = this.#take(max);
    if (records.length > 0) return records;
    await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    this.#answerCommits();
    return this.#take(max);
  }

  get cooperative(): boolean {
    return true;
  }

  assign(positions: readonly (FakePartition & { offset?: number })[]): void {
    this.calls.push({ name: 'assign', partitions: positions });
    for (const { topic, partition, offset } of positions) {
      const id = idOf(topic, partition);
      const epoch = (this.#epochs.get(id) ?? 0) + 1;
      this.#epochs.set(id, epoch);
      const start =
        offset === undefined || offset < 0 ? (fakeKafka.broker.committed(topic, partition) ?? 0) : offset;
      this.#assigned.set(id, { topic, partition, position: start, epoch });
    }
  }

  unassign(partitions: readonly FakePartition[]): void {
    this.calls.push({ name: 'unassign', partitions });
    for (const { topic, partition } of partitions) this.#assigned.delete(idOf(topic, partition));
  }

  assignmentLost(): boolean {
    return false;
  }

  commit(offsets: readonly FakePosition[]): void {
    const copy = offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset }));
    this.onCommit?.(copy);
    this.pendingCommits.push(copy);
  }

  pause(partitions: readonly FakePartition[]): void {
    this.calls.push({ name: 'pause', partitions });
    for (const { topic, partition } of partitions) this.#paused.add(idOf(topic, partition));
  }

  resume(partitions: readonly FakePartition[]): void {
    this.calls.push({ name: 'resume', partitions });
    for (const { topic, partition } of partitions) this.#paused.delete(idOf(topic, partition));
  }

  highWatermark(topic: string, partition: number): number | undefined {
    return fakeKafka.broker.log(topic, partition).length;
  }

  reachable(): Promise<boolean> {
    return Promise.resolve(true);
  }

  topicNames(): Promise<Set<string> | undefined> {
    return Promise.resolve(new Set(fakeKafka.broker.topics));
  }

  committed(
    partitions: readonly FakePartition[],
  ): Promise<{ topic: string; partition: number; offset: number | undefined }[] | undefined> {
    return Promise.resolve(
      partitions.map(({ topic, partition }) => ({
        topic,
        partition,
        offset: fakeKafka.broker.committed(topic, partition),
      })),
    );
  }

  get connected(): boolean {
    return this.#connected;
  }

  disconnect(): Promise<boolean> {
    this.#connected = false;
    return Promise.resolve(true);
  }

  /** Answers the commits held so far, unless answers are held. */
  #answerCommits(): void {
    if (this.commitMode === 'hold') return;
    for (
      let offsets = this.pendingCommits.shift();
      offsets !== undefined;
      offsets = this.pendingCommits.shift()
    ) {
      if (this.commitMode === 'answer') {
        fakeKafka.broker.commit(offsets);
        this.listeners.commitResult(undefined, offsets);
      } else {
        this.listeners.commitResult(fakeKafka.makeFailure('Broker: Request timed out'), offsets);
      }
    }
  }

  /** Up to `max` records of the assigned, unpaused partitions, in turns. */
  #take(max: number): FakeRecord[] {
    const records: FakeRecord[] = [];
    let took = true;
    while (records.length < max && took) {
      took = false;
      for (const [id, assignment] of this.#assigned) {
        if (records.length >= max) break;
        if (this.#paused.has(id)) continue;
        const record = fakeKafka.broker.log(assignment.topic, assignment.partition)[assignment.position];
        if (record === undefined) continue;
        assignment.position += 1;
        records.push(record);
        this.onDeliver?.(record, assignment.epoch);
        took = true;
      }
    }
    return records;
  }
}

/**
 * The engine's client factories over {@link fakeKafka}: pass them to `withClients` (from
 * `src/consumer/hono-event-consumer.ts`) around `new HonoEventConsumer(...)`.
 */
export const fakeClients: ClientFactories = {
  consumer: (settings, listeners) => new FakeKafkaConsumer(settings, listeners),
  producer: (_settings, listeners) => {
    const producer = new FakeProducer(listeners);
    fakeKafka.producers.push(producer);
    return producer;
  },
  beginning: FakeKafkaConsumer.beginning,
  isUnknownTopic: (failure) => failure.code === 3,
};
