// Validation of the runtime data a spec declares (attn_forward_extras) against the manifest, after
// validateForward has filled the call's sizes into the params.
#ifndef ATTN_RUNTIME_VALIDATEEXTRAS_H
#define ATTN_RUNTIME_VALIDATEEXTRAS_H

#include "Manifest.h"
#include "attn/abi.h"
#include "attn/attn.h"

namespace attn::runtime {

// Checks counts, dtypes, ranks, shapes (declared dims resolved with params' batch, heads_q,
// seqlen_q and seqlen_k), strides and alignment of every runtime tensor, the parameter counts and
// the manifest's length requirement; then fills params.tensors / int_params / float_params. A
// NULL `extras` stands for none. Fails with ATTN_ERROR_INVALID_ARGUMENT and a message naming the
// tensor or parameter by its declared name.
attn_status validateExtras(const Manifest &manifest, const attn_forward_extras *extras,
                           attn_forward_params &params);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_VALIDATEEXTRAS_H
