#include "plugin_host/plugin_version.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace coalition {
namespace {

std::optional<uint64_t> number(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t at = text.find(separator, start);
    parts.push_back(
        text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

bool is_identifier(std::string_view part) {
  if (part.empty()) return false;
  for (char c : part) {
    const bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    if (!ok) return false;
  }
  return true;
}

// One pre-release identifier against another (semver.org §11.4).
std::strong_ordering compare_identifier(std::string_view a, std::string_view b) {
  const auto na = number(a);
  const auto nb = number(b);
  if (na && nb) return *na <=> *nb;
  if (na) return std::strong_ordering::less;  // numbers come before words
  if (nb) return std::strong_ordering::greater;
  return a.compare(b) <=> 0;
}

}  // namespace

std::optional<PluginVersion> PluginVersion::parse(std::string_view text) {
  if (const size_t plus = text.find('+'); plus != std::string_view::npos) {
    for (auto part : split(text.substr(plus + 1), '.')) {
      if (!is_identifier(part)) return std::nullopt;
    }
    text = text.substr(0, plus);
  }
  PluginVersion v;
  if (const size_t dash = text.find('-'); dash != std::string_view::npos) {
    const std::string_view pre = text.substr(dash + 1);
    for (auto part : split(pre, '.')) {
      if (!is_identifier(part)) return std::nullopt;
      const bool digits = part.find_first_not_of("0123456789") == std::string_view::npos;
      if (digits && !number(part)) return std::nullopt;  // no leading zeros
    }
    v.prerelease = std::string(pre);
    text = text.substr(0, dash);
  }
  const auto parts = split(text, '.');
  if (parts.size() != 3) return std::nullopt;
  const auto major = number(parts[0]);
  const auto minor = number(parts[1]);
  const auto patch = number(parts[2]);
  if (!major || !minor || !patch) return std::nullopt;
  v.major = *major;
  v.minor = *minor;
  v.patch = *patch;
  return v;
}

std::string PluginVersion::text() const {
  std::string t = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!prerelease.empty()) t += "-" + prerelease;
  return t;
}

std::strong_ordering PluginVersion::operator<=>(const PluginVersion& other) const {
  if (auto c = major <=> other.major; c != 0) return c;
  if (auto c = minor <=> other.minor; c != 0) return c;
  if (auto c = patch <=> other.patch; c != 0) return c;
  if (prerelease.empty() || other.prerelease.empty()) {
    // A release comes after its pre-releases.
    return prerelease.empty() <=> other.prerelease.empty();
  }
  const auto mine = split(prerelease, '.');
  const auto theirs = split(other.prerelease, '.');
  for (size_t i = 0; i < mine.size() && i < theirs.size(); ++i) {
    if (auto c = compare_identifier(mine[i], theirs[i]); c != 0) return c;
  }
  return mine.size() <=> theirs.size();
}

Result<VersionRequirement> VersionRequirement::parse(std::string_view text) {
  const auto refuse = [text] {
    return Error::invalid_data("'" + std::string(text) +
                               "' is not a version requirement (expected \"^1.2\", \"~1.2.3\", "
                               "\"1.2.3\" or \">=1.2\")");
  };
  VersionRequirement r;
  r.text_ = std::string(text);
  char op = '=';
  if (text.rfind(">=", 0) == 0) {
    op = '>';
    text.remove_prefix(2);
  } else if (!text.empty() && (text[0] == '^' || text[0] == '~' || text[0] == '=')) {
    op = text[0];
    text.remove_prefix(1);
  }
  // "1.2" and "1" stand for 1.2.0 and 1.0.0; an exact requirement names all three numbers.
  std::string full(text);
  const size_t suffix = full.find_first_of("-+");
  const bool has_suffix = suffix != std::string::npos;
  const std::string numbers = full.substr(0, suffix);
  const size_t dots = static_cast<size_t>(std::count(numbers.begin(), numbers.end(), '.'));
  if (has_suffix && dots != 2) return refuse();  // "1.2-rc.1" names no version
  if (op == '=' && dots != 2) return refuse();
  if (!has_suffix) {
    for (size_t i = dots; i < 2; ++i) full += ".0";
  }
  auto lowest = PluginVersion::parse(full);
  if (!lowest) return refuse();
  r.lowest_ = *lowest;
  switch (op) {
    case '=': r.exact_ = true; break;
    case '>': break;
    case '~': r.before_ = PluginVersion{lowest->major, lowest->minor + 1, 0, {}}; break;
    default:  // '^': the same major; below 1.0.0, the same minor
      r.before_ = lowest->major > 0 ? PluginVersion{lowest->major + 1, 0, 0, {}}
                                    : PluginVersion{0, lowest->minor + 1, 0, {}};
  }
  return r;
}

bool VersionRequirement::satisfied_by(const PluginVersion& v) const {
  if (exact_) return v == lowest_;
  if (!v.prerelease.empty()) {
    // A pre-release is opted into by naming it: "^1.3.0-rc.1" admits 1.3.0-rc.2, not 1.4.0-rc.1.
    if (lowest_.prerelease.empty() || v.major != lowest_.major || v.minor != lowest_.minor ||
        v.patch != lowest_.patch) {
      return false;
    }
  }
  if (v < lowest_) return false;
  // The upper bound excludes the pre-releases of the next version as well.
  return !before_ || PluginVersion{v.major, v.minor, v.patch, {}} < *before_;
}

}  // namespace coalition
