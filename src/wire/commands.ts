/**
 * Hono's Command & Control records on Kafka: commands (`hono.command.<tenant>`) as Hono's
 * `KafkaBasedCommandSender` writes them, and command responses (`hono.command_response.<tenant>`) as
 * devices (through a protocol adapter) and Hono itself (delivery failures) write them.
 *
 * Encoders and decoders for both directions: the command client encodes commands and decodes
 * responses; the Hono simulator (`eclipse-hono-kafka/testing`) decodes commands and encodes responses.
 *
 * CONTRACT (issue 13, first session): the signatures below are agreed; the bodies are being written.
 *
 * @module
 */
import type { KafkaRecord } from '../types.js';
import type { EncodedRecord } from './types.js';

/** The content type of the responses Hono writes when it could not deliver a command. */
export const deliveryFailureContentType = 'application/vnd.eclipse-hono-delivery-failure-notification+json';

/** The prefix of the headers whose values Hono copies into its delivery-failure responses. */
export const deliveryFailureMetadataPrefix = 'delivery-failure-notification-metadata';

/** What a command to one device says. */
export interface CommandInit {
  /** The tenant: the record goes to `hono.command.<tenant>`. */
  readonly tenantId: string;
  /** The device: the record key and the `device_id` header. */
  readonly deviceId: string;
  /** The command name: the `subject` header. */
  readonly name: string;
  /** The payload; none by default (the value is then null). */
  readonly payload?: Buffer | string | undefined;
  /** The `content-type` header; written only when given. */
  readonly contentType?: string | undefined;
  /** A `ttl` header in ms: Hono's router drops the command once `creation-time + ttl` passed. */
  readonly ttlMs?: number | undefined;
  /** `creation-time` in ms since the epoch; now by default. */
  readonly creationTime?: number | undefined;
}

/** A request/response command: it also carries a correlation id and failure metadata. */
export interface RequestCommandInit extends CommandInit {
  /** The `correlation-id` header (the client makes a UUID). */
  readonly correlationId: string;
  /** Copied by Hono into its delivery-failure response: `delivery-failure-notification-metadata.<key>`. */
  readonly failureMetadata?: Readonly<Record<string, string>> | undefined;
}

/** A command as the Command Router reads it (what the simulator sees). */
export interface DecodedCommand {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly name: string;
  readonly payload: Buffer | null;
  readonly contentType: string | undefined;
  /** Present for request/response commands. */
  readonly correlationId: string | undefined;
  /** `response-required` was `true`. */
  readonly responseRequired: boolean;
  /** The `delivery-failure-notification-metadata*` headers, by their full names. */
  readonly failureMetadata: Readonly<Record<string, string>>;
  readonly creationTime: number | undefined;
  readonly ttlMs: number | undefined;
}

/**
 * Why the Command Router would not deliver a command record: `dropped` (no `device_id`, or a key that
 * differs from it: Hono answers nothing) or `malformed` (no `subject`, or `response-required` without a
 * `correlation-id`: Hono answers 400 `malformed command message` if it can correlate).
 */
export interface InvalidCommand {
  readonly kind: 'dropped' | 'malformed';
  readonly reason: string;
  /** The correlation id, if the record has one (Hono answers a malformed request only then). */
  readonly correlationId: string | undefined;
  readonly failureMetadata: Readonly<Record<string, string>>;
}

/** A device's answer to a request/response command, as a protocol adapter writes it. */
export interface CommandResponseInit {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly correlationId: string;
  /** 200-299 or 400-599 (Hono's adapters refuse other statuses from a device). */
  readonly status: number;
  readonly payload?: Buffer | string | undefined;
  /** `application/octet-stream` when there is a payload but no type; absent without a payload. */
  readonly contentType?: string | undefined;
  readonly ttlMs?: number | undefined;
  readonly creationTime?: number | undefined;
  /** Headers copied from the command (delivery-failure metadata). */
  readonly additionalHeaders?: Readonly<Record<string, string>> | undefined;
}

/** A delivery failure that Hono writes (status 4xx/5xx, `{"error": "<text>"}`). */
export interface DeliveryFailureInit {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly correlationId: string;
  readonly status: number;
  /** E.g. `no consumer available` (503), `malformed command message` (400). */
  readonly error: string;
  /** The command's `delivery-failure-notification-metadata*` headers, copied. */
  readonly failureMetadata?: Readonly<Record<string, string>> | undefined;
  readonly creationTime?: number | undefined;
}

/** A command response as the command client reads it. */
export type CommandResponse =
  | {
      /** A device answered (any status, 2xx or not). */
      readonly kind: 'response';
      readonly tenantId: string;
      readonly deviceId: string;
      readonly correlationId: string;
      readonly status: number;
      readonly contentType: string | undefined;
      readonly payload: Buffer | null;
      readonly creationTime: number | undefined;
      readonly ttlMs: number | undefined;
    }
  | {
      /** Hono could not deliver the command (content type {@link deliveryFailureContentType}). */
      readonly kind: 'deliveryFailure';
      readonly tenantId: string;
      readonly deviceId: string;
      readonly correlationId: string;
      readonly status: number;
      /** The `error` text of the body. */
      readonly error: string;
      readonly failureMetadata: Readonly<Record<string, string>>;
      readonly creationTime: number | undefined;
    };

/** Writes a one-way command (`response-required: false`). */
export declare function encodeOneWayCommand(init: CommandInit): EncodedRecord;
/** Writes a request/response command (`response-required: true`, `correlation-id`, failure metadata). */
export declare function encodeRequestCommand(init: RequestCommandInit): EncodedRecord;
/** Reads a command as the Command Router does. */
export declare function decodeCommand(record: KafkaRecord): DecodedCommand | InvalidCommand;
/** Writes a device's response as a protocol adapter does. */
export declare function encodeCommandResponse(init: CommandResponseInit): EncodedRecord;
/** Writes a delivery failure as Hono does. */
export declare function encodeDeliveryFailure(init: DeliveryFailureInit): EncodedRecord;
/**
 * Reads a command response. Throws a `DecodeError` (a new code per problem: no `correlation-id`, a
 * `status` that is missing or not a number, a delivery-failure body that is not `{"error": string}`).
 */
export declare function decodeCommandResponse(record: KafkaRecord): CommandResponse;
