/**
 * The shapes of Hono's Command & Control records: what the encoders take and the decoders return.
 *
 * @module
 */

/**
 * The content type of the responses Hono writes when it could not deliver a command.
 *
 * @category Commands
 */
export const deliveryFailureContentType = 'application/vnd.eclipse-hono-delivery-failure-notification+json';

/**
 * The prefix of the headers whose values Hono copies into its delivery-failure responses.
 *
 * @category Commands
 */
export const deliveryFailureMetadataPrefix = 'delivery-failure-notification-metadata';

/**
 * What a command to one device says.
 *
 * @category Commands
 */
export interface CommandInit {
  /** The tenant: the record goes to `hono.command.<tenant>`. */
  readonly tenantId: string;
  /** The device: the record key and the `device_id` header; a non-empty string. */
  readonly deviceId: string;
  /** The command name: the `subject` header; a non-empty string. */
  readonly name: string;
  /**
   * The payload; a string is written as UTF-8.
   *
   * @defaultValue none: the value is null
   */
  readonly payload?: Buffer | string | undefined;
  /**
   * The `content-type` header.
   *
   * @defaultValue none: no `content-type` header, as Hono's sender writes it
   */
  readonly contentType?: string | undefined;
  /**
   * A `ttl` header in ms: Hono's Command Router skips the command once `creation-time + ttl` has passed.
   * Hono's own sender never writes one; the router's consumer honours it all the same (undocumented).
   *
   * @defaultValue none: no `ttl` header
   */
  readonly ttlMs?: number | undefined;
  /**
   * `creation-time` in ms since the epoch.
   *
   * @defaultValue now
   */
  readonly creationTime?: number | undefined;
  /**
   * The W3C `traceparent` header, written after `creation-time` as Hono's tracing does.
   *
   * @defaultValue none
   */
  readonly traceparent?: string | undefined;
  /**
   * The W3C `tracestate` header, written after `traceparent`.
   *
   * @defaultValue none
   */
  readonly tracestate?: string | undefined;
}

/**
 * A request/response command: it also carries a correlation id and failure metadata.
 *
 * @category Commands
 */
export interface RequestCommandInit extends CommandInit {
  /** The `correlation-id` header (the client makes a UUID); a non-empty string. */
  readonly correlationId: string;
  /**
   * Copied by Hono into its delivery-failure response: one header
   * `delivery-failure-notification-metadata.<key>` per entry, the value as raw UTF-8.
   *
   * @defaultValue none
   */
  readonly failureMetadata?: Readonly<Record<string, string>> | undefined;
}

/**
 * A command as the Command Router reads it (what the simulator sees).
 *
 * @category Commands
 */
export interface DecodedCommand {
  /** The tenant, from the topic. */
  readonly tenantId: string;
  /** The device: the `device_id` header, equal to the key. */
  readonly deviceId: string;
  /** The command name: the `subject` header. */
  readonly name: string;
  /** The record value. */
  readonly payload: Buffer | null;
  /** The `content-type` header, if any. */
  readonly contentType: string | undefined;
  /** The `correlation-id` header if not empty; Hono answers only request/response commands. */
  readonly correlationId: string | undefined;
  /** `response-required` was `true`; otherwise the command is one-way. */
  readonly responseRequired: boolean;
  /** The `delivery-failure-notification-metadata*` headers, by their full names; the first of a name wins. */
  readonly failureMetadata: Readonly<Record<string, string>>;
  /** The `creation-time` header in ms, if it is a JSON integer. */
  readonly creationTime: number | undefined;
  /** The `ttl` header in ms, if it is a JSON integer (see {@link isCommandExpired}). */
  readonly ttlMs: number | undefined;
}

/**
 * Why the Command Router would not deliver a command record: `dropped` (not a command topic, no
 * `device_id`, or a key that differs from it: Hono answers nothing) or `malformed` (no `subject`, or
 * `response-required` without a `correlation-id`: Hono answers 400 `malformed command message` when
 * `responseRequired` is `true` and a `correlationId` exists).
 *
 * @category Commands
 */
export interface InvalidCommand {
  /** `dropped`: no answer at all; `malformed`: a 400 delivery failure if Hono can correlate it. */
  readonly kind: 'dropped' | 'malformed';
  /** Hono's own words, e.g. `device identifier not set as record key` or `subject not set`. */
  readonly reason: string;
  /** The correlation id, if the record has one (Hono answers a malformed request only then). */
  readonly correlationId: string | undefined;
  /** The `delivery-failure-notification-metadata*` headers, by their full names. */
  readonly failureMetadata: Readonly<Record<string, string>>;
  /** The tenant, for a `malformed` command (needed to answer it). */
  readonly tenantId?: string | undefined;
  /** The device, for a `malformed` command (needed to answer it). */
  readonly deviceId?: string | undefined;
  /** `response-required` was `true`, for a `malformed` command: Hono answers only those. */
  readonly responseRequired?: boolean | undefined;
}

