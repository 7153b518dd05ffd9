//===- Spec.cpp - Reading and validating attention specs ------------------===//
//
// Two passes over the text: nlohmann::json parses it (and reports syntax
// errors), then JsonLocator scans it for positions. Validation walks the
// parsed document key by key so that independent mistakes are all reported
// in one run.
//
//===----------------------------------------------------------------------===//

#include "compiler/Spec/Spec.h"

#include "compiler/Spec/Builtins.h"
#include "compiler/Spec/ExprParser.h"
#include "compiler/Spec/ExprSema.h"
#include "compiler/Spec/JsonLocator.h"
#include "compiler/Spec/JsonSyntaxError.h"
#include "compiler/Spec/Suggest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>

namespace attnc::spec {

namespace {

// Keys keep their written order so that the manifest shows the spec as given.
using Json = nlohmann::ordered_json;

constexpr size_t kMaxNameLength = 64;

/// How a JSON value is named in "expected X, got Y".
std::string describe(const Json &value) {
  switch (value.type()) {
  case Json::value_t::null:
    return "null";
  case Json::value_t::boolean:
    return value.get<bool>() ? "true" : "false";
  case Json::value_t::number_integer:
  case Json::value_t::number_unsigned:
  case Json::value_t::number_float:
    return "the number " + value.dump();
  case Json::value_t::string:
    return "a string";
  case Json::value_t::array:
    return "an array";
  case Json::value_t::object:
    return "an object";
  default:
    return "a value";
  }
}

bool isIdentifier(std::string_view name) {
  auto isStart = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  auto isRest = [&](char c) { return isStart(c) || (c >= '0' && c <= '9'); };
  return !name.empty() && isStart(name[0]) &&
         std::all_of(name.begin() + 1, name.end(), isRest);
}

class SpecReader {
public:
  SpecReader(std::string_view text, const Json &doc)
      : locator(text), doc(doc) {}

  SpecResult read() {
    SpecResult result;
    if (!doc.is_object()) {
      errorAt("", "a spec must be a JSON object, got " + describe(doc));
      result.errors = std::move(errors);
      return result;
    }
    for (const JsonLocator::DuplicateKey &duplicate : locator.duplicateKeys())
      errors.push_back({duplicate.pointer, duplicate.location.line,
                        duplicate.location.column,
                        "duplicate key " + quote(duplicate.key)});

    // Declarations first: the expressions refer to them.
    for (std::string_view key : {"grid", "tensors", "params"})
      if (doc.contains(key))
        (this->*findField(key)->read)(doc[std::string(key)],
                                      appendPointer("", std::string(key)));
    std::set<std::string_view> suggested;
    for (const auto &[key, value] : doc.items()) {
      std::string pointer = appendPointer("", key);
      if (const Field *field = findField(key)) {
        if (key != "grid" && key != "tensors" && key != "params")
          (this->*field->read)(value, pointer);
        continue;
      }
      std::vector<std::string_view> absent;
      for (const Field &field : fields())
        if (!doc.contains(field.key))
          absent.push_back(field.key);
      std::string message = "unknown key " + quote(key);
      if (std::optional<std::string_view> match =
              closestMatch(key, absent, 2)) {
        message += "; did you mean '" + std::string(*match) + "'?";
        suggested.insert(*match);
      }
      keyErrorAt(pointer, message);
    }
    // A misspelt required key is reported once, as the unknown key above.
    for (const Field &field : fields())
      if (field.required && !doc.contains(field.key) &&
          !suggested.count(field.key))
        errorAt("", "missing required key '" + std::string(field.key) + "'");

    if (!doc.contains("mask")) {
      spec.maskSource = "none";
      spec.mask = parseMask(spec.maskSource).expr;
    }
    if (!doc.contains("score"))
      spec.scoreSource = "s"; // the identity; spec.score stays null
    if (!doc.contains("modes"))
      spec.modes = {Mode::Forward};
    checkBlockDims();
    for (const Expr *expr : {spec.mask.get(), spec.score.get(), spec.sink.get()})
      if (expr && readsQueryInKeyDim(*expr, spec.decls))
        spec.requiresQueryNotLonger = true;

    if (!errors.empty()) {
      std::stable_sort(errors.begin(), errors.end(),
                       [](const SpecError &a, const SpecError &b) {
                         return std::make_pair(a.line, a.column) <
                                std::make_pair(b.line, b.column);
                       });
      result.errors = std::move(errors);
      return result;
    }
    spec.json = doc.dump();
    result.spec = std::move(spec);
    return result;
  }

private:
  using FieldReader = void (SpecReader::*)(const Json &value,
                                           const std::string &pointer);
  struct Field {
    std::string_view key;
    bool required;
    FieldReader read;
  };

