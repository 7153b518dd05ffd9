#include "Manifest.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "Error.h"

namespace attn::runtime {

namespace {

using Json = nlohmann::json;

const char *kindOf(const Json &value) {
  switch (value.type()) {
  case Json::value_t::null:
    return "null";
  case Json::value_t::object:
    return "an object";
  case Json::value_t::array:
    return "an array";
  case Json::value_t::string:
    return "a string";
  case Json::value_t::boolean:
    return "a boolean";
  case Json::value_t::number_integer:
  case Json::value_t::number_unsigned:
    return "an integer";
  case Json::value_t::number_float:
    return "a number";
  default:
    return "an unknown value";
  }
}

// Field readers: each returns false with `error` set to "<path>: <problem>". Json::find is used
// rather than operator[] or at(): the first inserts into a const object's copy, the second throws.
class Reader {
public:
  explicit Reader(std::string &error) : error(error) {}

  const Json *field(const Json &object, const std::string &path, const char *key) {
    auto it = object.find(key);
    if (it == object.end()) {
      error = concat(join(path, key), ": missing");
      return nullptr;
    }
    return &*it;
  }

  bool string(const Json &object, const std::string &path, const char *key, std::string &out) {
    const Json *value = field(object, path, key);
    if (value == nullptr)
      return false;
    if (!value->is_string())
      return mismatch(join(path, key), "a string", *value);
    out = value->get<std::string>();
    return true;
  }

  bool integer(const Json &object, const std::string &path, const char *key, int64_t lo, int64_t hi,
               int64_t &out) {
    const Json *value = field(object, path, key);
    if (value == nullptr)
      return false;
    if (!value->is_number_integer())
      return mismatch(join(path, key), "an integer", *value);
    // Unsigned values above INT64_MAX would wrap in get<int64_t>(): check them as unsigned.
    if (value->is_number_unsigned() &&
        value->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      error = concat(join(path, key), ": ", value->get<uint64_t>(), " is out of range [", lo, ", ",
                     hi, "]");
      return false;
    }
    out = value->get<int64_t>();
    if (out < lo || out > hi) {
      error = concat(join(path, key), ": ", out, " is out of range [", lo, ", ", hi, "]");
      return false;
    }
    return true;
  }

  bool int32(const Json &object, const std::string &path, const char *key, int64_t lo, int64_t hi,
             int32_t &out) {
    int64_t wide = 0;
    if (!integer(object, path, key, lo, hi, wide))
      return false;
    out = static_cast<int32_t>(wide);
    return true;
  }

  // An optional array of 1 to 3 sizes in [1, 2^31 - 1] (a token grid or a tile's box); `out`
  // stays empty if the key is absent.
  bool optionalSizes(const Json &object, const std::string &path, const char *key,
                     std::vector<int32_t> &out) {
    auto it = object.find(key);
    if (it == object.end())
      return true;
    if (!it->is_array() || it->empty() || it->size() > 3)
      return mismatch(join(path, key), "an array of 1 to 3 sizes", *it);
    for (const Json &size : *it) {
      if (!size.is_number_integer() || size.get<int64_t>() < 1 ||
          size.get<int64_t>() > std::numeric_limits<int32_t>::max())
        return mismatch(join(path, key), "a positive 32-bit size", size);
      out.push_back(static_cast<int32_t>(size.get<int64_t>()));
    }
    return true;
  }

  // An optional non-empty string: `out` keeps its value if the key is absent.
  bool optionalString(const Json &object, const std::string &path, const char *key,
                      std::string &out) {
    auto it = object.find(key);
    if (it == object.end())
      return true;
    if (!it->is_string() || it->get<std::string>().empty())
      return mismatch(join(path, key), "a symbol name", *it);
    out = it->get<std::string>();
    return true;
  }

  // An optional boolean: `out` keeps its value if the key is absent.
  bool optionalBoolean(const Json &object, const std::string &path, const char *key, bool &out) {
    auto it = object.find(key);
    if (it == object.end())
      return true;
    if (!it->is_boolean())
      return mismatch(join(path, key), "a boolean", *it);
    out = it->get<bool>();
    return true;
  }

  bool mismatch(const std::string &path, const char *expected, const Json &found) {
    error = concat(path, ": expected ", expected, ", found ", kindOf(found));
    return false;
  }

  static std::string join(const std::string &path, const char *key) {
    return path.empty() ? std::string(key) : concat(path, ".", key);
  }

