#include "common/state_directory.h"

#include <cstdlib>

namespace coalition {

std::filesystem::path default_state_file(std::string_view name) {
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state != '\0') {
    return std::filesystem::path(state) / "coalition" / name;
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".local" / "state" / "coalition" / name;
  }
  return {};
}

}  // namespace coalition