  /// Every key a spec may have: a new key is one entry here plus its reader.
  static const std::vector<Field> &fields() {
    static const std::vector<Field> table = {
        {"name", true, &SpecReader::readName},
        {"head_dim", true, &SpecReader::readHeadDim},
        {"dtype", true, &SpecReader::readDtype},
        {"mask", false, &SpecReader::readMask},
        {"score", false, &SpecReader::readScore},
        {"sink", false, &SpecReader::readSink},
        {"grid", false, &SpecReader::readGrid},
        {"tensors", false, &SpecReader::readTensors},
        {"params", false, &SpecReader::readParams},
        {"routing", false, &SpecReader::readRouting},
        {"modes", false, &SpecReader::readModes},
        {"description", false, &SpecReader::readIgnoredString},
        {"$schema", false, &SpecReader::readIgnoredString},
    };
    return table;
  }

  static const Field *findField(std::string_view key) {
    for (const Field &field : fields())
      if (field.key == key)
        return &field;
    return nullptr;
  }

  void errorAt(const std::string &pointer, std::string message,
               int expressionColumn = 0) {
    SourceLocation location =
        locator.value(pointer).value_or(SourceLocation{1, 1});
    errors.push_back({pointer, location.line, location.column,
                      std::move(message), expressionColumn});
  }

  void keyErrorAt(const std::string &pointer, std::string message) {
    SourceLocation location =
        locator.key(pointer).value_or(SourceLocation{1, 1});
    errors.push_back(
        {pointer, location.line, location.column, std::move(message)});
  }

  bool expectString(const Json &value, const std::string &pointer) {
    if (value.is_string())
      return true;
    errorAt(pointer, "expected a string, got " + describe(value));
    return false;
  }

  void readIgnoredString(const Json &value, const std::string &pointer) {
    expectString(value, pointer);
  }

  void readName(const Json &value, const std::string &pointer) {
    if (!expectString(value, pointer))
      return;
    const std::string &name = value.get_ref<const std::string &>();
    if (name.empty())
      errorAt(pointer, "name must not be empty");
    else if (!isIdentifier(name))
      errorAt(pointer,
              "invalid name " + quote(name) +
                  ": a name must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)");
    else if (name.size() > kMaxNameLength)
      errorAt(pointer, "name is " + std::to_string(name.size()) +
                           " characters long; at most " +
                           std::to_string(kMaxNameLength) + " are allowed");
    else
      spec.name = name;
  }

  void readHeadDim(const Json &value, const std::string &pointer) {
    if (!value.is_number_integer()) {
      errorAt(pointer, "expected an integer, got " + describe(value));
      return;
    }
    bool fits = !value.is_number_unsigned() ||
                value.get<uint64_t>() <=
                    static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    int64_t headDim = fits ? value.get<int64_t>() : 0;
    if (headDim != 64 && headDim != 128 && headDim != 256) {
      errorAt(pointer, "unsupported head_dim " + value.dump() +
                           ": supported are 64, 128, 256");
      return;
    }
    spec.headDim = headDim;
  }

  void readDtype(const Json &value, const std::string &pointer) {
    if (!expectString(value, pointer))
      return;
    const std::string &dtype = value.get_ref<const std::string &>();
    if (dtype == "f16")
      spec.elementType = ElementType::F16;
    else if (dtype == "bf16")
      spec.elementType = ElementType::BF16;
    else
      errorAt(pointer, "unsupported dtype " + quote(dtype) +
                           ": supported are 'f16', 'bf16'");
  }

  void readMask(const Json &value, const std::string &pointer) {
    if (!expectString(value, pointer))
      return;
    const std::string &source = value.get_ref<const std::string &>();
    ExprParseResult parsed = parseMask(source, spec.decls);
    for (const ExprError &error : parsed.errors)
      errorAt(pointer, error.message, error.column());
    spec.maskSource = source;
    spec.mask = std::move(parsed.expr);
  }

  void readScore(const Json &value, const std::string &pointer) {
    if (!expectString(value, pointer))
      return;
    const std::string &source = value.get_ref<const std::string &>();
    ExprParseResult parsed = parseScore(source, spec.decls);
    for (const ExprError &error : parsed.errors)
      errorAt(pointer, error.message, error.column());
    spec.scoreSource = source;
    spec.score = std::move(parsed.expr);
  }

