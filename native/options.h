// JS analyzer options → struct tlsfp_pipeline_config, validated.
#ifndef TLSFP_ADDON_OPTIONS_H
#define TLSFP_ADDON_OPTIONS_H

#include <napi.h>

#include "tlsfp_c.h"

namespace tlsfp {

// Defaults overlaid with the options of `value` (undefined or an object:
// maxFlows, helloMaxBytes, reasmMaxBytes, helloTimeoutMs, flowTimeoutMs).
// Throws TypeError for a non-object or an unknown key, RangeError naming the
// option for a value that is not an integer in its range.
struct tlsfp_pipeline_config PipelineConfigFromJs(Napi::Env env, Napi::Value value);

// tlsfp_pipeline_create, throwing a JS Error when it fails.
struct tlsfp_pipeline *CreatePipeline(Napi::Env env, const struct tlsfp_pipeline_config &cfg,
                                      tlsfp_emit_fn emit, void *ctx);

// A maxRecords argument: undefined → dflt, else an integer in [1, limit];
// a RangeError naming fn otherwise.
uint32_t MaxRecordsArg(const Napi::Value &v, const char *fn, uint32_t dflt, uint32_t limit);

} // namespace tlsfp

#endif
