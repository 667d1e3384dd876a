// The network configuration on stdin: the reference bridge plugin's keys, host-local IPAM and the
// runtime's portMappings, checked whole before anything is touched. Errors are the spec's codes:
// 6 (not JSON), 7 (a value is wrong), 2 (a field this plugin does not support), 1 (cniVersion).
import { parseAddress, parseCidr, type Family, networkOf } from '../ip';
import { checkIfname } from '../validate';
import { badConfig, CNI_ERR, CniError } from './errors';
import { formatAddress, fromInt, lastUsable, toInt } from './ip-int';
import { type CniVersion, negotiate } from './version';

/** One host-local range: [rangeStart, rangeEnd] of subnet, as integers. */
export interface IpRange {
  family: Family;
  /** Network address and prefix, e.g. "198.18.0.0/24". */
  subnet: string;
  prefixLength: number;
  start: bigint;
  end: bigint;
  gateway: bigint;
}

export interface RouteConf {
  dst: string;
  family: Family;
  gw?: string;
}

export interface IpamConf {
  /** Range sets: one address is allocated from each set (host-local's `ranges`). */
  rangeSets: IpRange[][];
  routes: RouteConf[];
  dataDir: string;
}

export interface PortMappingConf {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIP?: string;
}

export interface Attachment {
  containerId: string;
  ifname: string;
}

export interface NetConf {
  cniVersion: CniVersion;
  name: string;
  type: string;
  bridge: string;
  isGateway: boolean;
  isDefaultGateway: boolean;
  forceAddress: boolean;
  ipMasq: boolean;
  mtu?: number;
  hairpinMode: boolean;
  promiscMode: boolean;
  ipam: IpamConf;
  dns: Record<string, unknown>;
  portMappings: PortMappingConf[];
  /** GC: the attachments to keep (cni.dev/valid-attachments). */
  validAttachments?: Attachment[];
  /** Set when this plugin is chained after another: the result so far. */
  prevResult?: Record<string, unknown>;
}

/** Largest config accepted on stdin; a network config is a few hundred bytes. */
export const MAX_STDIN = 1 << 20;
/** The spec's network name: ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$ (it names a directory of the store). */
const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const DEFAULT_DATA_DIR = '/var/lib/cni/networks';
/** Bridge-plugin keys this plugin cannot honour: refused (code 2) rather than silently ignored. */
const UNSUPPORTED = ['vlan', 'vlanTrunk', 'macspoofchk', 'preserveDefaultVlan'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function object(field: string, v: unknown): Record<string, unknown> {
  if (!isObject(v)) throw badConfig(`${field} must be an object`, `${field}: ${JSON.stringify(v)}`);
  return v;
}
function bool(o: Record<string, unknown>, key: string, fallback = false): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw badConfig(`${key} must be true or false`, `${key}: ${JSON.stringify(v)}`);
  return v;
}
/** The library's checks (TypeError/RangeError naming field and value) said as the spec's code 7. */
function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw badConfig(err.message);
    throw err;
  }
}

export function parseJson(stdin: string): Record<string, unknown> {
  if (stdin.length > MAX_STDIN) throw new CniError(CNI_ERR.decoding, `network config is ${stdin.length} bytes, over the ${MAX_STDIN} accepted`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(CNI_ERR.decoding, 'failed to decode the network config', (err as Error).message);
  }
  if (!isObject(parsed)) throw new CniError(CNI_ERR.decoding, 'the network config is not a JSON object');
  return parsed;
}

