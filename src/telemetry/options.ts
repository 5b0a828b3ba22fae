/**
 * The `telemetry` option: tracing and metrics through OpenTelemetry.
 */
import { z } from 'zod';

/**
 * A tracer provider: `@opentelemetry/api`'s `TracerProvider`, or anything with its `getTracer`. Typed
 * structurally, so that applications without OpenTelemetry need none of its types.
 *
 * @category Observability
 */
export interface TracerProviderLike {
  /** Returns a tracer (an OpenTelemetry `Tracer`). */
  getTracer(name: string, version?: string): unknown;
}

/**
 * A meter provider: `@opentelemetry/api`'s `MeterProvider`, or anything with its `getMeter`.
 *
 * @category Observability
 */
export interface MeterProviderLike {
  /** Returns a meter (an OpenTelemetry `Meter`). */
  getMeter(name: string, version?: string): unknown;
}

/**
 * How the SDK traces and measures through OpenTelemetry (`@opentelemetry/api`, an optional peer
 * dependency: without it, or without a registered SDK, nothing is recorded and nothing is paid).
 *
 * @category Observability
 */
export interface TelemetryOptions {
  /** @defaultValue the tracer provider the application registered globally */
  readonly tracerProvider?: TracerProviderLike | undefined;
  /** @defaultValue the meter provider the application registered globally */
  readonly meterProvider?: MeterProviderLike | undefined;
  /**
   * How a handler's span relates to the span in which Hono wrote the record (its `traceparent`):
   * `link` starts a new trace linked to it, as the OpenTelemetry messaging conventions recommend;
   * `parent` continues Hono's trace as its child (and links to it too), so that one trace shows the
   * device's message from the protocol adapter to the handler. With `parent`, a parent-based sampler
   * follows Hono's sampling decision.
   * @defaultValue 'link'
   */
  readonly traceContext?: 'link' | 'parent' | undefined;
}

const telemetryObject = z.strictObject(
  {
    tracerProvider: z
      .custom<TracerProviderLike>(
        (value) => typeof (value as { getTracer?: unknown } | null)?.getTracer === 'function',
        { error: 'must be a tracer provider (an object with getTracer)' },
      )
      .optional(),
    meterProvider: z
      .custom<MeterProviderLike>(
        (value) => typeof (value as { getMeter?: unknown } | null)?.getMeter === 'function',
        { error: 'must be a meter provider (an object with getMeter)' },
      )
      .optional(),
    traceContext: z.enum(['link', 'parent']).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? 'must be false, or an object with tracerProvider, meterProvider and traceContext (each optional)'
        : undefined,
  },
);

/** The `telemetry` option's schema: `false`, or an object of the options above (each problem at its path). */
export const telemetrySchema = z
  .custom<TelemetryOptions | false>(() => true)
  .superRefine((value, context) => {
    if (value === false) return;
    const parsed = telemetryObject.safeParse(value);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      context.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
  });

/** The `telemetry` option resolved: off, or the providers to use (undefined: the global ones). */
export type ResolvedTelemetry =
  | false
  | {
      readonly tracerProvider: TracerProviderLike | undefined;
      readonly meterProvider: MeterProviderLike | undefined;
      readonly traceContext: 'link' | 'parent';
    };

/**
 * Applies the defaults.
 *
 * @param input - the validated option
 * @returns the resolved option
 */
export function resolveTelemetry(input: false | TelemetryOptions | undefined): ResolvedTelemetry {
  if (input === false) return false;
  return {
    tracerProvider: input?.tracerProvider,
    meterProvider: input?.meterProvider,
    traceContext: input?.traceContext ?? 'link',
  };
}