  std::string &error;
};

bool parseDtype(const std::string &text, attn_dtype &out) {
  if (text == "bf16") {
    out = ATTN_DTYPE_BF16;
    return true;
  }
  if (text == "f16" || text == "fp16") {
    out = ATTN_DTYPE_F16;
    return true;
  }
  return false;
}

constexpr int64_t kMaxThreads = 1024; // CUDA's per-block limit

// {"symbol", "threads"} of a plan kernel at `at`.
bool parsePlanKernel(Reader &read, const Json &entry, const std::string &at,
                     ManifestPlanKernel &out) {
  if (!entry.is_object())
    return read.mismatch(at, "an object", entry);
  return read.string(entry, at, "symbol", out.symbol) &&
         read.int32(entry, at, "threads", 1, kMaxThreads, out.threads);
}

// "summaries": {"symbol", "threads", "tensors": [{"slot", "length", "batched"}]}.
bool parseSummaries(Reader &read, const Json &entry, const std::string &at, ManifestPlan &out) {
  if (!parsePlanKernel(read, entry, at, out.summary))
    return false;
  const Json *tensors = read.field(entry, at, "tensors");
  if (tensors == nullptr)
    return false;
  if (!tensors->is_array() || tensors->empty() || tensors->size() > ATTN_MAX_TENSORS)
    return read.mismatch(at + ".tensors", "an array of 1 to 8 entries", *tensors);
  for (size_t i = 0; i < tensors->size(); ++i) {
    const Json &tensor = (*tensors)[i];
    const std::string tat = concat(at, ".tensors[", i, "]");
    ManifestSummary summary;
    std::string length;
    if (!tensor.is_object())
      return read.mismatch(tat, "an object", tensor);
    if (!read.int32(tensor, tat, "slot", 0, ATTN_MAX_TENSORS - 1, summary.slot) ||
        !read.string(tensor, tat, "length", length))
      return false;
    if (length != "sq" && length != "skv") {
      read.error = concat(tat, ".length: \"", length, "\" is not \"sq\" or \"skv\"");
      return false;
    }
    summary.alongQueries = length == "sq";
    summary.batched = tensor.contains("batched") && tensor["batched"] == true;
    out.summaries.push_back(summary);
  }
  return true;
}

// A kernel's optional "plan": {"summaries"?: ..., "kv_tiles"?: {"symbol", "threads",
// "per_head"}}, at least one of them.
bool parsePlan(Reader &read, const Json &entry, const std::string &path, ManifestPlan &out) {
  auto it = entry.find("plan");
  if (it == entry.end() || it->is_null())
    return true;
  const std::string at = path + ".plan";
  if (!it->is_object() || (!it->contains("summaries") && !it->contains("kv_tiles")))
    return read.mismatch(at, "an object with \"summaries\" or \"kv_tiles\", or null", *it);
  if (it->contains("summaries") && !parseSummaries(read, (*it)["summaries"], at + ".summaries", out))
    return false;
  if (!it->contains("kv_tiles"))
    return true;
  const Json &tiles = (*it)["kv_tiles"];
  if (!parsePlanKernel(read, tiles, at + ".kv_tiles", out.kvTiles))
    return false;
  if (out.kvTiles.threads % 32 != 0) {
    read.error = concat(at, ".kv_tiles.threads: ", out.kvTiles.threads,
                        " is not a multiple of 32 (the plan takes whole warps)");
    return false;
  }
  return read.optionalBoolean(tiles, at + ".kv_tiles", "per_head", out.kvTilesPerHead);
}

bool parseGrid(Reader &read, const Json &entry, const std::string &path, LaunchGrid &out) {
  if (!entry.contains("grid"))
    return true;
  std::string grid;
  if (!read.string(entry, path, "grid", grid))
    return false;
  if (grid == "q_tile_head_batch")
    out = LaunchGrid::QTileHeadBatch;
  else if (grid == "work_tiles")
    out = LaunchGrid::WorkTiles;
  else if (grid == "persistent")
    out = LaunchGrid::Persistent;
  else if (grid == "dynamic")
    out = LaunchGrid::Dynamic;
  else {
    read.error = concat(Reader::join(path, "grid"), ": \"", grid,
                        "\" is not one of \"q_tile_head_batch\", \"work_tiles\", \"persistent\", "
                        "\"dynamic\"");
    return false;
  }
  return true;
}

bool parseKernel(Reader &read, const Json &entry, const std::string &path, ManifestKernel &out) {
  if (!entry.is_object())
    return read.mismatch(path, "an object", entry);
  constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();
  constexpr int64_t kMaxTmaBoxRows = 256;                       // cuTensorMapEncodeTiled's limit
  if (!(read.string(entry, path, "mode", out.mode) && read.string(entry, path, "arch", out.arch) &&
        read.string(entry, path, "symbol", out.symbol) &&
        read.int32(entry, path, "threads", 1, kMaxThreads, out.threads) &&
        read.int32(entry, path, "smem_bytes", 0, kMaxInt32, out.smemBytes) &&
        read.int32(entry, path, "block_m", 1, kMaxInt32, out.blockM) &&
        read.int32(entry, path, "block_n", 1, kMaxInt32, out.blockN) &&
        parseGrid(read, entry, path, out.grid) &&
        read.optionalBoolean(entry, path, "tensor_maps", out.tensorMaps) &&
        read.optionalString(entry, path, "packed_heads_symbol", out.packedHeadsSymbol) &&
        parsePlan(read, entry, path, out.plan) &&
        read.optionalSizes(entry, path, "q_box", out.qBox) &&
        read.optionalSizes(entry, path, "kv_box", out.kvBox)))
    return false;
  auto product = [](const std::vector<int32_t> &box) {
    int64_t n = 1;
    for (int32_t extent : box)
      n *= extent;
    return n;
  };
  // Either kernel family may tile a token grid in N-d (a q tile is then a box of the grid).
  if (out.qBox.size() != out.kvBox.size() ||
      (!out.qBox.empty() && (product(out.qBox) != out.blockM ||
                             product(out.kvBox) != out.blockN || out.qBox.size() < 2))) {
    read.error = concat(path, ": q_box and kv_box come together, "
                              "of 2 or 3 extents whose products are block_m and block_n");
    return false;
  }
  // The kv plan's entries are per q tile of the sequence (attn/device/kv_plan.h).
  if (!out.plan.kvTiles.symbol.empty() && !out.qBox.empty()) {
    read.error = concat(path, ".plan.kv_tiles: a kernel that tiles a token grid in N-d has no kv "
                              "plan");
    return false;
  }
  // The tile rows are the tensor maps' box rows.
  if (out.tensorMaps && (out.blockM > kMaxTmaBoxRows || out.blockN > kMaxTmaBoxRows)) {
    read.error = concat(path, ": a kernel with tensor maps needs block_m and block_n <= ",
                        kMaxTmaBoxRows, ", got ", out.blockM, " and ", out.blockN);
    return false;
  }
  return true;
}

bool parseTensor(Reader &read, const Json &entry, const std::string &path, ManifestTensor &out) {
  if (!entry.is_object())
    return read.mismatch(path, "an object", entry);
  std::string dtype;
  if (!read.string(entry, path, "name", out.name) || !read.string(entry, path, "dtype", dtype))
    return false;
  bool found = false;
  for (attn_dtype value : {ATTN_DTYPE_I32, ATTN_DTYPE_F32, ATTN_DTYPE_F16, ATTN_DTYPE_BF16})
    if (dtype == dtypeName(value))
      out.dtype = value, found = true;
  if (!found) {
    read.error = concat(path, ".dtype: \"", dtype, "\" is not a runtime tensor dtype");
    return false;
  }
  const Json *shape = read.field(entry, path, "shape");
  if (shape == nullptr)
    return false;
  if (!shape->is_array() || shape->empty() || shape->size() > ATTN_MAX_TENSOR_RANK)
    return read.mismatch(path + ".shape", "an array of 1 to 4 dimensions", *shape);
  for (const Json &dim : *shape) {
    if (dim.is_string() && (dim == "b" || dim == "hq" || dim == "sq" || dim == "skv" ||
                            queryBlockSize(dim.get<std::string>()) > 0))
      out.dims.push_back(dim.get<std::string>());
    else if (dim.is_number_integer() && dim.get<int64_t>() >= 1)
      out.dims.push_back(std::to_string(dim.get<int64_t>()));
    else
      return read.mismatch(path + ".shape", "\"b\", \"hq\", \"sq\", \"skv\", \"sq/N\" or a size",
                           dim);
  }
  return true;
}

bool parseParam(Reader &read, const Json &entry, const std::string &path, ManifestParam &out) {
  if (!entry.is_object())
    return read.mismatch(path, "an object", entry);
  std::string type;
  if (!read.string(entry, path, "name", out.name) || !read.string(entry, path, "type", type))
    return false;
  if (type != "int" && type != "float") {
    read.error = concat(path, ".type: \"", type, "\" is not \"int\" or \"float\"");
    return false;
  }
  out.isFloat = type == "float";
  return true;
}

static_assert(ATTN_MAX_TENSORS == 8 && ATTN_MAX_PARAMS == 8, "parseList's message says 8");

// The optional list `key` of the root, each entry parsed by `parse`; at most `limit` entries.
template <class T, class Parse>
bool parseList(Reader &read, const Json &root, const char *key, size_t limit, Parse parse,
               std::vector<T> &out) {
  out.clear();
  if (!root.contains(key))
    return true;
  const Json &list = root[key];
  if (!list.is_array() || list.size() > limit)
    return read.mismatch(key, "an array of at most 8 entries", list);
  for (size_t i = 0; i < list.size(); ++i) {
    T item;
    if (!parse(read, list[i], concat(key, "[", i, "]"), item))
      return false;
    out.push_back(std::move(item));
  }
  return true;
}

} // namespace

const char *dtypeName(attn_dtype dtype) {
  switch (dtype) {
  case ATTN_DTYPE_F16:
    return "f16";
  case ATTN_DTYPE_BF16:
    return "bf16";
  case ATTN_DTYPE_F32:
    return "f32";
  case ATTN_DTYPE_I32:
    return "i32";
  }
  return "unknown";
}

bool parseManifest(const char *text, Manifest &out, std::string &error) {
  if (text == nullptr) {
    error = "missing (the descriptor's manifest_json is null)";
    return false;
  }
  Json root = Json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    error = "not valid JSON";
    return false;
  }
  Reader read(error);
  if (!root.is_object())
    return read.mismatch("(root)", "an object", root);