function parseRange(field: string, r: Record<string, unknown>): IpRange {
  return checked(() => {
    const c = parseCidr(`${field}.subnet`, r.subnet);
    const bits = c.family === 4 ? 32 : 128;
    if (c.prefixLength > bits - 2) throw badConfig(`${field}.subnet ${String(r.subnet)} is too small to allocate from`);
    const net = networkOf(c.bytes, c.prefixLength);
    if (!net.equals(c.bytes)) throw badConfig(`${field}.subnet ${String(r.subnet)} has host bits set (the network is ${formatAddress(net)}/${c.prefixLength})`);
    const network = toInt(net);
    const last = lastUsable(network, c.prefixLength, c.family) + (c.family === 4 ? 1n : 0n);
    const inside = (key: string, fallback: bigint): bigint => {
      if (r[key] === undefined) return fallback;
      const a = parseAddress(`${field}.${key}`, r[key]);
      const n = toInt(a.bytes);
      if (a.family !== c.family || n < network || n > last) throw badConfig(`${field}.${key} ${String(r[key])} is not in ${String(r.subnet)}`);
      return n;
    };
    const start = inside('rangeStart', network + 1n);
    const end = inside('rangeEnd', lastUsable(network, c.prefixLength, c.family));
    if (start > end) throw badConfig(`${field}.rangeStart ${String(r.rangeStart)} is after rangeEnd ${String(r.rangeEnd)}`);
    return { family: c.family, subnet: `${formatAddress(net)}/${c.prefixLength}`, prefixLength: c.prefixLength, start, end, gateway: inside('gateway', network + 1n) };
  });
}

function parseIpam(v: unknown): IpamConf {
  const ipam = object('ipam', v);
  if (ipam.type !== 'host-local') throw new CniError(CNI_ERR.unsupportedField, `ipam type ${JSON.stringify(ipam.type)} is not supported (only host-local, handled in-process)`);
  // host-local's older form: one range on the ipam object itself.
  const rawSets = ipam.ranges ?? (ipam.subnet !== undefined ? [[{ subnet: ipam.subnet, rangeStart: ipam.rangeStart, rangeEnd: ipam.rangeEnd, gateway: ipam.gateway }]] : undefined);
  if (!Array.isArray(rawSets) || rawSets.length === 0) throw badConfig('ipam.ranges must be a non-empty array of range sets');
  const rangeSets = rawSets.map((set, i) => {
    if (!Array.isArray(set) || set.length === 0) throw badConfig(`ipam.ranges[${i}] must be a non-empty array of ranges`);
    const ranges = set.map((r, j) => parseRange(`ipam.ranges[${i}][${j}]`, object(`ipam.ranges[${i}][${j}]`, r)));
    if (ranges.some((r) => r.family !== ranges[0].family)) throw badConfig(`ipam.ranges[${i}] mixes IPv4 and IPv6 ranges`);
    for (let a = 0; a < ranges.length; a++) {
      for (let b = a + 1; b < ranges.length; b++) {
        if (ranges[a].start <= ranges[b].end && ranges[b].start <= ranges[a].end) throw badConfig(`ipam.ranges[${i}]: ranges ${a} and ${b} overlap`);
      }
    }
    return ranges;
  });
  const routes = (ipam.routes === undefined ? [] : Array.isArray(ipam.routes) ? ipam.routes : (() => { throw badConfig('ipam.routes must be an array'); })())
    .map((r: unknown, i: number) => checked(() => {
      const o = object(`ipam.routes[${i}]`, r);
      const c = parseCidr(`ipam.routes[${i}].dst`, o.dst);
      const dst = `${formatAddress(networkOf(c.bytes, c.prefixLength))}/${c.prefixLength}`;
      if (o.gw === undefined) return { dst, family: c.family };
      const gw = parseAddress(`ipam.routes[${i}].gw`, o.gw);
      if (gw.family !== c.family) throw badConfig(`ipam.routes[${i}].gw ${String(o.gw)} is not the family of ${String(o.dst)}`);
      return { dst, family: c.family, gw: gw.address };
    }));
  const dataDir = ipam.dataDir ?? DEFAULT_DATA_DIR;
  if (typeof dataDir !== 'string' || !dataDir.startsWith('/') || dataDir.includes('\0')) throw badConfig('ipam.dataDir must be an absolute path', `dataDir: ${JSON.stringify(dataDir)}`);
  return { rangeSets, routes, dataDir };
}

