// setProcessAffinity: pins every thread of this (Node) process to a CPU set,
// so the control plane stays off the data plane's worker cores.
#ifndef TLSFP_ADDON_AFFINITY_H
#define TLSFP_ADDON_AFFINITY_H

#include <napi.h>

namespace tlsfp {

// setProcessAffinity(cpus: number[]): number[] — sched_setaffinity on the
// main thread and then on every /proc/self/task/<tid>; returns the tids
// changed. Throws TypeError for a non-array or a non-integer entry, and an
// Error with code EINVAL (empty set, a CPU >= CPU_SETSIZE, or no online CPU
// in the set), EPERM, ... when the kernel refuses.
Napi::Value SetProcessAffinity(const Napi::CallbackInfo &info);

} // namespace tlsfp

#endif
