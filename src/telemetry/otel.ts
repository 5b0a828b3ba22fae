/**
 * OpenTelemetry spans and metrics of a consumer, through `@opentelemetry/api` (an optional peer
 * dependency). Without the package, with `telemetry: false`, or while the application registered no SDK,
 * nothing is recorded: the engine then gets `undefined` from `handlerStarted` and pays nothing per record.
 */
import type { Span } from '@opentelemetry/api';
import type { EngineEvents as EngineObserverEvents } from '../engine/emit.js';
import type { EngineObserver, HandlerObservation } from '../engine/observer.js';
import { isDecodeError, type HonoKafkaError } from '../errors.js';
import type { WorkItem } from '../processing/work-item.js';
import type { ConsumerObserverConfig } from './config.js';
import type { RecordFacts } from './otel-attributes.js';
import { loadOpenTelemetry, type OpenTelemetryApi } from './otel-api.js';
import { ConsumerMetrics } from './otel-metrics.js';
import { ConsumerTracing } from './otel-tracing.js';
import { RecordOutcome } from './semconv.js';

/** The most records kept after a failed handler call, for the span of their outcome. */
const failedRecordsLimit = 10_000;

/**
 * The observer that records spans and metrics through `@opentelemetry/api`.
 *
 * @param config - the consumer's side
 * @returns the observer, or undefined when `@opentelemetry/api` is not installed or telemetry is off
 */
export async function openTelemetryObserver(
  config: ConsumerObserverConfig,
): Promise<EngineObserver | undefined> {
  if (config.telemetry === false) return undefined;
  const api = await loadOpenTelemetry();
  if (api === undefined) return undefined;
  try {
    return new OpenTelemetryObserver(api, config);
  } catch {
    // A provider that throws when asked for a tracer or meter leaves the consumer untraced, not broken.
    return undefined;
  }
}

/** The OpenTelemetry observer of one consumer run. */
class OpenTelemetryObserver implements EngineObserver {
  readonly #tracing: ConsumerTracing;
  readonly #metrics: ConsumerMetrics;
  /** Records whose last handler call failed, by coordinates, until their outcome (retry, skip, dead letter). */
  readonly #failed = new Map<string, WorkItem>();

  constructor(api: OpenTelemetryApi, config: ConsumerObserverConfig) {
    const templates = new Map<string, string>();
    const template = (topic: string): string => {
      let found = templates.get(topic);
      if (found === undefined) {
        found = config.destinationTemplate(topic);
        templates.set(topic, found);
      }
      return found;
    };
    this.#tracing = new ConsumerTracing(api, config, template);
    this.#metrics = new ConsumerMetrics(api, config, template);
  }

