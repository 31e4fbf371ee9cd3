#include "plugin_host/plugin_trust.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "common/signing_key.h"
#include "plugin_host/plugin_discovery.h"

namespace coalition {

std::filesystem::path signature_path_of(const std::filesystem::path& manifest) {
  std::string name = manifest.filename().string();
  constexpr std::string_view kJson = ".json";
  if (name.ends_with(kJson)) name.resize(name.size() - kJson.size());
  return manifest.parent_path() / (name + ".sig");
}

std::string signature_text(const std::string& public_key_hex, const std::string& signature_hex) {
  nlohmann::ordered_json doc;
  doc["format"] = kSignatureFormat;
  doc["public_key"] = public_key_hex;
  doc["signature"] = signature_hex;
  return doc.dump(2) + "\n";
}

PluginTrust::PluginTrust(PluginTrustConfig config, const FileSystem& fs)
    : config_(std::move(config)) {
  if (config_.lock_file.empty()) return;
  const std::string name = config_.lock_file.string();
  if (fs.writable_by_anyone(config_.lock_file)) {
    lock_error_ = Error::plugin_load(
        "anyone on this machine may write to the lock file " + name +
        " (plugins.lock), so no partner plugin is trusted (chmod o-w " + name + ")");
    return;
  }
  auto text = fs.read(config_.lock_file);
  if (!text) {
    lock_error_ = Error::plugin_load(
        "the lock file " + name +
        " (plugins.lock) cannot be read, so no partner plugin is trusted; write it with "
        "`coalition plugin lock`");
    return;
  }
  auto lock = PluginLock::parse(*text, config_.lock_file);
  if (!lock) {
    lock_error_ = Error::plugin_load(lock.error().message() +
                                     " (no partner plugin is trusted until the lock is fixed)");
    return;
  }
  lock_.emplace(std::move(*lock));
}

Status PluginTrust::admit(const PluginManifest& manifest, std::string_view manifest_text,
                          bool shipped, const FileSystem& fs) const {
  if (shipped) return ok_status();
  if (lock_error_) {
    return Error::plugin_load(manifest.file.string() + " was refused: " + lock_error_->message());
  }
  if (lock_) {
    if (auto pinned = lock_->check(manifest); !pinned) return pinned;
  }
  return check_signature(manifest, manifest_text, fs);
}

Status PluginTrust::check_signature(const PluginManifest& m, std::string_view manifest_text,
                                    const FileSystem& fs) const {
  const std::string& publisher = m.info.publisher;
  const auto keys_it = config_.publishers.find(publisher);
  const bool has_keys = keys_it != config_.publishers.end() && !keys_it->second.empty();
  if (!has_keys && !config_.require_signatures) return ok_status();
  const std::string manifest = m.file.string();
  if (!has_keys) {
    return Error::plugin_load(
        fmt::format("{} was refused: signatures are required (plugins.require_signatures) and its "
                    "publisher '{}' is not among the trusted publishers (plugins.publishers)",
                    manifest, publisher));
  }
  const std::filesystem::path sig_file = signature_path_of(m.file);
  auto text = fs.read(sig_file);
  if (!text) {
    return Error::plugin_load(fmt::format(
        "{} was refused: publisher '{}' signs its plugins, and there is no signature {} beside it",
        manifest, publisher, sig_file.string()));
  }
  auto doc = parse_json(*text);
  const auto is_text = [&doc](const char* key) {
    const auto it = doc->find(key);
    return it != doc->end() && it->is_string();
  };
  if (!doc || !doc->is_object() || !is_text("format") || !is_text("public_key") ||
      !is_text("signature") || (*doc)["format"] != kSignatureFormat) {
    return Error::plugin_load(fmt::format("{} was refused: its signature {} is not a {} file",
                                          manifest, sig_file.string(), kSignatureFormat));
  }
  const std::string key = (*doc)["public_key"].get<std::string>();
  const auto& keys = keys_it->second;
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
    return Error::plugin_load(fmt::format(
        "{} was refused: it is signed with key {}, which is not a key of publisher '{}' "
        "(plugins.publishers)",
        manifest, key, publisher));
  }
  if (!verify_signature(key, manifest_text, (*doc)["signature"].get<std::string>())) {
    return Error::plugin_load(fmt::format(
        "{} was refused: its signature {} does not match its content under key {} of publisher "
        "'{}' (the manifest changed after it was signed, or the signature is forged)",
        manifest, sig_file.string(), key, publisher));
  }
  return ok_status();
}

}  // namespace coalition
