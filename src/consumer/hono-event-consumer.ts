/**
 * `HonoEventConsumer`: joins a consumer group on `hono.event.<tenant>`, decodes every record into a
 * typed Hono event, runs the application's handler, and commits a position only after the handler for
 * that record, and for every earlier record of its partition, has resolved. The work is the engine's
 * (`src/engine/`); this class is its public face: options, events and the librdkafka clients.
 */
import { EventEmitter } from 'eventemitter3';
import type { ConsumerEngine } from '../engine/engine.js';
import type { ConsumerState, HealthSnapshot } from '../engine/health.js';
import { makeEngine } from './consumer-engine.js';
import { eventRoute } from './event-route.js';
import type { HonoEventConsumerEvents } from './events.js';
import { type HonoEventHandlers, validateHandlers } from './handlers.js';
import { type HonoEventConsumerOptions, resolveOptions, type ResolvedOptions } from './options.js';

export type { ConsumerState, HealthSnapshot, PartitionHealth } from '../engine/health.js';

/**
 * An at-least-once consumer of Hono events: joins a consumer group on the tenants' `hono.event.<tenant>`
 * topics, decodes each record, runs the matching handler and commits a position only after the handlers
 * of that record and of every earlier record of its partition resolved.
 *
 * It is an `EventEmitter` (eventemitter3) with the typed events of {@link HonoEventConsumerEvents}. A
 * consumer runs once: {@link HonoEventConsumer.run}, then {@link HonoEventConsumer.stop}.
 *
 * @example
 * ```ts
 * const consumer = new HonoEventConsumer({ brokers: '127.0.0.1:9092', tenant: 'DEFAULT_TENANT', groupId: 'my-app' });
 * consumer.on('committed', (offsets) => console.log('committed', offsets));
 * await consumer.run({
 *   connection: async (event) => { console.log(event.deviceId, event.cause); },
 *   event: async (event) => { await save(event); },
 * });
 * process.once('SIGTERM', () => void consumer.stop());
 * ```
 * @category Consumer
 */
export class HonoEventConsumer extends EventEmitter<HonoEventConsumerEvents> {
  readonly #engine: ConsumerEngine;
  readonly #qos0: ResolvedOptions['qos0'];

  /**
   * Validates the options and applies the defaults; connects nothing yet.
   *
   * @param options - brokers, tenant(s), group and processing settings
   * @throws {@link OptionsError} listing every bad option, including invalid tenant ids, librdkafka
   *   settings that the SDK sets itself, and names and values librdkafka refuses (`kafka.<name>`)
   */
  constructor(options: HonoEventConsumerOptions) {
    super();
    const resolved = resolveOptions(options);
    this.#qos0 = resolved.qos0;
    this.#engine = makeEngine(resolved, this);
  }

  /** Where the consumer is in its life (see {@link ConsumerState}). */
  get state(): ConsumerState {
    return this.#engine.state;
  }

  /**
   * Connects, subscribes to the tenants' topics and starts consuming. Resolves once the consumer runs;
   * records are then handled in the background until {@link HonoEventConsumer.stop} is called. With
   * `onFailure: 'deadLetter'` it also connects the dead-letter producer.
   *
   * @param handlers - the application's handlers
   * @returns a promise that resolves once the consumer is subscribed (state `running`)
   * @throws {@link StateError} when `run()` was called before, or `stop()` was called first
   * @throws {@link OptionsError} when `handlers` is not an object of handler functions with at least one
   *   handler (`handlers.<name>: problem`, e.g. a misspelled name); nothing started, the state stays
   *   `idle`, and `run()` may be called again
   * @throws {@link KafkaClientError} when no broker answered within `connectTimeoutMs`
   *   (`ERR_HONO_BROKERS_DOWN`), the broker's certificate was rejected (`ERR_HONO_TLS`), the login was
   *   refused (`ERR_HONO_AUTHENTICATION`), the listener speaks another protocol
   *   (`ERR_HONO_PROTOCOL_MISMATCH`) or the client failed otherwise; the state is then `failed`. The
   *   message names the bootstrap servers, the likely cause and what to do. A rejected certificate or
   *   login and a protocol mismatch fail at once, without waiting for `connectTimeoutMs`.
   */
  run(handlers: HonoEventHandlers): Promise<void> {
    return this.#engine.run(() => eventRoute(validateHandlers(handlers), this.#qos0));
  }

  /**
   * Stops: no new records, running handlers drain (up to `drainTimeoutMs`), finished positions are
   * committed, the group is left and the clients closed. Safe to call more than once, from a signal
   * handler, and during a rebalance: every call returns the same promise.
   *
   * It resolves within `drainTimeoutMs + closeTimeoutMs` (25 s with the defaults, inside Kubernetes'
   * 30 s grace period), even when the brokers do not answer: after the drain, the last commit (tried
   * again for up to three quarters of `closeTimeoutMs`), leaving the group and closing the Kafka client and the
   * dead-letter producer share one deadline of `closeTimeoutMs`. A commit or close not done by then is
   * given up (the close goes on in the background, and `warn` says so): the records after the last
   * confirmed commit are handled again by the partition's next owner. Called during `run()`, it first
   * waits for `run()` to finish (up to `connectTimeoutMs`); the bound counts from then.
   *
   * @returns a promise that resolves once the consumer is `stopped`, after the `stopped` event
   */
  stop(): Promise<void> {
    return this.#engine.stop();
  }

  /**
   * A snapshot for readiness and liveness probes: state, connection, partitions with positions and lag,
   * and the work held.
   *
   * @returns a new snapshot; it does not change afterwards
   * @example
   * ```ts
   * const health = consumer.health();
   * const ready = health.state === 'running' && health.connected;
   * const lag = health.partitions.reduce((sum, partition) => sum + (partition.lag ?? 0), 0);
   * ```
   */
  health(): HealthSnapshot {
    return this.#engine.health();
  }
}
