/**
 * Reading Hono's Command & Control records: commands as Hono's Command Router reads them, and command
 * responses as Hono's sender reads them. Neither decoder throws anything but a `DecodeError`, whatever
 * the record holds.
 *
 * @module
 */
import { DecodeError, DecodeErrorCode } from '../errors.js';
import { HonoEndpoint, isValidTenantId } from '../tenant.js';
import type { KafkaHeaderValue, KafkaRecord } from '../types.js';
import { headerBoolean, headerInteger, headerText } from './headers.js';
import { COMMAND_TOPIC_PREFIX, Header, MAX_INT, RESPONSE_TOPIC_PREFIX } from './command-headers.js';
import {
  type CommandResponse,
  type DecodedCommand,
  deliveryFailureContentType,
  deliveryFailureMetadataPrefix,
  type InvalidCommand,
} from './command-types.js';

/** The first value of each header a command or response decoder reads, and the prefixed metadata. */
interface Scanned {
  readonly first: Map<string, KafkaHeaderValue>;
  readonly metadata: Record<string, string>;
}

const SCANNED: ReadonlySet<string> = new Set(Object.values(Header));

/** Scans the headers, or says why the record is not shaped like a Kafka client's record. */
function scan(record: KafkaRecord): Scanned | string {
  if (typeof record !== 'object' || (record as unknown) === null) return 'the record is not an object';
  const { topic, key, value, headers } = record as unknown as Record<string, unknown>;
  if (typeof topic !== 'string') return 'topic is not a string';
  if (value !== null && value !== undefined && !Buffer.isBuffer(value))
    return 'value is neither a Buffer nor null';
  if (key !== null && key !== undefined && typeof key !== 'string' && !Buffer.isBuffer(key)) {
    return 'key is neither a Buffer, a string nor null';
  }
  const scanned: Scanned = { first: new Map(), metadata: Object.create(null) as Record<string, string> };
  if (headers === undefined || headers === null) return scanned;
  if (!Array.isArray(headers)) return 'headers is not an array';
  for (const [index, header] of (headers as unknown[]).entries()) {
    if (typeof header !== 'object' || header === null) return `header #${index} is not an object`;
    for (const [name, headerValue] of Object.entries(header as Record<string, unknown>)) {
      if (typeof headerValue !== 'string' && !Buffer.isBuffer(headerValue)) {
        return `header #${index} (${JSON.stringify(name)}) is neither a Buffer nor a string`;
      }
      if (SCANNED.has(name) && !scanned.first.has(name)) scanned.first.set(name, headerValue);
      if (name.startsWith(deliveryFailureMetadataPrefix) && !Object.hasOwn(scanned.metadata, name)) {
        scanned.metadata[name] = headerText(headerValue);
      }
    }
  }
  return scanned;
}

function text(scanned: Scanned, name: string): string | undefined {
  const value = scanned.first.get(name);
  return value === undefined ? undefined : headerText(value);
}

function integer(scanned: Scanned, name: string): number | undefined | null {
  const value = scanned.first.get(name);
  if (value === undefined) return undefined;
  return headerInteger(value) ?? null;
}

function tenantOf(topic: string, prefix: string): string | undefined {
  if (!topic.startsWith(prefix)) return undefined;
  const tenantId = topic.slice(prefix.length);
  return isValidTenantId(tenantId, HonoEndpoint.Event) ? tenantId : undefined;
}

function keyText(key: KafkaRecord['key']): string | undefined {
  return key === null || key === undefined ? undefined : headerText(key);
}

/**
 * Reads a command as Hono's Command Router does (`KafkaBasedCommand.from`): the tenant from the topic,
 * the device from `device_id` (which must equal the key), the name from `subject`; one-way unless
 * `response-required` is the JSON `true`. Headers are read first-wins, strings as UTF-8.
 *
 * @param record - A record from `hono.command.<tenant>`.
 * @returns The command, or an {@link InvalidCommand} saying whether Hono drops it silently or rejects it
 *   as malformed. Never throws.
 * @example
 * ```ts
 * const command = decodeCommand(record);
 * if ('kind' in command) return; // dropped or malformed
 * ```
 * @category Commands
 */