  void readSink(const Json &value, const std::string &pointer) {
    if (!expectString(value, pointer))
      return;
    const std::string &source = value.get_ref<const std::string &>();
    ExprParseResult parsed = parseSink(source, spec.decls);
    for (const ExprError &error : parsed.errors)
      errorAt(pointer, error.message, error.column());
    spec.sinkSource = source;
    spec.sink = std::move(parsed.expr);
  }

  /// A name a declaration may take: an identifier that is not already a
  /// variable, built-in, literal or declaration.
  bool checkDeclName(const std::string &name, const std::string &pointer) {
    if (!isIdentifier(name) || name.size() > kMaxNameLength) {
      keyErrorAt(pointer, "invalid name " + quote(name) +
                              ": a declared name must be a C identifier of "
                              "at most 64 characters");
      return false;
    }
    if (lookupVar(name) || lookupBuiltin(name) || name == "true" ||
        name == "false" || name == "document") {
      keyErrorAt(pointer, quote(name) + " is a variable or built-in of the "
                                        "expression language; choose "
                                        "another name");
      return false;
    }
    if (spec.decls.tensorSlot(name) || spec.decls.paramSlot(name)) {
      keyErrorAt(pointer, quote(name) + " is declared twice");
      return false;
    }
    return true;
  }

  /// "grid": [n] / [h, w] / [t, h, w], each size >= 1, product < 2^31.
  void readGrid(const Json &value, const std::string &pointer) {
    if (!value.is_array() || value.empty() || value.size() > kMaxGridRank) {
      errorAt(pointer, "expected an array of 1 to " + std::to_string(kMaxGridRank) +
                           " axis sizes, got " + describe(value));
      return;
    }
    std::vector<int64_t> grid;
    int64_t tokens = 1;
    for (size_t i = 0; i < value.size(); ++i) {
      const Json &size = value[i];
      if (!size.is_number_integer() || size.get<int64_t>() < 1 ||
          size.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
        errorAt(appendPointer(pointer, std::to_string(i)),
                "a grid axis size is a positive integer, got " + describe(size));
        return;
      }
      grid.push_back(size.get<int64_t>());
      tokens *= grid.back();
      if (tokens > std::numeric_limits<int32_t>::max()) {
        errorAt(pointer, "the grid has more than 2^31 - 1 tokens");
        return;
      }
    }
    spec.decls.grid = std::move(grid);
  }

  void readTensors(const Json &value, const std::string &pointer) {
    if (!value.is_object()) {
      errorAt(pointer, "expected an object of tensors, got " + describe(value));
      return;
    }
    if (value.size() > kMaxTensors)
      errorAt(pointer, "at most " + std::to_string(kMaxTensors) +
                           " tensors may be declared");
    for (const auto &[name, decl] : value.items()) {
      std::string at = appendPointer(pointer, name);
      if (!checkDeclName(name, at))
        continue;
      if (!decl.is_object()) {
        errorAt(at, "expected an object with \"dtype\" and \"shape\", got " +
                        describe(decl));
        continue;
      }
      TensorDecl tensor{name, DataType::I32, {}};
      bool ok = true;
      for (const auto &[key, field] : decl.items())
        if (key != "dtype" && key != "shape") {
          keyErrorAt(appendPointer(at, key),
                     "unknown key " + quote(key) + " in a tensor; a tensor "
                     "has \"dtype\" and \"shape\"");
          ok = false;
        }
      std::string dtypeAt = appendPointer(at, "dtype");
      const Json *dtype = decl.contains("dtype") ? &decl["dtype"] : nullptr;
      std::optional<DataType> type;
      if (!dtype)
        errorAt(at, "missing required key 'dtype'");
      else if (!dtype->is_string() ||
               !(type = lookupDataType(dtype->get<std::string>())))
        errorAt(dtypeAt, "unsupported tensor dtype " +
                             (dtype->is_string() ? quote(dtype->get<std::string>())
                                                 : describe(*dtype)) +
                             ": supported are 'i32', 'f32', 'f16', 'bf16'");
      ok &= type.has_value();
      if (type)
        tensor.dtype = *type;
      ok &= readShape(decl, at, tensor.dims);
      if (ok)
        spec.decls.tensors.push_back(std::move(tensor));
    }
  }

