#include "plugin_host/plugin_lock.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/json_text.h"

namespace coalition {
namespace {

constexpr std::string_view kLockFormat = "coalition.plugins-lock/1";

}  // namespace

Result<PluginLock> PluginLock::parse(std::string_view text, const std::filesystem::path& file) {
  const std::string name = file.string();
  auto doc = parse_json(text);
  if (!doc) return Error::configuration(name + ": " + doc.error().message());
  const auto wrong = [&name](const std::string& pointer, std::string_view expected) {
    return Error::configuration(fmt::format("{}: {}: expected {}", name, pointer, expected));
  };
  const auto format = doc->is_object() ? doc->find("format") : doc->end();
  if (format == doc->end() || !format->is_string() || *format != kLockFormat) {
    return wrong("/format", fmt::format("\"{}\"", kLockFormat));
  }
  const auto plugins = doc->find("plugins");
  if (plugins == doc->end() || !plugins->is_array()) return wrong("/plugins", "an array");
  PluginLock lock(file);
  for (size_t i = 0; i < plugins->size(); ++i) {
    const auto& entry = (*plugins)[i];
    const std::string at = pointer_append("/plugins", i);
    if (!entry.is_object()) return wrong(at, "an object");
    PluginPin pin;
    for (auto [key, field] : {std::pair{"id", &pin.id}, std::pair{"version", &pin.version}}) {
      const auto value = entry.find(key);
      if (value == entry.end() || !value->is_string() || value->get<std::string>().empty()) {
        return wrong(pointer_append(at, key), "a non-empty string");
      }
      *field = value->get<std::string>();
    }
    for (auto [key, field] : {std::pair{"library_sha256", &pin.library_sha256},
                              std::pair{"manifest_sha256", &pin.manifest_sha256}}) {
      const auto value = entry.find(key);
      if (value == entry.end() || !value->is_string() ||
          !is_sha256_hex(value->get_ref<const std::string&>())) {
        return wrong(pointer_append(at, key), "a SHA-256 as 64 lower-case hex digits");
      }
      *field = value->get<std::string>();
    }
    for (const auto& earlier : lock.pins_) {
      if (earlier.id == pin.id && earlier.version == pin.version) {
        return Error::configuration(
            fmt::format("{}: {}: {} {} is pinned twice", name, at, pin.id, pin.version));
      }
    }
    lock.pins_.push_back(std::move(pin));
  }
  return lock;
}

void PluginLock::pin(const PluginManifest& m) {
  PluginPin pin{m.info.id, m.info.version, m.library_sha256, m.manifest_sha256};
  auto same = std::find_if(pins_.begin(), pins_.end(), [&pin](const PluginPin& p) {
    return p.id == pin.id && p.version == pin.version;
  });
  if (same != pins_.end()) {
    *same = std::move(pin);
  } else {
    pins_.push_back(std::move(pin));
  }
  std::sort(pins_.begin(), pins_.end(), [](const PluginPin& a, const PluginPin& b) {
    return std::tie(a.id, a.version) < std::tie(b.id, b.version);
  });
}

Status PluginLock::check(const PluginManifest& m) const {
  const std::string lock = file_.string();
  for (const auto& pin : pins_) {
    if (pin.id != m.info.id || pin.version != m.info.version) continue;
    if (pin.manifest_sha256 != m.manifest_sha256) {
      return Error::plugin_load(fmt::format(
          "{} was refused: {} pins the manifest of {} {} to SHA-256 {}, the file has {}",
          m.file.string(), lock, pin.id, pin.version, pin.manifest_sha256, m.manifest_sha256));
    }
    if (pin.library_sha256 != m.library_sha256) {
      return Error::plugin_load(fmt::format(
          "{} was refused: {} pins the library of {} {} to SHA-256 {}, the manifest names {}",
          m.file.string(), lock, pin.id, pin.version, pin.library_sha256, m.library_sha256));
    }
    return ok_status();
  }
  return Error::plugin_load(fmt::format(
      "{} was refused: {} {} is not pinned in {}; after checking the plugin, pin it with "
      "`coalition plugin lock`",
      m.file.string(), m.info.id, m.info.version, lock));
}

std::string PluginLock::text() const {
  nlohmann::ordered_json plugins = nlohmann::ordered_json::array();
  for (const auto& pin : pins_) {
    nlohmann::ordered_json entry;
    entry["id"] = pin.id;
    entry["version"] = pin.version;
    entry["library_sha256"] = pin.library_sha256;
    entry["manifest_sha256"] = pin.manifest_sha256;
    plugins.push_back(std::move(entry));
  }
  nlohmann::ordered_json doc;
  doc["format"] = kLockFormat;
  doc["plugins"] = std::move(plugins);
  return doc.dump(2) + "\n";
}

}  // namespace coalition