function parsePortMappings(runtimeConfig: unknown): PortMappingConf[] {
  if (runtimeConfig === undefined) return [];
  const rc = object('runtimeConfig', runtimeConfig);
  if (rc.portMappings === undefined || rc.portMappings === null) return [];
  if (!Array.isArray(rc.portMappings)) throw badConfig('runtimeConfig.portMappings must be an array');
  return rc.portMappings.map((m: unknown, i: number) => {
    const o = object(`runtimeConfig.portMappings[${i}]`, m);
    const port = (key: string) => {
      const p = o[key];
      if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) throw badConfig(`runtimeConfig.portMappings[${i}].${key} must be a port 1-65535`, `${key}: ${JSON.stringify(p)}`);
      return p;
    };
    const protocol = String(o.protocol ?? 'tcp').toLowerCase();
    if (protocol !== 'tcp' && protocol !== 'udp') throw new CniError(CNI_ERR.unsupportedField, `runtimeConfig.portMappings[${i}].protocol ${JSON.stringify(o.protocol)} is not supported (tcp, udp)`);
    const hostIP = o.hostIP === undefined || o.hostIP === '' ? undefined : checked(() => parseAddress(`runtimeConfig.portMappings[${i}].hostIP`, o.hostIP).address);
    return { hostPort: port('hostPort'), containerPort: port('containerPort'), protocol, ...(hostIP ? { hostIP } : {}) };
  });
}

function parseAttachments(v: unknown): Attachment[] {
  if (!Array.isArray(v)) throw badConfig('cni.dev/valid-attachments must be an array');
  return v.map((a: unknown, i: number) => {
    const o = object(`cni.dev/valid-attachments[${i}]`, a);
    if (typeof o.containerID !== 'string' || typeof o.ifname !== 'string') throw badConfig(`cni.dev/valid-attachments[${i}] needs containerID and ifname strings`);
    return { containerId: o.containerID, ifname: o.ifname };
  });
}

/** The whole config, checked; nothing is touched before this returns. */
export function parseNetConf(raw: Record<string, unknown>): NetConf {
  const cniVersion = negotiate(raw.cniVersion);
  if (typeof raw.name !== 'string' || !NETWORK_NAME.test(raw.name) || raw.name.length > 255) {
    throw badConfig('name must be letters, digits, ".", "_" and "-" (it names a directory of the IPAM store)', `name: ${JSON.stringify(raw.name)}`);
  }
  if (typeof raw.type !== 'string') throw badConfig('type must be a string');
  for (const key of UNSUPPORTED) {
    if (raw[key] !== undefined && raw[key] !== null && raw[key] !== false && raw[key] !== 0) throw new CniError(CNI_ERR.unsupportedField, `${key} is not supported by this plugin`);
  }
  const bridge = raw.bridge === undefined ? 'cni0' : checked(() => checkIfname('bridge', raw.bridge));
  let mtu: number | undefined;
  if (raw.mtu !== undefined && raw.mtu !== 0) {
    if (typeof raw.mtu !== 'number' || !Number.isInteger(raw.mtu) || raw.mtu < 68 || raw.mtu > 65535) throw badConfig('mtu must be an integer 68-65535', `mtu: ${JSON.stringify(raw.mtu)}`);
    mtu = raw.mtu;
  }
  if (raw.ipam === undefined) throw badConfig('ipam is missing: this plugin allocates addresses with host-local');
  const isDefaultGateway = bool(raw, 'isDefaultGateway');
  const dns = raw.dns === undefined ? {} : object('dns', raw.dns);
  const prevResult = raw.prevResult === undefined || raw.prevResult === null ? undefined : object('prevResult', raw.prevResult);
  return {
    cniVersion, name: raw.name, type: raw.type, bridge,
    // As the bridge plugin: a default gateway is a gateway.
    isGateway: bool(raw, 'isGateway') || isDefaultGateway, isDefaultGateway,
    forceAddress: bool(raw, 'forceAddress'), ipMasq: bool(raw, 'ipMasq'), ...(mtu ? { mtu } : {}),
    hairpinMode: bool(raw, 'hairpinMode'), promiscMode: bool(raw, 'promiscMode'),
    ipam: parseIpam(raw.ipam), dns, portMappings: parsePortMappings(raw.runtimeConfig),
    ...(raw['cni.dev/valid-attachments'] !== undefined ? { validAttachments: parseAttachments(raw['cni.dev/valid-attachments']) } : {}),
    ...(prevResult ? { prevResult } : {}),
  };
}

export const gatewayText = (r: IpRange): string => formatAddress(fromInt(r.gateway, r.family));
