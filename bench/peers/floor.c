/*
 * The floor: the benchmark's container workload as raw netlink in the fewest round trips, with
 * nothing between the program and the kernel. Each peer of the benchmark is judged against it.
 *
 *   floor HOST_NETNS containers PREFIX N BRIDGE SUBNET_BASE [THREADS]  (namespace PREFIX-i, veth, addresses, route, DNAT)
 *   floor HOST_NETNS linkup N                                (link up on links v0..vN-1 in one sendmsg)
 *
 * Per container: unshare + bind mount (the new namespace's rtnetlink socket is opened while the
 * thread is inside it, then the thread returns to the host), one RTM_NEWLINK for the veth (host
 * end mastered and up, peer born in the container, NLM_F_ECHO returns the peer's ifindex), one
 * sendmsg in the container (peer up, address, default route), one nftables batch (the DNAT rule).
 * With THREADS > 0, that many threads do it concurrently, each with its own sockets, each taking
 * the next container as it finishes one (a namespace belongs to a thread, so each unshares itself).
 * Prints the loop's elapsed nanoseconds on stdout; setup before the loop is not timed. After it, for
 * `containers`: the process's CPU time over the loop (user + system, every thread) in nanoseconds
 * and its peak RSS in KiB.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* ---- a message builder: one buffer, attributes appended, nests patched on close ---- */
struct buf { unsigned char data[65536]; size_t len; };
static void *put(struct buf *b, const void *p, size_t n) {
  void *at = b->data + b->len;
  memcpy(at, p, n);
  b->len += NLMSG_ALIGN(n);
  return at;
}
static struct nlmsghdr *msg_begin(struct buf *b, uint16_t type, uint16_t flags, uint32_t seq) {
  struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq };
  return put(b, &h, sizeof h);
}
static void msg_end(struct buf *b, struct nlmsghdr *h) { h->nlmsg_len = (uint32_t)(b->data + b->len - (unsigned char *)h); }
static void attr(struct buf *b, uint16_t type, const void *p, size_t n) {
  struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type };
  memcpy(b->data + b->len, &a, sizeof a);
  memcpy(b->data + b->len + NLA_HDRLEN, p, n);
  memset(b->data + b->len + NLA_HDRLEN + n, 0, NLA_ALIGN(n) - n);
  b->len += NLA_HDRLEN + NLA_ALIGN(n);
}
static void attr_u32(struct buf *b, uint16_t type, uint32_t v) { attr(b, type, &v, 4); }
static void attr_be32(struct buf *b, uint16_t type, uint32_t v) { v = htonl(v); attr(b, type, &v, 4); }
static void attr_str(struct buf *b, uint16_t type, const char *s) { attr(b, type, s, strlen(s) + 1); }
static struct nlattr *nest(struct buf *b, uint16_t type) {
  struct nlattr *a = (struct nlattr *)(b->data + b->len);
  a->nla_type = type | NLA_F_NESTED;
  b->len += NLA_HDRLEN;
  return a;
}
static void nest_end(struct buf *b, struct nlattr *a) { a->nla_len = (uint16_t)(b->data + b->len - (unsigned char *)a); }

static int nl_open(int protocol) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  /* Room for a pipelined batch's acknowledgements (each costs ~1 KiB of receive buffer). */
  int rcvbuf = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
  return fd;
}

/* Per thread: each thread has its own sockets, sequence numbers and buffers. */
static __thread uint32_t seq = 1;
static __thread unsigned char rx[1 << 16];

/* Sends the buffer in one sendmsg and reads until `acks` acknowledgements came back; the
 * first RTM_NEWLINK echoed on the way is returned through `echo` (its IFLA_LINK). */
static void exchange(int fd, struct buf *b, int acks, int *echo_link) {
  if (send(fd, b->data, b->len, 0) < 0) die("send");
  while (acks > 0) {
    ssize_t n = recv(fd, rx, sizeof rx, 0);
    if (n < 0) die("recv");
    for (struct nlmsghdr *h = (struct nlmsghdr *)rx; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(h);
        if (e->error) { errno = -e->error; die("kernel refused a request"); }
        acks--;
      } else if (h->nlmsg_type == RTM_NEWLINK && echo_link) {
        struct ifinfomsg *ifi = NLMSG_DATA(h);
        int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *ifi));
        for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
          if (a->rta_type == IFLA_LINK) *echo_link = *(int *)RTA_DATA(a);
      }
    }
  }
  b->len = 0;
}

