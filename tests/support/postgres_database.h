// PostgresDatabase: an empty PostgreSQL database for one test, dropped when it goes.
//
// The server is the one the test run started (ctest's fixture runs tests/support/test-postgres
// and names its folder in COALITION_TEST_POSTGRES), or one this process starts for itself the
// first time a test asks (a test binary run by hand), stopped when the process exits; or an
// existing server whose admin URL is in COALITION_TEST_POSTGRES_URL.
#ifndef COALITION_TESTS_SUPPORT_POSTGRES_DATABASE_H_
#define COALITION_TESTS_SUPPORT_POSTGRES_DATABASE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace coalition::test {

class PostgresDatabase {
 public:
  // A new database on the tests' server; kIo (with the reason) when no server can be had.
  static Result<std::unique_ptr<PostgresDatabase>> create();
  ~PostgresDatabase();
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  // The database's libpq URL, for PostgresOptions::url.
  const std::string& url() const { return url_; }
  // Runs SQL on the database directly, as someone with access to it but not through the store.
  Status exec(const std::string& sql) const;
  // The first column of every row `sql` gives, as text.
  Result<std::vector<std::string>> column(const std::string& sql) const;

 private:
  PostgresDatabase(std::string admin_url, std::string name, std::string url)
      : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_POSTGRES_DATABASE_H_
