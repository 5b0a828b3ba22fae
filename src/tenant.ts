/**
 * Hono's tenant topics, `hono.event.<tenant>` and `hono.telemetry.<tenant>`, and the Kafka rules that a
 * tenant id must meet to be the suffix of one.
 *
 * @module
 */
import { TenantError } from './errors.js';

/**
 * The Hono endpoints whose topics the SDK reads: the downstream half of Hono's Kafka-based APIs.
 *
 * @category Topics and tenants
 */
export const HonoEndpoint = {
  /** Events: `hono.event.<tenant>`, always at least once. */
  Event: 'event',
  /** Telemetry: `hono.telemetry.<tenant>`, at most once or at least once per message (`qos`). */
  Telemetry: 'telemetry',
} as const;

/**
 * A Hono endpoint: one of the values of {@link HonoEndpoint}.
 *
 * @category Topics and tenants
 */
export type HonoEndpoint = (typeof HonoEndpoint)[keyof typeof HonoEndpoint];

/**
 * The longest topic name that Kafka accepts.
 *
 * @category Topics and tenants
 */
export const MAX_TOPIC_NAME_LENGTH = 249;

/**
 * A Hono tenant topic, taken apart.
 *
 * @category Topics and tenants
 */
export interface HonoTopic {
  /** The endpoint the topic belongs to. */
  readonly endpoint: HonoEndpoint;
  /** The tenant: everything after the endpoint's prefix. */
  readonly tenantId: string;
}

/** The prefix of the event topics. */
export const EVENT_PREFIX = 'hono.event.';
const TELEMETRY_PREFIX = 'hono.telemetry.';
const LEGAL_TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;
const ILLEGAL_TOPIC_CHAR = /[^a-zA-Z0-9._-]/;

/**
 * The prefix of an endpoint's topics.
 *
 * @param endpoint - `event` or `telemetry`
 * @returns `hono.event.` or `hono.telemetry.`
 */
export function topicPrefix(endpoint: HonoEndpoint): string {
  return endpoint === HonoEndpoint.Telemetry ? TELEMETRY_PREFIX : EVENT_PREFIX;
}

const prefixOf = topicPrefix;

/**
 * The longest tenant id that fits a topic of the endpoint: 249 minus the length of the prefix, or of the
 * longest prefix (`hono.telemetry.`, 234 characters left) when no endpoint is given.
 *
 * @param endpoint - The endpoint whose topic the tenant id must fit; when absent, it must fit both.
 * @returns The maximum length of a tenant id.
 * @example
 * ```ts
 * maxTenantIdLength('event'); // 238
 * maxTenantIdLength(); // 234, fits both endpoints
 * ```
 * @category Topics and tenants
 */
export function maxTenantIdLength(endpoint?: HonoEndpoint): number {
  return MAX_TOPIC_NAME_LENGTH - (endpoint === undefined ? TELEMETRY_PREFIX : prefixOf(endpoint)).length;
}

/**
 * Says why a tenant id cannot be the suffix of a Hono topic, for callers that collect problems rather
 * than throw (such as option validation).
 *
 * @param tenantId - The tenant id to check.
 * @param endpoint - The endpoint whose topic it must fit; when absent, it must fit both.
 * @returns The problem in a short sentence, or `undefined` if the tenant id is valid.
 */
export function tenantError(tenantId: unknown, endpoint?: HonoEndpoint): string | undefined {
  if (typeof tenantId !== 'string') return `tenant id must be a string, got ${typeof tenantId}`;
  if (tenantId.length === 0) return 'tenant id must not be empty';
  const max = maxTenantIdLength(endpoint);
  if (tenantId.length > max) {
    const topics = endpoint === undefined ? 'Hono topics' : `${prefixOf(endpoint)}<tenant> topics`;
    return `tenant id is ${tenantId.length} characters long, at most ${max} fit Kafka's 249-character limit for ${topics}`;
  }
  if (!LEGAL_TOPIC_CHARS.test(tenantId)) {
    const bad = ILLEGAL_TOPIC_CHAR.exec(tenantId);
    const at = bad === null ? '' : `: ${JSON.stringify(bad[0])} at index ${bad.index}`;
    return `tenant id may only contain the Kafka topic characters [a-zA-Z0-9._-]${at}`;
  }
  return undefined;
}

