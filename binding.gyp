{
  "targets": [
    {
      "target_name": "netlink_native",
      "sources": [
        "native/core/socket.cc",
        "native/core/exchange.cc",
        "native/core/chain.cc",
        "native/core/netns.cc",
        "native/core/namespace.cc",
        "native/core/inside.cc",
        "native/core/pool.cc",
        "native/binding/addon.cc",
        "native/binding/handles.cc",
        "native/binding/functions.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "defines+": ["NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
      "ldflags": ["-pthread", "-Wl,--version-script=<(module_root_dir)/native/exports.map"]
    },
    {
      "target_name": "nln-netns-exec",
      "type": "executable",
      "sources": ["native/helper/netns_exec.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "nln-cni-shim",
      "type": "executable",
      "sources": ["native/helper/cni_shim.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "ldflags": ["<!@(node scripts/shim-ldflags.js)"]
    }
  ]
}
