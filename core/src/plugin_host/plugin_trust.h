// PluginTrust: whether a partner plugin found on disk may be installed, decided from its
// manifest before any of its code is loaded — the lock file's pins, and the Ed25519 signatures
// of the publishers the configuration trusts. Plugins shipped with the engine are trusted as
// the engine itself is.
//
// A signature is a file beside the manifest, <id>.plugin.sig: {"format":
// "coalition.plugin-signature/1", "public_key": "<hex>", "signature": "<hex>"}, the detached
// Ed25519 signature (libsodium) of the manifest's exact bytes. The manifest carries the
// library's SHA-256 and the library is loaded from a sealed copy that must have it
// (sealed_library.h), so a signature covers the bytes that run.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_TRUST_H_
#define COALITION_PLUGIN_HOST_PLUGIN_TRUST_H_

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/result.h"
#include "plugin_host/plugin_lock.h"
#include "plugin_host/plugin_manifest.h"

namespace coalition {

inline constexpr std::string_view kSignatureFormat = "coalition.plugin-signature/1";

// The configuration keys plugins.lock, plugins.publishers and plugins.require_signatures.
struct PluginTrustConfig {
  std::filesystem::path lock_file;  // empty: no lock
  // Publisher name (as plugins declare it) -> the Ed25519 public keys (hex) it signs with.
  std::map<std::string, std::vector<std::string>> publishers;
  // Refuse partner plugins that no trusted publisher signed.
  bool require_signatures = false;
};

// <dir>/<id>.plugin.sig for <dir>/<id>.plugin.json.
std::filesystem::path signature_path_of(const std::filesystem::path& manifest);

// The signature file's text for a signature made with `public_key_hex`.
std::string signature_text(const std::string& public_key_hex, const std::string& signature_hex);

class PluginTrust {
 public:
  // Reads the lock file, if one is configured. A configured lock that cannot be read refuses
  // every partner plugin (with the reason) rather than none.
  PluginTrust(PluginTrustConfig config, const FileSystem& fs);

  // OK when the plugin of `manifest` (whose bytes are `manifest_text`) may be installed:
  // shipped with the engine, or pinned by the lock (when there is one) and signed by a trusted
  // key of its publisher (when its publisher has keys configured, or signatures are required).
  // Otherwise one sentence naming the file, what was expected and what was found.
  Status admit(const PluginManifest& manifest, std::string_view manifest_text, bool shipped,
               const FileSystem& fs) const;

 private:
  Status check_signature(const PluginManifest& manifest, std::string_view manifest_text,
                         const FileSystem& fs) const;

  PluginTrustConfig config_;
  std::optional<PluginLock> lock_;
  std::optional<Error> lock_error_;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_TRUST_H_
