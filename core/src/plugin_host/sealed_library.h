// SealedLibrary: a private, read-only copy of a plugin library (or an exec plugin's program) in
// memory, and its SHA-256.
//
// A digest checked on a file and a library then loaded from the same path are two reads: the
// file can change in between. The engine and the plugin host therefore copy the library into a
// sealed memfd (no one can write, grow or shrink it afterwards), hash the copy, and load the
// copy through /proc/self/fd — so the bytes that were checked are the bytes that run.
// A plugin loaded this way cannot find libraries of its own through $ORIGIN (its origin is
// /proc/self/fd); its dependencies come from the system's library path.
#ifndef COALITION_PLUGIN_HOST_SEALED_LIBRARY_H_
#define COALITION_PLUGIN_HOST_SEALED_LIBRARY_H_

#include <filesystem>
#include <string>

#include "common/result.h"

namespace coalition {

class SealedLibrary {
 public:
  // Copies `file` (a regular file of at most 512 MiB). Fails with kPluginLoad naming the file.
  static Result<SealedLibrary> copy_of(const std::filesystem::path& file);
  // copy_of, refusing a copy whose SHA-256 is not `expected_sha256` with one sentence naming
  // the file, what `expected_by` (say, its manifest) expected and what was found.
  static Result<SealedLibrary> verified_copy_of(const std::filesystem::path& file,
                                                const std::string& expected_sha256,
                                                const std::string& expected_by);

  SealedLibrary(SealedLibrary&& other) noexcept;
  SealedLibrary& operator=(SealedLibrary&&) = delete;
  SealedLibrary(const SealedLibrary&) = delete;
  SealedLibrary& operator=(const SealedLibrary&) = delete;
  ~SealedLibrary();

  const std::string& sha256() const { return sha256_; }  // lower-case hex
  // /proc/self/fd/<n>: what to hand the dynamic linker. Valid while this object lives; a
  // library loaded from it stays mapped after.
  std::filesystem::path path() const;
  // The copy's descriptor (close-on-exec), for a plugin host that starts an exec plugin's
  // program from it. Valid while this object lives.
  int fd() const { return fd_; }
  // Leaves the copy open for the life of the process (the destructor no longer closes it).
  // Call once a library is loaded from path(): the dynamic linker knows a loaded library by
  // its path, so if the descriptor were closed and its number reused for another copy,
  // loading that one would return the first library.
  void keep_open() { keep_open_ = true; }
  // `text` (say, the dynamic linker's error) with path() replaced by `file`: a person needs
  // the file's name, not the copy's.
  std::string naming(std::string text, const std::filesystem::path& file) const;

 private:
  SealedLibrary(int fd, std::string sha256) : fd_(fd), sha256_(std::move(sha256)) {}
  int fd_ = -1;
  std::string sha256_;
  bool keep_open_ = false;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_SEALED_LIBRARY_H_
