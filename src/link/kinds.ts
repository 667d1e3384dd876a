// Per-kind knowledge for links.add: which options a kind takes, how they are checked, and the
// IFLA_INFO_DATA they become. Adding a kind is one entry here plus its table in native/core.
import { checkBoolean, checkIfname, checkInteger, checkKeys, checkMac, checkMtu, checkObject } from '../validate';
import { checkNetnsRef } from '../netns';
import type { LinkSpec } from './types';

export const COMMON_KEYS = ['kind', 'name', 'mtu', 'mac', 'master', 'up', 'netns', 'group', 'alias', 'txqueuelen'] as const;

interface KindEntry {
  /** Options beyond COMMON_KEYS. */
  keys: readonly string[];
  /** Throws TypeError/RangeError naming the field; runs before anything is sent. */
  check(spec: Record<string, unknown>): void;
  /** IFLA_INFO_DATA attributes (without anything that needs the kernel, like namespace fds). */
  data(spec: LinkSpec): Record<string, unknown> | undefined;
}

const bool = (b: boolean | undefined): number | undefined => (b === undefined ? undefined : b ? 1 : 0);

const KINDS: Record<string, KindEntry> = {
  veth: {
    keys: ['peer'],
    check(spec) {
      const peer = checkObject('peer', spec.peer);
      checkKeys('peer', peer, ['name', 'netns', 'mtu', 'mac', 'up']);
      checkIfname('peer.name', peer.name);
      if (peer.netns !== undefined) checkNetnsRef('peer.netns', peer.netns);
      if (peer.mtu !== undefined) checkMtu('peer.mtu', peer.mtu);
      if (peer.mac !== undefined) checkMac('peer.mac', peer.mac);
      if (peer.up !== undefined) checkBoolean('peer.up', peer.up);
    },
    data: () => undefined, // the peer needs its namespace fd: links.ts adds it
  },
  bridge: {
    keys: ['vlanFiltering', 'stp', 'forwardDelay', 'ageingTime', 'mcastSnooping', 'defaultPvid'],
    check(spec) {
      for (const k of ['vlanFiltering', 'stp', 'mcastSnooping'] as const) {
        if (spec[k] !== undefined) checkBoolean(k, spec[k]);
      }
      // Kernel limits: forward_delay 2–30 s, ageing 10 s–1,000,000 s (both in centiseconds here).
      if (spec.forwardDelay !== undefined) checkInteger('forwardDelay', spec.forwardDelay, 200, 3000);
      if (spec.ageingTime !== undefined) checkInteger('ageingTime', spec.ageingTime, 0, 100000000);
      if (spec.defaultPvid !== undefined) checkInteger('defaultPvid', spec.defaultPvid, 0, 4094);
    },
    data(spec) {
      if (spec.kind !== 'bridge') return undefined;
      const d = {
        forward_delay: spec.forwardDelay,
        ageing_time: spec.ageingTime,
        stp_state: bool(spec.stp),
        vlan_filtering: bool(spec.vlanFiltering),
        vlan_default_pvid: spec.defaultPvid,
        mcast_snooping: bool(spec.mcastSnooping),
      };
      return Object.values(d).some((v) => v !== undefined) ? d : undefined;
    },
  },
};

export function kindEntry(kind: unknown): KindEntry {
  if (typeof kind !== 'string') throw new TypeError(`kind: expected a string such as "veth" or "bridge", got ${String(kind)}`);
  const entry = KINDS[kind];
  if (!entry) throw new RangeError(`kind: "${kind}" is not a supported link kind (supported: ${Object.keys(KINDS).join(', ')})`);
  return entry;
}
