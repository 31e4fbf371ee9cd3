// The checks a cross-member signal passes before anyone sees it: a legal
// basis is recorded; the signal is a well-formed indicator of a known type (a hash with its
// algorithm, a URL, an account identifier, a merchant descriptor, a wallet address ...); the
// free-text context carries no personal data; and identifiers needed only for matching
// (e-mail addresses, usernames, phone numbers, account identifiers, payment tokens) are
// replaced by a keyed hash, so members can match them without the coalition holding them.
#ifndef COALITION_PLUGINS_SIGNALS_SIGNAL_CHECKS_H_
#define COALITION_PLUGINS_SIGNALS_SIGNAL_CHECKS_H_

#include <nlohmann/json.hpp>
#include <string>

namespace coalition::plugins::signals {

struct Checked {
  bool ok = false;
  std::string code;       // when !ok: signal.no_legal_basis, signal.invalid, signal.personal_data
  std::string message;    // when !ok: what to fix
  nlohmann::json signal;  // when ok: the signal as shared (matching identifiers hashed)
  nlohmann::json minimised;  // when ok: the fields replaced by keyed hashes
};

// `key` is the coalition's matching key (at least 16 bytes).
Checked check_signal(const nlohmann::json& signal, const std::string& key);

// "hmac-sha256:<hex>" of `value` (trimmed, lower-cased) under `key`.
std::string matching_hash(const std::string& value, const std::string& key);

}  // namespace coalition::plugins::signals

#endif  // COALITION_PLUGINS_SIGNALS_SIGNAL_CHECKS_H_
