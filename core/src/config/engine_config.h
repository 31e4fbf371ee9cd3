// EngineConfig: the engine's configuration file (config/coalition.json documents every key).
#ifndef COALITION_CONFIG_ENGINE_CONFIG_H_
#define COALITION_CONFIG_ENGINE_CONFIG_H_

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/execution_limits.h"
#include "common/file_system.h"
#include "common/json_limits.h"
#include "common/logging.h"
#include "common/notification_kind.h"
#include "common/result.h"
#include "plugin_host/plugin_isolation.h"
#include "plugin_host/plugin_trust.h"

namespace coalition {

// The "limits" block: how much of anything one request or one execution may use.
struct EngineLimits {
  JsonLimits json;             // every JSON document from outside, and values built from them
  ExecutionLimits execution;   // what one execution may do
  size_t start_count = 10000;  // executions one `start --count` may create
};

// The "server" block: `coalition serve` (server/http_server.h).
struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  // TLS: both or neither; relative to the configuration file. Without them the server speaks
  // plain HTTP, which it does only on a loopback address unless `plain_http_beyond_loopback`.
  std::filesystem::path tls_certificate;
  std::filesystem::path tls_private_key;
  bool plain_http_beyond_loopback = false;
  size_t threads = 2;              // network threads: connections, parsing, reads that do not wait
  size_t acting_threads = 64;      // requests that wait (for a commit, the disk) wait on these
  size_t body_bytes = 1 << 20;     // largest request body (413 beyond)
  size_t header_bytes = 16 << 10;  // largest request header block (431 beyond)
  std::chrono::milliseconds read_timeout{30000};   // to receive one request
  std::chrono::milliseconds write_timeout{30000};  // to send one response
  size_t max_connections = 512;                    // open at once (503 beyond)
  double rate_per_second = 50;                     // per credential (per address without one)
  double rate_burst = 100;                         // requests allowed at once before 429
  // The web app's files (index.html and what it loads); empty: the built one next to the
  // executable (../share/coalition/web). The server answers the API alone when there is none.
  std::filesystem::path web_root;
  bool web = true;  // false: no web app, even when its files are there
  // How long a browser stays signed in (then the person signs in again).
  std::chrono::milliseconds session_lifetime{std::chrono::hours(8)};
};

// Signing in to the web app through an identity provider ("oidc.issuers[].sign_in"): the
// authorization code flow with PKCE (RFC 7636). The provider's ID token is then verified as a
// bearer token of that issuer is, except that its audience must be this client's id (not the
// API's `audience`), and it must carry the nonce of the sign-in that asked for it.
struct OidcSignInConfig {
  std::string id;                      // the provider's name in URLs (/v1/auth/oidc/<id>/login)
  std::string name;                    // what the sign-in page shows ("Northbank single sign-on")
  std::string authorization_endpoint;  // https:// (http:// on a loopback host only)
  std::string token_endpoint;          // https:// (http:// on a loopback host only)
  std::string client_id;
  // A confidential client's secret (client_secret_post), read from this file; empty: a public
  // client (PKCE alone).
  std::filesystem::path client_secret_file;
  std::string redirect_uri;  // this server's /v1/auth/oidc/callback, as registered
  std::string scope = "openid";
  std::filesystem::path token_ca_file;  // verify the token endpoint against this CA file
};

// One identity provider whose OIDC bearer tokens (JWTs) the server accepts ("oidc.issuers").
struct OidcIssuerConfig {
  std::string issuer;    // the "iss" its tokens carry, exactly
  std::string audience;  // an "aud" they must carry
  // Its signing keys, a JWK Set: a file (relative to the configuration file) or an HTTPS URL
  // (fetched with certificate verification against `jwks_ca_file`, else the system's CAs).
  std::filesystem::path jwks_file;
  std::string jwks_url;
  std::filesystem::path jwks_ca_file;
  std::vector<std::string> algorithms = {"RS256", "ES256"};
  std::chrono::milliseconds clock_skew{60000};     // leeway for exp, nbf and iat
  std::chrono::milliseconds jwks_refresh{600000};  // how long fetched keys are used
  // Claims that map to the person, their organisation, their roles (a list or a space-separated
  // string) and Coalition scopes (empty: none; a coalition grants admin through its own claim
  // only when it says so here).
  std::string person_claim = "sub";
  std::string organisation_claim = "organisation";
  std::string roles_claim = "roles";
  std::string scopes_claim;
  // What the issuer is trusted for. `organisation`: the one member it speaks for (its tokens'
  // organisation claim is ignored). `organisations`: the organisation claim must be one of
  // these. `roles`: the only roles it may grant (others in its tokens are dropped). Empty: a
  // coalition-wide provider trusted for any.
  std::string organisation;
  std::vector<std::string> organisations;
  std::vector<std::string> roles;
  std::optional<OidcSignInConfig> sign_in;  // people may sign in to the web app through it
};

