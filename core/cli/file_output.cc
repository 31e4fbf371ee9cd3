#include "cli/file_output.h"

#include <unistd.h>

#include <fstream>

namespace coalition::cli {

Status write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary =
      path.string() + ".tmp-" + std::to_string(static_cast<long>(::getpid()));
  std::error_code ec;
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << text;
    file.flush();
    if (!file) {
      std::filesystem::remove(temporary, ec);
      return Error::io("cannot write " + path.string());
    }
  }
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    const std::string why = ec.message();
    std::filesystem::remove(temporary, ec);
    return Error::io("cannot write " + path.string() + ": " + why);
  }
  return ok_status();
}

}  // namespace coalition::cli
