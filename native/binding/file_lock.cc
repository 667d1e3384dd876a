// flock(fd, exclusive): one non-blocking flock(2) on an fd the caller opened, true when it is had,
// false when another open file description holds a conflicting lock (EWOULDBLOCK). Node has no
// flock; host-local locks its store with it, and our plugin must exclude it. LOCK_NB keeps it
// fit for the JS thread: the caller retries on timers rather than block the event loop.
// The lock belongs to the open file description: closing the fd releases it.
#include "file_lock.h"

#include <errno.h>
#include <string.h>
#include <sys/file.h>

namespace nln_binding {

namespace {

Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsBoolean()) {
    Napi::TypeError::New(env, "flock: (fd: number, exclusive: boolean)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  int op = (info[1].As<Napi::Boolean>().Value() ? LOCK_EX : LOCK_SH) | LOCK_NB;
  int rc;
  do rc = flock(fd, op);
  while (rc < 0 && errno == EINTR);
  if (rc == 0) return Napi::Boolean::New(env, true);
  if (errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
  int saved = errno;
  Napi::Error e = Napi::Error::New(env, std::string("flock: ") + strerror(saved));
  e.Set("errno", Napi::Number::New(env, saved));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace

void define_file_lock(Napi::Env env, Napi::Object exports) {
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
}

}  // namespace nln_binding