  bool readShape(const Json &decl, const std::string &at,
                 std::vector<Dim> &dims) {
    if (!decl.contains("shape")) {
      errorAt(at, "missing required key 'shape'");
      return false;
    }
    std::string shapeAt = appendPointer(at, "shape");
    const Json &shape = decl["shape"];
    if (!shape.is_array() || shape.empty() || shape.size() > kMaxTensorRank) {
      errorAt(shapeAt, "expected an array of 1 to " +
                           std::to_string(kMaxTensorRank) +
                           " dimensions, got " + describe(shape));
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < shape.size(); ++i) {
      const Json &dim = shape[i];
      std::string dimAt = appendPointer(shapeAt, std::to_string(i));
      if (dim.is_string()) {
        if (std::optional<Dim> symbol = lookupDimSymbol(dim.get<std::string>())) {
          dims.push_back(*symbol);
          continue;
        }
      } else if (dim.is_number_integer() && dim.get<int64_t>() >= 1 &&
                 dim.get<int64_t>() <= std::numeric_limits<int32_t>::max()) {
        dims.push_back({DimKind::Fixed, dim.get<int64_t>()});
        continue;
      }
      errorAt(dimAt, "a dimension is 'b', 'hq', 'sq', 'skv', 'sq/N' or a "
                     "positive integer, got " +
                         (dim.is_string() ? quote(dim.get<std::string>())
                                          : describe(dim)));
      ok = false;
    }
    return ok;
  }

  void readParams(const Json &value, const std::string &pointer) {
    if (!value.is_object()) {
      errorAt(pointer, "expected an object of parameters, got " +
                           describe(value));
      return;
    }
    if (value.size() > kMaxParams)
      errorAt(pointer, "at most " + std::to_string(kMaxParams) +
                           " parameters may be declared");
    for (const auto &[name, type] : value.items()) {
      std::string at = appendPointer(pointer, name);
      if (!checkDeclName(name, at))
        continue;
      if (type == "int")
        spec.decls.params.push_back({name, ExprType::Int});
      else if (type == "float")
        spec.decls.params.push_back({name, ExprType::Float});
      else
        errorAt(at, "a parameter's type is 'int' or 'float', got " +
                        (type.is_string() ? quote(type.get<std::string>())
                                          : describe(type)));
    }
  }

  /// "routing": {"tensor": name, "block": n}. The tensor must be the list
  /// the kernels read: i32, [("b")?, ("hq")?, "sq/n", K] with K fixed.
  void readRouting(const Json &value, const std::string &pointer) {
    if (!value.is_object()) {
      errorAt(pointer, "expected an object with \"tensor\" and \"block\", got " +
                           describe(value));
      return;
    }
    for (const auto &[key, field] : value.items())
      if (key != "tensor" && key != "block")
        keyErrorAt(appendPointer(pointer, key),
                   "unknown key " + quote(key) + " in routing; routing has "
                   "\"tensor\" and \"block\"");
    for (std::string_view key : {"tensor", "block"})
      if (!value.contains(key)) {
        errorAt(pointer, "missing required key '" + std::string(key) + "'");
        return;
      }
    const std::string tensorAt = appendPointer(pointer, "tensor");
    if (!expectString(value["tensor"], tensorAt))
      return;
    const std::string &name = value["tensor"].get_ref<const std::string &>();
    routingNamed = name;
    const std::string blockAt = appendPointer(pointer, "block");
    const Json &block = value["block"];
    if (!block.is_number_integer() || block.get<int64_t>() < kRoutingBlockMultiple ||
        block.get<int64_t>() > (int64_t(1) << 20) ||
        block.get<int64_t>() % kRoutingBlockMultiple != 0) {
      errorAt(blockAt, "the routing block is a multiple of " +
                           std::to_string(kRoutingBlockMultiple) +
                           " keys up to 2^20 (a block is whole q and kv tiles "
                           "of every kernel), got " + describe(block));
      return;
    }
    std::optional<size_t> slot = spec.decls.tensorSlot(name);
    if (!slot) {
      errorAt(tensorAt, "routing names " + quote(name) +
                            ", which \"tensors\" does not declare");
      return;
    }
    const TensorDecl &tensor = spec.decls.tensors[*slot];
    const int64_t n = block.get<int64_t>();
    if (!isRoutingList(tensor, n)) {
      errorAt(tensorAt, "the routing tensor " + quote(name) +
                            " must be i32 of shape [\"b\", \"hq\", \"sq/" +
                            std::to_string(n) + "\", K] with K in 1.." +
                            std::to_string(kMaxRoutedBlocks) +
                            " (\"b\" and \"hq\" may be left out)");
      return;
    }
    if (!spec.decls.grid.empty()) {
      errorAt(pointer, "routing lists blocks of the token sequence; a spec with "
                       "a \"grid\" cannot have it");
      return;
    }
    spec.routing = Routing{*slot, n};
  }

