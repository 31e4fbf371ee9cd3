// Data files named in a plugin's configuration, relative to the engine's configuration
// directory (the host adds "config_directory" to every plugin's configuration).
#ifndef COALITION_PLUGINS_SHARED_CONFIG_FILE_H_
#define COALITION_PLUGINS_SHARED_CONFIG_FILE_H_

#include <coalition/plugin.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace coalition::plugins {

// config[key] (else `fallback`) resolved against config["config_directory"].
inline std::filesystem::path config_path(const nlohmann::json& config, const std::string& key,
                                         const std::string& fallback) {
  std::filesystem::path p = config.value(key, fallback);
  if (p.empty() || p.is_absolute()) return p;
  const std::filesystem::path base = config.value("config_directory", std::string());
  return base.empty() ? p : (base / p).lexically_normal();
}

// The JSON object in the file config[key] names (else `fallback` in the configuration
// directory). null when the key is not configured and the fallback file does not exist (an
// engine without configuration still loads the plugin; its steps then say what is missing); a
// configured file that is missing or malformed refuses the configuration, naming key and file.
inline nlohmann::json read_config_file(const nlohmann::json& config, const std::string& key,
                                       const std::string& fallback) {
  const auto file = config_path(config, key, fallback);
  if (!config.contains(key) &&
      (!config.contains("config_directory") || !std::filesystem::exists(file))) {
    return nullptr;
  }
  std::ifstream in(file);
  nlohmann::json doc = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
  if (!doc.is_object()) {
    throw coalition::sdk::InvalidParameters("/" + key,
                                            "cannot read " + file.string() + " as a JSON object");
  }
  return doc;
}

// The permanent error of a step whose data file is not configured.
inline coalition::sdk::Outcome not_configured(const std::string& plugin, const std::string& key) {
  return coalition::sdk::Outcome::permanent(
      "config.missing", "the " + plugin + " plugin has no " + key + ": set plugins.config." +
                            plugin + "." + key +
                            " in the engine configuration (see config/README.md)");
}

}  // namespace coalition::plugins

#endif  // COALITION_PLUGINS_SHARED_CONFIG_FILE_H_
