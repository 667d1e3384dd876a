"""The benchmark's container workload with pyroute2 (Debian python3-pyroute2), used the fast way:
one IPRoute socket per namespace made while the process is inside it (pushns/popns), no NetNS
proxy processes. Prints the loop's elapsed nanoseconds, the process's CPU time (user + system, its
children's included) over the loop in nanoseconds and its peak RSS in KiB; imports and setup are
not timed.

    pyroute2_peer.py HOST_NETNS PREFIX N BRIDGE SUBNET_BASE
"""
import ipaddress
import resource
import socket
import struct
import sys
import time

from pyroute2 import IPRoute, netns
from pyroute2.nftables.expressions import genex
from pyroute2.nftables.main import NFTables

NFT_REG_1, NFT_REG_2 = 1, 2


def cpu_ns():
    # Children too: some pyroute2 versions fork a process to create each namespace.
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return int((s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime) * 1e9)


def value(data):
    return {'attrs': [('NFTA_DATA_VALUE', data)]}


def dnat_rule(port, address):
    """tcp dport PORT dnat to ADDRESS:80, expression for expression as nft encodes it."""
    return [[
        genex('meta', {'key': 16, 'dreg': NFT_REG_1}),  # NFT_META_L4PROTO
        genex('cmp', {'sreg': NFT_REG_1, 'op': 0, 'data': value(b'\x06')}),
        genex('payload', {'dreg': NFT_REG_1, 'base': 2, 'offset': 2, 'len': 2}),
        genex('cmp', {'sreg': NFT_REG_1, 'op': 0, 'data': value(struct.pack('>H', port))}),
        genex('immediate', {'dreg': NFT_REG_1, 'data': value(socket.inet_aton(address))}),
        genex('immediate', {'dreg': NFT_REG_2, 'data': value(struct.pack('>H', 80))}),
        genex('nat', {'type': 1, 'family': 2, 'reg_addr_min': NFT_REG_1, 'reg_proto_min': NFT_REG_2, 'flags': 2}),
    ]]


def main():
    host, prefix, n, bridge, base = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    base = ipaddress.IPv4Address(base)
    gateway = str(base + 1)
    netns.setns(host)
    ipr = IPRoute()
    nft = NFTables(nfgen_family=2)
    master = ipr.link_lookup(ifname=bridge)[0]
    cpu0 = cpu_ns()
    t0 = time.monotonic_ns()
    for i in range(n):
        name = '%s-%d' % (prefix, i)
        netns.create(name)
        ipr.link('add', ifname='h%d' % i, kind='veth', peer={'ifname': 'eth0', 'net_ns_fd': name})
        host_end = ipr.link_lookup(ifname='h%d' % i)[0]
        ipr.link('set', index=host_end, master=master, state='up')
        address = str(base + 2 + i)
        netns.pushns(name)
        try:
            inner = IPRoute()
            peer = inner.link_lookup(ifname='eth0')[0]
            inner.link('set', index=peer, state='up')
            inner.addr('add', index=peer, address=address, prefixlen=16)
            inner.route('add', dst='0.0.0.0/0', gateway=gateway)
            inner.close()
        finally:
            netns.popns()
        nft.rule('add', table='nln-bench', chain='prerouting', expressions=dnat_rule(10000 + i, address))
    elapsed = time.monotonic_ns() - t0
    print(elapsed, cpu_ns() - cpu0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


main()
