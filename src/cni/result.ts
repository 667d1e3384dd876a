// The ADD result in the spec's shape for the negotiated version, merged after prevResult when
// this plugin is chained behind another.
import type { NetConf } from './config';
import type { Allocation } from './host-local-allocator';
import type { ContainerRoute } from './routes';
import { type CniVersion, hasIpVersionField } from './version';

export interface CniInterface { name: string; mac?: string; sandbox?: string }
export interface CniIp { address: string; gateway?: string; interface?: number; version?: string }
export interface CniResult {
  cniVersion: string;
  interfaces: CniInterface[];
  ips: CniIp[];
  routes: ContainerRoute[];
  dns: Record<string, unknown>;
}

export interface AddOutcome {
  bridge: { name: string; mac?: string };
  host: { name: string; mac?: string };
  container: { name: string; mac?: string; sandbox: string };
  allocations: Allocation[];
  routes: ContainerRoute[];
}

const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

export function buildResult(conf: NetConf, o: AddOutcome): CniResult {
  const prev = conf.prevResult;
  const prevInterfaces = list<CniInterface>(prev?.interfaces);
  const base = prevInterfaces.length;
  const withVersion = hasIpVersionField(conf.cniVersion);
  const ips: CniIp[] = o.allocations.map((a) => ({
    ...(withVersion ? { version: String(a.family) } : {}),
    address: `${a.address}/${a.prefixLength}`, gateway: a.gateway, interface: base + 2,
  }));
  const prevIps = list<CniIp>(prev?.ips).map((ip) => (withVersion && !ip.version ? { ...ip, version: ip.address?.includes(':') ? '6' : '4' } : ip));
  const dns = Object.keys(conf.dns).length || !prev?.dns ? conf.dns : (prev.dns as Record<string, unknown>);
  return {
    cniVersion: conf.cniVersion as CniVersion,
    interfaces: [...prevInterfaces, o.bridge, o.host, o.container],
    ips: [...(withVersion ? prevIps : prevIps.map(({ version: _v, ...ip }) => ip)), ...ips],
    routes: [...list<ContainerRoute>(prev?.routes), ...o.routes],
    dns,
  };
}
