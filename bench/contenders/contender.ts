/** What a throughput contender is given, and what it gives back. */
import type { Dropped } from '../lib/silent-opentelemetry.js';

/** What the silent OpenTelemetry SDK recorded in a run (and dropped). */
export type Recorded = Dropped;

/** One throughput run: consume `expected` records of `topic` from the beginning, in a new group. */
export interface ThroughputRun {
  readonly brokers: string;
  readonly topic: string;
  readonly tenant: string;
  readonly groupId: string;
  readonly expected: number;
  /**
   * The telemetry section's subscriptions (only the raw loop and the SDK take them): the topics of
   * several tenants instead of `topic`, and what the SDK does with qos-0 records.
   */
  readonly subscription?: Subscription | undefined;
  /**
   * The observability section's setting (only the SDK takes it): `off` passes `telemetry: false`; `api`
   * leaves the option out with `@opentelemetry/api` installed and no OpenTelemetry SDK registered; `sdk`
   * registers an SDK that records every span and metric and exports them nowhere; `sdk-off` registers
   * that SDK and passes `telemetry: false` (what registering it costs the consumer by itself). Left
   * out: `api`.
   */
  readonly observability?: Observability | undefined;
}

/** How the SDK contender runs OpenTelemetry; see {@link ThroughputRun.observability}. */
export type Observability = 'off' | 'api' | 'sdk' | 'sdk-off';

/** Several tenants' topics of one endpoint, named or as the SDK's pattern for every tenant. */
export interface Subscription {
  readonly endpoint: 'event' | 'telemetry';
  /** The tenants, or `'*'`: every tenant, one pattern subscription (`^hono\.<endpoint>\..+`). */
  readonly tenants: '*' | readonly string[];
  /**
   * Only records of topics starting with this count towards `expected`: a pattern also matches topics
   * other work left on the broker, which are read but not counted.
   */
  readonly countedTopicPrefix: string;
  /** The SDK's `qos0` option; left out, its default. */
  readonly qos0?: 'atLeastOnce' | 'atMostOnce' | undefined;
}

/** A consumer under test. */
export interface Contender {
  /**
   * Starts consuming; calls `handled(n)` each time `n` more records were handled.
   *
   * @returns how to stop it, and (with an OpenTelemetry SDK of the observability section) what the SDK
   *   recorded once it stopped
   */
  start(
    run: ThroughputRun,
    handled: (count: number) => void,
  ): Promise<{ stop(): Promise<void>; recorded?(): Recorded }>;
}

/** What the raw loop subscribes to for a run: its topic, the named tenants' topics, or the pattern. */
export function subscribedTopics(run: ThroughputRun): string[] {
  const subscription = run.subscription;
  if (subscription === undefined) return [run.topic];
  if (subscription.tenants === '*') return [`^hono\\.${subscription.endpoint}\\..+`];
  return subscription.tenants.map((tenant) => `hono.${subscription.endpoint}.${tenant}`);
}
