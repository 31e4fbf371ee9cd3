#include "contacts/contact_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace coalition::plugins::contacts {

using nlohmann::json;

namespace {

std::chrono::seconds policy_span(const json& policy, const char* key,
                                 std::chrono::seconds fallback) {
  auto it = policy.find(key);
  if (it == policy.end() || !it->is_string()) return fallback;
  return parse_iso_duration(it->get<std::string>()).value_or(fallback);
}

}  // namespace

std::string effective_status(const json& entry, Instant now, const json& policy) {
  const std::string marked = entry.value("status", "fresh");
  if (marked == "suspended" || marked == "stale") return marked;
  auto verified = parse_instant(entry.value("last_verified_at", ""));
  if (!verified) return "stale";  // never verified: not to be relied on
  const auto cycle = policy_span(policy, "reverify_every", std::chrono::hours(24 * 91));
  const auto grace = policy_span(policy, "stale_after_due", std::chrono::hours(24 * 30));
  if (now > *verified + cycle + grace) return "stale";
  if (now > *verified + cycle) return "due";
  return "fresh";
}

std::string mask_address(const std::string& type, const std::string& address) {
  if (type == "email") {
    const auto at = address.find('@');
    if (at == std::string::npos || at == 0) return "***";
    return address.substr(0, 1) + "***" + address.substr(at);
  }
  if (type == "phone" || type == "sms") {
    std::string digits;
    for (char c : address) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    if (digits.size() < 4) return "***";
    return "*** " + digits.substr(digits.size() - 3);
  }
  if (type == "webhook") {
    // The scheme and host only: a user, a path or a query may hold the hook's secret.
    const auto scheme = address.find("://");
    if (scheme == std::string::npos) return "***";
    const auto start = scheme + 3;
    const auto end = address.find_first_of("/?#", start);
    std::string authority = address.substr(start, end == std::string::npos ? end : end - start);
    if (const auto at = authority.rfind('@'); at != std::string::npos) {
      authority = authority.substr(at + 1);
    }
    return address.substr(0, start) + authority + "/***";
  }
  return "***";
}

json public_view(const json& entry, Instant now, const json& policy) {
  json view = entry;
  json channels = json::array();
  for (const auto& c : entry.value("channels", json::array())) {
    const std::string type = c.value("type", "");
    channels.push_back({{"type", type},
                        {"priority", c.value("priority", 0)},
                        {"address", mask_address(type, c.value("address", ""))}});
  }
  view["channels"] = std::move(channels);
  view["status"] = effective_status(entry, now, policy);
  view.erase("history");
  return view;
}

ContactDirectory::ContactDirectory(std::filesystem::path file, std::filesystem::path seed)
    : file_(std::move(file)) {
  if (!std::filesystem::exists(file_) && !seed.empty()) {
    std::ifstream in(seed);
    if (!in) throw std::runtime_error("cannot read the contact directory seed " + seed.string());
    const json doc = json::parse(in);
    if (!file_.parent_path().empty()) std::filesystem::create_directories(file_.parent_path());
    save(doc);
  }
  (void)load();  // fail now, not on the first step
}

json ContactDirectory::load() const {
  if (!std::filesystem::exists(file_)) {  // no seed and nothing written yet: an empty directory
    return {{"entries", json::array()}, {"policy", json::object()}};
  }
  std::ifstream in(file_);
  if (!in) throw std::runtime_error("cannot read the contact directory " + file_.string());
  json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.value("entries", json()).is_array()) {
    throw std::runtime_error("the contact directory " + file_.string() +
                             " is not a JSON object with an \"entries\" list");
  }
  return doc;
}

// Write to a temporary file, flush it to disk, then rename over the old one: a crash leaves
// either the old directory or the new one, never half of each.
void ContactDirectory::save(const json& doc) const {
  const std::filesystem::path tmp = file_.string() + ".tmp";
  const std::string text = doc.dump(2) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp.string());
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("cannot write " + tmp.string());
    }
    done += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  std::filesystem::rename(tmp, file_);
}

json ContactDirectory::policy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return load().value("policy", json::object());
}

std::optional<json> ContactDirectory::find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const json doc = load();
  for (const auto& e : doc["entries"]) {
    if (e.value("id", "") == id) return e;
  }
  return std::nullopt;
}

json ContactDirectory::entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return load()["entries"];
}

json ContactDirectory::apply(const std::string& id, const json& change, const json& record,
                             const std::string& idempotency_key) {
  static const char* kFixed[] = {"id", "version", "history", "organisation"};
  for (const char* key : kFixed) {
    if (change.contains(key)) {
      throw std::invalid_argument(std::string("the field \"") + key +
                                  "\" of an entry never changes");
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  json doc = load();
  for (auto& e : doc["entries"]) {
    if (e.value("id", "") != id) continue;
    for (const auto& h : e.value("history", json::array())) {
      if (h.value("idempotency_key", "") == idempotency_key) {
        return {{"entry", id}, {"version", h.value("made_version", 0)}, {"repeated", true}};
      }
    }
    json previous = e;
    previous.erase("history");
    json history = e.value("history", json::array());
    for (const auto& [key, value] : change.items()) e[key] = value;
    const int version = previous.value("version", 1) + 1;
    e["version"] = version;
    json entry_record = record;
    entry_record["idempotency_key"] = idempotency_key;
    entry_record["made_version"] = version;
    entry_record["previous"] = std::move(previous);
    history.push_back(std::move(entry_record));
    e["history"] = std::move(history);
    save(doc);
    return {{"entry", id}, {"version", version}, {"repeated", false}};
  }
  throw std::invalid_argument("no contact entry '" + id + "'");
}

}  // namespace coalition::plugins::contacts
