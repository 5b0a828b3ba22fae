/**
 * A Hono simulator for tests and demos: plays Hono's side against a real Kafka broker. Its devices
 * connect and disconnect (connection events and `ttd` notifications as Hono's protocol adapters write
 * them) and send events and telemetry; its command router reads `hono.command.<tenant>`, answers commands
 * for connected devices through a function the test supplies, and writes Hono's delivery failures (503
 * for a device that is not connected, 400 for a malformed request) to `hono.command_response.<tenant>`.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import { settlesWithin } from '../deadline.js';
import { secretValues } from '../consumer/options.js';
import { clientError, connectError } from '../engine/client-errors.js';
import { type ClientFactories, type ProducerClient, toFailure } from '../engine/client.js';
import { clientChoice } from '../engine/client-choice.js';
import { EncodeError, StateError } from '../errors.js';
import { rdkafkaClients } from '../kafka/rdkafka-clients.js';
import { assertValidTenantId } from '../tenant.js';
import type { EncodedRecord } from '../wire/types.js';
import { type AnswerCommand, CommandRouter, type HandledCommand } from './command-router.js';
import {
  type HonoSimulatorOptions,
  type ResolvedSimulatorOptions,
  resolveSimulatorOptions,
} from './options.js';
import { SimulatedDevice } from './simulated-device.js';

const chosenClients = clientChoice<ClientFactories>(rdkafkaClients);

/**
 * Makes simulators whose clients come from `clients` instead of librdkafka: the unit tests' fakes. Not
 * part of the package's API.
 *
 * @internal
 */
export const withSimulatorClients: <T>(clients: ClientFactories, make: () => T) => T = (fakes, make) =>
  chosenClients.with(fakes, make);

/**
 * The events of a {@link HonoSimulator}.
 *
 * @category Testing
 */
export interface HonoSimulatorEvents {
  /**
   * A command record was handled: answered, left unanswered, refused with a delivery failure, dropped,
   * or failed (see {@link HandledCommand.outcome}).
   *
   * @param command - the record, the decision and the response written
   */
  command: (command: HandledCommand) => void;
}

/**
 * How {@link HonoSimulator.answerCommands} reads a tenant's commands.
 *
 * @category Testing
 */
export interface AnswerCommandsOptions {
  /**
   * The consumer group, like Hono's `cmd-router-group`. Simulators in one group share the commands;
   * with the default, each simulator reads every command of the tenant from the topic's beginning.
   * @defaultValue `'hono-simulator-<random UUID>'`
   */
  readonly groupId?: string | undefined;
  /**
   * How long to wait for the group to assign the topic's partitions.
   * @defaultValue the simulator's `connectTimeoutMs`
   */
  readonly readyTimeoutMs?: number | undefined;
  /**
   * Skips the commands created before this time (ms since the epoch), e.g. the start of a test run: a
   * new group reads the topic from its beginning, and commands of earlier runs would get answers (or,
   * for devices not simulated now, Hono's 503). Skipped commands are neither delivered nor answered
   * (outcome `skipped`). Records that do not decode are handled whatever their age.
   * @defaultValue none: every command is handled
   */
  readonly ignoreCreatedBefore?: number | undefined;
}

/**
 * Waiting for handled commands, in {@link HonoSimulator.waitForCommands}.
 *
 * @category Testing
 */
export interface WaitForCommandsOptions {
  /**
   * Count only this tenant's commands.
   * @defaultValue every tenant
   */
  readonly tenant?: string | undefined;
  /** How long to wait. @defaultValue 10000 */
  readonly timeoutMs?: number | undefined;
}

/**
 * Plays Hono's side against a real Kafka broker: devices that connect, disconnect and send, and a command
 * router that answers commands through a function the test supplies. An `EventEmitter` (eventemitter3)
 * with the events of {@link HonoSimulatorEvents}. Close it with {@link HonoSimulator.close}.
 *
 * @example
 * ```ts
 * const simulator = new HonoSimulator({ brokers: 'localhost:9092' });
 * await simulator.answerCommands('DEFAULT_TENANT', (command) =>
 *   command.name === 'setVolume' ? { status: 200, payload: '{"volume":7}', contentType: 'application/json' } : { status: 404 },
 * );
 * const device = simulator.device('DEFAULT_TENANT', '4711');
 * await device.connect(); // a connection event and a ttd -1 notification
 * await device.sendTelemetry(JSON.stringify({ temp: 21.5 }), 'application/json');
 * // ... the application under test sends commands ...
 * await device.disconnect(); // a ttd 0 notification and a connection event
 * await simulator.close();
 * ```
 * @category Testing
 */