static const uint16_t REQ = NLM_F_REQUEST | NLM_F_ACK;

static void link_up(struct buf *b, int index) {
  struct nlmsghdr *h = msg_begin(b, RTM_NEWLINK, REQ, seq++);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  put(b, &ifi, sizeof ifi);
  msg_end(b, h);
}

static void veth(struct buf *b, const char *name, int master, int peer_ns_fd) {
  struct nlmsghdr *h = msg_begin(b, RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, seq++);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  put(b, &ifi, sizeof ifi);
  attr_str(b, IFLA_IFNAME, name);
  attr_u32(b, IFLA_MASTER, (uint32_t)master);
  struct nlattr *info = nest(b, IFLA_LINKINFO);
  attr_str(b, IFLA_INFO_KIND, "veth");
  struct nlattr *data = nest(b, IFLA_INFO_DATA);
  struct nlattr *peer = nest(b, VETH_INFO_PEER);
  struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC };
  put(b, &pifi, sizeof pifi);
  attr_str(b, IFLA_IFNAME, "eth0");
  attr_u32(b, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
  nest_end(b, peer);
  nest_end(b, data);
  nest_end(b, info);
  msg_end(b, h);
}

static void address(struct buf *b, int index, uint32_t addr, int prefix) {
  struct nlmsghdr *h = msg_begin(b, RTM_NEWADDR, REQ | NLM_F_CREATE | NLM_F_EXCL, seq++);
  struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix, .ifa_index = (unsigned)index };
  put(b, &ifa, sizeof ifa);
  attr_be32(b, IFA_LOCAL, addr);
  attr_be32(b, IFA_ADDRESS, addr);
  msg_end(b, h);
}

static void default_route(struct buf *b, uint32_t gateway) {
  struct nlmsghdr *h = msg_begin(b, RTM_NEWROUTE, REQ | NLM_F_CREATE | NLM_F_EXCL, seq++);
  struct rtmsg rt = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
                      .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST };
  put(b, &rt, sizeof rt);
  attr_be32(b, RTA_GATEWAY, gateway);
  msg_end(b, h);
}

static void nfgen(struct buf *b, uint16_t type, uint16_t flags, uint8_t family, uint16_t res_id) {
  struct nlmsghdr *h = msg_begin(b, type, flags, seq++);
  struct nfgenmsg g = { .nfgen_family = family, .version = NFNETLINK_V0, .res_id = htons(res_id) };
  put(b, &g, sizeof g);
  msg_end(b, h);
}

static void expr_begin(struct buf *b, struct nlattr **elem, struct nlattr **data, const char *name) {
  *elem = nest(b, NFTA_LIST_ELEM);
  attr_str(b, NFTA_EXPR_NAME, name);
  *data = nest(b, NFTA_EXPR_DATA);
}
static void expr_end(struct buf *b, struct nlattr *elem, struct nlattr *data) { nest_end(b, data); nest_end(b, elem); }
static void cmp_eq(struct buf *b, const void *v, size_t n) {
  struct nlattr *e, *d;
  expr_begin(b, &e, &d, "cmp");
  attr_be32(b, NFTA_CMP_SREG, NFT_REG_1);
  attr_be32(b, NFTA_CMP_OP, NFT_CMP_EQ);
  struct nlattr *v1 = nest(b, NFTA_CMP_DATA);
  attr(b, NFTA_DATA_VALUE, v, n);
  nest_end(b, v1);
  expr_end(b, e, d);
}
static void immediate(struct buf *b, uint32_t reg, const void *v, size_t n) {
  struct nlattr *e, *d;
  expr_begin(b, &e, &d, "immediate");
  attr_be32(b, NFTA_IMMEDIATE_DREG, reg);
  struct nlattr *v1 = nest(b, NFTA_IMMEDIATE_DATA);
  attr(b, NFTA_DATA_VALUE, v, n);
  nest_end(b, v1);
  expr_end(b, e, d);
}

