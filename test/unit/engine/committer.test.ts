import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CommitAnswer, Committer } from '../../../src/engine/committer.js';
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

    committer.answered(undefined, at(10));

    await expect(answer).resolves.toBeUndefined();
    expect(committer.outstanding).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves with the failure the client reports', async () => {
    const { committer } = committerWith();
    const failure = new Error('Broker: Unknown member');
    const answer = committer.commit(at(10), 1_000);

    committer.answered(failure, at(10));

    await expect(answer).resolves.toBe(failure);
  });

  it('matches answers that come in call order', async () => {
    const { committer } = committerWith();
    const failure = new Error('Broker: Coordinator not available');
    const answers = [
      committer.commit(at(1), 1_000),
      committer.commit(at(2), 1_000),
      committer.commit(at(3), 1_000),
    ];
    expect(committer.outstanding).toBe(3);

    committer.answered(undefined, at(1));
    committer.answered(failure, at(2));
    expect(committer.outstanding).toBe(1);
    committer.answered(undefined, at(3));

    await expect(Promise.all(answers)).resolves.toStrictEqual([undefined, failure, undefined]);
    expect(committer.outstanding).toBe(0);
  });

  it('ignores an answer when no commit is outstanding', () => {
    const { committer } = committerWith();
    expect(() => {
      committer.answered(new Error('stray'), at(1));
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
    // Forgotten: an answer that never comes leaves nothing behind.
    expect(committer.outstanding).toBe(0);
  });

  it('does not give a late answer to the timed-out call to the next one', async () => {
    const { committer } = committerWith();
    const first = committer.commit(at(1), 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    const second = committer.commit(at(2), 1_000);
    const failure = new Error('Broker: Rebalance in progress');

    committer.answered(undefined, at(1)); // late answer to the first call
    committer.answered(failure, at(2));

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
    committer.answered(undefined, at(1));
    await expect(first).resolves.toBeUndefined();
  });
});

describe('Committer: answers matched by their offsets', () => {
  const both = (offset: number): TopicPartitionOffset[] => [
    { topic: 'hono.event.acme', partition: 0, offset },
    { topic: 'hono.event.acme', partition: 1, offset: offset + 100 },
  ];

  it('resolves two commits in flight by their own answers when the answers come in reverse order', async () => {
    const { committer } = committerWith();
    const failure = new Error('Broker: Rebalance in progress');
    const first = committer.commit(at(1), 1_000);
    const second = committer.commit(at(2), 1_000);

    committer.answered(failure, at(2));
    committer.answered(undefined, at(1));

    await expect(first).resolves.toBeUndefined();
    await expect(second).resolves.toBe(failure);
    expect(committer.outstanding).toBe(0);
  });

  it('matches an answer whose partitions come in another order', async () => {
    const { committer } = committerWith();
    const other = committer.commit(at(5), 1_000);
    const answer = committer.commit(both(1), 1_000);

    committer.answered(undefined, [...both(1)].reverse());

    await expect(answer).resolves.toBeUndefined();
    expect(track(other).settled).toBe(false);
    expect(committer.outstanding).toBe(1);
  });

  it('ignores an answer for offsets nobody waits for (a commit whose waiter timed out long ago)', async () => {
    const { committer } = committerWith();
    const waiting = track(committer.commit(at(2), 1_000));

    committer.answered(new Error('Broker: Unknown member'), at(9));
    await vi.advanceTimersByTimeAsync(0);

    expect(waiting.settled).toBe(false);
    expect(committer.outstanding).toBe(1);
    committer.answered(undefined, at(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(waiting).toStrictEqual({ settled: true, answer: undefined });
  });

  it('lets an answer that never comes cost only its own waiter', async () => {
    const { committer } = committerWith();
    const lost = committer.commit(at(1), 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(lost).resolves.toBeInstanceOf(Error);
    // The timed-out call is forgotten: nothing accumulates for answers that never come.
    expect(committer.outstanding).toBe(0);

    const next = committer.commit(at(2), 1_000);
    committer.answered(undefined, at(2));

    await expect(next).resolves.toBeUndefined();
  });

  it('resolves the oldest of two waiters for the same offsets first', async () => {
    const { committer } = committerWith();
    const failure = new Error('Broker: Coordinator not available');
    const first = committer.commit(at(3), 1_000);
    const second = committer.commit(at(3), 1_000);

    committer.answered(failure, at(3));
    committer.answered(undefined, at(3));

    await expect(first).resolves.toBe(failure);
    await expect(second).resolves.toBeUndefined();
  });
});
