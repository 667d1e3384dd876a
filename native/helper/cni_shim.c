/*
 * nln-cni-shim: the CNI plugin executable a runtime runs for every call (installed by
 * `nln cni install` under the plugin's type name, e.g. /opt/cni/bin/nln-bridge). Node's start-up
 * alone costs 30-40 ms, so this forwards the call to the resident daemon (`nln cni daemon`) over a
 * unix socket and prints its answer: stdout, stderr and the exit code. When no daemon listens
 * (no socket, or nobody accepting) it runs the plugin in a node process instead: it execs node
 * with the plugin's entry script, stdin untouched. Only libc: static-friendly, starts in ~1 ms.
 *
 * The frame (docs/cni.md "The daemon's frame"; src/cni/frame.ts is the daemon's side; integers
 * big-endian):
 *   request   "NLC1" | u32 env length | u32 stdin length | env | stdin
 *             env: NAME=VALUE entries each ending in a NUL byte, only the CNI_* variables below
 *   answer    "NLC1" | i32 exit code  | u32 stdout length | u32 stderr length | stdout | stderr
 * Bounds: env <= 64 KiB, stdin <= 1 MiB (the daemon refuses more); stdout <= 16 MiB, stderr <= 1 MiB
 * (this refuses more).
 *
 * Where things are: the socket is $NLN_CNI_SOCKET, else the conf file's socket=, else
 * /run/netlink-native/cni.sock. The conf file is this executable's path plus ".conf" (written by
 * `nln cni install`): lines node=PATH, plugin=PATH (the entry script), socket=PATH.
 * $NLN_CNI_NODE and $NLN_CNI_PLUGIN_MAIN override node= and plugin=. $NLN_CNI_TIMEOUT_MS bounds
 * the wait for the daemon's answer (default 120 s): a stuck daemon never hangs the runtime.
 *
 * Its own failures are the CNI spec's error object on stdout and exit code 1: 4 (environment
 * too large), 5 (I/O: the daemon refused us, closed early or sent a bad frame), 6 (stdin too
 * large to decode), 11 (try again later: the daemon is busy or did not answer in time).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAGIC "NLC1"
#define FRAME_HEADER 12
#define MAX_ENV (64 * 1024)
#define MAX_STDIN (1024 * 1024)
#define MAX_STDOUT (16 * 1024 * 1024)
#define MAX_STDERR (1024 * 1024)
#define DEFAULT_SOCKET "/run/netlink-native/cni.sock"
#define CONNECT_TIMEOUT_MS 2000
#define DEFAULT_TIMEOUT_MS 120000

static const char *const CNI_VARS[] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH"};

struct conf {
  char node[PATH_MAX];
  char plugin[PATH_MAX];
  char socket[PATH_MAX];
};

static void json_string(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c < 0x20) fprintf(out, "\\u%04x", c);
    else fputc(c, out);
  }
  fputc('"', out);
}

/* The spec's error object on stdout, exit code 1. */
static int fail(int code, const char *msg, const char *details) {
  printf("{\"cniVersion\":\"1.1.0\",\"code\":%d,\"msg\":", code);
  json_string(stdout, msg);
  if (details) {
    printf(",\"details\":");
    json_string(stdout, details);
  }
  printf("}\n");
  fflush(stdout);
  return 1;
}

static int fail_errno(int code, const char *msg, const char *what, int err) {
  char details[PATH_MAX + 256];
  snprintf(details, sizeof details, "%s: %s", what, strerror(err));
  return fail(code, msg, details);
}

static void read_conf(struct conf *c) {
  char self[PATH_MAX], path[PATH_MAX + 8], line[PATH_MAX + 16];
  memset(c, 0, sizeof *c);
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return;
  self[n] = 0;
  snprintf(path, sizeof path, "%s.conf", self);
  FILE *f = fopen(path, "re");
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    char *eq = strchr(line, '=');
    if (!eq || line[0] == '#') continue;
    *eq = 0;
    char *dst = !strcmp(line, "node") ? c->node : !strcmp(line, "plugin") ? c->plugin : !strcmp(line, "socket") ? c->socket : NULL;
    if (dst) snprintf(dst, PATH_MAX, "%s", eq + 1);
  }
  fclose(f);
}

static const char *pick(const char *env_name, const char *from_conf) {
  const char *v = getenv(env_name);
  return v && *v ? v : *from_conf ? from_conf : NULL;
}

