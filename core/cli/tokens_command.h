// coalition tokens create|list|revoke: API tokens for people and partner systems
// (auth/api_token.h), managed by the operator at the engine's terminal.
#ifndef COALITION_CLI_TOKENS_COMMAND_H_
#define COALITION_CLI_TOKENS_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "app/installation.h"
#include "cli/command.h"

namespace coalition::cli {

using app::Installation;

struct TokensOptions {
  std::string store;
  std::string action;  // create, list, revoke
  std::string person;
  std::string organisation;
  std::vector<std::string> roles;
  std::vector<std::string> scopes;
  std::string expires;  // RFC 3339 instant, or an ISO 8601 duration from now (P90D)
  std::string id;       // revoke
  std::string actor;    // --as: who makes or revokes it (the audit log's actor)
  bool json = false;
};

int run_tokens_command(const TokensOptions& o, const Installation& installation, std::ostream& out,
                       std::ostream& err);

// tokens create, tokens list and tokens revoke.
Command tokens_create_command();
Command tokens_list_command();
Command tokens_revoke_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_TOKENS_COMMAND_H_
