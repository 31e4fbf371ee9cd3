// PluginVersion and VersionRequirement: semantic versions (semver.org 2.0.0) of installed
// plugins, and what a workflow requires of them ("requires": {"fabrikam_pay": "^1.2"}).
#ifndef COALITION_PLUGIN_HOST_PLUGIN_VERSION_H_
#define COALITION_PLUGIN_HOST_PLUGIN_VERSION_H_

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace coalition {

struct PluginVersion {
  uint64_t major = 0;
  uint64_t minor = 0;
  uint64_t patch = 0;
  std::string prerelease;  // "" for a release; build metadata is dropped (it has no order)

  // nullopt unless `text` is MAJOR.MINOR.PATCH[-pre][+build].
  static std::optional<PluginVersion> parse(std::string_view text);
  std::string text() const;
  // Semantic-version precedence: a pre-release comes before its release, and pre-release
  // identifiers compare numerically when both are numbers, else as text.
  std::strong_ordering operator<=>(const PluginVersion& other) const;
  bool operator==(const PluginVersion& other) const = default;
};

// One requirement on a plugin's version, in the forms package managers use:
//   "^1.2"   1.2.0 up to (not including) 2.0.0 — the same major; "^0.3" stays within 0.3.x
//   "~1.2.3" 1.2.3 up to 1.3.0 — the same minor
//   "1.2.3"  exactly that version ("=1.2.3" too)
//   ">=1.2"  that version or any later one
// Missing minor or patch numbers are 0. A pre-release satisfies only a requirement that names
// the same MAJOR.MINOR.PATCH with a pre-release.
class VersionRequirement {
 public:
  // Refuses (kInvalidData) anything else, saying which forms are accepted.
  static Result<VersionRequirement> parse(std::string_view text);
  bool satisfied_by(const PluginVersion& version) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  PluginVersion lowest_;                 // included
  std::optional<PluginVersion> before_;  // excluded upper bound; none for ">="
  bool exact_ = false;
};

// What a workflow requires, by plugin id.
using PluginRequirements = std::map<std::string, VersionRequirement, std::less<>>;

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_VERSION_H_
