#include "support/postgres_database.h"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>

#include "store/pg_connection.h"
#include "test_paths.h"

namespace coalition::test {

namespace {

std::string first_line_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// A server this process started because no test run's server was named; stopped at exit.
class PrivateServer {
 public:
  ~PrivateServer() {
    if (!dir_.empty()) (void)std::system(("bash '" + script() + "' stop '" + dir_ + "'").c_str());
  }
  Result<std::string> start() {
    // A folder of our own (mkdtemp), never a guessable name another user could have made.
    std::string pattern =
        (std::filesystem::temp_directory_path() / "coalition-test-pg-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Error::io("cannot make a folder for the tests' PostgreSQL server");
    }
    dir_ = pattern;
    const std::string command = "bash '" + script() + "' start '" + dir_ + "' " +
                                std::to_string(::getpid()) + " >/dev/null";
    if (std::system(command.c_str()) != 0) {
      return Error::io("could not start a PostgreSQL server for the tests (" + command + ")");
    }
    return first_line_of(std::filesystem::path(dir_) / "url");
  }

 private:
  static std::string script() { return std::string(kSourceDir) + "/tests/support/test-postgres"; }
  std::string dir_;
};

Result<std::string> admin_url() {
  static std::mutex mutex;
  static std::optional<Result<std::string>> url;
  static PrivateServer server;
  std::lock_guard<std::mutex> lock(mutex);
  if (url) return *url;
  if (const char* given = std::getenv("COALITION_TEST_POSTGRES_URL"); given != nullptr && *given) {
    url = std::string(given);
  } else if (const char* dir = std::getenv("COALITION_TEST_POSTGRES"); dir != nullptr && *dir) {
    const std::string line = first_line_of(std::filesystem::path(dir) / "url");
    url = line.empty() ? Result<std::string>(Error::io(
                             std::string("the tests' PostgreSQL server did not start (no url in ") +
                             dir + "; see the output of the test PostgresServer.Start)"))
                       : Result<std::string>(line);
  } else {
    url = server.start();
  }
  return *url;
}

// The admin URL with another database: "/postgres" is replaced, or "dbname=" added.
std::string with_database(const std::string& admin, const std::string& name) {
  const auto scheme = admin.find("://");
  if (scheme == std::string::npos) return admin + " dbname=" + name;
  const auto path = admin.find('/', scheme + 3);
  const auto query = admin.find('?', scheme + 3);
  if (path == std::string::npos || (query != std::string::npos && path > query)) {
    return admin.substr(0, query) + "/" + name +
           (query == std::string::npos ? "" : admin.substr(query));
  }
  const auto end = query == std::string::npos ? admin.size() : query;
  return admin.substr(0, path + 1) + name + admin.substr(end);
}

}  // namespace

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::create() {
  auto admin = admin_url();
  if (!admin) return std::move(admin).error();
  static std::atomic<int> counter{0};
  const std::string name =
      "coalition_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  auto c = PgConnection::open(*admin);
  if (!c) return std::move(c).error();
  if (auto s = (*c)->exec("CREATE DATABASE " + name); !s) return std::move(s).error();
  return std::unique_ptr<PostgresDatabase>(
      new PostgresDatabase(*admin, name, with_database(*admin, name)));
}

PostgresDatabase::~PostgresDatabase() {
  auto c = PgConnection::open(admin_url_);
  if (c) (void)(*c)->exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

Status PostgresDatabase::exec(const std::string& sql) const {
  auto c = PgConnection::open(url_);
  if (!c) return std::move(c).error();
  return (*c)->exec(sql);
}

Result<std::vector<std::string>> PostgresDatabase::column(const std::string& sql) const {
  auto c = PgConnection::open(url_);
  if (!c) return std::move(c).error();
  auto q = (*c)->query(sql);
  if (!q) return std::move(q).error();
  std::vector<std::string> out;
  for (int i = 0; i < q->rows(); ++i) out.push_back(q->text(i, 0));
  return out;
}

}  // namespace coalition::test
