#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>

namespace nln {

const char* const kNetnsRunDir = "/run/netns";

namespace {

std::string path_of(const std::string& name) { return std::string(kNetnsRunDir) + "/" + name; }

Status check_and_stat(int fd, std::shared_ptr<NetnsFd>* out) {
  // Asked of the file system first: an ioctl means something else to another kind of file.
  struct statfs fs;
  if (fstatfs(fd, &fs) < 0) return Status::fail(errno, "fstatfs");
  if (fs.f_type != NSFS_MAGIC) return Status::fail(EINVAL, "not a namespace file");
  if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) return Status::fail(EINVAL, "not a network namespace");
  struct stat st;
  if (fstat(fd, &st) < 0) return Status::fail(errno, "fstat");
  *out = std::make_shared<NetnsFd>(fd, st.st_ino);
  return {};
}

// Same as iproute2: make /run/netns a shared mount (bind-mounting it on itself first if it is
// not a mount point yet), so namespaces mounted here show up in every mount namespace.
Status prepare_run_dir() {
  if (mkdir(kNetnsRunDir, 0755) < 0 && errno != EEXIST) return Status::fail(errno, "mkdir /run/netns");
  if (mount("", kNetnsRunDir, "none", MS_SHARED | MS_REC, nullptr) == 0) return {};
  if (errno != EINVAL) return Status::fail(errno, "mount --make-rshared /run/netns");
  if (mount(kNetnsRunDir, kNetnsRunDir, "none", MS_BIND | MS_REC, nullptr) < 0)
    return Status::fail(errno, "mount --bind /run/netns /run/netns");
  if (mount("", kNetnsRunDir, "none", MS_SHARED | MS_REC, nullptr) < 0)
    return Status::fail(errno, "mount --make-rshared /run/netns");
  return {};
}

// Moves the calling thread into a new namespace and mounts it on mount_on (unless empty).
Status unshare_here(const std::string& mount_on, std::shared_ptr<NetnsFd>* out) {
  if (unshare(CLONE_NEWNET) < 0) return Status::fail(errno, "unshare(CLONE_NEWNET)");
  if (!mount_on.empty() && mount("/proc/thread-self/ns/net", mount_on.c_str(), "none", MS_BIND, nullptr) < 0)
    return Status::fail(errno, "bind mount on " + mount_on);
  int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::fail(errno, "open /proc/thread-self/ns/net");
  Status s = check_and_stat(fd, out);
  if (!s.ok()) close(fd);
  return s;
}

}  // namespace

NetnsFd::~NetnsFd() {
  if (fd >= 0) close(fd);
}

Status netns_create_on_this_thread(const std::string& name, std::shared_ptr<NetnsFd>* out) {
  if (name.empty()) return unshare_here("", out);
  // Once per process (ip does it per command, being one): two mount calls per namespace showed in
  // the cost of making hundreds. Done again after a failure.
  static std::atomic<bool> run_dir_ready{false};
  if (!run_dir_ready) {
    Status s = prepare_run_dir();
    if (!s.ok()) return s;
    run_dir_ready = true;
  }
  Status s;
  std::string path = path_of(name);
  int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) return Status::fail(errno, "create " + path);
  close(fd);
  s = unshare_here(path, out);
  if (!s.ok()) {
    umount2(path.c_str(), MNT_DETACH);
    unlink(path.c_str());
  }
  return s;
}

Status netns_open(const std::string& path, std::shared_ptr<NetnsFd>* out) {
  // Non-blocking: opening a FIFO (or a device) someone passed as a path must not wait forever.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return Status::fail(errno, "open " + path);
  Status s = check_and_stat(fd, out);
  if (!s.ok()) {
    close(fd);
    s.detail = path + ": " + s.detail;
  }
  return s;
}

Status netns_delete(const std::string& name) {
  std::string path = path_of(name);
  // Detach first (as iproute2 does): the namespace lives on while anything still holds it.
  if (umount2(path.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return Status::fail(errno, "umount " + path);
  return unlink(path.c_str()) < 0 ? Status::fail(errno, "unlink " + path) : Status{};
}

}  // namespace nln
