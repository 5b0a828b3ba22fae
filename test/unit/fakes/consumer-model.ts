/**
 * A model of the consumer engine's promises, checked while a real `HonoEventConsumer` runs against the
 * fake Kafka of `fake-kafka.ts` (through the engine's client seam) on fake
 * timers. Commands change the world (records arrive, the group rebalances, devices' handlers start to
 * fail or hang, commits go unanswered, time passes, `stop()`); after each, the invariants are checked:
 *
 * - commit: nothing is committed past a record that is not finished (handled or skipped, with no
 *   handler call of it still running);
 * - overlap: no two handler calls of one key (device, or partition) run at once;
 * - abandoned: no record of a key runs while an earlier record of that key, fetched in the same
 *   assignment, is not finished;
 * - failure pause (`onFailure: 'pause'`): a partition with a record that failed for good stays paused
 *   for failure (at the client and in `health()`) until every such record succeeded;
 * - replay: a partition's newest fetched record is at most `replayBound` records past the lowest
 *   unfinished one (the work handled again after a crash);
 * - progress (the {@link Settle} command): given time, every assigned partition whose devices all
 *   behave is committed to its end;
 * - stop: `stop()` resolves within `drainTimeoutMs + closeTimeoutMs`.
 */
import { vi } from 'vitest';
import { HonoEventConsumer } from '../../../src/consumer/hono-event-consumer.js';
import { withClients } from '../../../src/consumer/consumer-engine.js';
import type { HonoEventConsumerOptions } from '../../../src/consumer/options.js';
import { type FakeKafkaConsumer, type FakePosition, fakeClients, fakeKafka } from './fake-kafka.js';

/** How a device's handler calls behave from now on. */
export type Behavior =
  /** resolve after {@link okMs} */
  | 'ok'
  /** reject at once */
  | 'failing'
  /** resolve after `slowMs` (below the handler timeout) */
  | 'slow'
  /** ignore the signal and resolve only after three handler timeouts */
  | 'hanging';

/** A handler call resolves after this long when its device behaves. */
export const okMs = 5;

/** The engine's settings and the world's shape for one run. */
export interface ModelConfig {
  readonly ordering: 'device' | 'partition';
  readonly onFailure: 'pause' | 'skip';
  readonly concurrency: number;
  readonly maxInFlight: number;
  /** Devices and the partition each one's records go to (Kafka hashes the key). */
  readonly devices: Readonly<Record<string, number>>;
  readonly partitions: number;
  readonly handlerTimeoutMs: number;
  /** How long a `slow` call takes. */
  readonly slowMs: number;
  /**
   * The most records a partition may be fetched past its lowest unfinished one: the consumer's
   * `maxUncommitted`.
   */
  readonly replayBound: number;
}

/** The settings the model runs with unless a test says otherwise. */
export const baseConfig: ModelConfig = {
  ordering: 'device',
  onFailure: 'pause',
  concurrency: 4,
  maxInFlight: 64,
  devices: { a: 0, b: 0, c: 1, d: 2 },
  partitions: 3,
  handlerTimeoutMs: 200,
  slowMs: 150,
  replayBound: 16,
};

const topic = 'hono.event.t';
const retry = { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 100, multiplier: 2, jitter: 0 };
const drainTimeoutMs = 300;
const closeTimeoutMs = 500;
const commitIntervalMs = 50;

/**
 * Advances the fake clock in steps until `work` settles or `limitMs` passed.
 *
 * @returns whether it settled in time
 */
async function advanceUntil(work: Promise<unknown>, limitMs: number, stepMs: number): Promise<boolean> {
  const state = { settled: false };
  void work.finally(() => {
    state.settled = true;
  });
  await vi.advanceTimersByTimeAsync(0);
  for (let waited = 0; waited < limitMs && !state.settled; waited += stepMs) {
    await vi.advanceTimersByTimeAsync(stepMs);
  }
  return state.settled;
}

/** A broken promise, with the commands that led to it. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

interface Call {
  readonly device: string;
  readonly partition: number;
  readonly offset: number;
  readonly attempt: number;
  readonly key: string;
  running: boolean;
}

/** What the model knows of one record (by partition and offset, over all assignments). */
interface RecordState {
  readonly device: string;
  /** The assignments it was fetched in. */
  readonly fetchedIn: Set<number>;
  /** A handler call of it resolved, or it was skipped. */
  done: boolean;
  /** The assignment in which its last attempt failed, while not done since (`onFailure: 'pause'`). */
  failedForGoodIn: number | undefined;
}