/**
 * A device's answer to a request/response command, as a protocol adapter writes it.
 *
 * @category Commands
 */
export interface CommandResponseInit {
  /** The tenant: the record goes to `hono.command_response.<tenant>`. */
  readonly tenantId: string;
  /** The device: the record key and the `device_id` header. */
  readonly deviceId: string;
  /** The command's `correlation-id`. */
  readonly correlationId: string;
  /** 200-299 or 400-599 (Hono's adapters refuse other statuses from a device). */
  readonly status: number;
  /**
   * The payload; a string is written as UTF-8.
   *
   * @defaultValue none: the value is null
   */
  readonly payload?: Buffer | string | undefined;
  /**
   * The `content-type` header.
   *
   * @defaultValue `application/octet-stream` when there is a payload; absent without one
   */
  readonly contentType?: string | undefined;
  /**
   * The `ttl` header in ms (Hono derives it from the tenant's `ttl-command-response`).
   *
   * @defaultValue none
   */
  readonly ttlMs?: number | undefined;
  /**
   * `creation-time` in ms since the epoch.
   *
   * @defaultValue now
   */
  readonly creationTime?: number | undefined;
  /**
   * Further headers (as Hono adds tenant and device defaults or copied metadata), by full name, written
   * as raw UTF-8. The names of the headers above are refused.
   *
   * @defaultValue none
   */
  readonly additionalHeaders?: Readonly<Record<string, string>> | undefined;
}

/**
 * A delivery failure that Hono writes (status 4xx/5xx, `{"error": "<text>"}`).
 *
 * @category Commands
 */
export interface DeliveryFailureInit {
  /** The tenant: the record goes to `hono.command_response.<tenant>`. */
  readonly tenantId: string;
  /** The device the command was for. */
  readonly deviceId: string;
  /** The command's `correlation-id`. */
  readonly correlationId: string;
  /** 400-599, e.g. 503 when the device is not connected. */
  readonly status: number;
  /** E.g. `no consumer available` (503), `malformed command message` (400). */
  readonly error: string;
  /**
   * The command's `delivery-failure-notification-metadata*` headers by their full names, copied as
   * {@link DecodedCommand.failureMetadata} holds them; every name must start with the prefix.
   *
   * @defaultValue none
   */
  readonly failureMetadata?: Readonly<Record<string, string>> | undefined;
  /**
   * `creation-time` in ms since the epoch.
   *
   * @defaultValue now
   */
  readonly creationTime?: number | undefined;
}

/**
 * A command response as the command client reads it.
 *
 * @category Commands
 */
export type CommandResponse =
  | {
      /** A device answered (any status, 2xx or not). */
      readonly kind: 'response';
      /** The tenant, from the topic. */
      readonly tenantId: string;
      /** The device that answered. */
      readonly deviceId: string;
      /** The command's correlation id. */
      readonly correlationId: string;
      /** The device's status: 2xx success, 4xx a client error, 5xx a device error. */
      readonly status: number;
      /** The `content-type` header, if any. */
      readonly contentType: string | undefined;
      /** The record value. */
      readonly payload: Buffer | null;
      /** The `creation-time` header in ms, if any. */
      readonly creationTime: number | undefined;
      /** The `ttl` header in ms, if any. */
      readonly ttlMs: number | undefined;
    }
  | {
      /** Hono could not deliver the command (content type {@link deliveryFailureContentType}). */
      readonly kind: 'deliveryFailure';
      /** The tenant, from the topic. */
      readonly tenantId: string;
      /** The device the command was for. */
      readonly deviceId: string;
      /** The command's correlation id. */
      readonly correlationId: string;
      /** Hono's status, e.g. 503 for a device that is not connected, 400 for a malformed command. */
      readonly status: number;
      /** The `error` text of the body, e.g. `no consumer available`. */
      readonly error: string;
      /** The command's `delivery-failure-notification-metadata*` headers, by their full names. */
      readonly failureMetadata: Readonly<Record<string, string>>;
      /** The `creation-time` header in ms, if any. */
      readonly creationTime: number | undefined;
    };
