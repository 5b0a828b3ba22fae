/**
 * The command line's entry function (it runs `command` and `simulate` from their own modules) and the
 * `consume` command: a {@link HonoEventConsumer} of events, telemetry or both, for some tenants or every
 * tenant, whose handler writes each event to stdout and resolves only once the stream took the line, so
 * that a position is committed only after its event was printed.
 *
 * Stopping (`--max-events` reached, SIGINT, SIGTERM, a fatal error) closes a gate first: from then on
 * the handler prints nothing and rejects, which leaves the record uncommitted (with one attempt and
 * `onFailure: 'pause'` the SDK abandons it as soon as `stop()` starts), and `ordering: 'partition'`
 * keeps each partition's printed events a prefix of the partition. So what was printed, and only that,
 * is committed. The one exception is asked for with `--qos0 at-most-once`: a `qos` 0 telemetry record
 * counts as done once fetched, so one fetched but not printed when the command stops is committed too.
 */
import type { HonoEventConsumer } from '../consumer/hono-event-consumer.js';
import { type DecodeError, HandlerErrorCode, type HonoKafkaError, OptionsError } from '../errors.js';
import type { HonoEventHandlers } from '../consumer/handlers.js';
import { type HonoEventConsumerOptions, type Logger, secretValues } from '../consumer/options.js';
import { honoTopic, topicPrefix } from '../tenant.js';
import type { HonoEvent } from '../wire/types.js';
import { type ConsumeArgs, parseCommandLine } from './args.js';
import { formatEvent, formatInvalid } from './format.js';
import { helpOf, programName, version } from './help.js';
import { type CliIo, ExitCode, type StopSignal } from './io.js';
import { connectingText, Progress, StatusLine, writeLine } from './progress.js';
import { describe, optionProblem, usageError } from './report.js';

export { type CliIo, ExitCode, type StopSignal } from './io.js';

/**
 * Runs the command line.
 *
 * @param argv - the arguments after the program name
 * @param io - streams, environment and signals of the process
 * @returns the exit code
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const invocation = parseCommandLine(argv, io.env);
  switch (invocation.kind) {
    case 'help':
      await writeLine(io.stdout, helpOf(invocation.command).trimEnd());
      return ExitCode.done;
    case 'version':
      await writeLine(io.stdout, version());
      return ExitCode.done;
    case 'usage':
      return usageError(io, invocation.problems, invocation.command);
    case 'consume':
      try {
        return await new ConsumeCommand(invocation.args, io).run();
      } catch (error) {
        const secrets = secretValues(invocation.args.kafka);
        await writeLine(io.stderr, `${programName}: error: ${describe(error, secrets)}`).catch(
          () => undefined,
        );
        return ExitCode.failure;
      }
    case 'command': {
      const { runCommand } = await import('./command.js');
      return runCommand(invocation.args, io);
    }
    case 'simulate': {
      const { runSimulate } = await import('./simulate.js');
      return runSimulate(invocation.args, io);
    }
  }
}

/**
 * The topics a run reads, for its notice: `hono.event.acme, hono.telemetry.acme`, or with every tenant
 * `hono.event.* and hono.telemetry.* (every tenant)`.
 */
function consumedTopics(args: ConsumeArgs): string {
  if (args.tenants === '*') {
    const patterns = args.endpoints.map((endpoint) => `${topicPrefix(endpoint)}*`);
    return `${patterns.join(' and ')} (every tenant)`;
  }
  const { tenants } = args;
  return args.endpoints
    .flatMap((endpoint) => tenants.map((tenant) => honoTopic(endpoint, tenant)))
    .join(', ');
}

/** Why a record was not printed: the command is stopping. The SDK leaves the record uncommitted. */
class NotPrinted extends Error {
  override readonly name = 'NotPrinted';
}

/** One run of `consume`. */
class ConsumeCommand {
  readonly #args: ConsumeArgs;
  readonly #io: CliIo;
  readonly #progress = new Progress();
  readonly #status: StatusLine;
  readonly #limit: number;
  readonly #secrets: readonly string[];
  #claimed = 0;
  #printed = 0;
  #closed = false;
  #signalled = false;
  #failure: string | undefined;
  /** Partitions whose last commit failed, with the position that failed. */
  readonly #uncommitted = new Map<string, number>();
  #finish: () => void = () => undefined;
  readonly #finished = new Promise<void>((resolve) => (this.#finish = resolve));

