#!/usr/bin/env bash
# Regenerates the captured part of the seed corpus (test/fuzz/corpus/*/cap-*): real kernel replies
# recorded with strace while ip and nft read a namespace made for it (links of several kinds,
# IPv4/IPv6 addresses, routes with next hops and metrics, rules, neighbours, an nftables ruleset
# in the ip, inet and bridge families, refusals), then written as each target's seeds by
# make-seeds.js. Needs root, ip,
# nft, strace, node and the compiled library (npm run compile); touches only the namespaces it makes.
set -euo pipefail
cd "$(dirname "$0")/../.."
ns="nln-fuzz-seeds-$$" peer="nln-fuzz-seeds-peer-$$"
work=$(mktemp -d /tmp/nln-fuzz-seeds.XXXXXX)
ip netns add "$ns"
ip netns add "$peer"
trap 'ip netns delete "$ns" 2>/dev/null || true; ip netns delete "$peer" 2>/dev/null || true; rm -rf "$work"' EXIT
in_ns() { ip -n "$ns" "$@"; }
try() { "$@" 2>/dev/null || echo "capture-seeds: skipped (kernel lacks it?): $*" >&2; }

in_ns link set lo up
in_ns link add v0 type veth peer name v1
in_ns link add br0 type bridge
try in_ns link set br0 type bridge vlan_filtering 1
in_ns link set v1 master br0
in_ns link set v0 address 02:00:00:00:00:01 mtu 1400 alias "fuzz seed"
in_ns link set v0 up; in_ns link set v1 up; in_ns link set br0 up
try in_ns link add link v0 name v0.5 type vlan id 5
try in_ns link add vx0 type vxlan id 42 local 198.18.0.1 dstport 4789 dev v0
try in_ns link add mv0 link v0 type macvlan mode bridge
try in_ns link add d0 type dummy
try in_ns tuntap add mode tap name tap0
in_ns addr add 198.18.0.1/24 dev v0
in_ns addr add 198.18.1.1/24 brd + dev br0 label br0:a
in_ns addr add 2001:db8::1/64 dev v0 nodad
in_ns route add 198.18.5.0/24 via 198.18.0.2 dev v0 metric 50 mtu lock 1300
in_ns route add 198.18.6.0/24 nexthop via 198.18.0.2 dev v0 weight 1 nexthop via 198.18.1.2 dev br0 weight 3
in_ns route add table 100 default via 198.18.0.254
in_ns route add 2001:db8:1::/64 via 2001:db8::2 dev v0 pref high
in_ns rule add from 198.18.0.0/24 table 100 priority 100
in_ns neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev v0 nud permanent
ip netns exec "$ns" nft -f - <<'NFT'
table inet filter {
  set allowed { type ipv4_addr; flags interval; elements = { 198.18.0.0/24, 198.18.9.9 } }
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established,related counter accept
    iifname "lo" accept
    ip saddr @allowed tcp dport { 22, 80 } accept
    ip6 nexthdr icmpv6 accept
    meta l4proto udp udp dport 53 limit rate 10/second accept
  }
  chain forward {
    type filter hook forward priority 0;
    jump subchain
  }
  chain subchain {
    ip daddr 198.18.5.0/24 reject
    return
  }
}
table ip nat {
  chain post {
    type nat hook postrouting priority 100;
    ip saddr 198.18.0.0/24 oifname "br0" masquerade
  }
  chain pre {
    type nat hook prerouting priority -100;
    tcp dport 8080 dnat to 198.18.0.2:80
  }
}
table bridge br {
  chain forward {
    type filter hook forward priority 0;
    ether type arp counter
  }
}
NFT

cap() {  # cap NAME PROTOCOL command…: the datagrams the command received, one hex line each
  local name=$1 proto=$2; shift 2
  strace -f -xx -e trace=recvmsg -e read=all -o "$work/$name.strace" "$@" >/dev/null 2>&1 || true
  node test/fuzz/strace-datagrams.js <"$work/$name.strace" >"$work/$name.$proto"
}
cap link route ip -n "$ns" -d -s -s link show
cap addr route ip -n "$ns" addr show
cap route4 route ip -n "$ns" route show table all
cap route6 route ip -n "$ns" -6 route show table all
cap rule route ip -n "$ns" rule show
cap neigh route ip -n "$ns" neigh show
cap linkv0 route ip -n "$ns" -d link show dev v0
cap ack route ip -n "$ns" link set lo up
cap eexist route ip -n "$ns" link add v0 type veth peer name v1
cap enodev route ip -n "$ns" link del nosuch0
cap enetunreach route ip -n "$ns" route add 198.18.9.0/24 via 198.18.200.1
cap ruleset netfilter ip netns exec "$ns" nft list ruleset
cap nftenoent netfilter ip netns exec "$ns" nft add rule inet filter nosuch accept
cap nftbatch netfilter ip netns exec "$ns" nft add rule inet filter subchain counter accept
# What the library packs for the addon, while it configures the namespace (needs `npm run compile`).
node test/fuzz/make-seeds.js "$work"
