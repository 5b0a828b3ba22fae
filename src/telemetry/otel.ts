/**
 * OpenTelemetry spans and metrics of a consumer. (To be filled in: issue 15.)
 */
import type { EngineObserver } from '../engine/observer.js';
import type { ConsumerObserverConfig } from './config.js';

/**
 * The observer that records spans and metrics through `@opentelemetry/api`.
 *
 * @param config - the consumer's side
 * @returns the observer, or undefined when `@opentelemetry/api` is not installed
 */
export function openTelemetryObserver(config: ConsumerObserverConfig): Promise<EngineObserver | undefined> {
  return Promise.resolve(config.telemetry === false ? undefined : undefined); // stub: issue 15 fills it in
}