export function decodeCommand(record: KafkaRecord): DecodedCommand | InvalidCommand {
  try {
    return decodeCommandRecord(record);
  } catch (error) {
    // Not reachable for a record of the Kafka client; a safety net for anything else.
    return dropped(`the record cannot be read: ${error instanceof Error ? error.message : 'unknown error'}`);
  }
}

function dropped(reason: string, scanned?: Scanned): InvalidCommand {
  const correlationId = scanned === undefined ? undefined : text(scanned, Header.CorrelationId);
  return {
    kind: 'dropped',
    reason,
    correlationId: correlationId === '' ? undefined : correlationId,
    failureMetadata: scanned === undefined ? {} : { ...scanned.metadata },
  };
}

function decodeCommandRecord(record: KafkaRecord): DecodedCommand | InvalidCommand {
  const scanned = scan(record);
  if (typeof scanned === 'string') return dropped(`malformed record: ${scanned}`);
  const tenantId = tenantOf(record.topic, COMMAND_TOPIC_PREFIX);
  if (tenantId === undefined) return dropped('unsupported topic', scanned);
  const deviceId = text(scanned, Header.DeviceId);
  if (deviceId === undefined || deviceId === '') return dropped('device identifier is not set', scanned);
  if (keyText(record.key) !== deviceId) return dropped('device identifier not set as record key', scanned);

  const problems: string[] = [];
  const name = text(scanned, Header.Subject);
  if (name === undefined) problems.push('subject not set');
  const responseValue = scanned.first.get(Header.ResponseRequired);
  const responseRequired = responseValue !== undefined && headerBoolean(responseValue) === true;
  const correlationText = text(scanned, Header.CorrelationId);
  const correlationId = correlationText === '' ? undefined : correlationText;
  if (responseRequired && correlationId === undefined) problems.push('correlation-id is not set');
  const failureMetadata = { ...scanned.metadata };
  if (name === undefined || problems.length > 0) {
    return {
      kind: 'malformed',
      reason: problems.join(', '),
      correlationId,
      failureMetadata,
      tenantId,
      deviceId,
      responseRequired,
    };
  }
  // Hono reads a creation-time or ttl that is no JSON integer as absent.
  return {
    tenantId,
    deviceId,
    name,
    payload: record.value ?? null,
    contentType: text(scanned, Header.ContentType),
    correlationId,
    responseRequired,
    failureMetadata,
    creationTime: integer(scanned, Header.CreationTime) ?? undefined,
    ttlMs: integer(scanned, Header.Ttl) ?? undefined,
  };
}

function where(record: KafkaRecord): string {
  if (typeof record !== 'object' || (record as unknown) === null) return 'command response';
  const { topic, partition, offset } = record as unknown as Record<string, unknown>;
  return `command response ${String(topic)}[${String(partition)}]@${String(offset)}`;
}

/**
 * Reads a command response: the tenant from `hono.command_response.<tenant>` (or, on another topic, the
 * `tenant_id` header), the device from `device_id` or the key, `correlation-id`, `status`, and for
 * Hono's delivery failures the `error` text of the body.
 *
 * @param record - A record from `hono.command_response.<tenant>`.
 * @returns A device's response or a delivery failure.
 * @throws {@link DecodeError} with a specific code: `ERR_HONO_MISSING_CORRELATION_ID`,
 *   `ERR_HONO_MISSING_STATUS`, `ERR_HONO_BAD_STATUS` (no JSON integer), `ERR_HONO_BAD_DELIVERY_FAILURE`
 *   (a body that is not `{"error": string}`), `ERR_HONO_MISSING_DEVICE_ID`, `ERR_HONO_DEVICE_ID_MISMATCH`,
 *   `ERR_HONO_TENANT_MISMATCH`, `ERR_HONO_NOT_HONO_TOPIC`, `ERR_HONO_BAD_HEADER` (`creation-time`, `ttl`)
 *   or `ERR_HONO_MALFORMED_RECORD`; when the record has a correlation id, the error carries it. Nothing
 *   else, whatever the input.
 * @example
 * ```ts
 * const response = decodeCommandResponse(record);
 * if (response.kind === 'deliveryFailure' && response.status === 503) console.log('device not connected');
 * ```
 * @category Commands
 */
export function decodeCommandResponse(record: KafkaRecord): CommandResponse {
  try {
    return decodeResponseRecord(record);
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    // Not reachable for a record of the Kafka client; a safety net for anything else.
    throw new DecodeError(DecodeErrorCode.MalformedRecord, `Malformed ${where(record)}`, record, {
      cause: error,
    });
  }
}

