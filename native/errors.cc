// Native failures → JS Errors with a `code`.
#include "errors.h"

#include <cerrno>

namespace tlsfp {

Napi::Error CodedError(Napi::Env env, const char *code, const std::string &message)
{
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  return err;
}

const char *ErrnoCode(int errnum)
{
  switch (errnum) {
  case ENOENT: return "ENOENT";
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  case EISDIR: return "EISDIR";
  case ENOTDIR: return "ENOTDIR";
  case ENAMETOOLONG: return "ENAMETOOLONG";
  case ELOOP: return "ELOOP";
  case EMFILE: return "EMFILE";
  case ENFILE: return "ENFILE";
  case ENOMEM: return "ENOMEM";
  case EIO: return "EIO";
  default: return "TLSFP_E_OPEN";
  }
}

const char *CaptureErrorCode(int err)
{
  switch (err) {
  case TLSFP_CAPTURE_E_FORMAT: return "TLSFP_E_FORMAT";
  case TLSFP_CAPTURE_E_LINKTYPE: return "TLSFP_E_LINKTYPE";
  case TLSFP_CAPTURE_E_CORRUPT: return "TLSFP_E_CORRUPT";
  default: return "TLSFP_E_OPEN";
  }
}

const char *ParseResultCode(enum tlsfp_parse_result r)
{
  switch (r) {
  case TLSFP_PARSE_OK: return "TLSFP_PARSE_OK";
  case TLSFP_PARSE_TRUNCATED: return "TLSFP_PARSE_TRUNCATED";
  case TLSFP_PARSE_BAD_LENGTH: return "TLSFP_PARSE_BAD_LENGTH";
  case TLSFP_PARSE_BAD_EXTENSION: return "TLSFP_PARSE_BAD_EXTENSION";
  case TLSFP_PARSE_TOO_MANY_ITEMS: return "TLSFP_PARSE_TOO_MANY_ITEMS";
  case TLSFP_PARSE_UNSUPPORTED: return "TLSFP_PARSE_UNSUPPORTED";
  }
  return "TLSFP_PARSE_UNKNOWN";
}

} // namespace tlsfp
