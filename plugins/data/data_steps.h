// The behaviour of the data plugin's steps, testable without loading the plugin.
#ifndef COALITION_PLUGINS_DATA_DATA_STEPS_H_
#define COALITION_PLUGINS_DATA_DATA_STEPS_H_

#include <nlohmann/json.hpp>

namespace coalition::plugins::data {

// Applies each element of `patches` in order to `base` as a JSON Merge Patch (RFC 7396): objects
// merge key by key, null removes a key, anything else replaces.
nlohmann::json merge(nlohmann::json base, const nlohmann::json& patches);

}  // namespace coalition::plugins::data

#endif  // COALITION_PLUGINS_DATA_DATA_STEPS_H_
