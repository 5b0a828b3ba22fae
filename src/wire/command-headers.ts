/**
 * The header names and limits that the Command & Control encoders and decoders share.
 *
 * @module
 */

/** The headers of commands and command responses, by Hono's names. */
export const Header = {
  ContentType: 'content-type',
  CorrelationId: 'correlation-id',
  CreationTime: 'creation-time',
  DeviceId: 'device_id',
  ResponseRequired: 'response-required',
  Status: 'status',
  Subject: 'subject',
  TenantId: 'tenant_id',
  Traceparent: 'traceparent',
  Tracestate: 'tracestate',
  Ttl: 'ttl',
} as const;

/** The content type of a response with a payload but no type of its own. */
export const OCTET_STREAM = 'application/octet-stream';
/** Commands are written to `hono.command.<tenant>`. */
export const COMMAND_TOPIC_PREFIX = 'hono.command.';
/** Responses are read from `hono.command_response.<tenant>`. */
export const RESPONSE_TOPIC_PREFIX = 'hono.command_response.';
/** The largest time a JavaScript Date holds, in ms since the epoch. */
export const MAX_DATE_MS = 8.64e15;
/** Java's `Integer.MAX_VALUE`: Hono reads `status` and `ttl` as Java integers. */
export const MAX_INT = 2_147_483_647;
/** Names that `additionalHeaders` may not use: Hono sets or removes them itself. */
export const RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  Header.ContentType,
  Header.CorrelationId,
  Header.CreationTime,
  Header.DeviceId,
  Header.Status,
  Header.TenantId,
  Header.Ttl,
  'ttl-command-response',
]);
/** A UTF-16 surrogate without its partner: it cannot be written as UTF-8 and read back as the same text. */
export const LONE_SURROGATE = /\p{Cs}/u;
