/**
 * The consumer processes of one scenario: starts them, SIGKILLs or SIGTERMs them, and makes sure none
 * outlives the scenario (or the runner: each child ends when its stdin, held by the runner, closes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ConsumerConfig, LifecycleLine } from './protocol.js';

const script = fileURLToPath(new URL('./consumer-process.ts', import.meta.url));

/** Every child of every fleet, for the runner's SIGINT handler. */
const allChildren = new Set<ChildProcess>();

/** SIGKILLs every consumer process still running (used on SIGINT and on the way out). */
export function killAllConsumers(): void {
  for (const child of allChildren)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** One consumer process. */
export class Member {
  readonly label: string;
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Lifecycle lines it printed, by event name. */
  readonly counts = new Map<LifecycleLine['event'], number>();
  readonly errors: string[] = [];
  /** Set once the runner SIGKILLed it. */
  killed = false;
  #started!: () => void;
  readonly started = new Promise<void>((resolve) => {
    this.#started = resolve;
  });
  readonly #child: ChildProcess;
  readonly #waiters: { event: LifecycleLine['event']; resolve: () => void }[] = [];

  constructor(label: string, child: ChildProcess, log: WriteStream) {
    this.label = label;
    this.#child = child;
    this.pid = child.pid ?? -1;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        allChildren.delete(child);
        resolve({ code, signal });
      });
    });
    child.stderr?.pipe(log, { end: false });
    if (child.stdout !== null) {
      createInterface({ input: child.stdout }).on('line', (text) => {
        log.write(`${text}\n`);
        let line: LifecycleLine;
        try {
          line = JSON.parse(text) as LifecycleLine;
        } catch {
          return;
        }
        this.counts.set(line.event, (this.counts.get(line.event) ?? 0) + 1);
        for (const waiter of this.#waiters.splice(0)) {
          if (waiter.event === line.event) waiter.resolve();
          else this.#waiters.push(waiter);
        }
        if (line.event === 'started') this.#started();
        if (line.event === 'error' || line.event === 'commitFailed') this.errors.push(line.message ?? '');
      });
    }
  }

  /** Resolves when the process next prints this lifecycle event. */
  next(event: LifecycleLine['event']): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push({ event, resolve });
    });
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Writes a control line (e.g. `outage on`) to the process's stdin. */
  send(line: string): void {
    this.#child.stdin?.write(`${line}\n`);
  }

  /** SIGKILL: no drain, no commit. */
  async kill(): Promise<void> {
    this.killed = true;
    this.#child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. Returns the exit code. */
  async terminate(timeoutMs = 40_000): Promise<number | null> {
    if (!this.running) return (await this.exited).code;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.errors.push(`did not exit within ${timeoutMs} ms of SIGTERM`);
      this.#child.kill('SIGKILL');
    }, timeoutMs);
    const { code } = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/**
 * Starts `script` (a consumer process that prints lifecycle lines) with `config` in `CHAOS_CONFIG`, its
 * output logged to `<ledgerDir>/<label>-<pid>.log`; {@link killAllConsumers} covers it.
 */
export function spawnMember(script: string, label: string, config: object, ledgerDir: string): Member {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, CHAOS_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  allChildren.add(child);
  const log = createWriteStream(join(ledgerDir, `${label}-${child.pid ?? 0}.log`));
  return new Member(label, child, log);
}

/** Resolves once the member's consumer runs; rejects if it exits first. */
export async function started(member: Member): Promise<void> {
  const exitedEarly = member.exited.then(({ code, signal }) => {
    throw new Error(`${member.label} exited before it started (code ${code}, signal ${signal})`);
  });
  await Promise.race([member.started, exitedEarly]);
  exitedEarly.catch(() => undefined);
}

/** The consumer processes of one scenario. */
export class Fleet {
  readonly members: Member[] = [];
  readonly #base: Omit<ConsumerConfig, 'label'>;
  #next = 1;

  constructor(base: Omit<ConsumerConfig, 'label'>) {
    this.#base = base;
  }

  /** Starts one more consumer process; resolves once its consumer runs. */
  async start(): Promise<Member> {
    const label = `c${this.#next++}`;
    const config: ConsumerConfig = { ...this.#base, label };
    const member = spawnMember(script, label, config, this.#base.ledgerDir);
    this.members.push(member);
    await started(member);
    return member;
  }

  get running(): Member[] {
    return this.members.filter((member) => member.running);
  }

  /** Sends a control line to every running member. */
  broadcast(line: string): void {
    for (const member of this.running) member.send(line);
  }

  /** SIGTERMs every running member at once; resolves with their exit codes. */
  async terminateAll(): Promise<(number | null)[]> {
    return Promise.all(this.running.map((member) => member.terminate()));
  }

  /** SIGKILLs whatever still runs. */
  async killAll(): Promise<void> {
    await Promise.all(this.running.map((member) => member.kill()));
  }
}
