// Short names derived from the network and the attachment, so that what ADD made is found again by
// DEL, CHECK and GC without any state of our own: the host veth's name, its alias and the nft rules'
// comments. Hashes keep hostile or long IDs out of names and comments.
import { createHash } from 'node:crypto';

const hash = (...parts: string[]): string => createHash('sha256').update(parts.join('\0')).digest('hex');

/** 8 hex digits naming the network in aliases and comments. */
export const networkTag = (network: string): string => hash('net', network).slice(0, 8);

/** 16 hex digits naming one attachment (network, container, interface). */
export const attachmentTag = (network: string, containerId: string, ifname: string): string => hash('att', network, containerId, ifname).slice(0, 16);

/** The host end of the attachment's veth: "veth" and 11 hex digits (15 bytes, the kernel's limit). */
export const hostVethName = (network: string, containerId: string, ifname: string): string => `veth${attachmentTag(network, containerId, ifname).slice(0, 11)}`;

/** What the host veth's alias and the nft rules' comments say: "nln-cni <network tag> <attachment tag>". */
export const marker = (network: string, containerId: string, ifname: string): string => `nln-cni ${networkTag(network)} ${attachmentTag(network, containerId, ifname)}`;

/** The network and attachment tags of a marker, or undefined for anything else. */
export function parseMarker(text: string | undefined): { network: string; attachment: string } | undefined {
  const m = /^nln-cni ([0-9a-f]{8}) ([0-9a-f]{16})$/.exec(text ?? '');
  return m ? { network: m[1], attachment: m[2] } : undefined;
}
