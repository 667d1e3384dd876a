// ADD, CHECK and DEL of one network run side by side; its GC runs alone: a GC that listed the
// attachments while an ADD was half done would remove what the ADD is making. Per network name
// (the config's "name"), so a GC of one network holds up no other. A waiting GC goes first: ADDs
// that arrive after it wait for it, so a steady stream of ADDs cannot starve it.

interface Waiter { exclusive: boolean; grant: () => void }

interface NetworkState { shared: number; exclusive: boolean; queue: Waiter[] }

export class NetworkLock {
  readonly #networks = new Map<string, NetworkState>();

  /** Runs fn holding the network shared (ADD, CHECK, DEL) or alone (GC). */
  async run<T>(network: string, exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    await this.#acquire(network, exclusive);
    try {
      return await fn();
    } finally {
      this.#release(network, exclusive);
    }
  }

  #acquire(network: string, exclusive: boolean): Promise<void> {
    let s = this.#networks.get(network);
    if (!s) this.#networks.set(network, (s = { shared: 0, exclusive: false, queue: [] }));
    const state = s;
    const free = exclusive ? !state.exclusive && state.shared === 0 : !state.exclusive;
    if (free && state.queue.length === 0) {
      if (exclusive) state.exclusive = true;
      else state.shared++;
      return Promise.resolve();
    }
    return new Promise((resolve) => state.queue.push({ exclusive, grant: resolve }));
  }

  #release(network: string, exclusive: boolean): void {
    const state = this.#networks.get(network)!;
    if (exclusive) state.exclusive = false;
    else state.shared--;
    // Grant in arrival order: one exclusive holder, or every shared one up to the next exclusive.
    while (state.queue.length > 0 && !state.exclusive) {
      const next = state.queue[0];
      if (next.exclusive && state.shared > 0) break;
      state.queue.shift();
      if (next.exclusive) state.exclusive = true;
      else state.shared++;
      next.grant();
    }
    if (!state.exclusive && state.shared === 0 && state.queue.length === 0) this.#networks.delete(network);
  }
}

/** Which way a command holds its network: GC alone, ADD/CHECK/DEL shared, the others not at all. */
export function lockMode(command: string | undefined): 'exclusive' | 'shared' | undefined {
  if (command === 'GC') return 'exclusive';
  if (command === 'ADD' || command === 'CHECK' || command === 'DEL') return 'shared';
  return undefined;
}