// The "permissions" block: who may do what no workflow governs.
struct PermissionsConfig {
  std::vector<std::string> purge = {"records_officer"};  // roles that may run a purge
  // Roles that may place or release a legal hold.
  std::vector<std::string> legal_hold = {"legal", "records_officer"};
};

// Notifications to the people of a task ("notifications"): which kinds, through which step type
// and channel, and how delivery retries. Off unless the section is present.
struct NotificationsConfig {
  bool enabled = false;
  std::vector<NotificationKind> on = {kAllNotificationKinds.begin(), kAllNotificationKinds.end()};
  std::string step_type = "notify";  // called with {"to": {"people": ...}, "channel": ...}
  nlohmann::json channel = "email";  // the channel type, or a priority (1 = primary)
  uint32_t max_attempts = 5;
  std::chrono::milliseconds retry_after{std::chrono::minutes(1)};  // doubled after each failure
};

struct EngineConfig {
  // Searched after the built-in directory (<prefix>/lib/coalition/plugins) and before
  // COALITION_PLUGIN_PATH. Relative paths are taken relative to the configuration file.
  std::vector<std::filesystem::path> plugin_directories;
  bool builtin_plugins = true;                               // search the built-in directory
  nlohmann::json plugin_configs = nlohmann::json::object();  // plugin id -> its configuration
  // Where each plugin runs, the limits of isolated hosts, and what every call is held to.
  PluginIsolationConfig plugin_isolation;
  // Which partner plugins may be installed: the lock file (relative to the configuration
  // file) and the publishers' signing keys (plugin_host/plugin_trust.h).
  PluginTrustConfig plugin_trust;
  size_t scheduler_threads = 2;  // threads interpreting steps and recording events
  size_t plugin_threads = 4;     // threads running plugin calls
  // The embedded store; relative to the configuration file. Empty: "coalition.db" in the
  // working directory (the --store option and COALITION_STORE override both).
  std::filesystem::path store_path;
  std::string store_synchronous = "FULL";  // FULL: an acknowledged change survives power loss
  // A PostgreSQL database instead (store.url, postgresql://...): it wins over store_path.
  std::string store_url;
  // Where an engine on a PostgreSQL store keeps its crash journal (runtime/crash_journal.h: what
  // it was working on when it died); relative to the configuration file. Empty: under
  // $XDG_STATE_HOME/coalition (else ~/.local/state/coalition), named after the database. One per
  // node: two nodes on one machine need two.
  std::filesystem::path store_journal;
  // Several engine nodes on one PostgreSQL database (store.node; store/execution_leases.h).
  struct StoreNode {
    std::string name;  // this node's name in leases and logs; empty: the host name
    // A node silent this long is taken for dead and its executions continue on another.
    std::chrono::milliseconds lease{10000};
    // How long a call waits for another node to let an execution go before it is refused
    // (409 execution.busy).
    std::chrono::milliseconds busy_wait{5000};
    // How often a server looks for executions nobody alive works on (timers due, a dead node's).
    std::chrono::milliseconds poll{1000};
  };
  StoreNode store_node;
  // Business-day calendars (*.json); relative to the configuration file. Empty: none, and a
  // business-day deadline fails with config.calendar.
  std::filesystem::path calendar_directory;
  // Where the configuration file is (absolute); plugins receive it as "config_directory" in
  // their configuration, so their data files can be named relative to it. Empty: no file.
  std::filesystem::path config_directory;
  // Retention of each record type ({"execution": {"keep": "P2555D", "from": "completed"}, ...});
  // a workflow's own `retention` overrides it, and record types missing from both keep the
  // built-in policy (workflow/retention_policy.h).
  nlohmann::json retention = nlohmann::json::object();
  EngineLimits limits;
  // The Ed25519 key that signs audit checkpoints, and the checkpoint file `audit checkpoint`
  // appends to; relative to the configuration file. Empty: under $XDG_STATE_HOME/coalition
  // (else ~/.local/state/coalition), never beside the store (common/signing_key.h).
  std::filesystem::path audit_signing_key;
  std::filesystem::path audit_checkpoints;
  // How often a long-running engine (`coalition worker`) signs a checkpoint, and once more when
  // it stops. Unset: only `audit checkpoint` writes them.
  std::optional<std::chrono::milliseconds> audit_checkpoint_every;
  ServerConfig server;
  std::vector<OidcIssuerConfig> oidc_issuers;  // "oidc": {"issuers": [...]}
  PermissionsConfig permissions;
  NotificationsConfig notifications;
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kText;
};

// Reads and checks `file`: malformed JSON names line and column, an unknown key or a wrong type
// names its JSON Pointer (kConfiguration). Never throws.
Result<EngineConfig> load_engine_config(const std::filesystem::path& file, const FileSystem& fs);

// Same, from text already read; `base` resolves relative plugin directories.
Result<EngineConfig> parse_engine_config(std::string_view text, const std::filesystem::path& base);

}  // namespace coalition

#endif  // COALITION_CONFIG_ENGINE_CONFIG_H_
