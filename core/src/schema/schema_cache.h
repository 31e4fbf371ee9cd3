// SchemaCache: compiled JSON Schemas by their text, so a schema every task of a step carries (an
// answer schema) is compiled once, not on every completion. Bounded; thread-safe.
#ifndef COALITION_SCHEMA_SCHEMA_CACHE_H_
#define COALITION_SCHEMA_SCHEMA_CACHE_H_

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "schema/json_schema.h"

namespace coalition {

class SchemaCache {
 public:
  explicit SchemaCache(size_t capacity = 256) : capacity_(capacity) {}

  // `schema` compiled (as written), from the cache when the same text was compiled before.
  // A schema that does not compile is not kept: its error comes back each time.
  Result<JsonSchema> compiled(const nlohmann::json& schema);

  // The process's cache (answer schemas of every execution).
  static SchemaCache& shared();

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::map<std::string, JsonSchema> schemas_;  // by the schema's JSON text
};

}  // namespace coalition

#endif  // COALITION_SCHEMA_SCHEMA_CACHE_H_
