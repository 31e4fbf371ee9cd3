// The PostgreSQL store's schema, as an ordered list of migrations. Migration i (1-based) moves a
// database from schema version i-1 to i (the coalition_schema table holds the version). Never
// edit a released migration: add one.
#ifndef COALITION_STORE_POSTGRES_MIGRATIONS_H_
#define COALITION_STORE_POSTGRES_MIGRATIONS_H_

#include <span>

namespace coalition {

std::span<const char* const> postgres_migrations();

}  // namespace coalition

#endif  // COALITION_STORE_POSTGRES_MIGRATIONS_H_
