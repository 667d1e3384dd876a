// Loads a .node built for musl with musl's own dynamic loader (no Node for musl can be had here):
// dlopen with RTLD_NOW resolves every libc symbol it needs from musl, the Node-API functions from
// the stubs scripts/test-package.sh generates beside this file (never called), and runs its static
// constructors (the C++ runtime linked into it); then one call: its Node-API version.
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  void *addon = dlopen(argv[1], RTLD_NOW);
  if (!addon) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
  int (*version)(void) = (int (*)(void))dlsym(addon, "node_api_module_get_api_version_v1");
  if (!version) { fprintf(stderr, "dlsym: %s\n", dlerror()); return 1; }
  printf("musl: loaded %s, Node-API version %d\n", argv[1], version());
  return 0;
}
