/**
 * What the `commands-broker-restart` runner and its two processes (a Hono simulator, a command client)
 * share: their configurations (JSON in `CHAOS_CONFIG`), the client's ledger line, and the lines both
 * print on stdout.
 */

/** How the simulator process runs. */
export interface SimulatorConfig {
  readonly brokers: string;
  readonly tenant: string;
  /** Devices `device-0` ... `device-<devices - 1>` connect with `ttd: -1` and answer every command. */
  readonly devices: number;
}

/** How the command client process runs. */
export interface CommandClientConfig {
  readonly brokers: string;
  readonly tenant: string;
  /** Request `n` goes to `device-<n % devices>`. */
  readonly devices: number;
  /** Requests started per second, spread evenly. */
  readonly requestsPerSecond: number;
  /** Each request's `timeoutMs`. */
  readonly timeoutMs: number;
  /** The client's `closeTimeoutMs`. */
  readonly closeTimeoutMs: number;
  /** Where the client appends one {@link SettledRequest} line per settled request. */
  readonly ledgerPath: string;
}

/** The payload of request `n`; the simulator sends it back inside its {@link EchoPayload}. */
export interface RequestPayload {
  readonly n: number;
}

/** The simulator's answer: the command's payload, correlation id and device, as the simulator read them. */
export interface EchoPayload {
  readonly echo: string;
  readonly correlationId: string | undefined;
  readonly deviceId: string;
}

/** How a request ended. */
export type RequestOutcome =
  /** A 200 response whose echo names this request, its correlation id and its device. */
  | 'ok'
  /** A response that belongs to another request (or whose echo disagrees with its headers). */
  | 'mismatch'
  /** A response other than a 200 device response (a delivery failure, another status). */
  | 'failure'
  /** Rejected with a `HonoKafkaError`; `code` says which. */
  | 'rejected'
  /** Rejected with something that is not a `HonoKafkaError`. */
  | 'untyped';

/** One line of the client's ledger. */
export interface SettledRequest {
  readonly n: number;
  /** `Date.now()` just before `request()` was called. */
  readonly startedAt: number;
  /** `Date.now()` when its promise settled. */
  readonly settledAt: number;
  readonly outcome: RequestOutcome;
  /** The error code (`rejected`), the status (`failure`), or `untyped`. */
  readonly code?: string | undefined;
  /** What did not match, or the error's message. */
  readonly detail?: string | undefined;
}

/** What the client process prints once it stopped. */
export interface ClientSummary {
  readonly event: 'summary';
  readonly sent: number;
  readonly settled: number;
  /** Request numbers that had not settled `timeoutMs + hangGraceMs` after sending stopped. */
  readonly hung: readonly number[];
  /** `pendingRequests` of the client once every request settled (must be 0). */
  readonly pendingAfter: number;
  /** How long `close()` took. */
  readonly closeMs: number;
  readonly unhandledRejections: readonly string[];
  /** The client's `error` events, by code. */
  readonly errorEvents: Readonly<Record<string, number>>;
  /** Responses read for no pending request (the client's debug log): late ones, ignored. */
  readonly lateResponses: number;
}

/** What the simulator process prints once it closed. */
export interface SimulatorSummary {
  readonly event: 'summary';
  /** Commands handled, by outcome (`answered`, `failed`, ...). */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly closeMs: number;
  readonly unhandledRejections: readonly string[];
}

/** A line either process prints on stdout. */
export type ProcessLine =
  | { readonly event: 'ready'; readonly ms: number }
  | { readonly event: 'failed'; readonly message: string }
  | ClientSummary
  | SimulatorSummary;

/** How long after sending stopped a request may still settle before it counts as hung. */
export const hangGraceMs = 10_000;
