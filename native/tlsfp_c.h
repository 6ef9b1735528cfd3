// The C core's contract headers, seen from C++. The headers have no
// extern "C" guards of their own; this is the one place that adds them.
#ifndef TLSFP_ADDON_TLSFP_C_H
#define TLSFP_ADDON_TLSFP_C_H

extern "C" {
#include "tlsfp/capture.h"
#include "tlsfp/counters.h"
#include "tlsfp/eve.h"
#include "tlsfp/fp.h"
#include "tlsfp/hello.h"
#include "tlsfp/pipeline.h"
#include "tlsfp/record.h"
}

#endif
