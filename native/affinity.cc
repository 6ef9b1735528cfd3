// Node's own threads off the worker cores (see src/dataplane/affinity.ts).
//
// sched_setaffinity acts on one thread. Node has several (main, V8 platform
// workers, libuv pool, inspector), so each /proc/self/task/<tid> is set.
// Threads created later inherit the mask of the thread that creates them:
// the main thread is set first, so anything it spawns meanwhile is already
// covered, and the task list is re-read until a pass finds no new tid.
#include "affinity.h"

#include <dirent.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "errors.h"

namespace tlsfp {
namespace {

const char *ErrnoName(int errnum)
{
  const char *name = strerrorname_np(errnum);
  return name != nullptr ? name : "EUNKNOWN";
}

// The tids in /proc/self/task; false with errno when it cannot be read.
bool ListTasks(std::vector<pid_t> &out)
{
  DIR *d = opendir("/proc/self/task");
  if (d == nullptr) return false;
  while (struct dirent *e = readdir(d)) {
    char *end = nullptr;
    long tid = strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || tid <= 0) continue;
    out.push_back(static_cast<pid_t>(tid));
  }
  closedir(d);
  return true;
}

} // namespace

Napi::Value SetProcessAffinity(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) {
    throw Napi::TypeError::New(env, "setProcessAffinity: cpus must be an array of CPU numbers");
  }
  Napi::Array arr = info[0].As<Napi::Array>();
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value v = arr.Get(i);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1.0;
    if (!v.IsNumber() || d < 0 || d != static_cast<double>(static_cast<long>(d))) {
      throw Napi::TypeError::New(env, "setProcessAffinity: cpus[" + std::to_string(i) +
                                          "] is not a CPU number (a whole number >= 0)");
    }
    if (d >= CPU_SETSIZE) {
      throw CodedError(env, "EINVAL", "setProcessAffinity: CPU " + std::to_string(static_cast<long>(d)) +
                                          " is beyond CPU_SETSIZE (" + std::to_string(CPU_SETSIZE) + ")");
    }
    CPU_SET(static_cast<int>(d), &set);
  }
  if (CPU_COUNT(&set) == 0) {
    throw CodedError(env, "EINVAL", "setProcessAffinity: the CPU set is empty");
  }

  // The main thread first: a refusal here (e.g. no online CPU in the set)
  // leaves every thread as it was.
  pid_t self = static_cast<pid_t>(getpid());
  if (sched_setaffinity(self, sizeof(set), &set) != 0) {
    int err = errno;
    throw CodedError(env, ErrnoName(err), std::string("setProcessAffinity: sched_setaffinity: ") + strerror(err));
  }
  std::set<pid_t> done{self};
  for (int pass = 0; pass < 8; pass++) {
    std::vector<pid_t> tids;
    if (!ListTasks(tids)) {
      int err = errno;
      throw CodedError(env, ErrnoName(err), std::string("setProcessAffinity: /proc/self/task: ") + strerror(err));
    }
    bool fresh = false;
    for (pid_t tid : tids) {
      if (done.count(tid) != 0) continue;
      fresh = true;
      if (sched_setaffinity(tid, sizeof(set), &set) != 0) {
        int err = errno;
        if (err == ESRCH) continue; // it exited meanwhile
        throw CodedError(env, ErrnoName(err), "setProcessAffinity: sched_setaffinity(" + std::to_string(tid) +
                                                  "): " + strerror(err));
      }
      done.insert(tid);
    }
    if (!fresh) break;
  }
  Napi::Array out = Napi::Array::New(env, done.size());
  uint32_t i = 0;
  for (pid_t tid : done) out.Set(i++, Napi::Number::New(env, tid));
  return out;
}

} // namespace tlsfp