/** A running consumer and what the model saw of it. */
export class ConsumerModel {
  readonly config: ModelConfig;
  readonly consumer: HonoEventConsumer;
  readonly client: FakeKafkaConsumer;
  /** The commands run so far, for the failure message. */
  readonly log: string[] = [];
  readonly #behaviors = new Map<string, Behavior>();
  /** Counts each device's outages and behavior changes: an outage ends only if it is the latest. */
  readonly #outages = new Map<string, number>();
  readonly #calls: Call[] = [];
  readonly #records = new Map<string, RecordState>();
  readonly #violations: string[] = [];
  #stopped = false;
  /** Partitions whose revoke was sent and whose unassign has not come. */
  readonly #revoking = new Set<number>();

  private constructor(config: ModelConfig, consumer: HonoEventConsumer, client: FakeKafkaConsumer) {
    this.config = config;
    this.consumer = consumer;
    this.client = client;
    for (const device of Object.keys(config.devices)) this.#behaviors.set(device, 'ok');
    client.onCommit = (offsets) => {
      this.#checkCommit(offsets);
    };
    client.onDeliver = (record, epoch) => {
      this.#record(record.partition, record.offset, record.deviceId).fetchedIn.add(epoch);
    };
    consumer.on('skipped', ({ partition, offset }) => {
      const state = this.#records.get(`${String(partition)}/${String(offset)}`);
      if (state !== undefined) state.done = true;
    });
  }

