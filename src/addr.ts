// ns.addresses: IPv4/IPv6 addresses on links, like `ip address`.
import { NLM_F, RTM, SCOPES } from './constants';
import { NetlinkError } from './errors';
import { afOf, familyOf, type Family, parseAddress, parseCidr } from './ip';
import { NETLINK_ROUTE, Transport, type WireMessage } from './kernel/transport';
import type { LinkLookup, LinkRef } from './link/ref';
import { checkBoolean, checkInteger, checkKeys, checkObject, checkOneOf, checkString, rangeError } from './validate';

/**
 * IFA_F_* (linux/if_addr.h), named as `ip address` names them. ip never prints "permanent": it
 * prints "dynamic" for an address without IFA_F_PERMANENT (one with a finite lifetime).
 */
const ADDR_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['secondary', 0x01], ['nodad', 0x02], ['optimistic', 0x04], ['dadfailed', 0x08], ['home', 0x10],
  ['deprecated', 0x20], ['tentative', 0x40], ['mngtmpaddr', 0x100],
  ['noprefixroute', 0x200], ['autojoin', 0x400], ['stable-privacy', 0x800],
];
const IFA_F_PERMANENT = 0x80;
const FOREVER = 0xffffffff;

export interface AddressOptions {
  /** Point-to-point peer (`peer ADDR[/len]`). */
  peer?: string;
  broadcast?: string;
  label?: string;
  scope?: 'global' | 'site' | 'link' | 'host' | number;
  noDad?: boolean;
  noPrefixRoute?: boolean;
  home?: boolean;
  mngtmpaddr?: boolean;
  autojoin?: boolean;
  /** Seconds; omitted = forever. */
  validLifetime?: number;
  preferredLifetime?: number;
}

export interface Address {
  /** ifindex of the link. */
  link: number;
  family: Family;
  address: string;
  prefixLength: number;
  peer?: string;
  broadcast?: string;
  label?: string;
  scope: string;
  /** ip's names: 'dynamic' (finite lifetime), 'nodad', 'noprefixroute', 'secondary', 'tentative', … */
  flags: string[];
  /** Seconds left; 4294967295 = forever (as ip -j prints). */
  validLifetime: number;
  preferredLifetime: number;
}

const OPTION_KEYS = ['peer', 'broadcast', 'label', 'scope', 'noDad', 'noPrefixRoute', 'home', 'mngtmpaddr', 'autojoin', 'validLifetime', 'preferredLifetime'] as const;

function scopeNumber(field: string, scope: unknown): number {
  if (typeof scope === 'number') return checkInteger(field, scope, 0, 255);
  return SCOPES[checkOneOf(field, scope, ['global', 'site', 'link', 'host'])];
}

export const scopeName = (n: number): string => Object.keys(SCOPES).find((k) => SCOPES[k] === n && k !== 'universe') ?? String(n);

export class Addresses {
  readonly #t: Transport;
  readonly #links: LinkLookup;

  constructor(transport: Transport, links: LinkLookup) {
    this.#t = transport;
    this.#links = links;
  }

  /** Like `ip address add CIDR dev LINK [options]`. */
  async add(link: LinkRef, cidr: string, options: AddressOptions = {}): Promise<void> {
    await this.#send(await addressMessage(this.#links, link, cidr, options, NLM_F.CREATE | NLM_F.EXCL), 'address.add');
  }

  /** Like `ip address replace`: adds, or updates an existing address's options. */
  async replace(link: LinkRef, cidr: string, options: AddressOptions = {}): Promise<void> {
    await this.#send(await addressMessage(this.#links, link, cidr, options, NLM_F.CREATE | NLM_F.REPLACE), 'address.replace');
  }

  /** Like `ip address del CIDR dev LINK`. */
  async delete(link: LinkRef, cidr: string): Promise<void> {
    const c = parseCidr('cidr', cidr);
    const index = await this.#links.index(link, 'address.delete', 'link');
    await this.#send({
      type: RTM.DELADDR, flags: NLM_F.REQUEST,
      header: { family: afOf(c.family), prefixlen: c.prefixLength, index },
      attrs: { local: c.address },
    }, 'address.delete');
  }

  /** Addresses, optionally of one link and/or one family (the kernel filters by both). */
  async list(filter: { link?: LinkRef; family?: Family } = {}): Promise<Address[]> {
    checkKeys('filter', checkObject('filter', filter), ['link', 'family']);
    if (filter.family !== undefined && filter.family !== 4 && filter.family !== 6) throw rangeError('filter.family', filter.family, 'is not 4 or 6');
    const index = filter.link === undefined ? 0 : await this.#links.index(filter.link, 'address.list', 'filter.link');
    const replies = await this.#t.request(NETLINK_ROUTE, {
      type: RTM.GETADDR, flags: NLM_F.REQUEST | NLM_F.DUMP,
      header: { family: filter.family === undefined ? 0 : afOf(filter.family), index },
    }, 'address.list');
    return replies.filter((r) => r.type === RTM.NEWADDR).map(decodeAddress)
      .filter((a) => index === 0 || a.link === index);
  }

  /** Removes every address of a link (optionally one family), like `ip address flush dev LINK`. */
  async flush(link: LinkRef, filter: { family?: Family } = {}): Promise<void> {
    const addresses = await this.list({ link, family: filter.family });
    // All deletions in one sendmsg. A secondary address goes away with its primary, so deleting
    // it afterwards answers EADDRNOTAVAIL: for a flush, that is success.
    const [answers] = await Transport.chain([{
      netns: this.#t,
      protocol: NETLINK_ROUTE,
      items: addresses.map((a) => ({
        message: { type: RTM.DELADDR, flags: NLM_F.REQUEST, header: { family: afOf(a.family), prefixlen: a.prefixLength, index: a.link }, attrs: { local: a.address } },
        operation: 'address.flush',
      })),
    }]);
    for (const a of answers) {
      if (a instanceof NetlinkError && a.code !== 'EADDRNOTAVAIL') throw a;
    }
  }

  async #send(message: WireMessage, operation: string): Promise<void> {
    await this.#t.request(NETLINK_ROUTE, message, operation);
  }
}

