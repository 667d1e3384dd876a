// The text forms of Mac and IP attributes, exactly as the C library prints and parses them
// (inet_ntop / inet_pton, glibc's rules): what `ip` prints is what a decoded message holds.
// Formatting runs per attribute of a dump, so it builds strings from lookup tables, no arrays.

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push((i < 16 ? '0' : '') + i.toString(16));
const DEC: string[] = [];
for (let i = 0; i < 256; i++) DEC.push(String(i));

/** "aa:bb:…": each byte as two lowercase hex digits (any length; "" for none). */
export function formatMac(b: Uint8Array, start: number, end: number): string {
  if (end <= start) return '';
  if (end - start === 6) return mac6(b, start);
  let s = HEX2[b[start]];
  for (let i = start + 1; i < end; i++) s += ':' + HEX2[b[i]];
  return s;
}

// An Ethernet address (two per link in a dump, kept in each Link) as one flat string: built by +=
// it is a rope of five objects past 13 characters.
const HEX_CODES: number[] = [];
for (let i = 0; i < 16; i++) HEX_CODES.push(i.toString(16).charCodeAt(0));
const COLON = 58;
const BROADCAST = 'ff:ff:ff:ff:ff:ff';
function mac6(b: Uint8Array, at: number): string {
  const h = HEX_CODES;
  const x0 = b[at], x1 = b[at + 1], x2 = b[at + 2], x3 = b[at + 3], x4 = b[at + 4], x5 = b[at + 5];
  if ((x0 & x1 & x2 & x3 & x4 & x5) === 255) return BROADCAST; // every Ethernet link's broadcast
  return String.fromCharCode(
    h[x0 >> 4], h[x0 & 15], COLON, h[x1 >> 4], h[x1 & 15], COLON, h[x2 >> 4], h[x2 & 15], COLON,
    h[x3 >> 4], h[x3 & 15], COLON, h[x4 >> 4], h[x4 & 15], COLON, h[x5 >> 4], h[x5 & 15],
  );
}

function v4(b: Uint8Array, at: number): string {
  return DEC[b[at]] + '.' + DEC[b[at + 1]] + '.' + DEC[b[at + 2]] + '.' + DEC[b[at + 3]];
}

/** inet_ntop's text for 4 or 16 bytes; other lengths as formatMac does. */
export function formatIp(b: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len === 4) return v4(b, start);
  if (len !== 16) return formatMac(b, start, end);
  // The longest run of two or more zero groups (the first of equal ones) becomes "::".
  let best = -1;
  let bestLen = 0;
  let run = -1;
  for (let i = 0; i < 8; i++) {
    const zero = b[start + 2 * i] === 0 && b[start + 2 * i + 1] === 0;
    if (zero) {
      if (run < 0) run = i;
      if (i - run + 1 > bestLen) { best = run; bestLen = i - run + 1; }
    } else {
      run = -1;
    }
  }
  if (bestLen < 2) best = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      s += ':';
      i += bestLen - 1;
      if (i === 7) s += ':';
      continue;
    }
    if (i > 0) s += ':';
    // An IPv4-compatible (::a.b.c.d) or -mapped (::ffff:a.b.c.d) address ends in a dotted quad.
    if (i === 6 && best === 0 && (bestLen === 6 || (bestLen === 5 && b[start + 10] === 0xff && b[start + 11] === 0xff))) {
      return s + v4(b, start + 12);
    }
    s += ((b[start + 2 * i] << 8) | b[start + 2 * i + 1]).toString(16);
  }
  return s;
}

const hexDigit = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

/** The bytes of "aa:bb:…" (one or more hex pairs), or null. */
export function parseMac(s: string): Buffer | null {
  if (s.length < 2 || (s.length + 1) % 3 !== 0) return null;
  const out = Buffer.allocUnsafe((s.length + 1) / 3);
  for (let i = 0, k = 0; i < s.length; i += 3, k++) {
    const hi = hexDigit(s.charCodeAt(i));
    const lo = hexDigit(s.charCodeAt(i + 1));
    if (hi < 0 || lo < 0 || (i + 2 < s.length && s.charCodeAt(i + 2) !== 58 /* : */)) return null;
    out[k] = hi * 16 + lo;
  }
  return out;
}

// inet_pton4 over s[start, end) into out[at..at+4): four decimal octets, no leading zeros.
function pton4(s: string, start: number, end: number, out: Uint8Array, at: number): boolean {
  let octets = 0;
  let sawDigit = false;
  let cur = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (sawDigit && cur === 0) return false;
      cur = cur * 10 + (c - 48);
      if (cur > 255) return false;
      if (!sawDigit) {
        if (++octets > 4) return false;
        sawDigit = true;
      }
      out[at + octets - 1] = cur;
    } else if (c === 46 /* . */ && sawDigit) {
      if (octets === 4) return false;
      sawDigit = false;
      cur = 0;
    } else {
      return false;
    }
  }
  return octets === 4;
}

// inet_pton6: hex groups, one "::", an optional dotted quad in the last 32 bits; no zone id.
function pton6(s: string, end: number, out: Uint8Array): boolean {
  let i = 0;
  if (end === 0) return false;
  if (s.charCodeAt(0) === 58) {
    if (end < 2 || s.charCodeAt(1) !== 58) return false;
    i = 1;
  }
  let tp = 0;
  let colon = -1;
  let curtok = i;
  let digits = 0;
  let val = 0;
  while (i < end) {
    const c = s.charCodeAt(i++);
    const d = hexDigit(c);
    if (d >= 0) {
      if (digits === 4) return false;
      val = (val << 4) | d;
      digits++;
      continue;
    }
    if (c === 58) {
      curtok = i;
      if (digits === 0) {
        if (colon >= 0) return false;
        colon = tp;
        continue;
      } else if (i === end) {
        return false;
      }
      if (tp + 2 > 16) return false;
      out[tp++] = val >> 8;
      out[tp++] = val & 0xff;
      digits = 0;
      val = 0;
      continue;
    }
    if (c === 46 && tp + 4 <= 16 && pton4(s, curtok, end, out, tp)) {
      tp += 4;
      digits = 0;
      break;
    }
    return false;
  }
  if (digits > 0) {
    if (tp + 2 > 16) return false;
    out[tp++] = val >> 8;
    out[tp++] = val & 0xff;
  }
  if (colon >= 0) {
    if (tp === 16) return false;
    const n = tp - colon;
    out.copyWithin(16 - n, colon, tp);
    out.fill(0, colon, 16 - n);
    tp = 16;
  }
  return tp === 16;
}

/** 4 bytes for a dotted quad, 16 for IPv6 text, or null (inet_pton's rules). */
export function parseIp(text: string): Buffer | null {
  // The C string ended at a NUL: what follows one was never read.
  const nul = text.indexOf('\0');
  const end = nul < 0 ? text.length : nul;
  const four = Buffer.alloc(4);
  if (pton4(text, 0, end, four, 0)) return four;
  const six = Buffer.alloc(16);
  return pton6(text, end, six) ? six : null;
}
