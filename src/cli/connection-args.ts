/**
 * The options every command of the command line shares: the brokers, TLS, SASL, `--kafka` pass-through
 * settings and the connect timeout, validated into librdkafka settings. Every problem is collected, so
 * that one run lists them all. Secret values are never quoted in a problem.
 */
import { accessSync, constants } from 'node:fs';

/** The SASL mechanisms the commands accept. */
export const saslMechanisms = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const;

/** How long a command may wait for a broker unless `--connect-timeout` says otherwise, in seconds. */
export const defaultConnectTimeoutSeconds = 30;

/** Node's timers wait at most 2^31 - 1 ms. */
export const maxTimeoutSeconds = 2_147_483;

/** Environment variables the commands read. */
export const EnvVar = {
  brokers: 'KAFKA_BOOTSTRAP_SERVERS',
  username: 'KAFKA_SASL_USERNAME',
  password: 'KAFKA_SASL_PASSWORD',
} as const;

/** The options of every command, in the form of Node's `parseArgs`. */
export const connectionOptions = {
  brokers: { type: 'string', short: 'b' },
  'connect-timeout': { type: 'string' },
  tls: { type: 'boolean' },
  'ca-file': { type: 'string' },
  'cert-file': { type: 'string' },
  'key-file': { type: 'string' },
  'sasl-mechanism': { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  kafka: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** What the connection options parse into. */
export interface ConnectionValues {
  readonly brokers?: string | undefined;
  readonly 'connect-timeout'?: string | undefined;
  readonly tls?: boolean | undefined;
  readonly 'ca-file'?: string | undefined;
  readonly 'cert-file'?: string | undefined;
  readonly 'key-file'?: string | undefined;
  readonly 'sasl-mechanism'?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly kafka?: readonly string[] | undefined;
}

/** The validated connection of a command. */
export interface Connection {
  /** The bootstrap servers, comma-separated. */
  readonly brokers: string;
  readonly connectTimeoutMs: number;
  /** librdkafka settings: TLS and SASL from the options, then every `--kafka key=value`. */
  readonly kafka: Readonly<Record<string, string>>;
  /** Things worth saying that do not stop the command. */
  readonly warnings: readonly string[];
}

const settingName = /^[a-zA-Z0-9._-]+$/;
/** What a librdkafka setting's name looks like (lowercase, dotted); only such a key is quoted in a problem. */
const dottedName = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$/;

/** Whether a file can be read; what `--ca-file`, `--cert-file` and `--key-file` are checked with. */
export function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates the connection options.
 *
 * @param values - the parsed options
 * @param env - the environment (brokers and SASL credentials may come from it)
 * @param readable - checks that a certificate or key file can be read
 * @param ownedSettings - librdkafka keys that an option of the command sets, with the option to use
 * @param problems - where each problem is added
 * @returns the connection (meaningful only when no problem was added)
 */
export function connectionOf(
  values: ConnectionValues,
  env: Readonly<Record<string, string | undefined>>,
  readable: (path: string) => boolean,
  ownedSettings: ReadonlyMap<string, string>,
  problems: string[],
): Connection {
  const brokers = list(values.brokers ?? nonEmpty(env[EnvVar.brokers]) ?? '');
  if (values.brokers !== undefined && brokers.length === 0) {
    problems.push("--brokers is empty: give the bootstrap servers as 'host:port' or 'host1:port,host2:port'");
  } else if (brokers.length === 0) problems.push(`--brokers is required (or set ${EnvVar.brokers})`);
  else if (brokers.some((broker) => /\s/.test(broker))) problems.push('--brokers: a broker contains a space');
  const connectSeconds = positiveInteger('--connect-timeout', values['connect-timeout'], problems);
  const { kafka, warnings } = kafkaSettings(values, env, readable, ownedSettings, problems);
  return {
    brokers: brokers.join(','),
    connectTimeoutMs: Math.min(connectSeconds ?? defaultConnectTimeoutSeconds, maxTimeoutSeconds) * 1000,
    kafka,
    warnings,
  };
}

/**
 * The librdkafka settings for TLS and SASL, then the `--kafka` pass-through ones (which win).
 * `--ca-file`, `--cert-file` and `--key-file` imply `--tls`.
 */
function kafkaSettings(
  values: ConnectionValues,
  env: Readonly<Record<string, string | undefined>>,
  readable: (path: string) => boolean,
  ownedSettings: ReadonlyMap<string, string>,
  problems: string[],
): { kafka: Record<string, string>; warnings: string[] } {
  const kafka: Record<string, string> = {};
  const warnings: string[] = [];
  const files = [
    ['--ca-file', values['ca-file'], 'ssl.ca.location'],
    ['--cert-file', values['cert-file'], 'ssl.certificate.location'],
    ['--key-file', values['key-file'], 'ssl.key.location'],
  ] as const;
  for (const [flag, path, key] of files) {
    if (path === undefined) continue;
    if (path === '' || !readable(path)) problems.push(`${flag}: cannot read '${path}'`);
    kafka[key] = path;
  }
  if ((values['cert-file'] === undefined) !== (values['key-file'] === undefined)) {
    problems.push('--cert-file and --key-file go together (client certificate and its private key)');
  }
  const tls = values.tls === true || files.some(([, path]) => path !== undefined);

  const mechanism = values['sasl-mechanism']?.toUpperCase();
  const username = values.username ?? nonEmpty(env[EnvVar.username]);
  const password = values.password ?? nonEmpty(env[EnvVar.password]);
  if (mechanism === undefined) {
    if (values.username !== undefined || values.password !== undefined) {
      problems.push('--username and --password need --sasl-mechanism');
    }
  } else if (!(saslMechanisms as readonly string[]).includes(mechanism)) {
    problems.push(`--sasl-mechanism must be one of ${saslMechanisms.join(', ')}`);
  } else {
    if (username === undefined || username === '') {
      problems.push(`--sasl-mechanism needs a user name: --username or ${EnvVar.username}`);
    }
    if (password === undefined || password === '') {
      problems.push(`--sasl-mechanism needs a password: --password or ${EnvVar.password}`);
    }
    if (mechanism === 'PLAIN' && !tls)
      warnings.push('SASL PLAIN without --tls sends the password in clear text');
    kafka['sasl.mechanisms'] = mechanism;
    kafka['sasl.username'] = username ?? '';
    kafka['sasl.password'] = password ?? '';
  }
  const sasl = mechanism !== undefined;
  if (tls || sasl) kafka['security.protocol'] = tls ? (sasl ? 'SASL_SSL' : 'SSL') : 'SASL_PLAINTEXT';

  for (const pair of values.kafka ?? []) {
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    // The value is never quoted: it may be a password. The key is quoted only when it looks like one.
    const shown = dottedName.test(key) ? `'${key}'` : 'an argument (not shown)';
    if (at <= 0 || !settingName.test(key)) {
      problems.push(`--kafka expects key=value, got ${shown}${at < 0 ? ' without =' : ''}`);
      continue;
    }
    const owner = ownedSettings.get(key);
    if (owner !== undefined) problems.push(`--kafka ${key}: use ${owner}`);
    else kafka[key] = pair.slice(at + 1);
  }
  return { kafka, warnings };
}

/**
 * A positive whole number given as text.
 *
 * @param flag - the option, for the problem
 * @param value - the text, if the option was given
 * @param problems - where a problem is added
 * @returns the number, or `undefined` when not given or not valid
 */
export function positiveInteger(
  flag: string,
  value: string | undefined,
  problems: string[],
): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 1) {
    problems.push(`${flag} must be a positive whole number, not '${value}'`);
    return undefined;
  }
  return number;
}

/**
 * Splits a comma-separated list, trimming entries and dropping empty ones.
 *
 * @param value - the list
 * @returns its entries
 */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
