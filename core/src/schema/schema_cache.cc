// Compiling a schema builds the validator's whole tree (allocations per keyword); a completion
// used to pay that for its task's answer schema every time. The key is the schema's text, so two
// equal schemas share one compiled form whatever step or workflow they come from. When full the
// cache starts over: workflows carry few distinct answer schemas, and a miss costs one compile.
#include "schema/schema_cache.h"

namespace coalition {

Result<JsonSchema> SchemaCache::compiled(const nlohmann::json& schema) {
  std::string key = schema.dump();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = schemas_.find(key); it != schemas_.end()) return it->second;
  }
  auto compiled = JsonSchema::compile(schema);
  if (!compiled) return compiled;
  std::lock_guard<std::mutex> lock(mutex_);
  if (schemas_.size() >= capacity_) schemas_.clear();
  schemas_.emplace(std::move(key), *compiled);
  return compiled;
}

SchemaCache& SchemaCache::shared() {
  static SchemaCache cache;
  return cache;
}

}  // namespace coalition
