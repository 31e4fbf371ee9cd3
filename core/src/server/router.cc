#include "server/router.h"

#include <algorithm>

namespace coalition {

namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  if (path.empty() || path.front() != '/') return {"\x01"};  // never matches a template
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    out.push_back(
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

bool matches(const std::string& pattern, const std::vector<std::string>& parts,
             std::map<std::string, std::string>& params) {
  const auto want = segments(pattern);
  if (want.size() != parts.size()) return false;
  params.clear();
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string& w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      std::string value;
      if (parts[i].empty() || !percent_decode(parts[i], value)) return false;
      params[w.substr(1, w.size() - 2)] = std::move(value);
    } else if (w != parts[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add(Route route) {
  routes_.push_back(std::move(route));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match m;
  const auto parts = segments(path);
  std::map<std::string, std::string> params;
  for (const auto& r : routes_) {
    if (!matches(r.path, parts, params)) continue;
    if (r.method == method) {
      m.outcome = Outcome::kMatched;
      m.route = &r;
      m.params = std::move(params);
      return m;
    }
    m.outcome = Outcome::kWrongMethod;
    if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end()) {
      m.allowed.push_back(r.method);
    }
  }
  return m;
}

}  // namespace coalition
