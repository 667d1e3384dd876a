// The benchmark's container workload with vishvananda/netlink + netns and google/nftables (Debian
// golang packages), written as a Go agent would: one handle per namespace, the peer born in the
// container, the DNAT rule flushed as its own batch. Prints the loop's elapsed nanoseconds.
//
//	go-peer HOST_NETNS PREFIX N BRIDGE SUBNET_BASE
package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-peer: %s: %v\n", what, err)
		os.Exit(1)
	}
}

// tcp dport PORT dnat to ADDRESS:80, as nft encodes it.
func dnat(port uint16, address net.IP) []expr.Any {
	p := make([]byte, 2)
	binary.BigEndian.PutUint16(p, port)
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_TCP}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: p},
		&expr.Immediate{Register: 1, Data: address.To4()},
		&expr.Immediate{Register: 2, Data: []byte{0, 80}},
		&expr.NAT{Type: expr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: 1, RegProtoMin: 2},
	}
}

func main() {
	host, prefix, bridge := os.Args[1], os.Args[2], os.Args[4]
	n, _ := strconv.Atoi(os.Args[3])
	base := net.ParseIP(os.Args[5]).To4()
	runtime.LockOSThread() // namespaces belong to threads
	hostNs, err := netns.GetFromName(host)
	check(err, "open host namespace")
	check(netns.Set(hostNs), "enter host namespace")
	h, err := netlink.NewHandle()
	check(err, "handle")
	// A connection per Flush, google/nftables' default: its lasting connection (AsLasting) leaves
	// replies unread and fails with ENOBUFS after ~100 flushes.
	nft, err := nftables.New()
	check(err, "nftables")
	table := &nftables.Table{Family: nftables.TableFamilyIPv4, Name: "nln-bench"}
	chain := &nftables.Chain{Table: table, Name: "prerouting"}
	br, err := h.LinkByName(bridge)
	check(err, "bridge")
	gw := net.IPv4(base[0], base[1], base[2], base[3]+1)
	start := time.Now()
	for i := 0; i < n; i++ {
		c, err := netns.NewNamed(fmt.Sprintf("%s-%d", prefix, i)) // the thread is inside it now
		check(err, "netns")
		check(netns.Set(hostNs), "back to host")
		veth := &netlink.Veth{
			LinkAttrs: netlink.LinkAttrs{Name: fmt.Sprintf("h%d", i), MasterIndex: br.Attrs().Index, Flags: net.FlagUp},
			PeerName:  "eth0", PeerNamespace: netlink.NsFd(c),
		}
		check(h.LinkAdd(veth), "veth")
		ch, err := netlink.NewHandleAt(c)
		check(err, "container handle")
		peer, err := ch.LinkByName("eth0")
		check(err, "peer")
		check(ch.LinkSetUp(peer), "peer up")
		v := binary.BigEndian.Uint32(base) + 2 + uint32(i)
		addr := net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
		check(ch.AddrAdd(peer, &netlink.Addr{IPNet: &net.IPNet{IP: addr, Mask: net.CIDRMask(16, 32)}}), "address")
		check(ch.RouteAdd(&netlink.Route{Gw: gw}), "route")
		ch.Delete()
		c.Close()
		nft.AddRule(&nftables.Rule{Table: table, Chain: chain, Exprs: dnat(uint16(10000+i), addr)})
		check(nft.Flush(), "rule")
	}
	fmt.Println(time.Since(start).Nanoseconds())
}
