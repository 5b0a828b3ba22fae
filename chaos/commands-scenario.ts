/**
 * `commands-broker-restart`: a Hono simulator process answers every command with an echo, a command client
 * process sends requests at a steady rate, and midway broker 2 is SIGKILLed and restarted on its data (as
 * `sigkill-broker` does). The verdict is {@link judgeCommands}.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { KafkaCluster } from '../test/harness/kafka-cluster.js';
import { randomSuffix, TestAdmin } from '../test/integration/clients.js';
import type {
  ClientSummary,
  CommandClientConfig,
  ProcessLine,
  SimulatorConfig,
  SimulatorSummary,
} from './commands-protocol.js';
import { type CommandBounds, judgeCommands, readSettled } from './commands-verdict.js';
import { createTopic } from './workload.js';

/** The sizes of one run. */
interface CommandSize {
  readonly requestsPerSecond: number;
  /** Requests before the kill. */
  readonly warmupMs: number;
  /** How long the broker stays down before its restart begins. */
  readonly downMs: number;
  /** Requests after the restarted broker is listed again. */
  readonly recoveryMs: number;
}

/** A scenario of the command client, run by {@link runCommandScenario}. */
export interface CommandScenario {
  readonly name: string;
  /** One line for the docs: what the scenario proves. */
  readonly proves: string;
  /** In the `--short` run. */
  readonly short: boolean;
  readonly full: CommandSize;
  readonly ci: CommandSize;
}

export const commandScenarios: readonly CommandScenario[] = [
  {
    name: 'commands-broker-restart',
    proves:
      'requests under way while a broker is SIGKILLed and restarted each settle within their timeout (typed errors only), none hangs, none gets another request’s response, and requests succeed again once the broker is back',
    short: true,
    full: { requestsPerSecond: 200, warmupMs: 10_000, downMs: 15_000, recoveryMs: 20_000 },
    ci: { requestsPerSecond: 100, warmupMs: 5_000, downMs: 8_000, recoveryMs: 10_000 },
  },
];

const bounds: CommandBounds = {
  timeoutMs: 5_000,
  latenessMarginMs: 500,
  closeTimeoutMs: 10_000,
  closeMarginMs: 1_000,
  recoveredSuccessRate: 0.9,
};
const devices = 100;
const victimNode = 2;
const startTimeoutMs = 90_000;

/** One child process and the lines it printed. */
class Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #process: ChildProcess;
  readonly #lines: ProcessLine[] = [];
  readonly #waiters: (() => void)[] = [];

  constructor(script: string, config: object, logPath: string) {
    this.#process = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url))],
      {
        env: { ...process.env, CHAOS_CONFIG: JSON.stringify(config) },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const log = createWriteStream(logPath);
    this.#process.stderr?.pipe(log, { end: false });
    this.exited = new Promise((resolve) => {
      this.#process.once('exit', (code, signal) => {
        resolve({ code, signal });
        for (const waiter of this.#waiters.splice(0)) waiter();
      });
    });
    if (this.#process.stdout !== null) {
      createInterface({ input: this.#process.stdout }).on('line', (text) => {
        log.write(`${text}\n`);
        try {
          this.#lines.push(JSON.parse(text) as ProcessLine);
        } catch {
          return;
        }
        for (const waiter of this.#waiters.splice(0)) waiter();
      });
    }
  }

  /** The first line of this event, once printed; rejects if the process exits or `timeoutMs` passes first. */
  async line<Event extends ProcessLine['event']>(
    event: Event,
    timeoutMs: number,
  ): Promise<Extract<ProcessLine, { event: Event }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.#lines.find((line) => line.event === event);
      if (found !== undefined) return found as Extract<ProcessLine, { event: Event }>;
      const failed = this.#lines.find((line) => line.event === 'failed');
      if (failed !== undefined && 'message' in failed) throw new Error(failed.message);
      if (!this.running) throw new Error(`exited before it printed ${event}`);
      if (Date.now() > deadline) throw new Error(`printed no ${event} within ${String(timeoutMs)} ms`);
      await Promise.race([new Promise<void>((resolve) => this.#waiters.push(resolve)), sleep(1000)]);
    }
  }

  get running(): boolean {
    return this.#process.exitCode === null && this.#process.signalCode === null;
  }

  send(line: string): void {
    this.#process.stdin?.write(`${line}\n`);
  }

  /** SIGTERM, SIGKILL after `timeoutMs`; the exit code. */
  async terminate(timeoutMs: number): Promise<number | null> {
    if (this.running) this.#process.kill('SIGTERM');
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), timeoutMs);
    const { code } = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): void {
    if (this.running) this.#process.kill('SIGKILL');
  }
}

