#include "common/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace coalition {
namespace {

Error os_error(const std::string& what, const std::string& path) {
  return Error::io(what + " " + path + ": " + std::strerror(errno));
}

Status write_all(int fd, std::string_view content, const std::string& path) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("cannot write", path);
    content.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd) != 0) return os_error("cannot write", path);
  return ok_status();
}

// The new name survives a power cut once its folder is synced (best effort: the file is in
// place either way).
void sync_folder_of(const std::filesystem::path& file) {
  const auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

Status create_private_directories(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = fs::path(dir).lexically_normal(); !p.empty() && !fs::exists(p, ec);
       p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      return os_error("cannot create folder", it->string());
    }
  }
  return ok_status();
}

Status write_private_file(const std::string& path, std::string_view content, bool replace) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) {
      return Error::invalid_argument(path + " is a symbolic link; name the file itself");
    }
    if (!replace) {
      return Error::conflict(path + " exists already; remove it or pass --force to replace it");
    }
  }
  const std::filesystem::path target(path);
  std::string temp =
      (target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path()) /
      ("." + target.filename().string() + ".XXXXXX");
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) return os_error("cannot create a file beside", path);
  Status written = write_all(fd, content, path);
  if (::close(fd) != 0 && written.ok()) written = os_error("cannot write", path);
  if (written.ok()) {
    // Without --force the rename itself refuses a file that appeared meanwhile. Where the file
    // system has no RENAME_NOREPLACE (NFS, some FUSE mounts), a hard link never replaces
    // either.
    int renamed =
        replace ? ::rename(temp.c_str(), path.c_str())
                : ::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
    if (renamed != 0 && !replace && (errno == EINVAL || errno == ENOSYS)) {
      renamed = ::link(temp.c_str(), path.c_str());
      if (renamed == 0) ::unlink(temp.c_str());
    }
    if (renamed == 0) {
      sync_folder_of(target);
      return ok_status();
    }
    written = errno == EEXIST
                  ? Status(Error::conflict(path + " exists already; pass --force to replace it"))
                  : Status(os_error("cannot write", path));
  }
  ::unlink(temp.c_str());
  return written;
}

}  // namespace coalition
