/**
 * The observer of a command client: OpenTelemetry spans and metrics (when `@opentelemetry/api` is
 * installed, an SDK registered or providers given, and the telemetry option is not `false`) and the
 * `command:sent` / `command:response` diagnostics channels (always; free while nothing subscribes).
 *
 * @module
 */
import { commandDiagnostics } from './command-diagnostics.js';
import { type CommandObserver, combineCommandObservers } from './command-observation.js';
import { openTelemetryCommandObserver } from './command-tracing.js';
import type { ResolvedTelemetry } from './options.js';
import { loadOpenTelemetry } from './otel-api.js';

/** What the command client's OpenTelemetry observer knows of the client. */
export interface CommandObserverConfig {
  readonly telemetry: ResolvedTelemetry;
  /** The producer's client id (`messaging.client.id`). */
  readonly clientId: string;
}

/**
 * Makes the observer of a command client: the diagnostics channels always, OpenTelemetry when the option
 * is not `false` and `@opentelemetry/api` is installed.
 *
 * @param config - the client's side
 * @returns the observer; the promise never rejects
 */
export async function commandObserver(config: CommandObserverConfig): Promise<CommandObserver> {
  if (config.telemetry === false) return commandDiagnostics;
  try {
    const api = await loadOpenTelemetry();
    if (api === undefined) return commandDiagnostics;
    return combineCommandObservers([
      openTelemetryCommandObserver(api, config.telemetry, config.clientId),
      commandDiagnostics,
    ]);
  } catch {
    return commandDiagnostics;
  }
}
