/**
 * `@opentelemetry/api`, an optional peer dependency: loaded on first use, and undefined when the
 * application did not install it. The SDK then records nothing, and costs nothing.
 */
import type * as OpenTelemetry from '@opentelemetry/api';

/** The module `@opentelemetry/api`. */
export type OpenTelemetryApi = typeof OpenTelemetry;

let loading: Promise<OpenTelemetryApi | undefined> | undefined;

/**
 * Loads `@opentelemetry/api` once.
 *
 * @returns the module, or undefined when it is not installed (or fails to load)
 */
export function loadOpenTelemetry(): Promise<OpenTelemetryApi | undefined> {
  loading ??= import('@opentelemetry/api').then(
    (api) => api,
    () => undefined,
  );
  return loading;
}