/**
 * Runs one command scenario against the cluster: its own tenant and topics (6 partitions, RF 3, min ISR 2).
 *
 * @param cluster - the 3-node cluster; node 2 is SIGKILLed and restarted
 * @param root - the run's folder; the scenario writes its ledger and logs to `<root>/<name>`
 * @param scenario - the scenario
 * @param short - the CI size
 * @param log - the runner's log
 * @returns the notes for the scenario's line and the problems that fail it
 */
export async function runCommandScenario(
  cluster: KafkaCluster,
  root: string,
  scenario: CommandScenario,
  short: boolean,
  log: (line: string) => void,
): Promise<{ notes: string[]; problems: string[] }> {
  const size = short ? scenario.ci : scenario.full;
  const dir = join(root, scenario.name);
  await mkdir(dir);
  const brokers = cluster.bootstrapServers;
  const tenant = `chaos-commands-${randomSuffix()}`;
  const topics = [`hono.command.${tenant}`, `hono.command_response.${tenant}`, `hono.event.${tenant}`];
  for (const topic of topics) await createTopic(brokers, topic);
  const ledgerPath = join(dir, 'client.ledger');
  const simulatorConfig: SimulatorConfig = { brokers, tenant, devices };
  const clientConfig: CommandClientConfig = {
    brokers,
    tenant,
    devices,
    requestsPerSecond: size.requestsPerSecond,
    timeoutMs: bounds.timeoutMs,
    closeTimeoutMs: bounds.closeTimeoutMs,
    ledgerPath,
  };
  const problems: string[] = [];
  const notes: string[] = [];
  const simulator = new Child('./commands-simulator-process.ts', simulatorConfig, join(dir, 'simulator.log'));
  let client: Child | undefined;
  let killed = false;
  try {
    const simulatorReady = await simulator.line('ready', startTimeoutMs);
    client = new Child('./commands-client-process.ts', clientConfig, join(dir, 'client.log'));
    const clientReady = await client.line('ready', startTimeoutMs);
    log(
      `simulator answers ${String(devices)} devices (${String(simulatorReady.ms)} ms), client primed (${String(clientReady.ms)} ms); ` +
        `${String(size.requestsPerSecond)} requests/s, timeout ${String(bounds.timeoutMs)} ms`,
    );
    await sleep(size.warmupMs);
    log(`SIGKILL broker ${String(victimNode)}`);
    const killedAt = Date.now();
    killed = true;
    await cluster.killNode(victimNode);
    await sleep(size.downMs);
    log(`restart broker ${String(victimNode)}`);
    await cluster.restartNode(victimNode);
    killed = false;
    const restartedAt = Date.now();
    log(`broker ${String(victimNode)} listed again after ${((restartedAt - killedAt) / 1000).toFixed(1)} s`);
    await sleep(size.recoveryMs);
    client.send('stop');
    const summary = (await client.line(
      'summary',
      bounds.timeoutMs + 30_000 + bounds.closeTimeoutMs,
    )) as ClientSummary;
    const clientExit = await client.exited;
    if (clientExit.code !== 0) problems.push(`the client exited with ${String(clientExit.code)}`);
    const verdict = judgeCommands(await readSettled(ledgerPath), summary, { killedAt, restartedAt }, bounds);
    notes.push(...verdict.notes);
    problems.push(...verdict.problems);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    client?.kill();
    const simulatorCode = await simulator.terminate(20_000);
    if (simulatorCode !== 0)
      problems.push(`the simulator exited with ${String(simulatorCode)} after SIGTERM`);
    const simulatorSummary = await simulator
      .line('summary', 0)
      .then((line) => line as SimulatorSummary)
      .catch(() => undefined);
    if (simulatorSummary !== undefined) {
      notes.push(
        `simulator: ${Object.entries(simulatorSummary.outcomes)
          .map(([outcome, n]) => `${outcome} ${String(n)}`)
          .join(', ')}; close ${String(simulatorSummary.closeMs)} ms`,
      );
      if (simulatorSummary.unhandledRejections.length > 0)
        problems.push(`simulator unhandled rejections: ${simulatorSummary.unhandledRejections.join('; ')}`);
    }
    if (killed) await cluster.restartNode(victimNode).catch(() => undefined);
    const admin = new TestAdmin(brokers);
    for (const topic of topics) await admin.deleteTopic(topic).catch(() => undefined);
    admin.disconnect();
  }
  if (problems.length > 0) notes.push(`ledger and logs: ${dir}`);
  return { notes, problems };
}
