// The NAT statements, both ways: dnat/snat (nat), masquerade (masq) and redirect (redir). Their
// addresses and ports travel in registers: data immediates before the statement, which names the
// registers (reg_addr_min/max, reg_proto_min/max); or, for `dnat to FIELD map { … }`, the map lookup
// before it (maps.ts) fills register 1.
import { formatV6, parseAddress } from '../../ip';
import { NAT_FLAGS, NAT_TYPE, REG } from '../constants';
import { data, u16be } from './bytes';
import { decodeMapLookup, encodeMapLookup } from './maps';
import { requirePortProtocol } from './prerequisites';
import type { Attrs, DecodingRule, EncodingRule, ItemCodec, ItemOf } from './types';

/** A port range into registers `reg` (and `reg` + 1 when it is a range), named in the statement's attributes. */
function encodePorts(ports: [number, number], reg: number, attrs: Record<string, unknown>, rule: EncodingRule): void {
  rule.out.push({ name: 'immediate', data: { dreg: reg, data: data(u16be(ports[0])) } });
  attrs.reg_proto_min = reg;
  if (ports[1] !== ports[0]) {
    rule.out.push({ name: 'immediate', data: { dreg: reg + 1, data: data(u16be(ports[1])) } });
    attrs.reg_proto_max = reg + 1;
  }
  attrs.flags = NAT_FLAGS.protoSpecified;
}

/** The port range a listed statement names, read from the immediates before it. */
function decodePorts(d: Attrs, rule: DecodingRule): [number, number] {
  const lo = rule.imm[d.reg_proto_min].readUInt16BE(0);
  return [lo, d.reg_proto_max !== undefined ? rule.imm[d.reg_proto_max].readUInt16BE(0) : lo];
}

const addressText = (b: Buffer) => (b.length === 4 ? [...b].join('.') : formatV6(b));

export const nat: ItemCodec<'nat'> = {
  encode(it, rule) {
    requirePortProtocol(it.type, it.ports, rule);
    const family = rule.family === 'ip6' ? 10 : 2;
    if (it.map) {
      encodeMapLookup(it.map.field, it.map.value, REG.r1, rule);
      rule.out.push({ name: 'nat', data: { type: NAT_TYPE[it.type], family, reg_addr_min: REG.r1 } });
      return;
    }
    const attrs: Record<string, unknown> = { type: NAT_TYPE[it.type], family };
    let reg: number = REG.r1;
    if (it.address) {
      rule.out.push({ name: 'immediate', data: { dreg: reg, data: data(parseAddress('nat', it.address).bytes) } });
      attrs.family = it.address.includes(':') ? 10 : 2;
      attrs.reg_addr_min = reg++;
      if (it.addressEnd) {
        rule.out.push({ name: 'immediate', data: { dreg: reg, data: data(parseAddress('nat', it.addressEnd).bytes) } });
        attrs.reg_addr_max = reg++;
      }
    }
    if (it.ports) encodePorts(it.ports, reg, attrs, rule);
    rule.out.push({ name: 'nat', data: attrs });
  },

  decode: {
    // A map lookup into register 1 (not the verdict register: that is a vmap) feeds the nat after it.
    lookup: (d, rule) => {
      if (d.dreg === undefined || d.dreg === REG.verdict) return undefined;
      const field = rule.reg?.field;
      if (!field) return false;
      const value = decodeMapLookup(field, d, rule);
      if (!value || d.dreg !== REG.r1 || rule.exprs[rule.i + 1]?.name !== 'nat') return false;
      rule.natMap = { field, value };
      rule.reg = undefined;
      return true;
    },
    nat: (d, rule) => {
      const it: ItemOf<'nat'> = { t: 'nat', type: d.type === NAT_TYPE.snat ? 'snat' : 'dnat' };
      if (rule.natMap) {
        it.map = rule.natMap;
        rule.natMap = undefined;
        rule.items.push(it);
        return true;
      }
      // The kernel reports addr_max = addr_min for a single address.
      if (d.reg_addr_max !== undefined && d.reg_addr_max !== d.reg_addr_min) it.addressEnd = addressText(rule.imm[d.reg_addr_max]);
      if (d.reg_addr_min !== undefined) it.address = addressText(rule.imm[d.reg_addr_min]);
      if (d.reg_proto_min !== undefined) it.ports = decodePorts(d, rule);
      rule.items.push(it);
      return true;
    },
  },
};

/** masquerade and redirect: the same shape, ports only (in registers 1 and 2). */
function portsOnly(t: 'masquerade' | 'redirect', expr: 'masq' | 'redir'): ItemCodec<'masquerade' | 'redirect'> {
  return {
    encode(it, rule) {
      requirePortProtocol(t, it.ports, rule);
      const attrs: Record<string, unknown> = {};
      if (it.ports) encodePorts(it.ports, REG.r1, attrs, rule);
      rule.out.push({ name: expr, data: attrs });
    },
    decode: {
      [expr]: (d: Attrs, rule: DecodingRule) => {
        const it: ItemOf<'masquerade' | 'redirect'> = { t };
        if (d.reg_proto_min !== undefined) it.ports = decodePorts(d, rule);
        rule.items.push(it);
        return true;
      },
    },
  };
}

// (TypeScript cannot narrow the shared codec's item type to one kind by itself.)
export const masquerade = portsOnly('masquerade', 'masq') as ItemCodec<'masquerade'>;
export const redirect = portsOnly('redirect', 'redir') as ItemCodec<'redirect'>;
