// PluginLock: plugins.lock — the partner plugins an installation may load, each pinned by id and
// version to the SHA-256 of its library and of its manifest. Written by `coalition plugins
// lock` from what is installed; read at every start. With a lock configured, a plugin that is
// not pinned, or whose files have other digests, is refused before any of its code is loaded.
//
// The file: {"format": "coalition.plugins-lock/1", "plugins": [{"id", "version",
// "library_sha256", "manifest_sha256"}, ...]}, one entry per id and version, sorted.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_LOCK_H_
#define COALITION_PLUGIN_HOST_PLUGIN_LOCK_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "plugin_host/plugin_manifest.h"

namespace coalition {

struct PluginPin {
  std::string id;
  std::string version;
  std::string library_sha256;
  std::string manifest_sha256;
};

class PluginLock {
 public:
  explicit PluginLock(std::filesystem::path file) : file_(std::move(file)) {}

  // Reads the lock `text` of `file`; a malformed one is refused (kConfiguration) with the
  // JSON Pointer of the first problem.
  static Result<PluginLock> parse(std::string_view text, const std::filesystem::path& file);

  // Pins `manifest`'s plugin (replacing a pin of the same id and version).
  void pin(const PluginManifest& manifest);
  // OK when `manifest`'s id and version are pinned with its digests; otherwise one sentence
  // naming the manifest, this lock, what the lock expects and what was found.
  Status check(const PluginManifest& manifest) const;

  const std::vector<PluginPin>& pins() const { return pins_; }
  const std::filesystem::path& file() const { return file_; }
  std::string text() const;  // the file's content

 private:
  std::filesystem::path file_;
  std::vector<PluginPin> pins_;  // sorted by id, then version
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_LOCK_H_
