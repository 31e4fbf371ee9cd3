// Where Coalition keeps what belongs to this machine and user rather than to a store: the audit
// signing key, the crash journal of an engine node whose store is a database server.
#ifndef COALITION_COMMON_STATE_DIRECTORY_H_
#define COALITION_COMMON_STATE_DIRECTORY_H_

#include <filesystem>
#include <string_view>

namespace coalition {

// $XDG_STATE_HOME/coalition/<name>, else $HOME/.local/state/coalition/<name>; empty when neither
// variable is set.
std::filesystem::path default_state_file(std::string_view name);

}  // namespace coalition

#endif  // COALITION_COMMON_STATE_DIRECTORY_H_
