// WebAssets: the web app's files (built from web/ into share/coalition/web), read into memory
// when the server starts and answered from there: no request ever touches the disk, and a path
// can only name a file that was there at start (dotfiles left out). A symbolic link in the
// folder is followed when it is read: the folder is the operator's, like the binary.
//
// Files are answered with their content type, a strong ETag (304 for If-None-Match), and gzip
// when the client accepts it and it saves bytes. The bundler names scripts and styles after
// their content (app-<hash>.js), so those are cached for a year; index.html is revalidated on
// every load. Any other GET path a browser navigates to (Accept: text/html) is one of the app's
// own pages (/tasks/<id>): index.html answers it and the app routes.
//
// The page's Content-Security-Policy allows scripts, styles and connections from this origin
// only — no inline script or style, no eval, no frames, no plugins, forms posting here only.
#ifndef COALITION_SERVER_WEB_ASSETS_H_
#define COALITION_SERVER_WEB_ASSETS_H_

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "common/file_system.h"
#include "common/result.h"
#include "server/http_message.h"

namespace coalition {

inline constexpr const char* kWebContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

class WebAssets {
 public:
  // Reads every regular file under `root` (kNotFound when there is no index.html, kIo when a
  // file cannot be read, kInvalidArgument beyond 64 MiB in all).
  static Result<WebAssets> load(const std::filesystem::path& root, const FileSystem& fs);

  // The answer to GET `path` (percent-encoded, as the request has it), or nullopt when it names
  // no file and is no page of the app. Honours Accept-Encoding and If-None-Match.
  std::optional<HttpResponse> answer(const HttpRequest& request) const;

  size_t files() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string bytes;
    std::string gzip;  // empty when it would not save bytes
    std::string etag;
    bool immutable = false;
  };
  HttpResponse respond(const File& file, const HttpRequest& request) const;

  std::map<std::string, File> files_;  // "/index.html", "/app-1a2b.js"
};

}  // namespace coalition

#endif  // COALITION_SERVER_WEB_ASSETS_H_