/**
 * Tells whether a tenant id can be the suffix of a Hono topic under Kafka's topic-name rules: not empty,
 * only `[a-zA-Z0-9._-]`, and short enough for the whole topic to stay within 249 characters.
 *
 * @param tenantId - The tenant id to check.
 * @param endpoint - The endpoint whose topic it must fit; when absent, it must fit both.
 * @returns `true` if the tenant id is valid.
 * @example
 * ```ts
 * isValidTenantId('DEFAULT_TENANT'); // true
 * isValidTenantId('my tenant'); // false: space
 * ```
 * @category Topics and tenants
 */
export function isValidTenantId(tenantId: unknown, endpoint?: HonoEndpoint): tenantId is string {
  return tenantError(tenantId, endpoint) === undefined;
}

/**
 * Throws unless a tenant id can be the suffix of a Hono topic (see {@link isValidTenantId}).
 *
 * @param tenantId - The tenant id to check.
 * @param endpoint - The endpoint whose topic it must fit; when absent, it must fit both.
 * @throws {@link TenantError} if the tenant id is not a string, is empty, is too long or has a character
 *   outside `[a-zA-Z0-9._-]`.
 * @example
 * ```ts
 * assertValidTenantId(request.params.tenant); // throws TenantError for 'my tenant'
 * ```
 * @category Topics and tenants
 */