export class HonoSimulator extends EventEmitter<HonoSimulatorEvents> {
  readonly #options: ResolvedSimulatorOptions;
  readonly #clients: ClientFactories;
  readonly #secrets: readonly string[];
  readonly #devices = new Map<string, SimulatedDevice>();
  readonly #routers = new Map<string, CommandRouter>();
  readonly #handled: HandledCommand[] = [];
  #producer: Promise<ProducerClient> | undefined;
  #closing: Promise<void> | undefined;

  /**
   * Validates the options; connects nothing until a device writes or commands are answered.
   *
   * @param options - brokers, librdkafka settings, logger, adapter type, timeouts
   * @throws {@link OptionsError} listing every bad option
   */
  constructor(options: HonoSimulatorOptions) {
    super();
    this.#options = resolveSimulatorOptions(options);
    this.#clients = chosenClients.current();
    this.#secrets = secretValues(this.#options.kafka);
  }

  /**
   * A device of a tenant: the same object for the same tenant and device id.
   *
   * @param tenant - the tenant
   * @param deviceId - the device id
   * @returns the device
   * @throws {@link TenantError} if the tenant id cannot be the suffix of Hono's topics
   * @throws {@link EncodeError} if the device id is empty
   */
  device(tenant: string, deviceId: string): SimulatedDevice {
    assertValidTenantId(tenant);
    if (typeof deviceId !== 'string' || deviceId === '') {
      throw new EncodeError('deviceId', 'deviceId must be a non-empty string');
    }
    const key = `${tenant}/${deviceId}`;
    let device = this.#devices.get(key);
    if (device === undefined) {
      device = new SimulatedDevice(tenant, deviceId, this.#options.adapter, (record) => {
        if (this.#closing !== undefined) {
          return Promise.reject(new StateError('the Hono simulator is closed'));
        }
        return this.#write(record);
      });
      this.#devices.set(key, device);
    }
    return device;
  }

  /**
   * Answers the commands of a tenant as Hono's Command Router and protocol adapter would: a command for a
   * connected device goes to `answer` (see {@link AnswerCommand}) and its answer is written as the
   * device's response; a request for a device that is not connected (in this simulator) gets Hono's 503
   * `no consumer available`; a malformed request with a correlation id gets 400 `malformed command
   * message`; a record without `device_id`, with a key that differs from it, or whose `ttl` passed gets
   * nothing. Delivery failures and responses carry the command's
   * `delivery-failure-notification-metadata*` headers.
   *
   * @param tenant - the tenant whose `hono.command.<tenant>` to read
   * @param answer - the devices' logic
   * @param options - the consumer group and how long to wait for it
   * @returns once the group assigned the topic's partitions: commands written from then on are answered
   * @throws {@link StateError} when the simulator already answers this tenant's commands, or is closed
   * @throws {@link KafkaClientError} when no broker answered, or no partition came in time
   * @example
   * ```ts
   * await simulator.answerCommands('DEFAULT_TENANT', async (command, device) => {
   *   if (command.name !== 'reboot') return { status: 404 };
   *   await device.disconnect();
   *   return undefined; // no response, the device went away
   * });
   * ```
   */
  async answerCommands(
    tenant: string,
    answer: AnswerCommand,
    options: AnswerCommandsOptions = {},
  ): Promise<void> {
    assertValidTenantId(tenant);
    if (this.#closing !== undefined) throw new StateError('the Hono simulator is closed');
    if (this.#routers.has(tenant))
      throw new StateError(`the simulator already answers the commands of ${tenant}`);
    const { brokers, kafka, clientId, connectTimeoutMs, logger } = this.#options;
    const topic = `hono.command.${tenant}`;
    const router = new CommandRouter({
      tenantId: tenant,
      topic,
      clients: this.#clients,
      settings: {
        // A command topic that does not exist yet is made (where brokers create topics), as the first
        // command written would make it; missing topics are looked for every second.
        'allow.auto.create.topics': true,
        'topic.metadata.refresh.interval.ms': 1_000,
        ...kafka,
        'bootstrap.servers': brokers,
        'client.id': `${clientId}-commands`,
        'group.id': options.groupId ?? `hono-simulator-${randomUUID()}`,
        'auto.offset.reset': 'earliest',
        'enable.partition.eof': false,
        'partition.assignment.strategy': 'cooperative-sticky',
      },
      brokers,
      secrets: this.#secrets,
      connectTimeoutMs,
      logger,
      device: (deviceId) => this.device(tenant, deviceId),
      isReachable: (deviceId, now) => this.#devices.get(`${tenant}/${deviceId}`)?.isReachable(now) ?? false,
      write: (record) => this.#write(record),
      answer,
      ignoreCreatedBefore: options.ignoreCreatedBefore,
      handled: (command) => {
        this.#handled.push(command);
        logger.debug('command handled', { tenant, offset: command.offset, outcome: command.outcome });
        this.emit('command', command);
      },
    });
    this.#routers.set(tenant, router);
    try {
      await router.start(options.readyTimeoutMs ?? connectTimeoutMs);
    } catch (error) {
      this.#routers.delete(tenant);
      await router.stop(Date.now() + this.#options.closeTimeoutMs);
      throw error;
    }
    logger.info('the Hono simulator answers commands', { topic });
  }

  /** Every command record handled so far, in the order handled (across tenants). */
  get commands(): readonly HandledCommand[] {
    return this.#handled;
  }

  /**
   * Waits until at least `count` command records were handled (of one tenant, if given).
   *
   * @param count - how many
   * @param options - the tenant and how long to wait
   * @returns the first `count` handled commands
   * @throws Error when fewer were handled in time (the message lists the outcomes so far)
   * @example
   * ```ts
   * const [handled] = await simulator.waitForCommands(1);
   * expect(handled?.outcome).toBe('noConsumer');
   * ```
   */
  async waitForCommands(count: number, options: WaitForCommandsOptions = {}): Promise<HandledCommand[]> {
    const { tenant, timeoutMs = 10_000 } = options;
    const matching = (): HandledCommand[] =>
      this.#handled.filter((command) => tenant === undefined || command.tenantId === tenant);
    if (matching().length >= count) return matching().slice(0, count);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = matching();
        if (found.length < count) return;
        clearTimeout(timer);
        this.off('command', check);
        resolve(found.slice(0, count));
      };
      const timer = setTimeout(() => {
        this.off('command', check);
        const outcomes = matching().map((command) => command.outcome);
        reject(
          new Error(
            `${outcomes.length} of ${count} commands handled within ${timeoutMs} ms: [${outcomes.join(', ')}]`,
          ),
        );
      }, timeoutMs);
      this.on('command', check);
    });
  }

  /**
   * Stops answering commands (the commands being answered finish first), leaves the consumer groups and
   * closes the producer, all within `closeTimeoutMs`. Devices cannot write afterwards. Never rejects;
   * calling it again returns the same promise.
   *
   * @returns when everything is closed, or the deadline passed (logged as a warning)
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const deadline = Date.now() + this.#options.closeTimeoutMs;
    const left = (): number => Math.max(1, deadline - Date.now());
    const routers = await Promise.all([...this.#routers.values()].map((router) => router.stop(deadline)));
    this.#routers.clear();
    let producerClosed = true;
    const producer = this.#producer;
    if (producer !== undefined) {
      producerClosed = await settlesWithin(
        producer.then((client) => client.disconnect(left())),
        left(),
      );
    }
    if (!producerClosed || routers.includes(false)) {
      this.#options.logger.warn('the Hono simulator did not close everything in time', {
        closeTimeoutMs: this.#options.closeTimeoutMs,
      });
    }
  }

  /** Writes a record with the shared producer (connected on first use); resolves once acknowledged. */
  async #write(record: EncodedRecord): Promise<void> {
    const producer = await this.#connectedProducer();
    try {
      await producer.send({
        topic: record.topic,
        key: record.key,
        value: record.value,
        headers: record.headers,
      });
    } catch (thrown) {
      throw clientError(
        toFailure(thrown),
        this.#secrets,
        [],
        `the Hono simulator could not write to ${record.topic}`,
        this.#options.brokers,
      );
    }
  }

  #connectedProducer(): Promise<ProducerClient> {
    if (this.#producer !== undefined) return this.#producer;
    const { brokers, kafka, clientId, connectTimeoutMs, logger } = this.#options;
    const client = this.#clients.producer(
      { ...kafka, 'bootstrap.servers': brokers, 'client.id': clientId },
      {
        clientError: (failure) => {
          logger.debug('the simulator producer reported an error', { error: failure.message });
        },
      },
    );
    const connecting = client.connect(connectTimeoutMs).then(
      () => client,
      (thrown: unknown) => {
        // The next write tries again with a new producer.
        this.#producer = undefined;
        void client.disconnect(1_000).catch(() => undefined);
        throw connectError(toFailure(thrown), [], this.#secrets, brokers);
      },
    );
    this.#producer = connecting;
    return connecting;
  }
}
