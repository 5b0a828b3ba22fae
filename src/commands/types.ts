/**
 * What the applications passes to the command client's calls.
 */

/**
 * A command for one device, as `sendOneWay()` takes it.
 *
 * @category Commands
 */
export interface OneWayCommand {
  /** The tenant: the command goes to `hono.command.<tenant>`. */
  readonly tenant: string;
  /** The device: the record key and the `device_id` header. */
  readonly deviceId: string;
  /** The command name: the `subject` header. */
  readonly name: string;
  /** The payload (a string is written as UTF-8). @defaultValue none: the record value is null */
  readonly payload?: Buffer | string | undefined;
  /** The `content-type` header. @defaultValue none: no header */
  readonly contentType?: string | undefined;
  /**
   * A `ttl` header in ms: Hono's Command Router drops the command, without an answer, once its
   * `creation-time` plus `ttl` has passed (Hono does so for every record it reads, but documents it for
   * events only). @defaultValue none: no header
   */
  readonly ttlMs?: number | undefined;
  /**
   * How long the call may take (for `request()`: sending and waiting for the response together).
   * @defaultValue the client's `requestTimeoutMs`
   */
  readonly timeoutMs?: number | undefined;
}

/**
 * A request/response command, as `request()` and `send()` take it.
 *
 * @category Commands
 */
export interface RequestCommand extends OneWayCommand {
  /**
   * Written as `delivery-failure-notification-metadata.<key>` headers; Hono copies them into the
   * delivery failure it writes when it cannot deliver the command. @defaultValue none
   */
  readonly failureMetadata?: Readonly<Record<string, string>> | undefined;
}

/**
 * A request/response command written without waiting for its response, as `send()` takes it.
 *
 * @category Commands
 */
export interface DurableRequestCommand extends RequestCommand {
  /** The `correlation-id` (e.g. one stored with the workflow). @defaultValue a new random UUID */
  readonly correlationId?: string | undefined;
}
