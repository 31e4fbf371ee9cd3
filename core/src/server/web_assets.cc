#include "server/web_assets.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>

#include "common/sha256.h"

namespace coalition {

namespace {

constexpr size_t kMaxTotalBytes = size_t{64} << 20;

std::string content_type_of(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
      {".webmanifest", "application/manifest+json"}};
  auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

bool compressible(const std::string& content_type) {
  return content_type.rfind("text/", 0) == 0 || content_type.find("json") != std::string::npos ||
         content_type.find("svg") != std::string::npos;
}

// gzip (RFC 1952) of `bytes` at the best level: assets are compressed once, at start.
std::string gzip(const std::string& bytes) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int done = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return done == Z_STREAM_END ? out : std::string();
}

// "app-5XQ2ZK3A.js": the bundler named it after its content, so it never changes under a name.
bool content_named(const std::filesystem::path& file) {
  const std::string stem = file.stem().string();
  const size_t dash = stem.rfind('-');
  if (dash == std::string::npos || stem.size() - dash - 1 < 8) return false;
  return std::all_of(stem.begin() + static_cast<std::ptrdiff_t>(dash) + 1, stem.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0; });
}

bool accepts_gzip(const HttpRequest& request) {
  // Coarse on purpose: every browser sends "gzip" among its codings; q=0 is not worth parsing.
  return request.header("accept-encoding").find("gzip") != std::string::npos;
}

void read_tree(const std::filesystem::path& root, const std::filesystem::path& dir,
               const FileSystem& fs, std::map<std::string, std::filesystem::path>& found) {
  for (const auto& entry : fs.list(dir)) {
    // Dotfiles (editor and VCS leftovers) are never part of the app.
    if (entry.filename().string().rfind('.', 0) == 0) continue;
    if (fs.is_directory(entry)) {
      read_tree(root, entry, fs, found);
    } else if (fs.is_regular_file(entry)) {
      found.emplace("/" + entry.lexically_relative(root).generic_string(), entry);
    }
  }
}

}  // namespace

Result<WebAssets> WebAssets::load(const std::filesystem::path& root, const FileSystem& fs) {
  if (!fs.is_regular_file(root / "index.html")) {
    return Error::not_found("no web app at " + root.string() + " (index.html is missing)");
  }
  std::map<std::string, std::filesystem::path> found;
  read_tree(root, root, fs, found);
  WebAssets assets;
  size_t total = 0;
  for (const auto& [path, file] : found) {
    auto bytes = fs.read(file);
    if (!bytes) return std::move(bytes).error();
    total += bytes->size();
    if (total > kMaxTotalBytes) {
      return Error::invalid_argument("the web app at " + root.string() + " is over 64 MiB");
    }
    File f;
    f.content_type = content_type_of(file);
    f.etag = "\"" + sha256_hex(*bytes).substr(0, 32) + "\"";
    f.immutable = content_named(file);
    if (compressible(f.content_type)) {
      std::string packed = gzip(*bytes);
      if (!packed.empty() && packed.size() < bytes->size()) f.gzip = std::move(packed);
    }
    f.bytes = std::move(*bytes);
    assets.files_.emplace(path, std::move(f));
  }
  return assets;
}

std::optional<HttpResponse> WebAssets::answer(const HttpRequest& request) const {
  std::string path = request.path == "/" ? "/index.html" : request.path;
  auto it = files_.find(path);
  if (it == files_.end()) {
    // /tasks/<id>, /executions: the app's own pages, which a browser navigates to asking for
    // HTML. A script or style that is not there is a 404, not the app: a stale URL must fail
    // visibly. (Task ids hold dots, so the path's shape cannot tell the two apart.)
    if (request.header("accept").find("text/html") == std::string::npos) return std::nullopt;
    it = files_.find("/index.html");
  }
  return respond(it->second, request);
}

HttpResponse WebAssets::respond(const File& file, const HttpRequest& request) const {
  HttpResponse r;
  r.content_type = file.content_type;
  r.headers.emplace_back("Cache-Control",
                         file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (file.content_type.rfind("text/html", 0) == 0) {
    r.headers.emplace_back("Content-Security-Policy", kWebContentSecurityPolicy);
  }
  // Each encoding is its own representation, with its own validator (RFC 9110 8.8.3).
  const bool packed = !file.gzip.empty() && accepts_gzip(request);
  const std::string etag = packed ? file.etag.substr(0, file.etag.size() - 1) + "-gz\"" : file.etag;
  r.headers.emplace_back("ETag", etag);
  if (request.header("if-none-match") == etag) {
    r.status = 304;
    return r;
  }
  if (packed) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = file.gzip;
  } else {
    r.body = file.bytes;
  }
  return r;
}

}  // namespace coalition