/**
 * RTM_NEWADDR as `ip address add/replace` builds it; `create` is its NLM_F_CREATE/EXCL/REPLACE.
 * Links builds a veth peer's addresses with it too (the link then given by ifindex).
 */
export async function addressMessage(links: Pick<LinkLookup, 'index'>, link: LinkRef, cidr: string, options: AddressOptions, create: number): Promise<WireMessage> {
  const m = addressMessageFor(0, cidr, options, create); // checked whole before the link is looked up
  (m.header as { index: number }).index = await links.index(link, 'address.add', 'link');
  return m;
}

/** addressMessage for a link given by ifindex: no lookup, so no turn of the event loop. */
export function addressMessageFor(index: number, cidr: string, options: AddressOptions, create: number): WireMessage {
  const c = parseCidr('cidr', cidr);
  const o = checkObject('options', options);
  checkKeys('options', o, OPTION_KEYS);
  const peer = options.peer === undefined ? undefined : parseCidr('options.peer', options.peer);
  const broadcast = options.broadcast === undefined ? undefined : parseAddress('options.broadcast', options.broadcast);
  for (const [field, other] of [['options.peer', peer], ['options.broadcast', broadcast]] as const) {
    if (other && other.family !== c.family) throw rangeError(field, (options as Record<string, unknown>)[field.slice(8)], `is IPv${other.family}, the address is IPv${c.family}`);
  }
  if (options.label !== undefined) {
    const label = checkString('options.label', options.label);
    if (Buffer.byteLength(label) > 15) throw rangeError('options.label', label, 'is over 15 bytes');
  }
  for (const k of ['noDad', 'noPrefixRoute', 'home', 'mngtmpaddr', 'autojoin'] as const) if (o[k] !== undefined) checkBoolean(`options.${k}`, o[k]);
  const valid = options.validLifetime === undefined ? undefined : checkInteger('options.validLifetime', options.validLifetime, 0, FOREVER);
  const preferred = options.preferredLifetime === undefined ? undefined : checkInteger('options.preferredLifetime', options.preferredLifetime, 0, FOREVER);
  if (valid !== undefined && preferred !== undefined && preferred > valid) throw rangeError('options.preferredLifetime', preferred, `is longer than validLifetime ${valid}`);
  const scope = options.scope === undefined ? 0 : scopeNumber('options.scope', options.scope);
  let flags = 0;
  if (options.noDad) flags |= 0x02;
  if (options.home) flags |= 0x10;
  if (options.mngtmpaddr) flags |= 0x100;
  if (options.noPrefixRoute) flags |= 0x200;
  if (options.autojoin) flags |= 0x400;
  return {
    type: RTM.NEWADDR,
    flags: NLM_F.REQUEST | create,
    header: { family: afOf(c.family), prefixlen: peer ? peer.prefixLength : c.prefixLength, flags: flags & 0xff, scope, index },
    // As ip sends it: IFA_LOCAL, then IFA_ADDRESS (the peer for point-to-point).
    attrs: {
      local: c.address,
      address: peer ? peer.address : c.address,
      broadcast: broadcast?.address,
      label: options.label,
      cacheinfo: valid === undefined && preferred === undefined ? undefined : { preferred: preferred ?? valid ?? FOREVER, valid: valid ?? FOREVER },
      flags: flags > 0xff ? flags : undefined,
    },
  };
}

export function decodeAddress(m: WireMessage): Address {
  const h = m.header as Record<string, number>;
  const a = (m.attrs ?? {}) as Record<string, any>;
  const family = familyOf(h.family);
  const flagBits = (a.flags as number | undefined) ?? h.flags;
  const local = (a.local ?? a.address) as string;
  const out: Address = {
    link: h.index,
    family,
    address: local,
    prefixLength: h.prefixlen,
    scope: scopeName(h.scope),
    flags: [
      ...(flagBits & IFA_F_PERMANENT ? [] : ['dynamic']),
      ...ADDR_FLAGS.filter(([, bit]) => flagBits & bit).map(([name]) => name),
    ],
    validLifetime: a.cacheinfo?.valid ?? FOREVER,
    preferredLifetime: a.cacheinfo?.preferred ?? FOREVER,
  };
  if (a.local !== undefined && a.address !== undefined && a.address !== a.local) out.peer = a.address;
  if (a.broadcast !== undefined) out.broadcast = a.broadcast;
  if (a.label !== undefined) out.label = a.label;
  return out;
}
