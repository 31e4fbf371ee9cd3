// The SQLite store's schema, as an ordered list of migrations. Migration i (1-based) moves a
// database from PRAGMA user_version i-1 to i. Never edit a released migration: add one.
#ifndef COALITION_STORE_SQLITE_MIGRATIONS_H_
#define COALITION_STORE_SQLITE_MIGRATIONS_H_

#include <span>

namespace coalition {

std::span<const char* const> sqlite_migrations();

}  // namespace coalition

#endif  // COALITION_STORE_SQLITE_MIGRATIONS_H_
