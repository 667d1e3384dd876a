// Which CNI spec versions the plugin speaks, and the VERSION command's answer.
import { CNI_ERR, CniError } from './errors';

export const SUPPORTED_VERSIONS = ['0.4.0', '1.0.0', '1.1.0'] as const;
export type CniVersion = (typeof SUPPORTED_VERSIONS)[number];
export const LATEST: CniVersion = '1.1.0';

/** The config's cniVersion, refused (code 1) unless it is one the plugin speaks. */
export function negotiate(requested: unknown): CniVersion {
  if (typeof requested !== 'string') throw new CniError(CNI_ERR.invalidConfig, 'cniVersion missing or not a string', `cniVersion: ${JSON.stringify(requested) ?? 'undefined'}`);
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(requested)) {
    throw new CniError(CNI_ERR.incompatibleVersion, `incompatible CNI versions; config is "${requested}", plugin supports ${JSON.stringify(SUPPORTED_VERSIONS)}`);
  }
  return requested as CniVersion;
}

/**
 * VERSION: the spec has the runtime send `{"cniVersion": …}` on stdin; the answer echoes a version
 * the plugin speaks (the runtime's when it is one, else the latest) and lists them all.
 */
export function versionInfo(requested: unknown): { cniVersion: string; supportedVersions: string[] } {
  const cniVersion = typeof requested === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(requested) ? requested : LATEST;
  return { cniVersion, supportedVersions: [...SUPPORTED_VERSIONS] };
}

/** 0.4.0 results carry ips[].version; 1.0.0 dropped it. */
export const hasIpVersionField = (v: CniVersion): boolean => v === '0.4.0';
