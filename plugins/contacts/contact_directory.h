// ContactDirectory: the coalition's role-based escalation contacts, kept in one
// JSON file that every change rewrites atomically (write, fsync, rename), with each entry's
// earlier versions kept beside it. Shared by the contacts plugin (resolve, read, change) and the
// notify plugin (the address of a channel, read at send time so that channels never travel
// through workflow data).
#ifndef COALITION_PLUGINS_CONTACTS_CONTACT_DIRECTORY_H_
#define COALITION_PLUGINS_CONTACTS_CONTACT_DIRECTORY_H_

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "shared/time_text.h"

namespace coalition::plugins::contacts {

// fresh: verified within the cycle; due: the cycle is over; stale: 30 days (policy) past due, or
// marked stale by a failed verification; suspended: never used.
std::string effective_status(const nlohmann::json& entry, Instant now,
                             const nlohmann::json& policy);

// "c***@northwind.example.com", "+61 *** *** 157": enough to recognise, not to contact.
std::string mask_address(const std::string& type, const std::string& address);

// An entry as workflows see it: everything but channel addresses (masked), plus its status now.
nlohmann::json public_view(const nlohmann::json& entry, Instant now, const nlohmann::json& policy);

class ContactDirectory {
 public:
  // `file` holds the directory; when it does not exist yet it is created from `seed` (when
  // empty, the directory reads as empty until something creates the file). Throws
  // std::runtime_error naming the file when it cannot be read or is not a directory document.
  ContactDirectory(std::filesystem::path file, std::filesystem::path seed);

  nlohmann::json policy() const;
  // A copy of the entry with that id, or nullopt.
  std::optional<nlohmann::json> find(const std::string& id) const;
  // Every entry (copies).
  nlohmann::json entries() const;

  // Applies `change` (fields to set) to entry `id` as a new version, recording who and why,
  // once per `idempotency_key` (a repeated key returns the version it made). Throws
  // std::invalid_argument for an unknown entry or a field that may not be changed.
  nlohmann::json apply(const std::string& id, const nlohmann::json& change,
                       const nlohmann::json& record, const std::string& idempotency_key);

 private:
  nlohmann::json load() const;
  void save(const nlohmann::json& doc) const;

  std::filesystem::path file_;
  mutable std::mutex mutex_;
};

}  // namespace coalition::plugins::contacts

#endif  // COALITION_PLUGINS_CONTACTS_CONTACT_DIRECTORY_H_
