// Native failures as JS Errors that carry a `code` (Node's convention), so
// TypeScript can branch on err.code instead of parsing messages.
#ifndef TLSFP_ADDON_ERRORS_H
#define TLSFP_ADDON_ERRORS_H

#include <napi.h>

#include <string>

#include "tlsfp_c.h"

namespace tlsfp {

// new Error(message) with err.code = code.
Napi::Error CodedError(Napi::Env env, const char *code, const std::string &message);

// 'ENOENT', 'EACCES', ... for an errno of a failed open; 'TLSFP_E_OPEN' else.
const char *ErrnoCode(int errnum);

// 'TLSFP_E_FORMAT', 'TLSFP_E_LINKTYPE', 'TLSFP_E_CORRUPT' (open failures go
// through ErrnoCode).
const char *CaptureErrorCode(int err);

// 'TLSFP_PARSE_TRUNCATED', ... for a failed hello parse.
const char *ParseResultCode(enum tlsfp_parse_result r);

} // namespace tlsfp

#endif
