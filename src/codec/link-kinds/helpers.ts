// Small pieces the kind files share: option checks and the conversions between option values,
// attribute values and what `ip -j -d` prints.
import { checkBoolean, checkIfname, checkInteger } from '../../validate';
import type { Attrs, Spec } from './kind';

/** A boolean option as a u8 switch; undefined stays absent. */
export const bool = (b: unknown): number | undefined => (b === undefined ? undefined : b ? 1 : 0);

/** The number a name stands for in a kind's table of names (MACVLAN_MODES…); undefined stays absent. */
export const numberOf = <T extends Record<string, number>>(table: T, name: unknown): number | undefined =>
  (name === undefined ? undefined : table[name as keyof T]);

/** The name ip prints for a number; a number with no name stays a number. */
export const nameOf = (table: Record<string, number>, value: unknown): unknown =>
  Object.keys(table).find((k) => table[k] === value) ?? value;

export const optional = (spec: Spec, key: string, check: (field: string, v: unknown) => unknown): void => {
  if (spec[key] !== undefined) check(key, spec[key]);
};
export const flags = (spec: Spec, keys: readonly string[]): void => keys.forEach((k) => optional(spec, k, checkBoolean));
export const checkVni = (field: string, v: unknown): number => checkInteger(field, v, 0, 0xffffff);
export const checkPort = (field: string, v: unknown): number => checkInteger(field, v, 1, 65535);
export const checkU8 = (field: string, v: unknown): number => checkInteger(field, v, 0, 255);

export function checkLinkRef(field: string, ref: unknown): string | number {
  if (typeof ref === 'number') return checkInteger(field, ref, 1, 0x7fffffff);
  if (typeof ref === 'string') return checkIfname(field, ref);
  throw new TypeError(`${field}: expected an interface name or ifindex, got ${JSON.stringify(ref)}`);
}

export function checkParent(spec: Spec): void {
  if (spec.parent === undefined) throw new TypeError(`parent: required for kind "${String(spec.kind)}" (the link it sits on)`);
  checkLinkRef('parent', spec.parent);
}

export function required(spec: Spec, key: string): void {
  if (spec[key] === undefined) throw new TypeError(`${key}: required for kind "${String(spec.kind)}"`);
}

/** 64-bit kernel counters that are really small numbers (timers, intervals) become numbers. */
export function plain(raw: Attrs): Attrs {
  const out: Attrs = {};
  for (const k in raw) {
    const v = raw[k];
    out[k] = typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

/** u8 switches ip prints as true/false. */
export function booleans(raw: Attrs, keys: readonly string[]): Attrs {
  for (const k of keys) if (typeof raw[k] === 'number') raw[k] = raw[k] !== 0;
  return raw;
}
