// NetnsRef: the ways an option names a namespace, checked before anything is opened, and resolved
// to a transport for the families that reach into another namespace.
import { checkInteger, checkNetnsName, checkObject, typeError } from '../validate';
import { isNetnsHandle, NETNS_RUN_DIR, type NetnsHandle, TRANSPORT, Transport } from './transport';

export { NETNS_RUN_DIR };

export type NetnsRef = NetnsHandle | string | { name: string } | { path: string } | { pid: number } | { fd: number };

type Where = { path: string; name?: string; fd?: undefined } | { fd: number; path?: undefined; name?: undefined };

/** Checks a NetnsRef's shape (synchronously, before anything is opened). */
export function checkNetnsRef(field: string, ref: unknown): NetnsRef {
  if (isNetnsHandle(ref)) return ref;
  describeRef(ref as Exclude<NetnsRef, NetnsHandle>, field);
  return ref as NetnsRef;
}

/** Where a ref that is not a handle points: a file (a name under /run/netns is one) or an fd. */
function describeRef(ref: Exclude<NetnsRef, NetnsHandle>, field = 'netns'): Where {
  if (typeof ref === 'string') return { path: `${NETNS_RUN_DIR}/${checkNetnsName(field, ref)}`, name: ref };
  const o = checkObject(field, ref);
  const keys = Object.keys(o);
  if (keys.length !== 1) throw typeError(field, ref, 'a Netns, a name, or one of { name }, { path }, { pid }, { fd }');
  if ('name' in o) return { path: `${NETNS_RUN_DIR}/${checkNetnsName(`${field}.name`, o.name)}`, name: o.name as string };
  if ('path' in o) {
    if (typeof o.path !== 'string' || o.path === '' || o.path.includes('\0')) throw typeError(`${field}.path`, o.path, 'a file path');
    return { path: o.path };
  }
  if ('pid' in o) return { path: `/proc/${checkInteger(`${field}.pid`, o.pid, 1, 0x3fffffff)}/ns/net` };
  if ('fd' in o) return { fd: checkInteger(`${field}.fd`, o.fd, 0, 0x7fffffff) };
  throw typeError(field, ref, 'a Netns, a name, or one of { name }, { path }, { pid }, { fd }');
}

/** A new transport on the namespace ref names (a handle's own is duplicated); the caller closes it. */
export async function openRef(ref: NetnsRef): Promise<Transport> {
  if (isNetnsHandle(ref)) return ref[TRANSPORT].dup();
  const where = describeRef(ref);
  return where.fd !== undefined ? Transport.openFd(where.fd) : Transport.open(where.path, where.name);
}

/** A transport for ref: a handle's own when ref is one, else a new one that release() closes. */
export async function borrow(ref: NetnsRef): Promise<{ transport: Transport; release(): Promise<void> }> {
  if (isNetnsHandle(ref)) return { transport: ref[TRANSPORT], release: async () => {} };
  const transport = await openRef(ref);
  return { transport, release: () => transport.close() };
}
