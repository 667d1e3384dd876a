// Argument checks that run before anything is sent. Each error names the field and the value.

let net: typeof import('node:net') | undefined;

/** net.isIP: 4, 6, or 0 for no address. node:net (and the streams under it) loads on the first call, not with the package. */
export function ipVersion(s: string): number {
  net ??= require('node:net') as typeof import('node:net');
  return net.isIP(s);
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v));

export function typeError(field: string, value: unknown, expected: string): TypeError {
  return new TypeError(`${field}: expected ${expected}, got ${show(value)}`);
}

export function rangeError(field: string, value: unknown, why: string): RangeError {
  return new RangeError(`${field}: ${show(value)} ${why}`);
}

export function checkString(field: string, value: unknown): string {
  if (typeof value !== 'string') throw typeError(field, value, 'a string');
  return value;
}

export function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(field, value, 'an integer');
  if (value < min || value > max) throw rangeError(field, value, `is out of range (${min}–${max})`);
  return value;
}

export function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw typeError(field, value, 'a boolean');
  return value;
}

/** Rejects keys the caller misspelled: `{ mut: 1500 }` names "mut" instead of being ignored. */
export function checkKeys(field: string, value: object, allowed: readonly string[]): void {
  for (const key in value) {
    if (Object.hasOwn(value, key) && !allowed.includes(key)) {
      throw new TypeError(`${field}: unknown option ${JSON.stringify(key)} (known: ${allowed.join(', ')})`);
    }
  }
}

export function checkArray(field: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw typeError(field, value, 'an array');
  return value;
}

export function checkObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw typeError(field, value, 'an object');
  return value as Record<string, unknown>;
}

/** Interface names as the kernel's dev_valid_name() accepts them: 1–15 bytes, no '/', ':' or whitespace, not '.' or '..'. */
export function checkIfname(field: string, value: unknown): string {
  const name = checkString(field, value);
  const bytes = Buffer.byteLength(name);
  if (bytes === 0) throw rangeError(field, name, 'is empty: an interface name needs 1–15 bytes');
  if (bytes > 15) throw rangeError(field, name, `is ${bytes} bytes long: an interface name has at most 15`);
  if (name === '.' || name === '..') throw rangeError(field, name, 'is not allowed as an interface name');
  const bad = /[/:\s\0]/u.exec(name);
  if (bad) throw rangeError(field, name, `contains ${JSON.stringify(bad[0])}, which an interface name cannot`);
  return name;
}

/** Namespace names as files under /run/netns: 1–255 bytes, no '/', NUL, not '.' or '..'. */
export function checkNetnsName(field: string, value: unknown): string {
  const name = checkString(field, value);
  const bytes = Buffer.byteLength(name);
  if (bytes === 0) throw rangeError(field, name, 'is empty: a namespace name needs 1–255 bytes');
  if (bytes > 255) throw rangeError(field, name, `is ${bytes} bytes long: a namespace name has at most 255`);
  if (name === '.' || name === '..') throw rangeError(field, name, 'is not allowed as a namespace name');
  if (name.includes('/')) throw rangeError(field, name, 'contains "/", which a namespace name cannot');
  if (name.includes('\0')) throw rangeError(field, name, 'contains a NUL byte, which a namespace name cannot');
  return name;
}

/** An Ethernet address for an interface: 6 bytes, hex pairs separated by ':', unicast. */
export function checkMac(field: string, value: unknown): string {
  const mac = checkString(field, value);
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/iu.test(mac)) {
    throw rangeError(field, mac, 'is not a MAC address (six hex pairs like 02:42:ac:11:00:02)');
  }
  if (parseInt(mac.slice(0, 2), 16) & 1) throw rangeError(field, mac, 'is a multicast address; an interface needs a unicast one');
  if (/^(00:){5}00$/u.test(mac)) throw rangeError(field, mac, 'is all zeros; an interface needs a real address');
  return mac.toLowerCase();
}

/** MTU: 68 (the IPv4 minimum) up to 65535 (the kernel checks each device's own limits too). */
export function checkMtu(field: string, value: unknown): number {
  return checkInteger(field, value, 68, 65535);
}

export function checkU32(field: string, value: unknown): number {
  return checkInteger(field, value, 0, 0xffffffff);
}

/** A 64-bit count (a counter's packets or bytes): a bigint 0–2^64-1. */
export function checkU64(field: string, value: unknown): bigint {
  if (typeof value !== 'bigint') throw typeError(field, value, 'a bigint');
  if (value < 0n || value > 0xffffffffffffffffn) throw rangeError(field, value, 'is out of range (0–2^64-1)');
  return value;
}

export function checkOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw rangeError(field, value, `is not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  return value as T;
}

/** An IPv4 or IPv6 address (no prefix). */
export function checkIp(field: string, value: unknown): string {
  const s = checkString(field, value);
  if (ipVersion(s) === 0) throw rangeError(field, s, 'is not an IPv4 or IPv6 address');
  return s;
}
