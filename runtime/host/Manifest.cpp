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
  else {
    read.error = concat(Reader::join(path, "grid"), ": \"", grid,
                        "\" is not one of \"q_tile_head_batch\", \"work_tiles\", \"persistent\"");
    return false;
  }
  return true;
}

bool parseKernel(Reader &read, const Json &entry, const std::string &path, ManifestKernel &out) {
  if (!entry.is_object())
    return read.mismatch(path, "an object", entry);
  constexpr int64_t kMaxThreads = 1024;                         // CUDA's per-block limit
  constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();
  constexpr int64_t kMaxTmaBoxRows = 256;                       // cuTensorMapEncodeTiled's limit
  if (!(read.string(entry, path, "mode", out.mode) && read.string(entry, path, "arch", out.arch) &&
        read.string(entry, path, "symbol", out.symbol) &&
        read.int32(entry, path, "threads", 1, kMaxThreads, out.threads) &&
        read.int32(entry, path, "smem_bytes", 0, kMaxInt32, out.smemBytes) &&
        read.int32(entry, path, "block_m", 1, kMaxInt32, out.blockM) &&
        read.int32(entry, path, "block_n", 1, kMaxInt32, out.blockN) &&
        parseGrid(read, entry, path, out.grid) &&
        read.optionalBoolean(entry, path, "tensor_maps", out.tensorMaps)))
    return false;
  // The tile rows are the tensor maps' box rows.
  if (out.tensorMaps && (out.blockM > kMaxTmaBoxRows || out.blockN > kMaxTmaBoxRows)) {
    read.error = concat(path, ": a kernel with tensor maps needs block_m and block_n <= ",
                        kMaxTmaBoxRows, ", got ", out.blockM, " and ", out.blockN);
    return false;
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
  return true;
}

} // namespace attn::runtime
