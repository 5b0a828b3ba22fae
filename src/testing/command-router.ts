/**
 * The simulator's stand-in for Hono's Command Router and protocol adapter, for one tenant: it reads
 * `hono.command.<tenant>` in a consumer group, decides for each record what Hono would do
 * (`command-routing.ts`), hands delivered commands to the test's answer function and writes the
 * responses and delivery failures to `hono.command_response.<tenant>`.
 *
 * Records are handled as they arrive, each on its own (an answer that takes long holds back no other
 * command), and a partition's position is committed up to its first record not finished yet, as Hono's
 * router commits after handling.
 *
 * @module
 */
import { settlesWithin } from '../deadline.js';
import { connectError } from '../engine/client-errors.js';
import {
  type ClientFactories,
  type ClientFailure,
  type ClientMessage,
  type ClientSettings,
  type ConsumerClient,
  toFailure,
} from '../engine/client.js';
import type { Logger } from '../consumer/options.js';
import { KafkaClientError, KafkaClientErrorCode, thrownMessage } from '../errors.js';
import type { TopicPartition } from '../types.js';
import {
  type DecodedCommand,
  decodeCommand,
  encodeCommandResponse,
  encodeDeliveryFailure,
  type InvalidCommand,
} from '../wire/commands.js';
import type { EncodedRecord } from '../wire/types.js';
import { CommandOutcome, routeCommand } from './command-routing.js';
import type { RecordWriter, SimulatedDevice } from './simulated-device.js';

/**
 * A device's answer to a request/response command, written as the protocol adapter writes it.
 *
 * @category Testing
 */
export interface CommandAnswer {
  /** The status: 200-299 or 400-599 (Hono's adapters refuse any other status from a device). */
  readonly status: number;
  /**
   * The payload; a string is written as UTF-8.
   * @defaultValue none (a null value)
   */
  readonly payload?: Buffer | string | undefined;
  /**
   * The `content-type` header.
   * @defaultValue `application/octet-stream` with a payload, none without
   */
  readonly contentType?: string | undefined;
  /**
   * A `ttl` header in ms (Hono's `ttl-command-response` of the tenant).
   * @defaultValue no `ttl` header
   */
  readonly ttlMs?: number | undefined;
}

/**
 * The test's device logic: called with each command delivered to a connected device, in the order of its
 * partition. For a request/response command, the returned answer is written as the device's response;
 * `undefined` writes nothing (the application's request times out, as with a device that never answers).
 * For a one-way command, what it returns is ignored. A throw (or rejection) writes nothing and is logged.
 *
 * @category Testing
 */
export type AnswerCommand = (
  command: DecodedCommand,
  device: SimulatedDevice,
) => CommandAnswer | undefined | Promise<CommandAnswer | undefined>;

/**
 * A command record the simulator handled, with what it did: see {@link HonoSimulator.commands}.
 *
 * @category Testing
 */
export interface HandledCommand {
  /** The tenant of the command topic. */
  readonly tenantId: string;
  /** The record's partition. */
  readonly partition: number;
  /** The record's offset. */
  readonly offset: number;
  /** The record as Hono's router reads it: a command, or why it is invalid. */
  readonly command: DecodedCommand | InvalidCommand;
  /** What the simulator did with it. */
  readonly outcome: CommandOutcome;
  /** The record written to `hono.command_response.<tenant>`, if any (a response or a delivery failure). */
  readonly response: EncodedRecord | undefined;
  /** The status of that response. */
  readonly status: number | undefined;
  /** With outcome `failed`: what the answer function threw, or why the response was not written. */
  readonly error: unknown;
}

/** What a router needs from the simulator. */
export interface RouterContext {
  readonly tenantId: string;
  readonly topic: string;
  readonly clients: ClientFactories;
  readonly settings: ClientSettings;
  readonly brokers: string;
  readonly secrets: readonly string[];
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
  /** The device object, made if the simulator has none yet. */
  device(deviceId: string): SimulatedDevice;
  /** Whether the simulator knows the device and it takes commands now. */
  isReachable(deviceId: string, now: number): boolean;
  readonly write: RecordWriter;
  readonly answer: AnswerCommand;
  /** Commands created before this time (ms since the epoch) are skipped. */
  readonly ignoreCreatedBefore?: number | undefined;
  /** Told about every record handled. */
  handled(command: HandledCommand): void;
}

