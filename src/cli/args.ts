/**
 * The command line of `eclipse-hono-kafka`, parsed with Node's own `parseArgs` and validated into what
 * the `consume` command needs, including the librdkafka settings for TLS and SASL. Every problem is
 * collected, so that one run lists them all. Secret values are never quoted in a problem.
 */
import { accessSync, constants } from 'node:fs';
import { parseArgs } from 'node:util';
import { HonoEndpoint, tenantError } from '../tenant.js';

/** How events are written to stdout. */
export const OutputFormat = {
  /** One JSON object per line. */
  json: 'json',
  /** One human-readable line per event. */
  text: 'text',
} as const;
/** One of {@link OutputFormat}. */
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** The SASL mechanisms the command accepts. */
export const saslMechanisms = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const;

/** The consumer group of the command unless `--group` names another. */
export const defaultGroup = 'eclipse-hono-kafka-cli';

/** How long `run()` may wait for a broker unless `--connect-timeout` says otherwise, in seconds. */
export const defaultConnectTimeoutSeconds = 30;

/** Node's timers wait at most 2^31 - 1 ms. */
const maxTimeoutSeconds = 2_147_483;

/** Everything the `consume` command needs, validated. */
export interface ConsumeArgs {
  readonly brokers: string;
  readonly tenants: readonly string[];
  readonly groupId: string;
  readonly startFrom: 'earliest' | 'latest';
  readonly maxEvents: number | undefined;
  readonly format: OutputFormat;
  /** `true` with `--progress`, `undefined` when stderr being a terminal decides; `false` with `--quiet`. */
  readonly progress: boolean | undefined;
  readonly quiet: boolean;
  readonly connectTimeoutMs: number;
  /** librdkafka settings: TLS and SASL from the options, then every `--kafka key=value`. */
  readonly kafka: Readonly<Record<string, string>>;
  /** Things worth saying that do not stop the command. */
  readonly warnings: readonly string[];
}

/** What the command line asks for. */
export type Invocation =
  | { readonly kind: 'help'; readonly command: 'consume' | undefined }
  | { readonly kind: 'version' }
  | { readonly kind: 'consume'; readonly args: ConsumeArgs }
  | { readonly kind: 'usage'; readonly command: 'consume' | undefined; readonly problems: readonly string[] };

/** Environment variables the command reads. */
export const EnvVar = {
  brokers: 'KAFKA_BOOTSTRAP_SERVERS',
  username: 'KAFKA_SASL_USERNAME',
  password: 'KAFKA_SASL_PASSWORD',
} as const;

const options = {
  brokers: { type: 'string', short: 'b' },
  tenant: { type: 'string', short: 't', multiple: true },
  group: { type: 'string', short: 'g' },
  'from-beginning': { type: 'boolean' },
  'max-events': { type: 'string', short: 'n' },
  format: { type: 'string' },
  progress: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
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

/** Node's parser with this command's options; throws on an unknown option or a missing value. */
function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
}

type Parsed = ReturnType<typeof parse>;
type Values = Parsed['values'];

/** librdkafka keys that an option of this command sets, with the option to use. */
const ownedSettings = new Map([
  ['bootstrap.servers', '--brokers'],
  ['metadata.broker.list', '--brokers'],
  ['group.id', '--group'],
  ['auto.offset.reset', '--from-beginning'],
]);

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
 * Parses and validates a command line.
 *
 * @param argv - the arguments after the program name
 * @param env - the environment (brokers and SASL credentials may come from it)
 * @param readable - checks that a certificate or key file can be read
 * @returns help, version, a validated `consume`, or the usage problems
 */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  readable: (path: string) => boolean = isReadableFile,
): Invocation {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    const command = argv.includes('consume') ? 'consume' : undefined;
    const unknown =
      (error as { code?: unknown } | null)?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? unknownOptions(argv)
        : [];
    const problems = unknown.length > 0 ? unknown : [error instanceof Error ? error.message : String(error)];
    return { kind: 'usage', command, problems };
  }
  const { values } = parsed;
  const [command, ...extra] = positionalArguments(parsed.tokens);
  if (command !== undefined && command.value !== 'consume') {
    return {
      kind: 'usage',
      command: undefined,
      problems: [`unknown command ${command.quoted}; the command is 'consume'`],
    };
  }
  if (values.help === true) return { kind: 'help', command: command === undefined ? undefined : 'consume' };
  if (values.version === true) return { kind: 'version' };
  if (command === undefined)
    return { kind: 'usage', command: undefined, problems: ["missing command: 'consume'"] };
  const problems = extra.map((argument) => `unexpected argument ${argument.quoted}`);
  const args = consumeArgs(values, env, readable, problems);
  return problems.length > 0 ? { kind: 'usage', command: 'consume', problems } : { kind: 'consume', args };
}

