// The benchmark's container workload with vishvananda/netlink + netns and google/nftables (Debian
// golang packages), written as a Go agent would: one handle per namespace, the peer born in the
// container, the DNAT rule flushed as its own batch. With WORKERS > 0, that many goroutines
// provision the containers concurrently, each locked to its OS thread (namespaces belong to
// threads) with its own netlink handle and nftables connection, taking the next container as they
// finish one. Prints the loop's elapsed nanoseconds, the process's CPU time (user + system, every
// thread) over the loop in nanoseconds, and its peak RSS in KiB.
//
//	go-peer HOST_NETNS PREFIX N BRIDGE SUBNET_BASE [WORKERS]
package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
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

type workload struct {
	hostNs netns.NsHandle
	prefix string
	master int
	base   []byte
	gw     net.IP
	table  *nftables.Table
	chain  *nftables.Chain
}

// A worker's own handles: a netlink handle in the host namespace and an nftables connection.
type worker struct {
	h   *netlink.Handle
	nft *nftables.Conn
}

// newWorker must run on a locked thread: it moves that thread into the host namespace, where the
// nftables connection (one per Flush, google/nftables' default: its lasting connection leaves
// replies unread and fails with ENOBUFS after ~100 flushes) opens its sockets.
func (w *workload) newWorker() worker {
	check(netns.Set(w.hostNs), "enter host namespace")
	h, err := netlink.NewHandle()
	check(err, "handle")
	nft, err := nftables.New()
	check(err, "nftables")
	return worker{h, nft}
}

func (w *workload) container(k worker, i int) {
	c, err := netns.NewNamed(fmt.Sprintf("%s-%d", w.prefix, i)) // the thread is inside it now
	check(err, "netns")
	check(netns.Set(w.hostNs), "back to host")
	veth := &netlink.Veth{
		LinkAttrs: netlink.LinkAttrs{Name: fmt.Sprintf("h%d", i), MasterIndex: w.master, Flags: net.FlagUp},
		PeerName:  "eth0", PeerNamespace: netlink.NsFd(c),
	}
	check(k.h.LinkAdd(veth), "veth")
	ch, err := netlink.NewHandleAt(c)
	check(err, "container handle")
	peer, err := ch.LinkByName("eth0")
	check(err, "peer")
	check(ch.LinkSetUp(peer), "peer up")
	v := binary.BigEndian.Uint32(w.base) + 2 + uint32(i)
	addr := net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	check(ch.AddrAdd(peer, &netlink.Addr{IPNet: &net.IPNet{IP: addr, Mask: net.CIDRMask(16, 32)}}), "address")
	check(ch.RouteAdd(&netlink.Route{Gw: w.gw}), "route")
	ch.Delete()
	c.Close()
	k.nft.AddRule(&nftables.Rule{Table: w.table, Chain: w.chain, Exprs: dnat(uint16(10000+i), addr)})
	check(k.nft.Flush(), "rule")
}

func cpuNs() int64 {
	var u syscall.Rusage
	check(syscall.Getrusage(syscall.RUSAGE_SELF, &u), "getrusage")
	return u.Utime.Nano() + u.Stime.Nano()
}

func main() {
	host, prefix, bridge := os.Args[1], os.Args[2], os.Args[4]
	n, _ := strconv.Atoi(os.Args[3])
	workers := 0
	if len(os.Args) > 6 {
		workers, _ = strconv.Atoi(os.Args[6])
	}
	base := net.ParseIP(os.Args[5]).To4()
	runtime.LockOSThread()
	hostNs, err := netns.GetFromName(host)
	check(err, "open host namespace")
	w := &workload{hostNs: hostNs, prefix: prefix, base: base, gw: net.IPv4(base[0], base[1], base[2], base[3]+1)}
	w.table = &nftables.Table{Family: nftables.TableFamilyIPv4, Name: "nln-bench"}
	w.chain = &nftables.Chain{Table: w.table, Name: "prerouting"}
	first := w.newWorker()
	br, err := first.h.LinkByName(bridge)
	check(err, "bridge")
	w.master = br.Attrs().Index
	cpu0 := cpuNs()
	start := time.Now()
	if workers == 0 {
		for i := 0; i < n; i++ {
			w.container(first, i)
		}
	} else {
		var next int64 = -1
		var wg sync.WaitGroup
		for g := 0; g < workers && g < n; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Never unlocked: the thread has been in other namespaces, so Go ends it with the goroutine.
				runtime.LockOSThread()
				k := w.newWorker()
				for i := int(atomic.AddInt64(&next, 1)); i < n; i = int(atomic.AddInt64(&next, 1)) {
					w.container(k, i)
				}
				k.h.Close()
			}()
		}
		wg.Wait()
	}
	elapsed := time.Since(start).Nanoseconds()
	cpu := cpuNs() - cpu0
	var u syscall.Rusage
	check(syscall.Getrusage(syscall.RUSAGE_SELF, &u), "getrusage")
	fmt.Println(elapsed, cpu, u.Maxrss)
}
