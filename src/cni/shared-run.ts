// Concurrent calls of the daemon that would read or check the same thing of a node at the same
// time share one run of it: one that arrives while a run is in flight waits for the next run, which
// starts when that one ends, so what it gets was read after it was called (it sees every change
// made before its call). 64 ADDs at once make a few runs, not 64.

interface Runs<T> { running?: Promise<T>; next?: Promise<T> }

export class SharedRuns<T> {
  private readonly byKey = new Map<string, Runs<T>>();

  run(key: string, fn: () => Promise<T>): Promise<T> {
    let at = this.byKey.get(key);
    if (!at) this.byKey.set(key, (at = {}));
    const runs = at;
    const start = (): Promise<T> => {
      let begun: Promise<T>;
      try {
        begun = fn();
      } catch (err) {
        begun = Promise.reject(err);
      }
      const p = begun.finally(() => {
        if (runs.running === p) runs.running = undefined;
        if (!runs.running && !runs.next) this.byKey.delete(key);
      });
      runs.running = p;
      return p;
    };
    if (!runs.running) return start();
    runs.next ??= runs.running.catch(() => undefined).then(() => {
      runs.next = undefined;
      return start();
    });
    return runs.next;
  }
}
