/*
 * nln-netns-exec: runs a program inside a network namespace, for Netns.exec/spawn. The parent
 * passes the namespace as fd 3; this enters it, closes it and execs the program (no shell, no
 * `ip netns exec`). Failures exit 127 with the reason on stderr, like a shell's "not found".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: nln-netns-exec FILE [ARG...] (namespace fd on fd 3)\n");
    return 127;
  }
  if (setns(3, CLONE_NEWNET) < 0) {
    fprintf(stderr, "nln-netns-exec: setns: %s\n", strerror(errno));
    return 127;
  }
  close(3);
  execvp(argv[1], argv + 1);
  fprintf(stderr, "nln-netns-exec: %s: %s\n", argv[1], strerror(errno));
  return 127;
}