/* tcp dport PORT dnat to ADDR:80, in table ip nln-bench chain prerouting, as nft encodes it. */
static void dnat_rule(struct buf *b, uint16_t port, uint32_t addr) {
  struct nlmsghdr *h = msg_begin(b, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE, REQ | NLM_F_CREATE | NLM_F_APPEND, seq++);
  struct nfgenmsg g = { .nfgen_family = NFPROTO_IPV4, .version = NFNETLINK_V0 };
  put(b, &g, sizeof g);
  attr_str(b, NFTA_RULE_TABLE, "nln-bench");
  attr_str(b, NFTA_RULE_CHAIN, "prerouting");
  struct nlattr *list = nest(b, NFTA_RULE_EXPRESSIONS), *e, *d;
  expr_begin(b, &e, &d, "meta");
  attr_be32(b, NFTA_META_KEY, NFT_META_L4PROTO);
  attr_be32(b, NFTA_META_DREG, NFT_REG_1);
  expr_end(b, e, d);
  uint8_t tcp = 6;
  cmp_eq(b, &tcp, 1);
  expr_begin(b, &e, &d, "payload");
  attr_be32(b, NFTA_PAYLOAD_DREG, NFT_REG_1);
  attr_be32(b, NFTA_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER);
  attr_be32(b, NFTA_PAYLOAD_OFFSET, 2);
  attr_be32(b, NFTA_PAYLOAD_LEN, 2);
  expr_end(b, e, d);
  uint16_t p = htons(port), to_port = htons(80);
  cmp_eq(b, &p, 2);
  uint32_t a = htonl(addr);
  immediate(b, NFT_REG_1, &a, 4);
  immediate(b, NFT_REG_2, &to_port, 2);
  expr_begin(b, &e, &d, "nat");
  attr_be32(b, NFTA_NAT_TYPE, NFT_NAT_DNAT);
  attr_be32(b, NFTA_NAT_FAMILY, NFPROTO_IPV4);
  attr_be32(b, NFTA_NAT_REG_ADDR_MIN, NFT_REG_1);
  attr_be32(b, NFTA_NAT_REG_PROTO_MIN, NFT_REG_2);
  attr_be32(b, NFTA_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
  expr_end(b, e, d);
  nest_end(b, list);
  msg_end(b, h);
}

static int open_ns(const char *name) {
  char path[256];
  snprintf(path, sizeof path, "/run/netns/%s", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(path);
  return fd;
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int ifindex_of(int fd, const char *name) {
  static __thread struct buf b;
  struct nlmsghdr *h = msg_begin(&b, RTM_GETLINK, NLM_F_REQUEST, seq++);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  put(&b, &ifi, sizeof ifi);
  attr_str(&b, IFLA_IFNAME, name);
  msg_end(&b, h);
  if (send(fd, b.data, b.len, 0) < 0) die("send");
  b.len = 0;
  ssize_t n = recv(fd, rx, sizeof rx, 0);
  struct nlmsghdr *r = (struct nlmsghdr *)rx;
  if (n < 0 || r->nlmsg_type != RTM_NEWLINK) { errno = ENODEV; die(name); }
  return ((struct ifinfomsg *)NLMSG_DATA(r))->ifi_index;
}

static __thread struct buf b;

struct workload { int host_fd; const char *prefix; int n; int master; uint32_t base; int next; };

static void container(const struct workload *w, int rt, int nf, int i) {
  char name[64], path[300], host_end[IFNAMSIZ];
  snprintf(name, sizeof name, "%s-%d", w->prefix, i);
  snprintf(path, sizeof path, "/run/netns/%s", name);
  int mfd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (mfd < 0) die(path);
  close(mfd);
  if (unshare(CLONE_NEWNET) < 0) die("unshare");
  if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) die("mount");
  int inner = nl_open(NETLINK_ROUTE);
  int ns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (setns(w->host_fd, CLONE_NEWNET) < 0) die("setns");

  snprintf(host_end, sizeof host_end, "h%d", i);
  int peer = 0;
  veth(&b, host_end, w->master, ns_fd);
  exchange(rt, &b, 1, &peer);
  close(ns_fd);

  uint32_t addr = w->base + 2 + (uint32_t)i;
  link_up(&b, peer);
  address(&b, peer, addr, 16);
  default_route(&b, w->base + 1);
  exchange(inner, &b, 3, NULL);
  close(inner);

  nfgen(&b, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
  dnat_rule(&b, (uint16_t)(10000 + i), addr);
  nfgen(&b, NFNL_MSG_BATCH_END, NLM_F_REQUEST, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
  exchange(nf, &b, 1, NULL);
}

/* One concurrent worker: its own sockets in the host namespace (the thread starts there: it is
 * cloned from the main thread, which entered it), containers taken from a shared counter. */
static void *worker(void *arg) {
  struct workload *w = arg;
  int rt = nl_open(NETLINK_ROUTE), nf = nl_open(NETLINK_NETFILTER);
  for (int i; (i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED)) < w->n;) container(w, rt, nf, i);
  close(rt);
  close(nf);
  return NULL;
}

static uint64_t cpu_ns(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (uint64_t)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000000000u + (uint64_t)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1000u;
}

static void containers(int host_fd, const char *prefix, int n, const char *bridge, uint32_t base, int threads) {
  int rt = nl_open(NETLINK_ROUTE), nf = nl_open(NETLINK_NETFILTER);
  struct workload w = { .host_fd = host_fd, .prefix = prefix, .n = n, .master = ifindex_of(rt, bridge), .base = base };
  pthread_t *tid = calloc((size_t)(threads > 0 ? threads : 1), sizeof *tid);
  uint64_t cpu0 = cpu_ns(), t0 = now_ns();
  if (threads == 0) {
    for (int i = 0; i < n; i++) container(&w, rt, nf, i);
  } else {
    for (int t = 0; t < threads; t++) if ((errno = pthread_create(&tid[t], NULL, worker, &w))) die("pthread_create");
    for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
  }
  uint64_t elapsed = now_ns() - t0, cpu = cpu_ns() - cpu0;
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  printf("%llu %llu %ld\n", (unsigned long long)elapsed, (unsigned long long)cpu, u.ru_maxrss);
  free(tid);
}

static void linkup(int n) {
  int rt = nl_open(NETLINK_ROUTE);
  int *index = malloc(sizeof(int) * (size_t)n);
  for (int i = 0; i < n; i++) {
    char name[IFNAMSIZ];
    snprintf(name, sizeof name, "v%d", i);
    index[i] = ifindex_of(rt, name);
  }
  uint64_t t0 = now_ns();
  /* As many requests per sendmsg as fit the buffer, acknowledgements read in between. */
  for (int i = 0; i < n;) {
    int k = 0;
    while (i < n && b.len + 64 < sizeof b.data && k < 512) { link_up(&b, index[i++]); k++; }
    exchange(rt, &b, k, NULL);
  }
  printf("%llu\n", (unsigned long long)(now_ns() - t0));
  free(index);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: floor HOST_NETNS containers PREFIX N BRIDGE SUBNET_BASE [THREADS] | floor HOST_NETNS linkup N\n");
    return 2;
  }
  int host_fd = open_ns(argv[1]);
  if (setns(host_fd, CLONE_NEWNET) < 0) die("setns");
  if (!strcmp(argv[2], "containers") && (argc == 7 || argc == 8)) {
    struct in_addr base;
    if (inet_pton(AF_INET, argv[6], &base) != 1) { errno = EINVAL; die(argv[6]); }
    containers(host_fd, argv[3], atoi(argv[4]), argv[5], ntohl(base.s_addr), argc == 8 ? atoi(argv[7]) : 0);
  } else if (!strcmp(argv[2], "linkup") && argc == 4) {
    linkup(atoi(argv[3]));
  } else {
    errno = EINVAL;
    die(argv[2]);
  }
  return 0;
}
