import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CommitAnswer, Committer } from '../../../src/consumer/committer.js';
import type { TopicPartitionOffset } from '../../../src/types.js';

const at = (offset: number): TopicPartitionOffset[] => [{ topic: 'hono.event.acme', partition: 0, offset }];

/** A committer over a target that records each commit call. */
function committerWith(commit: (offsets: readonly TopicPartitionOffset[]) => void = () => undefined) {
  const target = { commit: vi.fn(commit) };
  return { committer: new Committer(target), target };
}

/** A promise's state and value, readable without awaiting it. */
function track(promise: Promise<CommitAnswer>) {
  const state: { settled: boolean; answer?: CommitAnswer } = { settled: false };
  void promise.then((answer) => {
    state.settled = true;
    state.answer = answer;
  });
  return state;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Committer', () => {
  it('sends the positions to the client and resolves with undefined once the broker confirms', async () => {
    const { committer, target } = committerWith();
    const answer = committer.commit(at(10), 1_000);
    expect(target.commit).toHaveBeenCalledExactlyOnceWith(at(10));
    expect(committer.outstanding).toBe(1);

    committer.answered(undefined);

    await expect(answer).resolves.toBeUndefined();
    expect(committer.outstanding).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves with the failure the client reports', async () => {
    const { committer } = committerWith();
    const failure = new Error('Broker: Unknown member');
    const answer = committer.commit(at(10), 1_000);

    committer.answered(failure);

    await expect(answer).resolves.toBe(failure);
  });

  it('matches answers to commit calls in call order', async () => {
    const { committer } = committerWith();
    const failure = new Error('Broker: Coordinator not available');
    const answers = [
      committer.commit(at(1), 1_000),
      committer.commit(at(2), 1_000),
      committer.commit(at(3), 1_000),
    ];
    expect(committer.outstanding).toBe(3);

    committer.answered(undefined);
    committer.answered(failure);
    expect(committer.outstanding).toBe(1);
    committer.answered(undefined);

    await expect(Promise.all(answers)).resolves.toStrictEqual([undefined, failure, undefined]);
    expect(committer.outstanding).toBe(0);
  });

  it('ignores an answer when no commit is outstanding', () => {
    const { committer } = committerWith();
    expect(() => {
      committer.answered(new Error('stray'));
    }).not.toThrow();
    expect(committer.outstanding).toBe(0);
  });

  it('resolves with a timeout error when no answer arrives in time', async () => {
    const { committer } = committerWith();
    const state = track(committer.commit(at(10), 1_000));

    await vi.advanceTimersByTimeAsync(999);
    expect(state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);

    expect(state.answer).toBeInstanceOf(Error);
    expect(state.answer?.message).toBe('no answer to the commit within 1000 ms');
    // The answer is still owed by the client: it stays counted, and is matched to the timed-out call.
    expect(committer.outstanding).toBe(1);
  });

  it('matches a late answer to the timed-out call, not to the next one', async () => {
    const { committer } = committerWith();
    const first = committer.commit(at(1), 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    const second = committer.commit(at(2), 1_000);
    const failure = new Error('Broker: Rebalance in progress');

    committer.answered(undefined); // late answer to the first call
    committer.answered(failure);

    await expect(first).resolves.toBeInstanceOf(Error);
    await expect(second).resolves.toBe(failure);
    expect(committer.outstanding).toBe(0);
  });

  it('resolves with the error the client throws synchronously, and owes no answer for it', async () => {
    const thrown = new Error('Local: Erroneous state');
    const { committer } = committerWith(() => {
      throw thrown;
    });

    await expect(committer.commit(at(10), 1_000)).resolves.toBe(thrown);
    expect(committer.outstanding).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('wraps a thrown non-Error in an Error', async () => {
    const { committer } = committerWith(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the client may throw anything
      throw 'not connected';
    });

    const answer = await committer.commit(at(10), 1_000);

    expect(answer).toBeInstanceOf(Error);
    expect(answer?.message).toBe('not connected');
  });

  it('keeps outstanding calls matched when a later call throws synchronously', async () => {
    let fail = false;
    const thrown = new Error('Local: Erroneous state');
    const { committer } = committerWith(() => {
      if (fail) throw thrown;
    });
    const first = committer.commit(at(1), 1_000);
    fail = true;
    const second = committer.commit(at(2), 1_000);

    await expect(second).resolves.toBe(thrown);
    expect(committer.outstanding).toBe(1);
    committer.answered(undefined);
    await expect(first).resolves.toBeUndefined();
  });
});
