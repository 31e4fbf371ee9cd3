#include <boost/dll/shared_library.hpp>
#include <mutex>
#include <vector>

#include "plugin_host/library_loader.h"

namespace coalition {
namespace {

// Libraries are never unloaded: a step's output, a log line or an exception object may still
// point into a library's memory, and unloading turns such leftovers into crashes. (A probe of
// two plugins on this toolchain: the first library to define one of libstdc++'s unique symbols
// is pinned by the loader anyway, and the other binds to it even under RTLD_LOCAL; built with
// -fno-gnu-unique both really unload, and an exception object of a plugin caught after its
// library went away crashed the process.) The registry is deliberately leaked.
std::vector<boost::dll::shared_library>& loaded_libraries() {
  static auto* libraries = new std::vector<boost::dll::shared_library>();
  return *libraries;
}
std::mutex& loaded_libraries_mutex() {
  static auto* mutex = new std::mutex();
  return *mutex;
}

// Boost.DLL wraps dlerror() as "... (dlerror system message: <text>): <errno text>"; the
// dlerror part is what a person needs, the errno text is noise.
std::string dlerror_text(const std::string& what) {
  const std::string marker = "dlerror system message: ";
  auto start = what.find(marker);
  if (start == std::string::npos) return what;
  start += marker.size();
  auto end = what.rfind("):");
  return what.substr(start,
                     end == std::string::npos || end < start ? std::string::npos : end - start);
}

}  // namespace

Result<coalition_plugin_entry_v1_fn> DllLibraryLoader::open(const std::filesystem::path& path) {
  const std::string name = path.string();
  boost::dll::shared_library library;
  try {  // boundary: the plugin loader
    library.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return Error::plugin_load("cannot load " + name + ": " + dlerror_text(e.what()));
  }
  if (!library.has(COALITION_ENTRY_SYMBOL_V1)) {
    return Error::plugin_load(name + " is not a Coalition plugin: it does not export " +
                              COALITION_ENTRY_SYMBOL_V1 + " (plugin ABI 1.x)");
  }
  auto* entry = &library.get<const coalition_plugin_descriptor_t*(uint32_t, uint32_t)>(
      COALITION_ENTRY_SYMBOL_V1);
  std::lock_guard<std::mutex> lock(loaded_libraries_mutex());
  loaded_libraries().push_back(std::move(library));
  return entry;
}

}  // namespace coalition