function decodeResponseRecord(record: KafkaRecord): CommandResponse {
  const scanned = scan(record);
  if (typeof scanned === 'string') {
    throw new DecodeError(DecodeErrorCode.MalformedRecord, `Malformed command response: ${scanned}`, record);
  }
  const fail = (code: DecodeErrorCode, problem: string, header?: string): DecodeError =>
    new DecodeError(code, `Invalid ${where(record)}: ${problem}`, record, { header, correlationId });

  const correlationText = text(scanned, Header.CorrelationId);
  const correlationId = correlationText === '' ? undefined : correlationText;
  if (correlationId === undefined) {
    throw fail(DecodeErrorCode.MissingCorrelationId, 'no correlation-id header', Header.CorrelationId);
  }

  const tenantHeader = text(scanned, Header.TenantId);
  const topicTenant = tenantOf(record.topic, RESPONSE_TOPIC_PREFIX);
  if (topicTenant !== undefined && tenantHeader !== undefined && tenantHeader !== topicTenant) {
    throw fail(
      DecodeErrorCode.TenantMismatch,
      `the tenant_id header names tenant ${JSON.stringify(tenantHeader)}, the topic ${JSON.stringify(topicTenant)}`,
      Header.TenantId,
    );
  }
  const tenantId =
    topicTenant ?? (isValidTenantId(tenantHeader, HonoEndpoint.Event) ? tenantHeader : undefined);
  if (tenantId === undefined) {
    throw fail(
      DecodeErrorCode.NotHonoTopic,
      'not a hono.command_response.<tenant> topic, and no tenant_id header',
    );
  }

  const deviceHeader = text(scanned, Header.DeviceId);
  const key = keyText(record.key);
  const deviceId = deviceHeader !== undefined && deviceHeader !== '' ? deviceHeader : key;
  if (deviceId === undefined || deviceId === '') {
    throw fail(
      DecodeErrorCode.MissingDeviceId,
      'neither the key nor a device_id header names the device',
      Header.DeviceId,
    );
  }
  if (key !== undefined && key !== '' && key !== deviceId) {
    throw fail(
      DecodeErrorCode.DeviceIdMismatch,
      `the key names device ${JSON.stringify(key)} but the device_id header names ${JSON.stringify(deviceId)}`,
      Header.DeviceId,
    );
  }

  const status = integer(scanned, Header.Status);
  if (status === undefined) throw fail(DecodeErrorCode.MissingStatus, 'no status header', Header.Status);
  if (status === null || status < -MAX_INT - 1 || status > MAX_INT) {
    throw fail(
      DecodeErrorCode.BadStatus,
      `status ${JSON.stringify(text(scanned, Header.Status))} is no JSON integer`,
      Header.Status,
    );
  }
  const creationTime = integer(scanned, Header.CreationTime);
  if (creationTime === null) {
    throw fail(DecodeErrorCode.BadHeader, 'creation-time is no JSON integer', Header.CreationTime);
  }
  const ttlMs = integer(scanned, Header.Ttl);
  if (ttlMs === null || (ttlMs !== undefined && ttlMs < 0)) {
    throw fail(DecodeErrorCode.BadHeader, 'ttl is no JSON integer of at least 0', Header.Ttl);
  }

  const contentType = text(scanned, Header.ContentType);
  const payload = record.value ?? null;
  if (contentType === deliveryFailureContentType) {
    const error = deliveryFailureError(payload);
    if (error === undefined) {
      throw fail(DecodeErrorCode.BadDeliveryFailure, 'the delivery failure body is not {"error": string}');
    }
    return {
      kind: 'deliveryFailure',
      tenantId,
      deviceId,
      correlationId,
      status,
      error,
      failureMetadata: { ...scanned.metadata },
      creationTime,
    };
  }
  return {
    kind: 'response',
    tenantId,
    deviceId,
    correlationId,
    status,
    contentType,
    payload,
    creationTime,
    ttlMs,
  };
}

function deliveryFailureError(payload: Buffer | null): string | undefined {
  if (payload === null) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const error = (body as Record<string, unknown>)['error'];
  return typeof error === 'string' ? error : undefined;
}
