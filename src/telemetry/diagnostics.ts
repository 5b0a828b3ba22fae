/**
 * `node:diagnostics_channel` messages for the points the OpenTelemetry observer records, for tools that do
 * not use OpenTelemetry. (To be filled in: issue 15.)
 */
import { type EngineObserver, noObserver } from '../engine/observer.js';
import type { ConsumerObserverConfig } from './config.js';

/**
 * The observer that publishes to the SDK's diagnostics channels.
 *
 * @param config - the consumer's side
 * @returns the observer
 */
export function diagnosticsObserver(config: ConsumerObserverConfig): EngineObserver {
  return config.telemetry === false ? noObserver : noObserver; // stub: issue 15 fills it in
}
