// A stream over a kernel subscription that can be ended while it waits: used by ns.watch's streams.

/** Lets a stream be stopped: stop.now() ends the read it waits on. */
export type Stop = { stopped: boolean; now: () => void };

/** An async iterable over a fresh stream per iteration, whose return() works while a read waits. */
export function cancellable<E>(start: (stop: Stop) => AsyncGenerator<E>): AsyncIterable<E> {
  return {
    [Symbol.asyncIterator]: () => {
      const stop: Stop = { stopped: false, now: () => {} };
      const g = start(stop);
      // An async generator runs return() only after a next() still waiting (for the kernel, for
      // ever) has settled: ending the subscription first lets that read, and so return(), finish.
      const end = () => {
        stop.stopped = true;
        stop.now();
      };
      return {
        next: () => g.next(),
        return: (value?: unknown) => (end(), g.return(value as undefined)),
        throw: (err?: unknown) => (end(), g.throw(err)),
        [Symbol.asyncIterator]() { return this; },
      };
    },
  };
}