  int64_t abi = 0;
  std::string dtype;
  if (!read.integer(root, "", "abi_version", 0, std::numeric_limits<uint32_t>::max(), abi) ||
      !read.string(root, "", "name", out.name) || !read.string(root, "", "dtype", dtype) ||
      !read.int32(root, "", "head_dim", 1, 1024, out.headDim))
    return false;
  out.abiVersion = static_cast<uint32_t>(abi);
  if (!parseDtype(dtype, out.dtype)) {
    error = concat("dtype: \"", dtype, "\" is not one of \"bf16\", \"f16\"");
    return false;
  }
  // The mask and score are informational for the runtime (the kernel has them compiled in);
  // tools read them.
  if (root.contains("mask") && !read.string(root, "", "mask", out.mask))
    return false;
  if (root.contains("score") && !read.string(root, "", "score", out.score))
    return false;

  const Json *kernels = read.field(root, "", "kernels");
  if (kernels == nullptr)
    return false;
  if (!kernels->is_array())
    return read.mismatch("kernels", "an array", *kernels);
  out.kernels.clear();
  for (size_t i = 0; i < kernels->size(); ++i) {
    ManifestKernel kernel;
    if (!parseKernel(read, (*kernels)[i], concat("kernels[", i, "]"), kernel))
      return false;
    // A tensor map's box is 64 elements of D (the 128-byte swizzle span) wide.
    if (kernel.tensorMaps && out.headDim % 64 != 0) {
      error = concat("kernels[", i, "].tensor_maps: head_dim ", out.headDim,
                     " is not a multiple of 64");
      return false;
    }
    out.kernels.push_back(std::move(kernel));
  }
  if (!parseList(read, root, "tensors", ATTN_MAX_TENSORS, parseTensor, out.tensors) ||
      !parseList(read, root, "params", ATTN_MAX_PARAMS, parseParam, out.params))
    return false;
  out.requiresQueryNotLonger =
      root.contains("requires_sq_le_skv") && root["requires_sq_le_skv"] == true;
  if (!read.optionalSizes(root, "", "token_grid", out.tokenGrid))
    return false;
  int64_t tokens = 1;
  for (int32_t size : out.tokenGrid)
    tokens *= size;
  if (tokens > std::numeric_limits<int32_t>::max()) {
    error = "token_grid: more than 2^31 - 1 tokens";
    return false;
  }
  out.gridTokens = out.tokenGrid.empty() ? 0 : tokens;
  for (size_t i = 0; i < out.kernels.size(); ++i) {
    ManifestKernel &kernel = out.kernels[i];
    if (kernel.qBox.empty())
      continue;
    if (kernel.qBox.size() != out.tokenGrid.size()) {
      error = concat("kernels[", i, "].q_box: one extent per axis of token_grid");
      return false;
    }
    kernel.gridQTiles = 1;
    for (size_t a = 0; a < kernel.qBox.size(); ++a)
      kernel.gridQTiles *= (out.tokenGrid[a] + kernel.qBox[a] - 1) / kernel.qBox[a];
  }
  size_t ints = 0;
  for (const ManifestParam &param : out.params)
    ints += !param.isFloat;
  if (ints > ATTN_MAX_PARAMS || out.params.size() - ints > ATTN_MAX_PARAMS) {
    error = "params: too many parameters of one type";
    return false;
  }
  return true;
}

int64_t queryBlockSize(const std::string &dim) {
  const std::string prefix = "sq/";
  if (dim.compare(0, prefix.size(), prefix) != 0) return 0;
  const std::string digits = dim.substr(prefix.size());
  if (digits.empty() || digits.size() > 10 || digits[0] == '0' ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  const int64_t n = std::stoll(digits);
  return n <= INT32_MAX ? n : 0;
}

} // namespace attn::runtime
