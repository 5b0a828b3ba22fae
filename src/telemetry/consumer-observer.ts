/**
 * The observer of a consumer: OpenTelemetry spans and metrics (when `@opentelemetry/api` is installed
 * and the telemetry option is not `false`) and `node:diagnostics_channel` messages (always; free while
 * nothing subscribes).
 */
import { combineObservers, type EngineObserver } from '../engine/observer.js';
import { diagnosticsObserver } from './diagnostics.js';
import type { ConsumerObserverConfig } from './config.js';
import { openTelemetryObserver } from './otel.js';

/**
 * Makes the observer of a consumer.
 *
 * @param config - the consumer's side
 * @returns the observer; it never throws
 */
export async function consumerObserver(config: ConsumerObserverConfig): Promise<EngineObserver> {
  const otel = config.telemetry === false ? undefined : await openTelemetryObserver(config);
  return combineObservers([diagnosticsObserver(config), ...(otel === undefined ? [] : [otel])]);
}

export type { ConsumerObserverConfig } from './config.js';
