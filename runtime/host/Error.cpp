#include "Error.h"

namespace attn::runtime {

namespace {
// Thread-local so that two threads launching at once each read their own failure.
thread_local std::string lastMessage;
} // namespace

attn_status fail(attn_status status, std::string message) {
  lastMessage = std::move(message);
  return status;
}

const char *lastError() { return lastMessage.c_str(); }

} // namespace attn::runtime