/** The records of one partition still being handled, and the position after the newest one seen. */
interface PartitionProgress {
  readonly unfinished: Set<number>;
  next: number;
  committed: number;
}

const pollTimeoutMs = 100;
const pollBatch = 500;

/** One tenant's command router. */
export class CommandRouter {
  readonly #context: RouterContext;
  readonly #consumer: ConsumerClient;
  readonly #progress = new Map<string, PartitionProgress>();
  readonly #running = new Set<Promise<void>>();
  #assigned: () => void = () => undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #lastFailure: ClientFailure | undefined;

  /**
   * Makes the consumer client (nothing is connected yet).
   *
   * @param context - what the router needs from the simulator
   * @throws when the client refuses a setting
   */
  constructor(context: RouterContext) {
    this.#context = context;
    this.#consumer = context.clients.consumer(context.settings, {
      rebalance: (event) => {
        if (event.kind === 'assign') {
          this.#consumer.assign(event.partitions);
          if (event.partitions.some(({ topic }) => topic === context.topic)) this.#assigned();
        } else {
          this.#commit(event.partitions);
          for (const partition of event.partitions) this.#progress.delete(keyOf(partition));
          this.#consumer.unassign(event.partitions);
        }
      },
      commitResult: (failure) => {
        if (failure !== undefined)
          context.logger.debug('command router commit failed', { error: failure.message });
      },
      clientError: (failure) => {
        this.#lastFailure = failure;
        context.logger.debug('command router client error', { topic: context.topic, error: failure.message });
      },
    });
  }

  /**
   * Connects, subscribes and starts handling commands; resolves once the group assigned the topic's
   * partitions, so that a command written afterwards is answered.
   *
   * @param readyTimeoutMs - how long to wait for the assignment
   * @throws {@link KafkaClientError} when no broker answered, or no partitions came in time
   */
  async start(readyTimeoutMs: number): Promise<void> {
    const { topic, connectTimeoutMs, secrets, brokers } = this.#context;
    try {
      await this.#consumer.connect(connectTimeoutMs);
    } catch (thrown) {
      throw connectError(toFailure(thrown), [], secrets, brokers);
    }
    const assigned = new Promise<void>((resolve) => {
      this.#assigned = resolve;
    });
    // librdkafka asks brokers to create a missing topic for a metadata request of that topic (with
    // `allow.auto.create.topics`), not for a subscription: ask once, as the first command written would.
    await this.#consumer.reachable(topic, connectTimeoutMs);
    this.#consumer.subscribe([topic]);
    this.#loop = this.#run();
    if (!(await settlesWithin(assigned, readyTimeoutMs))) {
      const last =
        this.#lastFailure === undefined ? '' : ` (last client error: ${this.#lastFailure.message})`;
      throw new KafkaClientError(
        KafkaClientErrorCode.Client,
        `The simulator's command consumer got no partition of ${topic} within ${readyTimeoutMs} ms: create the topic, or let the brokers create topics (auto.create.topics.enable)${last}`,
        { retriable: true },
      );
    }
  }

  /**
   * Stops polling, waits for the commands being handled and commits, then leaves the group, all before
   * the deadline.
   *
   * @param deadline - the time (ms since the epoch) by which everything must be done
   * @returns whether everything finished in time
   */
  async stop(deadline: number): Promise<boolean> {
    this.#stopping = true;
    const left = (): number => Math.max(1, deadline - Date.now());
    const drained = await settlesWithin(
      Promise.all([this.#loop, ...this.#running]).then(() => undefined),
      left(),
    );
    this.#commit();
    const closed = await this.#consumer.disconnect(left());
    return drained && closed;
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let records: ClientMessage[];
      try {
        records = await this.#consumer.poll(pollBatch, pollTimeoutMs);
      } catch (thrown) {
        // Right after the router had its topic made, the subscription reports it missing until the group
        // sees it: expected, and only debug detail.
        const failure = toFailure(thrown);
        const log = this.#context.clients.isUnknownTopic(failure) ? 'debug' : 'warn';
        this.#context.logger[log]('command router poll failed', { error: thrownMessage(thrown) });
        await new Promise((resolve) => setTimeout(resolve, pollTimeoutMs));
        continue;
      }
      for (const record of records) this.#start(record);
      this.#commit();
    }
  }

  /** Starts handling a record; its partition's position waits for it. */
  #start(record: ClientMessage): void {
    const key = keyOf(record);
    let progress = this.#progress.get(key);
    if (progress === undefined) {
      progress = { unfinished: new Set(), next: record.offset, committed: -1 };
      this.#progress.set(key, progress);
    }
    const tracked = progress;
    tracked.unfinished.add(record.offset);
    tracked.next = Math.max(tracked.next, record.offset + 1);
    const running = this.#handle(record).finally(() => {
      tracked.unfinished.delete(record.offset);
      this.#running.delete(running);
    });
    this.#running.add(running);
  }

  /** Commits each partition (or the given ones) up to its first record not finished, if that moved. */
  #commit(only?: readonly TopicPartition[]): void {
    const keys = only === undefined ? [...this.#progress.keys()] : only.map(keyOf);
    const offsets = keys.flatMap((key) => {
      const progress = this.#progress.get(key);
      if (progress === undefined) return [];
      const position = progress.unfinished.size > 0 ? Math.min(...progress.unfinished) : progress.next;
      if (position <= progress.committed) return [];
      progress.committed = position;
      const separator = key.lastIndexOf(':');
      return [
        { topic: key.slice(0, separator), partition: Number(key.slice(separator + 1)), offset: position },
      ];
    });
    if (offsets.length === 0) return;
    try {
      this.#consumer.commit(offsets);
    } catch (thrown) {
      this.#context.logger.debug('command router commit failed', { error: thrownMessage(thrown) });
    }
  }

  /** Does with one record what Hono would; never rejects. */
  async #handle(record: ClientMessage): Promise<void> {
    const context = this.#context;
    const { tenantId } = context;
    const now = Date.now();
    const base = { tenantId, partition: record.partition, offset: record.offset };
    let decoded: DecodedCommand | InvalidCommand;
    try {
      decoded = decodeCommand(record);
    } catch (error) {
      // The decoder reports every problem as an InvalidCommand; a throw is a bug worth seeing in the test.
      const invalid: InvalidCommand = {
        kind: 'dropped',
        reason: thrownMessage(error),
        correlationId: undefined,
        failureMetadata: {},
      };
      this.#failed(invalid, base, error);
      return;
    }
    const route = routeCommand(
      decoded,
      { tenantId, now, ignoreCreatedBefore: context.ignoreCreatedBefore },
      (deviceId) => context.isReachable(deviceId, now),
    );
    if (route.kind === 'reject') {
      let response: EncodedRecord | undefined;
      try {
        if (route.failure !== undefined) {
          response = encodeDeliveryFailure(route.failure);
          await context.write(response);
        }
        context.handled({
          ...base,
          command: decoded,
          outcome: route.outcome,
          response,
          status: route.failure?.status,
          error: undefined,
        });
      } catch (error) {
        this.#failed(decoded, base, error);
      }
      return;
    }
    const { command } = route;
    const device = context.device(command.deviceId);
    device.received.push(command);
    try {
      const answer = await context.answer(command, device);
      const request = command.responseRequired ? command.correlationId : undefined;
      if (request === undefined || answer === undefined) {
        const outcome = request === undefined ? CommandOutcome.OneWay : CommandOutcome.Unanswered;
        context.handled({
          ...base,
          command,
          outcome,
          response: undefined,
          status: undefined,
          error: undefined,
        });
        return;
      }
      const response = encodeCommandResponse({
        tenantId,
        deviceId: command.deviceId,
        correlationId: request,
        status: answer.status,
        payload: answer.payload,
        contentType: answer.contentType,
        ttlMs: answer.ttlMs,
        additionalHeaders: command.failureMetadata,
      });
      await context.write(response);
      context.handled({
        ...base,
        command,
        outcome: CommandOutcome.Answered,
        response,
        status: answer.status,
        error: undefined,
      });
    } catch (error) {
      this.#failed(command, base, error);
    }
  }

  #failed(
    command: DecodedCommand | InvalidCommand,
    base: { tenantId: string; partition: number; offset: number },
    error: unknown,
  ): void {
    this.#context.logger.warn('the simulator could not answer a command', {
      ...base,
      error: thrownMessage(error),
    });
    this.#context.handled({
      ...base,
      command,
      outcome: CommandOutcome.Failed,
      response: undefined,
      status: undefined,
      error,
    });
  }
}

function keyOf({ topic, partition }: TopicPartition): string {
  return `${topic}:${String(partition)}`;
}