  handlerStarted(item: WorkItem, attempt: number): HandlerObservation | undefined {
    const tracing = this.#tracing;
    if (!tracing.active && !this.#metrics.active) return undefined;
    try {
      return new HandlerCall(this, item, tracing.startHandler(item, attempt));
    } catch {
      return undefined;
    }
  }

  /**
   * A handler call ended.
   *
   * @param call - the call
   * @param error - why it failed; undefined when it succeeded
   */
  handlerEnded(call: HandlerCall, error: HonoKafkaError | undefined): void {
    try {
      const { item, span } = call;
      this.#remember(item, error);
      this.#metrics.handlerEnded(item.record.topic, (performance.now() - call.started) / 1000, error);
      if (span !== undefined) this.#tracing.endHandler(span, error);
    } catch {
      // Telemetry never fails a handler call.
    }
  }

  /**
   * Runs a handler call in its span.
   *
   * @param span - the call's span
   * @param call - the handler call
   * @returns what the call returned
   */
  runInSpan<T>(span: Span, call: () => T): T {
    return this.#tracing.runInSpan(span, call);
  }

  fetched(messages: Parameters<EngineObserver['fetched']>[0]): void {
    try {
      this.#tracing.refresh();
      this.#metrics.refresh();
      this.#metrics.fetched(messages);
    } catch {
      // Telemetry never fails a poll.
    }
  }

  committed(...[positions, durationMs, error]: Parameters<EngineObserver['committed']>): void {
    try {
      this.#metrics.committed(durationMs, error);
      this.#tracing.commit(positions, durationMs, error);
    } catch {
      // Telemetry never fails a commit.
    }
  }

  event: EngineObserver['event'] = (name, ...args) => {
    try {
      switch (name) {
        case 'retrying': {
          const [info] = args as Parameters<EngineObserverEvents['retrying']>;
          this.#metrics.outcome(info.topic, RecordOutcome.Retried);
          break;
        }
        case 'skipped': {
          const [info] = args as Parameters<EngineObserverEvents['skipped']>;
          this.#gaveUp(info, RecordOutcome.Skipped, undefined);
          break;
        }
        case 'deadLettered': {
          const [info] = args as Parameters<EngineObserverEvents['deadLettered']>;
          this.#gaveUp(info, RecordOutcome.DeadLettered, info.deadLetterTopic);
          break;
        }
        case 'expired': {
          const [decoded] = args as Parameters<EngineObserverEvents['expired']>;
          const topic = (decoded as { topic?: unknown }).topic;
          this.#metrics.outcome(typeof topic === 'string' ? topic : undefined, RecordOutcome.Expired);
          this.#tracing.outcome({ decoded }, RecordOutcome.Expired, undefined);
          break;
        }
        default:
          break;
      }
    } catch {
      // Telemetry never fails the engine's reporting.
    }
  };

  close(): void {
    try {
      this.#metrics.close();
      this.#failed.clear();
    } catch {
      // Nothing to release then.
    }
  }

  /** Keeps a record whose call failed, for the span of its outcome; forgets it when a call succeeded. */
  #remember(item: WorkItem, error: HonoKafkaError | undefined): void {
    if (!this.#tracing.active) return;
    const key = coordinatesKey(item.record);
    if (error === undefined) {
      if (this.#failed.size > 0) this.#failed.delete(key);
      return;
    }
    this.#failed.delete(key);
    this.#failed.set(key, item);
    if (this.#failed.size > failedRecordsLimit) {
      const [oldest] = this.#failed.keys();
      if (oldest !== undefined) this.#failed.delete(oldest);
    }
  }

  /** A record failed for good: skipped or dead-lettered. */
  #gaveUp(
    info: Parameters<EngineObserverEvents['skipped']>[0],
    outcome: RecordOutcome,
    deadLetterTopic: string | undefined,
  ): void {
    this.#metrics.outcome(info.topic, outcome);
    if (!this.#tracing.active) return;
    const key = coordinatesKey(info);
    const item = this.#failed.get(key);
    this.#failed.delete(key);
    const record = item?.record ?? (isDecodeError(info.error) ? info.error.record : undefined);
    const facts: RecordFacts = {
      record,
      coordinates: { topic: info.topic, partition: info.partition, offset: info.offset },
      decoded: item?.decoded,
    };
    this.#tracing.outcome(facts, outcome, info.error, deadLetterTopic);
  }
}

/** One handler call being watched: one object per call, no closures. */
class HandlerCall implements HandlerObservation {
  readonly started = performance.now();

  constructor(
    readonly observer: OpenTelemetryObserver,
    readonly item: WorkItem,
    readonly span: Span | undefined,
  ) {}

  run<T>(call: () => T): T {
    return this.span === undefined ? call() : this.observer.runInSpan(this.span, call);
  }

  end(error: HonoKafkaError | undefined): void {
    this.observer.handlerEnded(this, error);
  }
}

function coordinatesKey(place: { topic: string; partition: number; offset: number }): string {
  return `${place.topic}\u0000${String(place.partition)}\u0000${String(place.offset)}`;
}
