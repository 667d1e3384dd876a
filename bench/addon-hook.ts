// How the bench sees and answers the library's addon calls for a container: native.chain, and a
// host handle's batch/request. Each is replaced once, by a function that stays for the process's
// life and switches on the hook's state; nothing the library's code calls is replaced again.
//
// Why: replacing native.chain or a handle's method between the warm-up and the timed loop (as the
// bench did) changed what the library's optimized code had been compiled against, so links.add and
// its callees were deoptimized at the first timed container and ran unoptimized through the loop;
// and answering every warm-up call with one same answer object let V8 specialize on that object.
// Here the warm-up answers with a fresh copy each time, made as the addon makes its Buffers, and
// the real path has been taken (by one real container) before the code is optimized.
import { native, type NativeAddon, type NativeNamespace } from '../src/native';

type Chain = NativeAddon['chain'];
type ChainAnswer = Awaited<ReturnType<Chain>>;
type BatchArgs = Parameters<NativeNamespace['batch']>;

/** What the hook does with the calls it sees. */
export const hook = {
  /** Answer chains at once with copies of this (no kernel), instead of sending them. */
  answer: undefined as ChainAnswer | undefined,
  /** Answer a host's batches at once (null, as an ACK), instead of sending them. */
  fakeBatch: false,
  /** Keep the steps of each chain and the arguments of each batch, and answer neither (nothing sent). */
  record: undefined as { chains: Array<Parameters<Chain>[0]>; batches: BatchArgs[] } | undefined,
  /** Keep the last real chain's answer in `answer`'s place (`kept`), without answering from it. */
  keep: false,
  kept: undefined as ChainAnswer | undefined,
  /** Addon calls seen (chains, batches, requests on a hooked handle). */
  calls: 0,
};

/** The addon's own chain, for replaying recorded calls. */
export const realChain: Chain = native.chain;

/** A Buffer as the addon makes one (its map differs from a Buffer made in JS). */
const asAddonMakes = (b: Buffer): Buffer => Object.setPrototypeOf(new Uint8Array(b), Buffer.prototype) as Buffer;
/** A copy of an answer as the addon makes one: arrays made at their length (holey, as Napi::Array::New makes them). */
function fresh(a: ChainAnswer): ChainAnswer {
  const steps: ChainAnswer = new Array(a.length);
  for (let k = 0; k < a.length; k++) {
    const step: ChainAnswer[number] = new Array(a[k].length);
    for (let i = 0; i < a[k].length; i++) {
      const x = a[k][i];
      step[i] = Buffer.isBuffer(x) ? asAddonMakes(x) : x;
    }
    steps[k] = step;
  }
  return steps;
}

native.chain = function benchChain(steps) {
  hook.calls++;
  if (hook.record) {
    hook.record.chains.push(steps);
    return new Promise(() => {}); // never answered: nothing sent
  }
  if (hook.answer) return Promise.resolve(fresh(hook.answer));
  const answered = realChain(steps);
  return hook.keep ? answered.then((a) => (hook.kept = a)) : answered;
};

const hooked = new WeakSet<NativeNamespace>();

/** Routes a handle's batch and request through the hook (once per handle); returns its own methods. */
export function hookHandle(h: NativeNamespace): { batch: NativeNamespace['batch'] } {
  const proto = Object.getPrototypeOf(h) as NativeNamespace;
  const batch = proto.batch;
  const request = proto.request;
  if (hooked.has(h)) return { batch };
  hooked.add(h);
  Object.defineProperty(h, 'batch', {
    configurable: true,
    value: (...a: BatchArgs) => {
      hook.calls++;
      if (hook.record) {
        hook.record.batches.push(a);
        return Promise.resolve(null);
      }
      return hook.fakeBatch ? Promise.resolve(null) : batch.apply(h, a);
    },
  });
  Object.defineProperty(h, 'request', {
    configurable: true,
    value: (...a: Parameters<NativeNamespace['request']>) => {
      hook.calls++;
      return request.apply(h, a);
    },
  });
  return { batch };
}
