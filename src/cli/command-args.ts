/**
 * The options of `command` (send a command to a device, like `hono-cli app command`) and `simulate`
 * (devices that answer commands, played by the Hono simulator), validated into what each needs.
 */
import { tenantError } from '../tenant.js';
import {
  type Connection,
  type ConnectionValues,
  connectionOf,
  connectionOptions,
  positiveInteger,
} from './connection-args.js';

/** The tenant of `command` and `simulate` unless `--tenant` names another, as in `hono-cli`. */
export const defaultTenant = 'DEFAULT_TENANT';

/** How long `command` waits for the response unless `--timeout` says otherwise, in seconds (as `hono-cli`). */
export const defaultCommandTimeoutSeconds = 60;

/** The status `simulate` answers with unless `--status` says otherwise. */
export const defaultAnswerStatus = 200;

/** The options of `command`. */
export const commandOptions = {
  ...connectionOptions,
  tenant: { type: 'string', short: 't' },
  device: { type: 'string', short: 'd' },
  name: { type: 'string', short: 'n' },
  payload: { type: 'string' },
  'content-type': { type: 'string' },
  'one-way': { type: 'boolean' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The options of `simulate`. */
export const simulateOptions = {
  ...connectionOptions,
  tenant: { type: 'string', short: 't' },
  device: { type: 'string', short: 'd', multiple: true },
  ttd: { type: 'string' },
  status: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Everything `command` needs, validated. */
export interface CommandArgs extends Connection {
  readonly tenant: string;
  readonly deviceId: string;
  readonly name: string;
  /** The payload, written as UTF-8; none without `--payload`. */
  readonly payload: string | undefined;
  /** `--content-type`, or the default for the payload (see {@link defaultContentType}). */
  readonly contentType: string | undefined;
  /** A one-way command (no response), else request/response. */
  readonly oneWay: boolean;
  /** How long the whole call may take: writing the command and waiting for its response. */
  readonly timeoutMs: number;
  /** One JSON line instead of `hono-cli`'s text line. */
  readonly json: boolean;
}

/** Everything `simulate` needs, validated. */
export interface SimulateArgs extends Connection {
  readonly tenant: string;
  readonly deviceIds: readonly string[];
  /** The `ttd` the devices connect with: -1 until they disconnect, or seconds. */
  readonly ttd: number;
  /** The status every request is answered with. */
  readonly status: number;
  /** One JSON line per handled command instead of a text line. */
  readonly json: boolean;
}

/** What the options of `command` parse into. */
export interface CommandValues {
  readonly tenant?: string | undefined;
  readonly device?: string | undefined;
  readonly name?: string | undefined;
  readonly payload?: string | undefined;
  readonly 'content-type'?: string | undefined;
  readonly 'one-way'?: boolean | undefined;
  readonly timeout?: string | undefined;
  readonly json?: boolean | undefined;
}

/** What the options of `simulate` parse into. */
export interface SimulateValues {
  readonly tenant?: string | undefined;
  readonly device?: readonly string[] | undefined;
  readonly ttd?: string | undefined;
  readonly status?: string | undefined;
  readonly json?: boolean | undefined;
}

const ownedSettings = new Map([
  ['bootstrap.servers', '--brokers'],
  ['metadata.broker.list', '--brokers'],
]);

/**
 * The content type `hono-cli` sends without `--content-type`: `application/json` for a payload that
 * starts with `{` and ends with `}`, `text/plain` for any other payload, none without a payload.
 *
 * @param payload - the payload, if any
 * @returns the content type, or `undefined` without a payload
 */
export function defaultContentType(payload: string | undefined): string | undefined {
  if (payload === undefined) return undefined;
  return payload.startsWith('{') && payload.endsWith('}') ? 'application/json' : 'text/plain';
}

/**
 * Validates the options of `command`.
 *
 * @param values - the parsed options
 * @param connection - the validated connection options
 * @param problems - where each problem is added
 * @returns the arguments (meaningful only when no problem was added)
 */
export function commandArgs(values: CommandValues, connection: Connection, problems: string[]): CommandArgs {
  const tenant = tenantOf(values.tenant, problems);
  const deviceId = values.device ?? '';
  if (values.device === undefined) problems.push('--device is required');
  else if (deviceId === '') problems.push('--device must not be empty');
  const name = values.name ?? '';
  if (values.name === undefined) problems.push('--name is required: the command name');
  else if (name === '') problems.push('--name must not be empty');
  const contentType = values['content-type'];
  if (contentType?.trim() === '') problems.push('--content-type must not be empty');
  const timeoutSeconds = positiveInteger('--timeout', values.timeout, problems);
  return {
    ...connection,
    tenant,
    deviceId,
    name,
    payload: values.payload,
    contentType: contentType ?? defaultContentType(values.payload),
    oneWay: values['one-way'] === true,
    timeoutMs: Math.min(timeoutSeconds ?? defaultCommandTimeoutSeconds, 2_147_483) * 1000,
    json: values.json === true,
  };
}

/**
 * Validates the options of `simulate`.
 *
 * @param values - the parsed options
 * @param connection - the validated connection options
 * @param problems - where each problem is added
 * @returns the arguments (meaningful only when no problem was added)
 */
export function simulateArgs(
  values: SimulateValues,
  connection: Connection,
  problems: string[],
): SimulateArgs {
  const tenant = tenantOf(values.tenant, problems);
  const deviceIds = [...new Set(values.device ?? [])];
  if (deviceIds.length === 0) problems.push('--device is required: a device id (repeat it for more devices)');
  if (deviceIds.includes('')) problems.push('--device must not be empty');
  let ttd = -1;
  if (values.ttd !== undefined) {
    ttd = /^(?:-1|\d+)$/.test(values.ttd) ? Number(values.ttd) : Number.NaN;
    if (!Number.isSafeInteger(ttd) || ttd === 0) {
      problems.push(
        `--ttd must be -1 (until the devices disconnect) or a positive number of seconds, not '${values.ttd}'`,
      );
    }
  }
  let status = defaultAnswerStatus;
  if (values.status !== undefined) {
    status = /^\d{3}$/.test(values.status) ? Number(values.status) : Number.NaN;
    if (!((status >= 200 && status < 300) || (status >= 400 && status < 600))) {
      problems.push(
        `--status must be 200-299 or 400-599 (what Hono accepts from a device), not '${values.status}'`,
      );
    }
  }
  return { ...connection, tenant, deviceIds, ttd, status, json: values.json === true };
}

/**
 * Validates the connection options of `command` or `simulate`.
 *
 * @param values - the parsed options
 * @param env - the environment
 * @param readable - checks that a certificate or key file can be read
 * @param problems - where each problem is added
 * @returns the connection
 */
export function commandConnection(
  values: ConnectionValues,
  env: Readonly<Record<string, string | undefined>>,
  readable: (path: string) => boolean,
  problems: string[],
): Connection {
  return connectionOf(values, env, readable, ownedSettings, problems);
}

function tenantOf(value: string | undefined, problems: string[]): string {
  const tenant = value ?? defaultTenant;
  const reason = tenantError(tenant);
  if (reason !== undefined) problems.push(`--tenant '${tenant}': ${reason}`);
  return tenant;
}
