/**
 * Where the SDK's tracer and meter come from: the provider given in the `telemetry` option, else the one
 * the application registered globally with `@opentelemetry/api`. Each lookup is cheap when nothing
 * changed (a global read and a comparison), so the consumers look again at each poll and the command
 * client at each call: an SDK registered after the start is picked up, and while none is registered
 * nothing records.
 */
import type { Meter, Tracer } from '@opentelemetry/api';
import { packageVersion } from '../version.js';
import type { MeterProviderLike, TracerProviderLike } from './options.js';
import type { OpenTelemetryApi } from './otel-api.js';

/** The instrumentation scope's name: the tracer's and the meter's. */
export const instrumentationName = 'eclipse-hono-kafka';

/** The global tracer provider of `@opentelemetry/api`: a proxy whose delegate is the application's SDK. */
interface ProxyTracerProviderLike {
  getDelegate(): unknown;
  getDelegateTracer(name: string, version?: string): Tracer | undefined;
}

function isProxy(provider: unknown): provider is ProxyTracerProviderLike {
  const candidate = provider as Partial<ProxyTracerProviderLike>;
  // Duck-typed: the proxy may come from another copy of `@opentelemetry/api` than this package's.
  return typeof candidate.getDelegateTracer === 'function' && typeof candidate.getDelegate === 'function';
}

/** The SDK's tracer, looked up again on each {@link TracerSource.current}. */
export class TracerSource {
  readonly #api: OpenTelemetryApi;
  readonly #given: TracerProviderLike | undefined;
  /** The provider (or the proxy's delegate) the tracer came from. */
  #source: unknown;
  #tracer: Tracer | undefined;

  /**
   * @param api - `@opentelemetry/api`
   * @param given - the provider of the `telemetry` option, if any
   */
  constructor(api: OpenTelemetryApi, given: TracerProviderLike | undefined) {
    this.#api = api;
    this.#given = given;
  }

  /** @returns the tracer, or undefined while no SDK is registered and no provider was given */
  current(): Tracer | undefined {
    const provider = this.#given ?? this.#api.trace.getTracerProvider();
    if (!isProxy(provider)) {
      if (this.#source !== provider) {
        this.#source = provider;
        this.#tracer = provider.getTracer(instrumentationName, packageVersion) as Tracer;
      }
      return this.#tracer;
    }
    // Without a registered SDK the proxy's delegate is a no-op provider, and it has no delegate tracer.
    const delegate = provider.getDelegate();
    if (this.#source !== delegate) {
      this.#source = delegate;
      this.#tracer = provider.getDelegateTracer(instrumentationName, packageVersion);
    }
    return this.#tracer;
  }
}

/**
 * The instruments made from the SDK's meter, made again when the meter provider changes (an SDK
 * registered after the start).
 */
export class MeterSource<Instruments> {
  readonly #api: OpenTelemetryApi;
  readonly #given: MeterProviderLike | undefined;
  readonly #make: (meter: Meter) => Instruments;
  readonly #release: ((instruments: Instruments) => void) | undefined;
  #source: unknown;
  #instruments: Instruments | undefined;
  #closed = false;

  /**
   * @param api - `@opentelemetry/api`
   * @param given - the provider of the `telemetry` option, if any
   * @param make - makes the instruments from a meter
   * @param release - lets go of instruments no longer used (e.g. removes their callbacks)
   */
  constructor(
    api: OpenTelemetryApi,
    given: MeterProviderLike | undefined,
    make: (meter: Meter) => Instruments,
    release?: (instruments: Instruments) => void,
  ) {
    this.#api = api;
    this.#given = given;
    this.#make = make;
    this.#release = release;
  }

  /** @returns the instruments, or undefined while no SDK is registered and no provider was given */
  current(): Instruments | undefined {
    if (this.#closed) return undefined;
    const provider = this.#given ?? this.#api.metrics.getMeterProvider();
    if (provider === this.#source) return this.#instruments;
    this.#letGo();
    this.#source = provider;
    const meter = provider.getMeter(instrumentationName, packageVersion) as Meter;
    // The no-op provider's meter is the api's no-op meter: nothing would be recorded.
    this.#instruments = meter === this.#api.createNoopMeter() ? undefined : this.#make(meter);
    return this.#instruments;
  }

  /** Lets go of the instruments; {@link MeterSource.current} returns undefined from now on. */
  close(): void {
    this.#closed = true;
    this.#letGo();
  }

  #letGo(): void {
    const instruments = this.#instruments;
    this.#instruments = undefined;
    this.#source = undefined;
    if (instruments !== undefined) this.#release?.(instruments);
  }
}