  /**
   * Starts a consumer on fake timers against a fresh fake broker.
   *
   * @param config - the engine's settings and the world's shape
   */
  static async start(config: ModelConfig): Promise<ConsumerModel> {
    vi.useFakeTimers();
    fakeKafka.reset();
    fakeKafka.broker.topics.add(topic);
    const started: { model?: ConsumerModel } = {};
    const quiet = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    };
    const options: HonoEventConsumerOptions = {
      brokers: 'kafka:9092',
      tenant: 't',
      groupId: 'model',
      ordering: config.ordering,
      onFailure: config.onFailure,
      concurrency: config.concurrency,
      maxInFlight: config.maxInFlight,
      maxUncommitted: config.replayBound,
      batchSize: 8,
      retry,
      handlerTimeoutMs: config.handlerTimeoutMs,
      drainTimeoutMs,
      closeTimeoutMs,
      commitIntervalMs,
      logger: quiet,
    };
    const consumer = withClients(fakeClients, () => new HonoEventConsumer(options));
    consumer.on('error', () => undefined);
    consumer.on('commitFailed', () => undefined);
    const running = consumer.run({
      event: (event, context) => {
        if (started.model === undefined) throw new Error('no model');
        return started.model.#handle(event.deviceId, context.partition, context.offset, context.attempt);
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    await running;
    started.model = new ConsumerModel(config, consumer, fakeKafka.client);
    return started.model;
  }

  /** The partitions of devices. */
  partitionOf(device: string): number {
    const partition = this.config.devices[device];
    if (partition === undefined) throw new Error(`unknown device ${device}`);
    return partition;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** How many records were produced to a partition. */
  recordsOn(partition: number): number {
    return fakeKafka.broker.log(topic, partition).length;
  }

  /** A device's handler fails now, or a record failed for good and has not succeeded since. */
  get anyFailing(): boolean {
    return (
      [...this.#behaviors.values()].includes('failing') ||
      [...this.#records.values()].some((state) => state.failedForGoodIn !== undefined)
    );
  }

  /** Whether a revoke or loss is under way (sent, and its partitions not unassigned yet). */
  get releasing(): boolean {
    this.#forgetRevoked();
    return this.#revoking.size > 0;
  }

  /** How the broker answers commits now. */
  get answering(): 'answer' | 'fail' | 'hold' {
    return this.client.commitMode;
  }

  /** Whether the group may assign the partition now (it is not this client's, nor on its way out). */
  canAssign(partition: number): boolean {
    return !this.client.isAssigned(topic, partition) && !this.#revoking.has(partition);
  }

  /** Whether the group may revoke the partition now. */
  canRevoke(partition: number): boolean {
    return this.client.isAssigned(topic, partition) && !this.#revoking.has(partition);
  }

  // --- Commands: ---

  /** Records of a device arrive on its partition. */
  produce(device: string, count: number): void {
    for (let i = 0; i < count; i++) fakeKafka.broker.produce(topic, this.partitionOf(device), device);
  }

  /** The device's handler calls behave so from now on (calls already running keep their way). */
  behave(device: string, behavior: Behavior): void {
    this.#outages.set(device, (this.#outages.get(device) ?? 0) + 1);
    this.#behaviors.set(device, behavior);
  }

  /** The device's handler calls fail for `ms` from now, then behave (unless told otherwise meanwhile). */
  outage(device: string, ms: number): void {
    this.#behaviors.set(device, 'failing');
    const generation = (this.#outages.get(device) ?? 0) + 1;
    this.#outages.set(device, generation);
    setTimeout(() => {
      if (this.#outages.get(device) === generation && this.#behaviors.get(device) === 'failing') {
        this.#behaviors.set(device, 'ok');
      }
    }, ms);
  }

  /** The group hands partitions to this consumer, or takes them back, or they are lost. */
  rebalance(kind: 'assign' | 'revoke' | 'lost', partitions: readonly number[]): void {
    if (kind !== 'assign') for (const partition of partitions) this.#revoking.add(partition);
    this.client.rebalance(
      kind,
      partitions.map((partition) => ({ topic, partition })),
    );
  }

  /** How the broker answers commits from now on. */
  commitMode(mode: 'answer' | 'fail' | 'hold'): void {
    this.client.commitMode = mode;
  }

  /** Time passes. */
  async advance(ms: number): Promise<void> {
    await vi.advanceTimersByTimeAsync(ms);
    this.#forgetRevoked();
  }

  /**
   * Lets 3 s pass (more when a partition has more records than that to handle one after another at
   * the speed of its devices), then checks progress: each assigned partition whose devices all behave
   * (`ok` or `slow`) before and after is committed to its end, while the broker answers commits.
   */
  async settle(): Promise<void> {
    const before = new Map(this.#behaviors);
    let serialMs = 0;
    for (let partition = 0; partition < this.config.partitions; partition++) {
      const left =
        fakeKafka.broker.log(topic, partition).length - (fakeKafka.broker.committed(topic, partition) ?? 0);
      const slow = Object.keys(this.config.devices).some(
        (device) => this.partitionOf(device) === partition && this.#behaviors.get(device) === 'slow',
      );
      serialMs = Math.max(serialMs, left * (slow ? this.config.slowMs : okMs));
    }
    await this.advance(3_000 + serialMs);
    if (this.#stopped || this.client.commitMode !== 'answer') return;
    for (let partition = 0; partition < this.config.partitions; partition++) {
      if (!this.client.isAssigned(topic, partition) || this.#revoking.has(partition)) continue;
      const devices = Object.keys(this.config.devices).filter(
        (device) => this.partitionOf(device) === partition,
      );
      const behaves = (behaviors: Map<string, Behavior>): boolean =>
        devices.every((device) => ['ok', 'slow'].includes(behaviors.get(device) ?? 'ok'));
      if (!behaves(before) || !behaves(this.#behaviors)) continue;
      const end = fakeKafka.broker.log(topic, partition).length;
      const committed = fakeKafka.broker.committed(topic, partition) ?? 0;
      if (committed < end) {
        this.#violate(
          `progress: partition ${String(partition)}, whose devices all behave, is committed to ${String(committed)} of ${String(end)} after 3 s`,
        );
      }
    }
  }

  /** `stop()`, and it must resolve within `drainTimeoutMs + closeTimeoutMs`. */
  async stop(): Promise<void> {
    const bound = drainTimeoutMs + closeTimeoutMs;
    const stopping = this.consumer.stop();
    const inTime = await advanceUntil(stopping, bound, 10);
    this.#stopped = true;
    if (!inTime) {
      this.#violate(
        `stop: stop() has not resolved ${String(bound)} ms (drainTimeoutMs + closeTimeoutMs) after it was called`,
      );
      // Let it end, so that the next run starts clean.
      await advanceUntil(stopping, Number.MAX_SAFE_INTEGER, 1_000);
    }
    await stopping;
  }

  /** Ends the run (stops the consumer if a command did not) and restores real timers. */
  async dispose(): Promise<void> {
    if (!this.#stopped) await advanceUntil(this.consumer.stop(), Number.MAX_SAFE_INTEGER, 100);
    // Calls that ignore their signal end by themselves.
    await vi.advanceTimersByTimeAsync(4 * this.config.handlerTimeoutMs);
    vi.useRealTimers();
  }

  /**
   * Checks the invariants that hold at any moment, and throws with the commands so far if one broke
   * (here or during the last command).
   */
  async check(): Promise<void> {
    await vi.advanceTimersByTimeAsync(0);
    this.#forgetRevoked();
    if (!this.#stopped && this.consumer.state === 'running') {
      this.#checkFailurePause();
      this.#checkReplay();
    }
    if (this.#violations.length > 0) {
      throw new InvariantViolation(
        `${this.#violations.join('\n')}\nafter the commands:\n  ${this.log.join('\n  ')}`,
      );
    }
  }

  // --- The handler and the invariants: ---

  #handle(device: string, partition: number, offset: number, attempt: number): Promise<void> {
    const key = this.config.ordering === 'device' ? device : `partition ${String(partition)}`;
    const overlapping = this.#calls.find((call) => call.running && call.key === key);
    if (overlapping !== undefined) {
      this.#violate(
        `overlap: ${key}: record ${String(offset)} attempt ${String(attempt)} started while record ${String(overlapping.offset)} attempt ${String(overlapping.attempt)} still runs`,
      );
    }
    const epoch = this.client.epoch(topic, partition);
    for (const [id, state] of this.#records) {
      const [p, o] = id.split('/').map(Number) as [number, number];
      const sameKey = this.config.ordering === 'device' ? state.device === device : true;
      if (p === partition && o < offset && sameKey && state.fetchedIn.has(epoch) && !state.done) {
        this.#violate(
          `abandoned: ${key}: record ${String(offset)} of partition ${String(partition)} runs while the earlier record ${String(o)} (fetched in the same assignment) is not finished`,
        );
      }
    }
    const call: Call = { device, partition, offset, attempt, key, running: true };
    this.#calls.push(call);
    const behavior = this.#behaviors.get(device) ?? 'ok';
    const state = this.#record(partition, offset, device);
    const ms =
      behavior === 'ok'
        ? okMs
        : behavior === 'slow'
          ? this.config.slowMs
          : behavior === 'hanging'
            ? 3 * this.config.handlerTimeoutMs
            : 0;
    return new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        call.running = false;
        this.#calls.splice(this.#calls.indexOf(call), 1);
        if (behavior === 'failing') {
          if (attempt >= retry.maxAttempts) state.failedForGoodIn ??= this.client.epoch(topic, partition);
          reject(new Error(`${device} fails`));
        } else {
          state.done = true;
          state.failedForGoodIn = undefined;
          resolve();
        }
      }, ms);
    });
  }

  #record(partition: number, offset: number, device: string): RecordState {
    const id = `${String(partition)}/${String(offset)}`;
    let state = this.#records.get(id);
    if (state === undefined) {
      state = { device, fetchedIn: new Set(), done: false, failedForGoodIn: undefined };
      this.#records.set(id, state);
    }
    return state;
  }

  #finished(partition: number, offset: number): boolean {
    const state = this.#records.get(`${String(partition)}/${String(offset)}`);
    return (
      state?.done === true &&
      !this.#calls.some((call) => call.running && call.partition === partition && call.offset === offset)
    );
  }

  #checkCommit(offsets: readonly FakePosition[]): void {
    for (const { partition, offset } of offsets) {
      for (let earlier = fakeKafka.broker.committed(topic, partition) ?? 0; earlier < offset; earlier++) {
        if (!this.#finished(partition, earlier)) {
          const running = this.#calls.some((call) => call.partition === partition && call.offset === earlier);
          this.#violate(
            `commit: position ${String(offset)} of partition ${String(partition)} committed past record ${String(earlier)}, which ${running ? 'a handler call still runs' : 'is not handled'}`,
          );
          break;
        }
      }
    }
  }

  #checkFailurePause(): void {
    if (this.config.onFailure !== 'pause') return;
    const health = this.consumer.health();
    for (const [id, state] of this.#records) {
      const partition = Number(id.split('/')[0]);
      if (
        state.failedForGoodIn === undefined ||
        state.failedForGoodIn !== this.client.epoch(topic, partition)
      )
        continue;
      if (!this.client.isAssigned(topic, partition) || this.#revoking.has(partition)) continue;
      const reasons = health.partitions.find((p) => p.partition === partition)?.pausedFor ?? [];
      if (!this.client.isPaused(topic, partition) || !reasons.includes('failure')) {
        this.#violate(
          `failure pause: partition ${String(partition)} ${this.client.isPaused(topic, partition) ? 'is paused' : 'fetches'} (pausedFor [${reasons.join(', ')}]) while record ${id.split('/')[1] ?? ''} of ${state.device} fails for good`,
        );
      }
    }
  }

  #checkReplay(): void {
    for (let partition = 0; partition < this.config.partitions; partition++) {
      if (!this.client.isAssigned(topic, partition)) continue;
      const epoch = this.client.epoch(topic, partition);
      let lowest: number | undefined;
      let newest: number | undefined;
      for (const [id, state] of this.#records) {
        const [p, o] = id.split('/').map(Number) as [number, number];
        if (p !== partition || !state.fetchedIn.has(epoch)) continue;
        newest = Math.max(newest ?? o, o);
        if (!this.#finished(p, o)) lowest = Math.min(lowest ?? o, o);
      }
      if (lowest !== undefined && newest !== undefined && newest - lowest >= this.config.replayBound) {
        this.#violate(
          `replay: partition ${String(partition)} fetched up to record ${String(newest)} while record ${String(lowest)} is unfinished (bound ${String(this.config.replayBound)})`,
        );
      }
    }
  }

  #forgetRevoked(): void {
    for (const partition of this.#revoking) {
      if (!this.client.isAssigned(topic, partition)) this.#revoking.delete(partition);
    }
  }

  #violate(message: string): void {
    if (!this.#violations.includes(message)) this.#violations.push(message);
  }
}

