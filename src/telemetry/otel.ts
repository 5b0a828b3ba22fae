/**
 * OpenTelemetry spans and metrics of a consumer, through `@opentelemetry/api` (an optional peer
 * dependency). Without the package, with `telemetry: false`, or while the application registered no SDK,
 * nothing is recorded: the engine then gets `undefined` from `handlerStarted` and pays nothing per record.
 */
import { readFile } from 'node:fs/promises';
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

let version: Promise<string | undefined> | undefined;

/** The package's version, for the instrumentation scope (package.json is two folders up in src and dist). */
function packageVersion(): Promise<string | undefined> {
  version ??= readFile(new URL('../../package.json', import.meta.url), 'utf8').then(
    (text) => {
      const manifest = JSON.parse(text) as { version?: unknown };
      return typeof manifest.version === 'string' ? manifest.version : undefined;
    },
    () => undefined,
  );
  return version;
}

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
    return new OpenTelemetryObserver(api, config, await packageVersion());
  } catch {
    // A provider that throws when asked for a tracer or meter leaves the consumer untraced, not broken.
    return undefined;
  }
}

/** The OpenTelemetry observer of one consumer run. */
class OpenTelemetryObserver implements EngineObserver {
  readonly #api: OpenTelemetryApi;
  readonly #tracing: ConsumerTracing;
  readonly #metrics: ConsumerMetrics;
  /** Records whose last handler call failed, by coordinates, until their outcome (retry, skip, dead letter). */
  readonly #failed = new Map<string, WorkItem>();

  constructor(api: OpenTelemetryApi, config: ConsumerObserverConfig, version: string | undefined) {
    this.#api = api;
    const templates = new Map<string, string>();
    const template = (topic: string): string => {
      let found = templates.get(topic);
      if (found === undefined) {
        found = config.destinationTemplate(topic);
        templates.set(topic, found);
      }
      return found;
    };
    this.#tracing = new ConsumerTracing(api, config, version, template);
    this.#metrics = new ConsumerMetrics(api, config, version, template);
  }

  handlerStarted(item: WorkItem, attempt: number): HandlerObservation | undefined {
    const tracing = this.#tracing;
    const metrics = this.#metrics;
    if (!tracing.active && !metrics.active) return undefined;
    try {
      const started = performance.now();
      const traced = tracing.startHandler(item, attempt);
      const span: Span | undefined = traced?.span;
      const api = this.#api;
      return {
        run: (call) => (traced === undefined ? call() : api.context.with(traced.context, call)),
        end: (error) => {
          try {
            this.#remember(item, error);
            metrics.handlerEnded(item.record.topic, (performance.now() - started) / 1000, error);
            if (span !== undefined) tracing.endHandler(span, error);
          } catch {
            // Telemetry never fails a handler call.
          }
        },
      };
    } catch {
      return undefined;
    }
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

function coordinatesKey(place: { topic: string; partition: number; offset: number }): string {
  return `${place.topic}\u0000${String(place.partition)}\u0000${String(place.offset)}`;
}
