/**
 * The command line of `eclipse-hono-kafka`, parsed with Node's own `parseArgs` and validated into what
 * its commands (`consume`, `command`, `simulate`) need, including the librdkafka settings for TLS and
 * SASL. Every problem is collected, so that one run lists them all. Secret values are never quoted in a
 * problem.
 */
import { parseArgs } from 'node:util';
import { HonoEndpoint, tenantError } from '../tenant.js';
import {
  type CommandArgs,
  commandArgs,
  commandConnection,
  commandOptions,
  type SimulateArgs,
  simulateArgs,
  simulateOptions,
} from './command-args.js';
import {
  type ConnectionValues,
  connectionOf,
  connectionOptions,
  isReadableFile,
  list,
  positiveInteger,
} from './connection-args.js';

export { defaultConnectTimeoutSeconds, EnvVar, isReadableFile, saslMechanisms } from './connection-args.js';

/** How events are written to stdout. */
export const OutputFormat = {
  /** One JSON object per line. */
  json: 'json',
  /** One human-readable line per event. */
  text: 'text',
} as const;
/** One of {@link OutputFormat}. */
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** What a `qos` 0 record gets, as the SDK's `qos0` option names it. */
export type Qos0Policy = 'atLeastOnce' | 'atMostOnce';

/** The values of `--qos0`, with the SDK's name of each. */
export const qos0Values: Readonly<Record<string, Qos0Policy>> = {
  'at-least-once': 'atLeastOnce',
  'at-most-once': 'atMostOnce',
};

/** The consumer group of the command unless `--group` names another. */
export const defaultGroup = 'eclipse-hono-kafka-cli';

/** The commands of the command line. */
export const commandNames = ['consume', 'command', 'simulate'] as const;
/** One of {@link commandNames}. */
export type CommandName = (typeof commandNames)[number];