/** One step of a run, as fast-check's model commands and the regression tests use it. */
export interface Step {
  readonly label: string;
  run(model: ConsumerModel): Promise<void> | void;
}

/** Runs steps, checking the invariants after each; throws the first violation with the steps so far. */
export async function runSteps(config: ModelConfig, steps: readonly Step[]): Promise<void> {
  const model = await ConsumerModel.start(config);
  try {
    for (const step of steps) {
      model.log.push(step.label);
      await step.run(model);
      await model.check();
    }
  } finally {
    await model.dispose();
  }
}

/** The steps, by what they do: `step.produce('a', 2)` and so on. */
export const step = {
  produce: (device: string, count = 1): Step => ({
    label: `produce(${device}, ${String(count)})`,
    run: (model) => {
      model.produce(device, count);
    },
  }),
  behave: (device: string, behavior: Behavior): Step => ({
    label: `behave(${device}, ${behavior})`,
    run: (model) => {
      model.behave(device, behavior);
    },
  }),
  /** Devices fail, each for its time: `outage({ a: 300, b: 800 })`. */
  outage: (devices: Readonly<Record<string, number>>): Step => ({
    label: `outage(${JSON.stringify(devices).replaceAll('"', '')})`,
    run: (model) => {
      for (const [device, ms] of Object.entries(devices)) model.outage(device, ms);
    },
  }),
  rebalance: (kind: 'assign' | 'revoke' | 'lost', partitions: readonly number[]): Step => ({
    label: `${kind}([${partitions.join(', ')}])`,
    run: (model) => {
      model.rebalance(kind, partitions);
    },
  }),
  commitMode: (mode: 'answer' | 'fail' | 'hold'): Step => ({
    label: `commitMode(${mode})`,
    run: (model) => {
      model.commitMode(mode);
    },
  }),
  advance: (ms: number): Step => ({
    label: `advance(${String(ms)})`,
    run: (model) => model.advance(ms),
  }),
  settle: (): Step => ({ label: 'settle()', run: (model) => model.settle() }),
  stop: (): Step => ({ label: 'stop()', run: (model) => model.stop() }),
};
