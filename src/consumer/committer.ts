/**
 * Commits explicit positions and matches each commit call to the broker's answer, which the client
 * reports later through `offset_commit_cb`, in call order, while the poll loop runs.
 */
import type { TopicPartitionOffset } from '../types.js';

/** What the committer needs from the client. */
export interface CommitTarget {
  commit(offsets: readonly TopicPartitionOffset[]): void;
}

/** The answer to one commit call: undefined on success, the client's failure otherwise. */
export type CommitAnswer = Error | undefined;

/** Matches commit calls to their answers. */
export class Committer {
  readonly #target: CommitTarget;
  readonly #waiting: ((answer: CommitAnswer) => void)[] = [];

  constructor(target: CommitTarget) {
    this.#target = target;
  }

  /**
   * Sends a commit and resolves with the broker's answer, or with a timeout error.
   *
   * @param offsets - the positions (next offset to read) to commit
   * @param timeoutMs - how long to wait for the answer
   * @returns undefined when the broker confirmed, else the failure
   */
  async commit(offsets: readonly TopicPartitionOffset[], timeoutMs: number): Promise<CommitAnswer> {
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<CommitAnswer>((resolve) => {
      this.#waiting.push(resolve);
      timer = setTimeout(() => {
        resolve(new Error(`no answer to the commit within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      this.#target.commit(offsets);
    } catch (error) {
      this.#waiting.pop()?.(error instanceof Error ? error : new Error(String(error)));
    }
    const result = await answer;
    clearTimeout(timer);
    return result;
  }

  /** The client reported the answer to the oldest outstanding commit call. */
  answered(answer: CommitAnswer): void {
    this.#waiting.shift()?.(answer);
  }

  /** Commit calls whose answer has not arrived. */
  get outstanding(): number {
    return this.#waiting.length;
  }
}