/** Everything the `consume` command needs, validated. */
export interface ConsumeArgs {
  readonly brokers: string;
  /** The tenants named with `--tenant`, or `'*'` for every tenant (`--all-tenants`). */
  readonly tenants: readonly string[] | '*';
  /** The endpoints to consume: `--event`, `--telemetry`, or both when neither is given. */
  readonly endpoints: readonly HonoEndpoint[];
  /** What a `qos` 0 record gets (`--qos0`): the SDK's `qos0` option. */
  readonly qos0: Qos0Policy;
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
  | { readonly kind: 'help'; readonly command: CommandName | undefined }
  | { readonly kind: 'version' }
  | { readonly kind: 'consume'; readonly args: ConsumeArgs }
  | { readonly kind: 'command'; readonly args: CommandArgs }
  | { readonly kind: 'simulate'; readonly args: SimulateArgs }
  | {
      readonly kind: 'usage';
      readonly command: CommandName | undefined;
      readonly problems: readonly string[];
    };

const consumeOptions = {
  ...connectionOptions,
  tenant: { type: 'string', short: 't', multiple: true },
  'all-tenants': { type: 'boolean' },
  event: { type: 'boolean' },
  telemetry: { type: 'boolean' },
  qos0: { type: 'string' },
  group: { type: 'string', short: 'g' },
  'from-beginning': { type: 'boolean' },
  'max-events': { type: 'string', short: 'n' },
  format: { type: 'string' },
  progress: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** The options of each command. */
const optionsOf = { consume: consumeOptions, command: commandOptions, simulate: simulateOptions } as const;

/** Every option of every command: finds the command, and parses a command line without one. */
const everyOption = {
  ...simulateOptions,
  ...commandOptions,
  ...consumeOptions,
  device: { type: 'string', short: 'd', multiple: true },
} as const;

type Options = (typeof optionsOf)[CommandName] | typeof everyOption;

/** Node's parser with the given options; throws on an unknown option or a missing value. */
function parse(argv: readonly string[], options: Options) {
  return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
}

type Parsed = ReturnType<typeof parse>;
/** What {@link positionalArguments} reads of the tokens of a strict or a lenient parse. */
type Tokens = readonly {
  readonly kind: string;
  readonly name?: string;
  readonly value?: string | undefined;
}[];

/** librdkafka keys that an option of `consume` sets, with the option to use. */
const consumeOwnedSettings = new Map([
  ['bootstrap.servers', '--brokers'],
  ['metadata.broker.list', '--brokers'],
  ['group.id', '--group'],
  ['auto.offset.reset', '--from-beginning'],
]);

const isCommandName = (value: string): value is CommandName =>
  (commandNames as readonly string[]).includes(value);

/**
 * Parses and validates a command line.
 *
 * @param argv - the arguments after the program name
 * @param env - the environment (brokers and SASL credentials may come from it)
 * @param readable - checks that a certificate or key file can be read
 * @returns help, version, a validated command, or the usage problems
 */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  readable: (path: string) => boolean = isReadableFile,
): Invocation {
  // The command decides which options exist; a lenient pass with all of them finds it.
  const lenient = parseArgs({
    args: [...argv],
    options: everyOption,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const [first] = positionalArguments(lenient.tokens);
  const named = first !== undefined && isCommandName(first.value) ? first.value : undefined;
  const options = named === undefined ? everyOption : optionsOf[named];
  let parsed: Parsed;
  try {
    parsed = parse(argv, options);
  } catch (error) {
    const unknown =
      (error as { code?: unknown } | null)?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? unknownOptions(argv, named)
        : [];
    const problems = unknown.length > 0 ? unknown : [error instanceof Error ? error.message : String(error)];
    return { kind: 'usage', command: named, problems };
  }
  const values = parsed.values as Record<string, unknown>;
  const [command, ...extra] = positionalArguments(parsed.tokens);
  if (command !== undefined && named === undefined) {
    return {
      kind: 'usage',
      command: undefined,
      problems: [`unknown command ${command.quoted}; the commands are ${quotedCommands()}`],
    };
  }
  if (values['help'] === true) return { kind: 'help', command: named };
  if (values['version'] === true) return { kind: 'version' };
  if (named === undefined)
    return { kind: 'usage', command: undefined, problems: [`missing command: ${quotedCommands()}`] };
  const problems = extra.map((argument) => `unexpected argument ${argument.quoted}`);
  switch (named) {
    case 'consume': {
      const args = consumeArgs(values, env, readable, problems);
      return problems.length > 0 ? { kind: 'usage', command: named, problems } : { kind: named, args };
    }
    case 'command': {
      const connection = commandConnection(values, env, readable, problems);
      const args = commandArgs(values, connection, problems);
      return problems.length > 0 ? { kind: 'usage', command: named, problems } : { kind: named, args };
    }
    case 'simulate': {
      const connection = commandConnection(values, env, readable, problems);
      const args = simulateArgs(values, connection, problems);
      return problems.length > 0 ? { kind: 'usage', command: named, problems } : { kind: named, args };
    }
  }
}

function quotedCommands(): string {
  const quoted = commandNames.map((name) => `'${name}'`);
  return `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1) ?? ''}`;
}

/**
 * A problem for each option the command does not know, with the closest known option when one is near
 * (`--tenent` → `--tenant`). Only the option's name is quoted, never an inline value (`--pasword=...`).
 */
function unknownOptions(argv: readonly string[], command: CommandName | undefined): string[] {
  const options = command === undefined ? everyOption : optionsOf[command];
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
    const owners = commandNames.filter((name) => long && Object.hasOwn(optionsOf[name], token.name));
    // An option of another command is named as such; otherwise the closest option of this one.
    const hint =
      owners.length > 0
        ? `; it is an option of ${owners.map((name) => `'${name}'`).join(' and ')}`
        : closest !== undefined
          ? `; did you mean '--${closest}'?`
          : '';
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
function positionalArguments(tokens: Tokens): { value: string; quoted: string }[] {
  return tokens.flatMap((token, index) => {
    if (token.kind !== 'positional') return [];
    const previous = tokens[index - 1];
    const hidden =
      previous?.kind === 'option' && previous.name === 'kafka' && !(previous.value ?? '').includes('=');
    const value = token.value ?? '';
    return [{ value, quoted: hidden ? 'after --kafka (not shown)' : `'${value}'` }];
  });
}

function consumeArgs(
  values: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  readable: (path: string) => boolean,
  problems: string[],
): ConsumeArgs {
  const given = values as ConsumeValues;
  // The connection's problems in the order `consume` always listed them: brokers first, kafka last.
  const connectionProblems: string[] = [];
  const connection = connectionOf(given, env, readable, consumeOwnedSettings, connectionProblems);
  const [brokerProblems, otherProblems] = partition(connectionProblems, (problem) =>
    problem.startsWith('--brokers'),
  );
  problems.push(...brokerProblems);

  const endpoints = endpointsOf(given);
  const tenants = tenantsOf(given, endpoints, problems);
  const warnings = [...connection.warnings];
  const qos0 = qos0Of(given.qos0, endpoints, problems, warnings);

  const groupId = given.group ?? defaultGroup;
  if (groupId.trim() === '') problems.push('--group must not be empty');

  const format = given.format ?? OutputFormat.json;
  if (format !== OutputFormat.json && format !== OutputFormat.text) {
    problems.push(`--format must be 'json' or 'text', not '${format}'`);
  }
  const maxEvents = positiveInteger('--max-events', given['max-events'], problems);
  problems.push(...otherProblems);
  const quiet = given.quiet === true;
  return {
    brokers: connection.brokers,
    tenants,
    endpoints,
    qos0,
    groupId,
    startFrom: given['from-beginning'] === true ? 'earliest' : 'latest',
    maxEvents,
    format: format === OutputFormat.text ? OutputFormat.text : OutputFormat.json,
    progress: quiet ? false : given.progress === true ? true : undefined,
    quiet,
    connectTimeoutMs: connection.connectTimeoutMs,
    kafka: connection.kafka,
    warnings,
  };
}

/** The endpoints of `--event` and `--telemetry`; both when neither is given, as `hono-cli app consume` does. */
function endpointsOf(given: ConsumeValues): HonoEndpoint[] {
  const event = given.event === true;
  const telemetry = given.telemetry === true;
  if (event === telemetry) return [HonoEndpoint.Event, HonoEndpoint.Telemetry];
  return [event ? HonoEndpoint.Event : HonoEndpoint.Telemetry];
}

/**
 * The tenants of `--tenant` (repeated or comma-separated, without duplicates), or `'*'` with
 * `--all-tenants`. Each tenant id must fit the topic of every endpoint consumed.
 */
function tenantsOf(
  given: ConsumeValues,
  endpoints: readonly HonoEndpoint[],
  problems: string[],
): readonly string[] | '*' {
  const tenants = [...new Set((given.tenant ?? []).flatMap(list))];
  if (given['all-tenants'] === true) {
    if (given.tenant !== undefined)
      problems.push('--all-tenants and --tenant exclude each other: give one of them');
    return '*';
  }
  if (given.tenant?.some((entry) => list(entry).length === 0) === true) {
    problems.push("--tenant is empty: give a tenant id, e.g. '--tenant DEFAULT_TENANT'");
  } else if (tenants.length === 0) {
    problems.push('--tenant is required (or --all-tenants for every tenant)');
  }
  // The telemetry prefix is the longer one: a tenant id that fits it fits both.
  const endpoint = endpoints.includes(HonoEndpoint.Telemetry) ? HonoEndpoint.Telemetry : HonoEndpoint.Event;
  for (const tenant of tenants) {
    if (tenant === '*') {
      problems.push("--tenant '*' is not a tenant id: --all-tenants consumes every tenant");
      continue;
    }
    const reason = tenantError(tenant, endpoint);
    if (reason !== undefined) problems.push(`--tenant '${tenant}': ${reason}`);
  }
  return tenants;
}

/** The policy of `--qos0` (default at least once), with a warning when no telemetry is consumed. */
function qos0Of(
  given: string | undefined,
  endpoints: readonly HonoEndpoint[],
  problems: string[],
  warnings: string[],
): Qos0Policy {
  if (given === undefined) return 'atLeastOnce';
  const policy = Object.hasOwn(qos0Values, given) ? qos0Values[given] : undefined;
  if (policy === undefined) {
    const names = Object.keys(qos0Values).map((name) => `'${name}'`);
    problems.push(`--qos0 must be ${names.join(' or ')}, not '${given}'`);
    return 'atLeastOnce';
  }
  if (!endpoints.includes(HonoEndpoint.Telemetry))
    warnings.push('--qos0 has no effect with --event alone: Hono writes every event with qos 1');
  return policy;
}

/** What the options of `consume` parse into. */
interface ConsumeValues extends ConnectionValues {
  readonly tenant?: readonly string[] | undefined;
  readonly 'all-tenants'?: boolean | undefined;
  readonly event?: boolean | undefined;
  readonly telemetry?: boolean | undefined;
  readonly qos0?: string | undefined;
  readonly group?: string | undefined;
  readonly 'from-beginning'?: boolean | undefined;
  readonly 'max-events'?: string | undefined;
  readonly format?: string | undefined;
  readonly progress?: boolean | undefined;
  readonly quiet?: boolean | undefined;
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
