// The calling thread's last error message, and helpers that set it on the way out.
#ifndef ATTN_RUNTIME_ERROR_H
#define ATTN_RUNTIME_ERROR_H

#include <sstream>
#include <string>

#include "attn/attn.h"

namespace attn::runtime {

// Records `message` as the calling thread's last error and returns `status`, so that a failure
// path reads `return fail(ATTN_ERROR_LOAD, ...)`. The message is kept until the next failure on
// the same thread (errno-like), which lets a caller read it after any number of successes.
attn_status fail(attn_status status, std::string message);

// The message of the calling thread's last failure ("" if it never failed).
const char *lastError();

// Streams every part into one string: concat("k: shape[3] is ", 64) == "k: shape[3] is 64".
template <typename... Parts> std::string concat(const Parts &...parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

} // namespace attn::runtime

#endif // ATTN_RUNTIME_ERROR_H