  constructor(args: ConsumeArgs, io: CliIo) {
    this.#args = args;
    this.#io = io;
    this.#limit = args.maxEvents ?? Number.POSITIVE_INFINITY;
    this.#secrets = secretValues(args.kafka);
    this.#status = new StatusLine(io.stderr, this.#progress, args.progress ?? io.stderr.isTTY === true);
  }

  async run(): Promise<number> {
    const { stdout, stderr, signals } = this.#io;
    const onOutputError = (error: Error): void => {
      this.#outputFailed(error);
    };
    const ignore = (): void => undefined;
    const onSignal = (signal: StopSignal) => (): void => {
      this.#onSignal(signal);
    };
    const stopOn = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
    stdout.on('error', onOutputError);
    stderr.on('error', ignore);
    signals.on('SIGINT', stopOn.SIGINT);
    signals.on('SIGTERM', stopOn.SIGTERM);
    try {
      return await this.#consume();
    } finally {
      signals.off('SIGINT', stopOn.SIGINT);
      signals.off('SIGTERM', stopOn.SIGTERM);
      stdout.off('error', onOutputError);
      stderr.off('error', ignore);
    }
  }

  async #consume(): Promise<number> {
    const args = this.#args;
    for (const warning of args.warnings) await this.#status.note(`${programName}: warning: ${warning}`);
    // Loaded here, so that --help and usage errors work without loading the native Kafka client.
    const { HonoEventConsumer } = await import('../consumer/hono-event-consumer.js');
    let consumer: HonoEventConsumer;
    try {
      consumer = new HonoEventConsumer(this.#options());
    } catch (error) {
      await this.#status.stop();
      if (!(error instanceof OptionsError)) throw error;
      return usageError(this.#io, error.problems.map(optionProblem), 'consume');
    }
    this.#listen(consumer);
    // Connecting can take up to --connect-timeout: say where to, so that a wrong address shows at once.
    if (!args.quiet) await this.#status.note(`${programName}: ${connectingText(args.brokers)}`);
    try {
      await consumer.run(this.#handlers());
      if (!this.#closed)
        this.#notice(`consuming ${consumedTopics(args)} in group ${args.groupId} (Ctrl-C stops)`);
      await this.#finished;
    } catch (error) {
      // A setting librdkafka refuses (unknown name, bad value) is a usage error of --kafka.
      if (error instanceof OptionsError) {
        await consumer.stop();
        await this.#status.stop();
        return usageError(this.#io, error.problems.map(optionProblem), 'consume');
      }
      this.#fail(describe(error, this.#secrets));
    }
    await consumer.stop();
    await this.#status.stop();
    if (this.#failure === undefined && this.#uncommitted.size > 0) {
      this.#failure =
        'the last commit failed; the next run prints the events after the committed positions again';
    }
    if (this.#failure === undefined) return ExitCode.done;
    await this.#status.note(`${programName}: error: ${this.#failure}`);
    return ExitCode.failure;
  }

  #options(): HonoEventConsumerOptions {
    const args = this.#args;
    return {
      brokers: args.brokers,
      tenant: args.tenants,
      endpoints: args.endpoints,
      qos0: args.qos0,
      groupId: args.groupId,
      startFrom: args.startFrom,
      // One record per partition at a time: each partition is printed in order, and what was printed
      // is a prefix of it, which is exactly what a commit can cover.
      ordering: 'partition',
      // Printing fails only when the output does; that ends the run, so nothing is retried.
      retry: { maxAttempts: 1 },
      onFailure: 'pause',
      // A stdout that applies back-pressure (a paused pager) may keep a handler waiting for a long time.
      handlerTimeoutMs: 2 ** 31 - 1,
      commitIntervalMs: 1000,
      connectTimeoutMs: args.connectTimeoutMs,
      clientId: programName,
      kafka: args.kafka,
      logger: this.#logger(),
    };
  }

  #handlers(): HonoEventHandlers {
    return {
      event: (event) => this.#print(event),
      invalid: (error) => this.#reportInvalid(error),
    };
  }

  async #print(event: HonoEvent): Promise<void> {
    if (this.#closed || this.#claimed >= this.#limit) throw new NotPrinted();
    this.#claimed += 1;
    try {
      if (this.#io.stdout.isTTY === true) this.#status.clear();
      await writeLine(this.#io.stdout, formatEvent(event, this.#args.format));
    } catch (error) {
      this.#outputFailed(error);
      throw error;
    }
    this.#progress.event(event);
    this.#printed += 1;
    if (this.#printed >= this.#limit) this.#stop();
  }

  async #reportInvalid(error: DecodeError): Promise<void> {
    if (this.#closed || this.#claimed >= this.#limit) throw new NotPrinted();
    this.#progress.invalid(error.record);
    await this.#status.note(formatInvalid(error, this.#args.format));
  }

  #listen(consumer: HonoEventConsumer): void {
    consumer.on('error', (error) => {
      this.#onError(error);
    });
    consumer.on('commitFailed', (error) => {
      for (const { topic, partition, offset } of error.offsets)
        this.#uncommitted.set(`${topic}/${partition}`, offset);
      void this.#status.note(`${programName}: warning: ${error.code}: ${error.message}`);
    });
    consumer.on('committed', (positions) => {
      this.#progress.committed(positions);
      for (const { topic, partition, offset } of positions) {
        const failed = this.#uncommitted.get(`${topic}/${partition}`);
        if (failed !== undefined && offset >= failed) this.#uncommitted.delete(`${topic}/${partition}`);
      }
    });
    consumer.on('expired', (event) => {
      this.#progress.expired(event);
    });
    // The consumer stops by itself after a fatal client error.
    consumer.on('stopped', () => {
      this.#stop();
    });
  }

  #onError(error: HonoKafkaError): void {
    // Handler failures are the command's own: NotPrinted on purpose, or an output failure it reported.
    if (error.code === HandlerErrorCode.Failed || error.code === HandlerErrorCode.TimedOut) return;
    if (
      error.code === 'ERR_HONO_AUTHENTICATION' ||
      error.code === 'ERR_HONO_TLS' ||
      error.code === 'ERR_HONO_PROTOCOL_MISMATCH' ||
      error.code === 'ERR_HONO_KAFKA_FATAL'
    ) {
      this.#fail(`${error.code}: ${error.message}`);
      return;
    }
    void this.#status.note(`${programName}: warning: ${error.code}: ${error.message}`);
  }

  #logger(): Logger {
    const say = (level: string, message: string, context?: Record<string, unknown>): void => {
      // Client errors are logged with their code and also emitted as `error`, where they are reported.
      if (context?.['code'] !== undefined) return;
      const cause = context?.['error'];
      const detail = cause instanceof Error ? `: ${cause.message}` : '';
      void this.#status.note(`${programName}: ${level}: ${message}${detail}`);
    };
    return {
      debug: () => undefined,
      info: () => undefined,
      warn: (message, context) => {
        say('warning', message, context);
      },
      error: (message, context) => {
        say('error', message, context);
      },
    };
  }

  #outputFailed(error: unknown): void {
    // A closed pipe (`| head`) is an ordinary end: what was written is committed.
    if ((error as { code?: unknown } | undefined)?.code === 'EPIPE') this.#stop();
    else this.#fail(`cannot write to stdout: ${describe(error, [])}`);
  }

  #onSignal(signal: StopSignal): void {
    if (this.#signalled) {
      this.#status.clear();
      this.#io.forceExit(signal);
      return;
    }
    this.#signalled = true;
    this.#notice(`stopping after the events being printed; ${signal} again exits at once`);
    this.#stop();
  }

  #notice(message: string): void {
    if (!this.#args.quiet && this.#io.stderr.isTTY === true)
      void this.#status.note(`${programName}: ${message}`);
  }

  #fail(message: string): void {
    this.#failure ??= message;
    this.#stop();
  }

  #stop(): void {
    this.#closed = true;
    this.#finish();
  }
}