  static bool isRoutingList(const TensorDecl &tensor, int64_t block) {
    const std::vector<Dim> &dims = tensor.dims;
    const size_t n = dims.size();
    if (tensor.dtype != DataType::I32 || n < 2 || dims[n - 1].kind != DimKind::Fixed ||
        dims[n - 1].size > kMaxRoutedBlocks || dims[n - 2].kind != DimKind::QueryBlocks ||
        dims[n - 2].size != block)
      return false;
    std::vector<DimKind> leading;
    for (size_t i = 0; i + 2 < n; ++i)
      leading.push_back(dims[i].kind);
    using K = DimKind;
    return leading.empty() || leading == std::vector<K>{K::Batch} ||
           leading == std::vector<K>{K::QueryHeads} ||
           leading == std::vector<K>{K::Batch, K::QueryHeads};
  }

  /// An "sq/N" dimension belongs to the routing list only: expressions cannot
  /// index it (ExprSema says so where one tries). The list routing names is
  /// checked (once) by readRouting.
  void checkBlockDims() {
    for (size_t slot = 0; slot < spec.decls.tensors.size(); ++slot) {
      const TensorDecl &tensor = spec.decls.tensors[slot];
      bool hasBlocks = std::any_of(tensor.dims.begin(), tensor.dims.end(), [](const Dim &d) {
        return d.kind == DimKind::QueryBlocks;
      });
      if (hasBlocks && tensor.name != routingNamed)
        errorAt(appendPointer(appendPointer("/tensors", tensor.name), "shape"),
                "an 'sq/N' dimension is for the list \"routing\" names; " +
                    quote(tensor.name) + " is not it");
    }
  }

  void readModes(const Json &value, const std::string &pointer) {
    if (!value.is_array()) {
      errorAt(pointer, "expected an array of strings, got " + describe(value));
      return;
    }
    if (value.empty()) {
      errorAt(pointer, "modes must not be empty");
      return;
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < value.size(); ++i) {
      std::string elementPointer = appendPointer(pointer, std::to_string(i));
      if (!expectString(value[i], elementPointer))
        continue;
      const std::string &mode = value[i].get_ref<const std::string &>();
      if (mode != "forward") {
        errorAt(elementPointer,
                "unknown mode " + quote(mode) + ": supported are 'forward'");
        continue;
      }
      if (!seen.insert(mode).second) {
        errorAt(elementPointer, "duplicate mode " + quote(mode));
        continue;
      }
      spec.modes.push_back(Mode::Forward);
    }
  }

  /// The tensor "routing" names, valid or not.
  std::string routingNamed;
  JsonLocator locator;
  const Json &doc;
  std::vector<SpecError> errors;
  Spec spec;
};

} // namespace

SpecResult parseSpec(std::string_view text) {
  SpecResult result;
  // The public API promises no exceptions; nlohmann throws them for syntax
  // errors and std::bad_alloc may come from anywhere.
  try {
    Json doc;
    try {
      doc = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error &error) {
      result.errors.push_back(jsonSyntaxError(text, error.byte, error.what()));
      return result;
    }
    return SpecReader(text, doc).read();
  } catch (const std::exception &error) {
    result.errors.push_back(
        {"", 0, 0, std::string("internal error: ") + error.what()});
    return result;
  }
}

SpecResult parseSpecFile(const std::string &path) {
  auto fail = [&](int error) {
    SpecResult result;
    result.errors.push_back(
        {"", 0, 0, "cannot read " + quote(path) + ": " + std::strerror(error)});
    return result;
  };
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return fail(errno);
  std::string text;
  char buffer[1 << 16];
  size_t count;
  while ((count = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    text.append(buffer, count);
  int readError = std::ferror(file) ? errno : 0;
  std::fclose(file);
  // A directory opens but does not read (EISDIR).
  if (readError)
    return fail(readError);
  return parseSpec(text);
}

std::string_view elementTypeName(ElementType type) {
  return type == ElementType::F16 ? "f16" : "bf16";
}

std::string_view modeName(Mode mode) {
  switch (mode) {
  case Mode::Forward:
    return "forward";
  }
  return "?";
}

} // namespace attnc::spec