/* No daemon: the plugin in a node process, given this process's stdin and environment. */
static int run_in_process(const struct conf *c) {
  const char *node = pick("NLN_CNI_NODE", c->node);
  const char *plugin = pick("NLN_CNI_PLUGIN_MAIN", c->plugin);
  if (!node || !plugin) return fail(5, "no CNI daemon answers and no node/plugin is configured", "run `nln cni install` or `nln cni daemon`");
  char *const argv[] = {(char *)node, (char *)plugin, NULL};
  execv(node, argv);
  return fail_errno(5, "no CNI daemon answers and node could not be started", node, errno);
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for `events` on fd until the deadline: 1 ready, 0 timed out. */
static int wait_for(int fd, short events, int64_t deadline) {
  for (;;) {
    int64_t left = deadline - now_ms();
    if (left <= 0) return 0;
    struct pollfd p = {.fd = fd, .events = events};
    int r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
    if (r > 0) return 1;
    if (r == 0) return 0;
    if (errno != EINTR) return 1; /* let the read/write report it */
  }
}

/*
 * Reads (into buf) or writes (from it) all len bytes, waiting until the deadline at most (0: none):
 * 0, ETIMEDOUT, EPIPE (the peer closed before all was read), or an errno.
 */
static int transfer_all(int fd, char *buf, size_t len, int reading, int64_t deadline) {
  while (len > 0) {
    if (deadline && !wait_for(fd, reading ? POLLIN : POLLOUT, deadline)) return ETIMEDOUT;
    ssize_t n = reading ? read(fd, buf, len) : write(fd, buf, len);
    if (n == 0 && reading) return EPIPE;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return errno;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

static void put_u32(char *p, uint32_t v) {
  p[0] = (char)(v >> 24), p[1] = (char)(v >> 16), p[2] = (char)(v >> 8), p[3] = (char)v;
}

static uint32_t get_u32(const char *p) {
  const unsigned char *u = (const unsigned char *)p;
  return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

int main(void) {
  static char request[FRAME_HEADER + MAX_ENV + MAX_STDIN + 1];
  struct conf c;
  read_conf(&c);

  /* The CNI_* variables, NAME=VALUE\0 each, after the header. */
  size_t env_len = 0;
  char *env = request + FRAME_HEADER;
  for (size_t i = 0; i < sizeof CNI_VARS / sizeof CNI_VARS[0]; i++) {
    const char *v = getenv(CNI_VARS[i]);
    if (!v) continue;
    size_t need = strlen(CNI_VARS[i]) + 1 + strlen(v) + 1;
    if (env_len + need > MAX_ENV) return fail(4, "the CNI_* environment is too large", CNI_VARS[i]);
    env_len += (size_t)sprintf(env + env_len, "%s=%s", CNI_VARS[i], v) + 1;
  }

  const char *path = pick("NLN_CNI_SOCKET", c.socket);
  if (!path) path = DEFAULT_SOCKET;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return fail(5, "the CNI daemon's socket path is too long", path);
  strcpy(addr.sun_path, path);

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_errno(5, "cannot make a unix socket", "socket", errno);
  /* A unix connect waits for room in the daemon's backlog up to SO_SNDTIMEO, then says EAGAIN. */
  struct timeval tv = {.tv_sec = CONNECT_TIMEOUT_MS / 1000, .tv_usec = (CONNECT_TIMEOUT_MS % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
    close(fd);
    if (err == ENOENT || err == ECONNREFUSED) return run_in_process(&c);
    if (err == EAGAIN || err == EINPROGRESS) return fail_errno(11, "the CNI daemon is busy: try again later", path, err);
    return fail_errno(5, "cannot reach the CNI daemon", path, err);
  }

  /* stdin, bounded: one byte more than allowed tells it is too large. */
  size_t in_len = 0;
  char *in = env + env_len;
  for (;;) {
    ssize_t n = read(0, in + in_len, MAX_STDIN + 1 - in_len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(5, "cannot read stdin", "read", errno);
    if (n == 0) break;
    in_len += (size_t)n;
    if (in_len > MAX_STDIN) return fail(6, "the network configuration on stdin is too large", "more than 1 MiB");
  }

  const char *s = getenv("NLN_CNI_TIMEOUT_MS");
  long timeout = s && *s ? strtol(s, NULL, 10) : DEFAULT_TIMEOUT_MS;
  int64_t deadline = now_ms() + (timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS);

  memcpy(request, FRAME_MAGIC, 4);
  put_u32(request + 4, (uint32_t)env_len);
  put_u32(request + 8, (uint32_t)in_len);
  signal(SIGPIPE, SIG_IGN); /* a daemon that closed early is an EPIPE to handle, not a death */
  int sent = transfer_all(fd, request, FRAME_HEADER + env_len + in_len, 0, deadline);
  if (sent == ETIMEDOUT) return fail(11, "the CNI daemon did not take the request in time: try again later", path);

  /* A daemon that refuses answers at once and closes: its answer is read even when sending failed. */
  char header[16];
  int err = transfer_all(fd, header, sizeof header, 1, deadline);
  if (err && sent) return fail_errno(5, "cannot send the request to the CNI daemon", path, sent);
  if (err == ETIMEDOUT) return fail(11, "the CNI daemon did not answer in time: try again later", path);
  if (err == EPIPE) return fail(5, "the CNI daemon closed the connection without an answer", path);
  if (err) return fail_errno(5, "cannot read the CNI daemon's answer", path, err);
  uint32_t out_len = get_u32(header + 8), err_len = get_u32(header + 12);
  if (memcmp(header, FRAME_MAGIC, 4) != 0 || out_len > MAX_STDOUT || err_len > MAX_STDERR) {
    return fail(5, "the CNI daemon's answer is not a frame this shim reads", path);
  }
  int32_t code = (int32_t)get_u32(header + 4);
  char *body = malloc((size_t)out_len + err_len + 1);
  if (!body) return fail(5, "out of memory for the CNI daemon's answer", path);
  err = transfer_all(fd, body, (size_t)out_len + err_len, 1, deadline);
  close(fd);
  int written = err ? 0 : !transfer_all(1, body, out_len, 0, 0) && !transfer_all(2, body + out_len, err_len, 0, 0);
  free(body);
  if (err == ETIMEDOUT) return fail(11, "the CNI daemon did not answer in time: try again later", path);
  if (err) return fail(5, "the CNI daemon's answer was cut short", path);
  if (!written) return 1;
  return code < 0 || code > 255 ? 1 : code;
}
