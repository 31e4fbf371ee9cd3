// LibraryLoader: the seam between the engine and the dynamic linker.
#ifndef COALITION_PLUGIN_HOST_LIBRARY_LOADER_H_
#define COALITION_PLUGIN_HOST_LIBRARY_LOADER_H_

#include <coalition/plugin_abi.h>

#include <filesystem>

#include "common/result.h"

namespace coalition {

class LibraryLoader {
 public:
  virtual ~LibraryLoader() = default;
  // Loads the library at `path` and returns its coalition_plugin_entry_v1. A loaded library stays
  // loaded for the life of the process. Fails with kPluginLoad, naming the file.
  virtual Result<coalition_plugin_entry_v1_fn> open(const std::filesystem::path& path) = 0;
};

// Boost.DLL with rtld_now | rtld_local: every symbol is resolved at load (a missing one fails
// here, not in the middle of a step) and no plugin's symbols are visible to another plugin.
// Thread-safe.
class DllLibraryLoader final : public LibraryLoader {
 public:
  Result<coalition_plugin_entry_v1_fn> open(const std::filesystem::path& path) override;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_LIBRARY_LOADER_H_
