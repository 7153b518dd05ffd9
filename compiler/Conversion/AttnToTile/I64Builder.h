//===- I64Builder.h - i64 arith for the kv-bounds formulas ------*- C++ -*-===//

#ifndef ATTNC_COMPILER_CONVERSION_ATTNTOTILE_I64BUILDER_H
#define ATTNC_COMPILER_CONVERSION_ATTNTOTILE_I64BUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace attnc {

/// Small arith builder over i64 values, so the formulas read like the math.
struct I64Builder {
  mlir::OpBuilder &b;
  mlir::Location loc;

  using Value = mlir::Value;
  Value c(int64_t v) { return mlir::arith::ConstantIntOp::create(b, loc, v, 64); }
  Value add(Value x, Value y) { return mlir::arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return mlir::arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return mlir::arith::MulIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return mlir::arith::MinSIOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return mlir::arith::MaxSIOp::create(b, loc, x, y); }
  /// min(max(x, lo), hi), for lo <= hi.
  Value clamp(Value x, Value lo, Value hi) { return min(max(x, lo), hi); }
  Value floorDiv(Value x, Value y) { return mlir::arith::FloorDivSIOp::create(b, loc, x, y); }
  Value ceilDiv(Value x, Value y) { return mlir::arith::CeilDivSIOp::create(b, loc, x, y); }
  Value truncDiv(Value x, Value y) { return mlir::arith::DivSIOp::create(b, loc, x, y); }
  Value sle(Value x, Value y) {
    return mlir::arith::CmpIOp::create(b, loc, mlir::arith::CmpIPredicate::sle, x, y);
  }
  Value slt(Value x, Value y) {
    return mlir::arith::CmpIOp::create(b, loc, mlir::arith::CmpIPredicate::slt, x, y);
  }
  Value eq(Value x, Value y) {
    return mlir::arith::CmpIOp::create(b, loc, mlir::arith::CmpIPredicate::eq, x, y);
  }
  Value sge(Value x, Value y) {
    return mlir::arith::CmpIOp::create(b, loc, mlir::arith::CmpIPredicate::sge, x, y);
  }
  Value andI(Value x, Value y) { return mlir::arith::AndIOp::create(b, loc, x, y); }
  Value orI(Value x, Value y) { return mlir::arith::OrIOp::create(b, loc, x, y); }
  Value select(Value c, Value x, Value y) {
    return mlir::arith::SelectOp::create(b, loc, c, x, y);
  }
};

} // namespace attnc

#endif // ATTNC_COMPILER_CONVERSION_ATTNTOTILE_I64BUILDER_H
