// What the host end of an endpoint's veth carries in its alias ("nln:" + JSON): which namespace
// and interface it serves and its addresses, so that the endpoint is known from the kernel alone,
// even after its namespace is gone.
import * as fs from 'node:fs';
import { NETNS_RUN_DIR } from '../netns';

export interface EndpointRecord {
  /** The container namespace's name; for an anonymous one, its inode as a string (ino then says so). */
  ns: string;
  /** The namespace's inode when attached: tells a namespace from a later one given the same name. */
  ino?: number;
  /** Whether `ns` is a name under /run/netns (false: an anonymous namespace, alive while its veth is). */
  named?: boolean;
  ifname: string;
  address: string;
  /** On a dual-stack network, the endpoint's IPv6 address (address is then its IPv4 one). */
  address6?: string;
}

const PREFIX = 'nln:';

export function aliasOf(r: EndpointRecord): string {
  return PREFIX + JSON.stringify(r);
}

export function parseAlias(alias: string | undefined): EndpointRecord | undefined {
  if (!alias?.startsWith(PREFIX)) return undefined;
  try {
    const r = JSON.parse(alias.slice(PREFIX.length)) as EndpointRecord;
    return typeof r.ns === 'string' && typeof r.address === 'string' && typeof r.ifname === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the endpoint's namespace is gone: its name no longer under /run/netns, or naming another
 * namespace now. An anonymous namespace lives as long as its veth end does.
 */
export function namespaceGone(r: EndpointRecord): boolean {
  const named = r.named ?? !/^\d+$/.test(r.ns);
  if (!named) return false;
  try {
    const ino = fs.statSync(`${NETNS_RUN_DIR}/${r.ns}`).ino;
    return r.ino !== undefined && ino !== r.ino;
  } catch {
    return true;
  }
}
