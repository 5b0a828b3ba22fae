/**
 * Commits explicit positions and matches each commit call to the broker's answer, which the client
 * reports later through `offset_commit_cb` while the poll loop runs. librdkafka's answer names the
 * offsets it committed, and answers need not come in call order (a commit that fails locally is answered
 * before one waiting for the coordinator), so an answer goes to the oldest waiting call for the same
 * offsets; an answer that matches no call (its call timed out) is ignored here, and a call whose answer
 * never comes ends by its own timeout without holding up anything else.
 */
import type { TopicPartitionOffset } from '../types.js';

/** What the committer needs from the client. */
export interface CommitTarget {
  commit(offsets: readonly TopicPartitionOffset[]): void;
}

/** The answer to one commit call: undefined on success, the client's failure otherwise. */
export type CommitAnswer = Error | undefined;

/** A commit call waiting for its answer. */
interface Waiter {
  /** Its offsets, in a form independent of their order. */
  readonly key: string;
  readonly resolve: (answer: CommitAnswer) => void;
}

/** The offsets of a commit or an answer, as one string whatever their order. */
function keyOf(offsets: readonly TopicPartitionOffset[]): string {
  return offsets
    .map(({ topic, partition, offset }) => `${topic}\u0000${String(partition)}\u0000${String(offset)}`)
    .sort()
    .join('\u0001');
}

/** Matches commit calls to their answers. */
export class Committer {
  readonly #target: CommitTarget;
  /** Calls waiting for their answer, oldest first. */
  readonly #waiting: Waiter[] = [];

  constructor(target: CommitTarget) {
    this.#target = target;
  }

  /**
   * Sends a commit and resolves with the broker's answer for these offsets, or with a timeout error.
   *
   * @param offsets - the positions (next offset to read) to commit
   * @param timeoutMs - how long to wait for the answer
   * @returns undefined when the broker confirmed, else the failure
   */
  async commit(offsets: readonly TopicPartitionOffset[], timeoutMs: number): Promise<CommitAnswer> {
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    const answer = new Promise<CommitAnswer>((resolve) => {
      waiter = { key: keyOf(offsets), resolve };
      this.#waiting.push(waiter);
      timer = setTimeout(() => {
        this.#forget(waiter);
        resolve(new Error(`no answer to the commit within ${String(timeoutMs)} ms`));
      }, timeoutMs);
    });
    try {
      this.#target.commit(offsets);
    } catch (error) {
      this.#forget(waiter);
      waiter?.resolve(error instanceof Error ? error : new Error(String(error)));
    }
    const result = await answer;
    clearTimeout(timer);
    return result;
  }

  /**
   * The client reported the answer to a commit of `offsets`: it resolves the oldest call waiting for
   * exactly these offsets, if any.
   *
   * @param answer - undefined on success, the client's failure otherwise
   * @param offsets - the offsets the answer is for, as `offset_commit_cb` reports them
   */
  answered(answer: CommitAnswer, offsets: readonly TopicPartitionOffset[]): void {
    const key = keyOf(offsets);
    const index = this.#waiting.findIndex((waiter) => waiter.key === key);
    if (index < 0) return;
    const [waiter] = this.#waiting.splice(index, 1);
    waiter?.resolve(answer);
  }

  /** Commit calls waiting for their answer (neither answered nor timed out). */
  get outstanding(): number {
    return this.#waiting.length;
  }

  #forget(waiter: Waiter | undefined): void {
    const index = waiter === undefined ? -1 : this.#waiting.indexOf(waiter);
    if (index >= 0) this.#waiting.splice(index, 1);
  }
}
