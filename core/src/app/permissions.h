// Permissions for what no workflow governs: purging expired records and placing or releasing a
// legal hold. Only the roles the configuration names (config "permissions"), or the admin scope,
// may; everyone else is refused before anything is read or changed.
#ifndef COALITION_APP_PERMISSIONS_H_
#define COALITION_APP_PERMISSIONS_H_

#include <string>
#include <vector>

#include "auth/principal.h"
#include "common/result.h"

namespace coalition::app {

// OK when `p` holds one of `roles` (or the admin scope); else kPermissionDenied naming `what`
// and the roles that may.
Status require_role(const Principal& p, const std::vector<std::string>& roles,
                    const std::string& what);

}  // namespace coalition::app

#endif  // COALITION_APP_PERMISSIONS_H_
