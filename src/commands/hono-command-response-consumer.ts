/**
 * `HonoCommandResponseConsumer`: the durable way to the responses of commands written with
 * `HonoCommandClient.send()`. It reads `hono.command_response.<tenant>` in a consumer group, with the
 * event consumer's engine and guarantees: each response at least once, committed only after its handler
 * resolved.
 */
import { EventEmitter } from 'eventemitter3';
import { makeEngine } from '../consumer/consumer-engine.js';
import type { ConsumerEvents } from '../consumer/events.js';
import { type HonoEventConsumerOptions, resolveOptions } from '../consumer/options.js';
import type { ConsumerEngine } from '../engine/engine.js';
import type { ConsumerState, HealthSnapshot } from '../engine/health.js';
import { COMMAND_RESPONSE_PREFIX } from '../tenant.js';
import type { CommandResponse } from '../wire/commands.js';
import {
  type HonoCommandResponseHandlers,
  responseRoute,
  validateResponseHandlers,
} from './response-route.js';

/**
 * Options of a {@link HonoCommandResponseConsumer}: those of the event consumer. `tenant` names the
 * tenants whose `hono.command_response.<tenant>` topics it reads; `deadLetterTopic` defaults to
 * `hono.command_response.<tenant>.dlq`; `expired: 'skip'` (the default) skips responses whose `ttl` has
 * passed, as Hono's own response consumer does.
 *
 * @category Commands
 */
export type HonoCommandResponseConsumerOptions = HonoEventConsumerOptions;

/**
 * Event names of a {@link HonoCommandResponseConsumer}, each with its listener's signature: those of the
 * event consumer, with `expired` reporting the decoded command response.
 *
 * @category Commands
 */
export type HonoCommandResponseConsumerEvents = ConsumerEvents<CommandResponse>;

/**
 * An at-least-once consumer of command responses, for workflows that must survive a restart: write the
 * command with {@link HonoCommandClient.send} (store its correlation id with the workflow), and handle its
 * response here, in a consumer group of the application's own. A response is committed only after the
 * handler for it, and for every earlier response of its partition, resolved; one that arrives while the
 * application is down is handled when it runs again. Every instance of the application in the group gets
 * a share of the responses, whichever instance wrote the command.
 *
 * It works exactly as {@link HonoEventConsumer} does (the same options, retries, failure outcomes,
 * ordering per device, rebalances, health and events); only the records and the handlers differ.
 *
 * @example
 * ```ts
 * const commands = new HonoCommandClient({ brokers: '127.0.0.1:9092' });
 * const responses = new HonoCommandResponseConsumer({
 *   brokers: '127.0.0.1:9092',
 *   tenant: 'DEFAULT_TENANT',
 *   groupId: 'firmware-updates',
 * });
 * await responses.run({
 *   response: async (response) => {
 *     await updates.finish(response.correlationId, response.status);
 *   },
 * });
 * const correlationId = await commands.send({ tenant: 'DEFAULT_TENANT', deviceId: '4711', name: 'update' });
 * await updates.started(correlationId);
 * ```
 * @category Commands
 */
export class HonoCommandResponseConsumer extends EventEmitter<HonoCommandResponseConsumerEvents> {
  readonly #engine: ConsumerEngine;

  /**
   * Validates the options and applies the defaults; connects nothing yet.
   *
   * @param options - brokers, tenant(s), group and processing settings
   * @throws {@link OptionsError} listing every bad option, as {@link HonoEventConsumer}'s constructor
   */
  constructor(options: HonoCommandResponseConsumerOptions) {
    super();
    this.#engine = makeEngine(resolveOptions(options, COMMAND_RESPONSE_PREFIX), this);
  }

  /** Where the consumer is in its life (see {@link ConsumerState}). */
  get state(): ConsumerState {
    return this.#engine.state;
  }

  /**
   * Connects, subscribes to the tenants' `hono.command_response.<tenant>` topics and starts consuming, as
   * {@link HonoEventConsumer.run} does.
   *
   * @param handlers - the application's handlers
   * @returns a promise that resolves once the consumer is subscribed (state `running`)
   * @throws {@link StateError}, {@link OptionsError} or {@link KafkaClientError}, as {@link HonoEventConsumer.run}
   */
  run(handlers: HonoCommandResponseHandlers): Promise<void> {
    return this.#engine.run(() => responseRoute(validateResponseHandlers(handlers)));
  }

  /**
   * Stops within `drainTimeoutMs + closeTimeoutMs`, as {@link HonoEventConsumer.stop} does.
   *
   * @returns a promise that resolves once the consumer is `stopped`, after the `stopped` event
   */
  stop(): Promise<void> {
    return this.#engine.stop();
  }

  /**
   * A snapshot for readiness and liveness probes, as {@link HonoEventConsumer.health}.
   *
   * @returns a new snapshot; it does not change afterwards
   */
  health(): HealthSnapshot {
    return this.#engine.health();
  }
}
