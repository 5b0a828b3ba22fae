/**
 * One Kafka JVM: started, SIGKILLed, restarted and stopped by the harness, never left behind.
 *
 * Three layers make sure no JVM outlives its owner: `stop()`; a process `exit` hook that SIGKILLs every
 * node still running and removes its files; and, for the case where the owner itself is SIGKILLed, a tiny `sh` watchdog per JVM
 * that kills it once the owner process is gone. Nodes started from the command line (`npm run
 * kafka:start`) have no owner and run until `npm run kafka:stop`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KafkaDistribution } from './distribution.js';

/** The system property that marks every JVM this harness starts, so that leftovers can be found. */
export const harnessMarker = 'eclipse.hono.kafka.harness';

/** How a node runs. */
export interface KafkaNodeOptions {
  readonly nodeId: number;
  readonly distribution: KafkaDistribution;
  /** The node's folder: its `server.properties`, logging config and `node.log` live here. */
  readonly dir: string;
  /** Maximum heap in MiB. */
  readonly heapMb: number;
  /** C1-only JIT: starts faster, runs slower. Off for benchmarks. */
  readonly fastStart: boolean;
  /** The process whose death kills this JVM, or `null` for a JVM that outlives its starter. */
  readonly ownerPid: number | null;
}

/**
 * Whether a process exists.
 *
 * @param pid - the process id
 * @returns true while it runs (or is a zombie not yet reaped)
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const running = new Set<KafkaNode>();
/** Nodes whose files this process removes at exit, whether their JVM still runs or not. */
const owned = new Set<KafkaNode>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const node of running) node.killNow();
    for (const node of owned) node.removeFilesNow();
  });
}

/** One broker-and-controller JVM. */
export class KafkaNode {
  readonly nodeId: number;
  readonly logPath: string;
  readonly configPath: string;
  readonly #options: KafkaNodeOptions;
  #child: ChildProcess | undefined;
  #watchdog: ChildProcess | undefined;
  #exited: Promise<number | null> = Promise.resolve(null);

  constructor(options: KafkaNodeOptions) {
    this.#options = options;
    this.nodeId = options.nodeId;
    this.logPath = join(options.dir, 'node.log');
    this.configPath = join(options.dir, 'server.properties');
  }

  /** The JVM's process id while it runs. */
  get pid(): number | undefined {
    return this.#child?.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  /** Whether the JVM is running. */
  get running(): boolean {
    return this.pid !== undefined;
  }

  /** Resolves with the exit code (or null after a signal) when the current JVM ends. */
  get exited(): Promise<number | null> {
    return this.#exited;
  }

  /** The JVM command line for a main class of the distribution. */
  javaArgs(mainClass: string, args: readonly string[]): string[] {
    const { distribution, heapMb, fastStart, ownerPid } = this.#options;
    const logConfig =
      distribution.release.logging === 'log4j2'
        ? `-Dlog4j2.configurationFile=${join(this.#options.dir, 'log4j2.properties')}`
        : `-Dlog4j.configuration=file:${join(this.#options.dir, 'log4j.properties')}`;
    return [
      `-Xmx${heapMb}m`,
      '-Xms64m',
      '-XX:+UseSerialGC',
      ...(fastStart ? ['-XX:TieredStopAtLevel=1'] : []),
      '-XX:-UsePerfData',
      '-Djava.awt.headless=true',
      `-D${harnessMarker}=${ownerPid ?? 'detached'}`,
      logConfig,
      '-cp',
      `${distribution.libDir}/*`,
      mainClass,
      ...args,
    ];
  }

  /** Starts the JVM (`kafka.Kafka server.properties`), appending its output to `node.log`. */
  start(): void {
    if (this.running) throw new Error(`node ${this.nodeId} is already running`);
    const out = openSync(this.logPath, 'a');
    try {
      const child = spawn('java', this.javaArgs('kafka.Kafka', [this.configPath]), {
        cwd: this.#options.dir,
        stdio: ['ignore', out, out],
        detached: this.#options.ownerPid === null,
      });
      this.#child = child;
      this.#exited = new Promise((resolve) => {
        child.once('exit', (code) => {
          running.delete(this);
          resolve(code);
        });
        child.once('error', () => {
          running.delete(this);
          resolve(-1);
        });
      });
      if (this.#options.ownerPid === null) {
        child.unref();
      } else {
        running.add(this);
        owned.add(this);
        installExitHook();
        this.#startWatchdog(this.#options.ownerPid, child.pid);
      }
    } finally {
      closeSync(out);
    }
  }

  #startWatchdog(ownerPid: number, javaPid: number | undefined): void {
    if (javaPid === undefined) return;
    // Once the owner is gone: kill the JVM if it still runs, then remove its folder and the cluster folder
    // once empty. A JVM that ended first (a stop the owner did not finish) waits for the owner to leave.
    const dir = this.#options.dir;
    const script = [
      `while kill -0 ${ownerPid} 2>/dev/null && kill -0 ${javaPid} 2>/dev/null; do sleep 1; done`,
      `if kill -0 ${javaPid} 2>/dev/null; then kill -9 ${javaPid} 2>/dev/null; sleep 1; fi`,
      `while kill -0 ${ownerPid} 2>/dev/null; do sleep 1; done`,
      `rm -rf '${dir}'; rmdir '${dirname(dir)}' 2>/dev/null`,
    ].join('; ');
    this.#watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
    this.#watchdog.unref();
  }

  /** SIGKILLs the JVM (a crash, for fault tests) and waits until it is gone. */
  async kill(): Promise<void> {
    this.killNow();
    await this.#exited;
  }

  /** Sends SIGKILL without waiting: for `exit` hooks, where nothing asynchronous runs. */
  killNow(): void {
    const pid = this.pid;
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.#stopWatchdog();
  }

  /** Keeps the node's files at exit (`KAFKA_HARNESS_KEEP_DATA=1` after a failed start). */
  keepFiles(): void {
    owned.delete(this);
  }

  /** Removes the node's folder, and the cluster folder once empty, synchronously: for `exit` hooks. */
  removeFilesNow(): void {
    rmSync(this.#options.dir, { recursive: true, force: true });
    try {
      rmdirSync(dirname(this.#options.dir));
    } catch {
      // other nodes' folders are still there
    }
  }

  /**
   * Stops the JVM: SIGTERM for a controlled shutdown, SIGKILL if it is still running after the grace time.
   *
   * @param graceMs - how long a controlled shutdown may take
   */
  async stop(graceMs = 5000): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    process.kill(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.#exited.then(() => false),
      new Promise<boolean>(
        (resolve) =>
          (timer = setTimeout(() => {
            resolve(true);
          }, graceMs)),
      ),
    ]);
    clearTimeout(timer);
    if (timedOut) await this.kill();
    // The watchdog stays until the owner removed the node's files (releaseWatchdog): if the owner dies
    // before that, the watchdog removes them.
  }

  /** Ends the watchdog once the node's files are dealt with. */
  releaseWatchdog(): void {
    this.#stopWatchdog();
  }

  #stopWatchdog(): void {
    const pid = this.#watchdog?.pid;
    if (pid !== undefined && this.#watchdog?.exitCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.#watchdog = undefined;
  }

  /**
   * The last lines of the node's log, for error messages.
   *
   * @param lines - how many lines
   * @returns the lines, or a note that there is no log yet
   */
  logTail(lines = 40): string {
    if (!existsSync(this.logPath)) return `(node ${this.nodeId} wrote no log)`;
    return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }
}
