//===- RoutingAttr.h - The routing attribute of attn and tile ops -*- C++ -*-===//
//
// Routed (block-sparse) attention names a runtime i32 tensor that lists, per
// block of `block` queries, the kv blocks those queries may see: shape
// [("b")?, ("hq")?, "sq/block", listed]. Both attn.attention and tile.kernel
// carry it as
//
//   routing = {batched = true, block = 128 : i64, listed = 32 : i64,
//              per_head = true, tensor = 0 : i64}
//
// (tensor: the list's slot among the runtime tensors; batched / per_head:
// whether it has the "b" / "hq" dimension; listed: its last dimension). The
// kernel reads the list from this alone. This header is the one reader and
// writer of that dictionary.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_DIALECTS_COMMON_ROUTINGATTR_H
#define ATTNC_DIALECTS_COMMON_ROUTINGATTR_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <cstdint>
#include <optional>

namespace mlir {

struct RoutingInfo {
  int64_t tensor = 0;    ///< slot of the list tensor
  int64_t block = 0;     ///< queries and keys per block
  int64_t listed = 0;    ///< entries per row of the list
  bool batched = false;  ///< the list has a "b" dimension
  bool perHead = false;  ///< the list has an "hq" dimension
};

/// The routing a well-formed dictionary describes: exactly the entries above,
/// with block and listed positive and tensor non-negative. None otherwise.
inline std::optional<RoutingInfo> readRoutingAttr(DictionaryAttr dict) {
  if (!dict || dict.size() != 5)
    return std::nullopt;
  auto block = dict.getAs<IntegerAttr>("block");
  auto tensor = dict.getAs<IntegerAttr>("tensor");
  auto listed = dict.getAs<IntegerAttr>("listed");
  auto batched = dict.getAs<BoolAttr>("batched");
  auto perHead = dict.getAs<BoolAttr>("per_head");
  if (!block || !tensor || !listed || !batched || !perHead || block.getInt() < 1 ||
      tensor.getInt() < 0 || listed.getInt() < 1)
    return std::nullopt;
  return RoutingInfo{tensor.getInt(), block.getInt(), listed.getInt(), batched.getValue(),
                     perHead.getValue()};
}

inline DictionaryAttr buildRoutingAttr(Builder &b, const RoutingInfo &routing) {
  return b.getDictionaryAttr({b.getNamedAttr("batched", b.getBoolAttr(routing.batched)),
                              b.getNamedAttr("block", b.getI64IntegerAttr(routing.block)),
                              b.getNamedAttr("listed", b.getI64IntegerAttr(routing.listed)),
                              b.getNamedAttr("per_head", b.getBoolAttr(routing.perHead)),
                              b.getNamedAttr("tensor", b.getI64IntegerAttr(routing.tensor))});
}

} // namespace mlir

#endif // ATTNC_DIALECTS_COMMON_ROUTINGATTR_H