/**
 * A problem for each option the command does not know, with the closest known option when one is near
 * (`--tenent` → `--tenant`). Only the option's name is quoted, never an inline value (`--pasword=...`).
 */
function unknownOptions(argv: readonly string[]): string[] {
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const names = Object.keys(options);
  return tokens.flatMap((token) => {
    if (token.kind !== 'option' || Object.hasOwn(options, token.name)) return [];
    const long = token.rawName.startsWith('--');
    const closest = long ? closestName(token.name, names) : undefined;
    const hint = closest === undefined ? '' : `; did you mean '--${closest}'?`;
    return [`unknown option '${token.rawName}'${hint}`];
  });
}

/** The known name closest to `name` by edit distance, when it is close enough to be the one meant. */
function closestName(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate);
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  const prefixOf = known.filter((candidate) => candidate.startsWith(name.toLowerCase()));
  if (prefixOf.length === 1) return prefixOf[0];
  return best !== undefined && best.distance <= Math.max(2, Math.floor(name.length / 3))
    ? best.name
    : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The positional arguments, each with how a message may quote it. One that follows `--kafka key`
 * without `=` is not quoted: it is likely the setting's value, and that may be a secret.
 */
function positionalArguments(tokens: Parsed['tokens']): { value: string; quoted: string }[] {
  return tokens.flatMap((token, index) => {
    if (token.kind !== 'positional') return [];
    const previous = tokens[index - 1];
    const hidden = previous?.kind === 'option' && previous.name === 'kafka' && !previous.value.includes('=');
    return [{ value: token.value, quoted: hidden ? 'after --kafka (not shown)' : `'${token.value}'` }];
  });
}

function consumeArgs(
  values: Values,
  env: Readonly<Record<string, string | undefined>>,
  readable: (path: string) => boolean,
  problems: string[],
): ConsumeArgs {
  const brokers = list(values.brokers ?? nonEmpty(env[EnvVar.brokers]) ?? '');
  if (values.brokers !== undefined && brokers.length === 0) {
    problems.push("--brokers is empty: give the bootstrap servers as 'host:port' or 'host1:port,host2:port'");
  } else if (brokers.length === 0) problems.push(`--brokers is required (or set ${EnvVar.brokers})`);
  else if (brokers.some((broker) => /\s/.test(broker))) problems.push('--brokers: a broker contains a space');

  const tenants = [...new Set((values.tenant ?? []).flatMap(list))];
  if (values.tenant?.some((given) => list(given).length === 0) === true) {
    problems.push("--tenant is empty: give a tenant id, e.g. '--tenant DEFAULT_TENANT'");
  } else if (tenants.length === 0) problems.push('--tenant is required');
  for (const tenant of tenants) {
    const reason = tenantError(tenant, HonoEndpoint.Event);
    if (reason !== undefined) problems.push(`--tenant '${tenant}': ${reason}`);
  }

  const groupId = values.group ?? defaultGroup;
  if (groupId.trim() === '') problems.push('--group must not be empty');

  const format = values.format ?? OutputFormat.json;
  if (format !== OutputFormat.json && format !== OutputFormat.text) {
    problems.push(`--format must be 'json' or 'text', not '${format}'`);
  }
  const maxEvents = positiveInteger('--max-events', values['max-events'], problems);
  const connectSeconds = positiveInteger('--connect-timeout', values['connect-timeout'], problems);
  const { kafka, warnings } = kafkaSettings(values, env, readable, problems);
  const quiet = values.quiet === true;
  return {
    brokers: brokers.join(','),
    tenants,
    groupId,
    startFrom: values['from-beginning'] === true ? 'earliest' : 'latest',
    maxEvents,
    format: format === OutputFormat.text ? OutputFormat.text : OutputFormat.json,
    progress: quiet ? false : values.progress === true ? true : undefined,
    quiet,
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
  values: Values,
  env: Readonly<Record<string, string | undefined>>,
  readable: (path: string) => boolean,
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

function positiveInteger(flag: string, value: string | undefined, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 1) {
    problems.push(`${flag} must be a positive whole number, not '${value}'`);
    return undefined;
  }
  return number;
}

/** Splits a comma-separated list, trimming entries and dropping empty ones. */
function list(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