export function assertValidTenantId(tenantId: unknown, endpoint?: HonoEndpoint): asserts tenantId is string {
  const problem = tenantError(tenantId, endpoint);
  if (problem !== undefined)
    throw new TenantError(tenantId, `Invalid tenant id ${describe(tenantId)}: ${problem}`);
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/**
 * The topic of a tenant at an endpoint.
 *
 * @param endpoint - `event` or `telemetry`.
 * @param tenantId - The tenant.
 * @returns `hono.<endpoint>.<tenantId>`.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @example
 * ```ts
 * honoTopic(HonoEndpoint.Telemetry, 'acme'); // 'hono.telemetry.acme'
 * ```
 * @category Topics and tenants
 */
export function honoTopic(endpoint: HonoEndpoint, tenantId: string): string {
  assertValidTenantId(tenantId, endpoint);
  return prefixOf(endpoint) + tenantId;
}

/**
 * The event topic of a tenant.
 *
 * @param tenantId - The tenant.
 * @returns `hono.event.<tenantId>`.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @example
 * ```ts
 * eventTopic('DEFAULT_TENANT'); // 'hono.event.DEFAULT_TENANT'
 * ```
 * @category Topics and tenants
 */
export function eventTopic(tenantId: string): string {
  return honoTopic(HonoEndpoint.Event, tenantId);
}

/**
 * The telemetry topic of a tenant.
 *
 * @param tenantId - The tenant.
 * @returns `hono.telemetry.<tenantId>`.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @example
 * ```ts
 * telemetryTopic('DEFAULT_TENANT'); // 'hono.telemetry.DEFAULT_TENANT'
 * ```
 * @category Topics and tenants
 */
export function telemetryTopic(tenantId: string): string {
  return honoTopic(HonoEndpoint.Telemetry, tenantId);
}

/** The prefix of the command topics, which applications write and Hono's Command Router reads. */
const COMMAND_PREFIX = 'hono.command.';
/** The prefix of the command response topics, which Hono writes and applications read. */
export const COMMAND_RESPONSE_PREFIX = 'hono.command_response.';

/**
 * Says why a tenant id cannot follow `prefix` in a topic name, like {@link tenantError} for any prefix.
 *
 * @param prefix - the topic's prefix, e.g. `hono.command_response.`
 * @param tenantId - the tenant id to check
 * @returns the problem in a short sentence, or `undefined` if the tenant id is valid
 */
export function prefixedTenantError(prefix: string, tenantId: unknown): string | undefined {
  // The event prefix is the shortest: this checks the type, emptiness and characters of the tenant id.
  const problem = tenantError(tenantId, HonoEndpoint.Event);
  const max = MAX_TOPIC_NAME_LENGTH - prefix.length;
  if (problem === undefined && typeof tenantId === 'string' && tenantId.length > max) {
    return `tenant id is ${tenantId.length} characters long, at most ${max} fit Kafka's 249-character limit for ${prefix}<tenant> topics`;
  }
  return problem;
}

/**
 * A topic made of a prefix and a tenant id, with the same checks as {@link honoTopic}.
 *
 * @param prefix - the topic's prefix, e.g. `hono.event.`
 * @param tenantId - the tenant
 * @returns the prefix followed by the tenant id
 * @throws {@link TenantError} if the tenant id cannot follow the prefix
 */
export function prefixedTopic(prefix: string, tenantId: string): string {
  const problem = prefixedTenantError(prefix, tenantId);
  if (problem !== undefined)
    throw new TenantError(tenantId, `Invalid tenant id ${describe(tenantId)}: ${problem}`);
  return prefix + tenantId;
}

/**
 * The command topic of a tenant, to which applications write commands for its devices.
 *
 * @param tenantId - The tenant.
 * @returns `hono.command.<tenantId>`.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix (at most 236 characters).
 * @example
 * ```ts
 * commandTopic('DEFAULT_TENANT'); // 'hono.command.DEFAULT_TENANT'
 * ```
 * @category Topics and tenants
 */
export function commandTopic(tenantId: string): string {
  return prefixedTopic(COMMAND_PREFIX, tenantId);
}

/**
 * The command response topic of a tenant, to which Hono writes the responses of its devices and its own
 * delivery failures.
 *
 * @param tenantId - The tenant.
 * @returns `hono.command_response.<tenantId>`.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix (at most 227 characters: the
 *   longest prefix of all Hono topics).
 * @example
 * ```ts
 * commandResponseTopic('DEFAULT_TENANT'); // 'hono.command_response.DEFAULT_TENANT'
 * ```
 * @category Topics and tenants
 */
export function commandResponseTopic(tenantId: string): string {
  return prefixedTopic(COMMAND_RESPONSE_PREFIX, tenantId);
}

// One-entry memo: consecutive records nearly always come from the same topic.
let lastTopic: string | undefined;
let lastParsed: HonoTopic | undefined;

/**
 * Takes a Hono event or telemetry topic apart.
 *
 * @param topic - A Kafka topic name.
 * @returns The endpoint and tenant, or `undefined` if the topic is not `hono.event.<tenant>` or
 *   `hono.telemetry.<tenant>` with a valid tenant id.
 * @example
 * ```ts
 * parseHonoTopic('hono.telemetry.acme'); // { endpoint: 'telemetry', tenantId: 'acme' }
 * parseHonoTopic('hono.command.acme'); // undefined
 * ```
 * @category Topics and tenants
 */
export function parseHonoTopic(topic: string): HonoTopic | undefined {
  if (topic === lastTopic) return lastParsed;
  let parsed: HonoTopic | undefined;
  const endpoint = topic.startsWith(EVENT_PREFIX)
    ? HonoEndpoint.Event
    : topic.startsWith(TELEMETRY_PREFIX)
      ? HonoEndpoint.Telemetry
      : undefined;
  if (endpoint !== undefined) {
    const tenantId = topic.slice(prefixOf(endpoint).length);
    if (isValidTenantId(tenantId, endpoint)) parsed = Object.freeze({ endpoint, tenantId });
  }
  lastTopic = topic;
  lastParsed = parsed;
  return parsed;
}

/**
 * The tenant of a Hono event or telemetry topic.
 *
 * @param topic - A Kafka topic name.
 * @returns Everything after `hono.event.` or `hono.telemetry.`, or `undefined` if the topic is no such
 *   topic or the rest is not a valid tenant id.
 * @example
 * ```ts
 * tenantOfTopic('hono.event.DEFAULT_TENANT'); // 'DEFAULT_TENANT'
 * tenantOfTopic('hono.event.'); // undefined
 * ```
 * @category Topics and tenants
 */
export function tenantOfTopic(topic: string): string | undefined {
  return parseHonoTopic(topic)?.tenantId;
}
