#include "config/engine_config.h"

#include <tuple>

#include "common/json_text.h"
#include "schema/json_schema.h"
#include "workflow/calendar_period.h"
#include "workflow/duration.h"

namespace coalition {
namespace {

// The file's shape. Closed objects: a misspelt key is an error, not a silently ignored setting.
constexpr const char* kSchema = R"json({
  "type": "object",
  "properties": {
    "$schema": {"type": "string"},
    "plugins": {
      "type": "object",
      "properties": {
        "directories": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "builtin": {"type": "boolean"},
        "config": {"type": "object", "additionalProperties": {"type": "object"}},
        "isolation": {
          "type": "object",
          "properties": {
            "builtin": {"$ref": "#/definitions/isolation"},
            "others": {"$ref": "#/definitions/isolation"},
            "plugins": {"type": "object",
                        "additionalProperties": {"$ref": "#/definitions/isolation"}}
          }
        },
        "step_timeout": {"type": "string", "minLength": 2},
        "lock": {"type": "string", "minLength": 1},
        "publishers": {
          "type": "object",
          "additionalProperties": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"}
          }
        },
        "require_signatures": {"type": "boolean"},
        "output_bytes": {"type": "integer", "minimum": 1024, "maximum": 268435456},
        "host": {
          "type": "object",
          "properties": {
            "program": {"type": "string", "minLength": 1},
            "address_space_mb": {"type": "integer", "minimum": 64, "maximum": 1048576},
            "cpu_seconds": {"type": "integer", "minimum": 1, "maximum": 31536000},
            "open_files": {"type": "integer", "minimum": 16, "maximum": 1048576},
            "threads": {"type": "integer", "minimum": 1, "maximum": 64},
            "restart_backoff": {"type": "string", "minLength": 2},
            "restart_backoff_max": {"type": "string", "minLength": 2},
            "quarantine_after": {"type": "integer", "minimum": 1, "maximum": 1000},
            "quarantine_for": {"type": "string", "minLength": 2},
            "sandbox": {"type": "boolean"},
            "paths": {
              "type": "object",
              "additionalProperties": {
                "type": "object",
                "properties": {
                  "read": {"type": "array", "items": {"type": "string", "minLength": 1}},
                  "write": {"type": "array", "items": {"type": "string", "minLength": 1}}
                },
                "additionalProperties": false
              }
            }
          }
        }
      }
    },
    "engine": {
      "type": "object",
      "properties": {
        "scheduler_threads": {"type": "integer", "minimum": 1, "maximum": 64},
        "plugin_threads": {"type": "integer", "minimum": 1, "maximum": 1024}
      }
    },
    "store": {
      "type": "object",
      "properties": {
        "path": {"type": "string", "minLength": 1},
        "synchronous": {"enum": ["FULL", "NORMAL", "OFF"]},
        "url": {"type": "string", "pattern": "^postgres(ql)?://"},
        "journal": {"type": "string", "minLength": 1},
        "node": {
          "type": "object",
          "properties": {
            "name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
            "lease": {"type": "string"},
            "busy_wait": {"type": "string"},
            "poll": {"type": "string"}
          },
          "additionalProperties": false
        }
      }
    },
    "calendars": {
      "type": "object",
      "properties": {
        "directory": {"type": "string", "minLength": 1}
      }
    },
    "retention": {
      "type": "object",
      "properties": {
        "execution": {"$ref": "#/definitions/rule"},
        "restricted": {"$ref": "#/definitions/rule"}
      }
    },
    "limits": {
      "type": "object",
      "properties": {
        "document_bytes": {"type": "integer", "minimum": 1024, "maximum": 1073741824},
        "depth": {"type": "integer", "minimum": 8, "maximum": 1024},
        "string_bytes": {"type": "integer", "minimum": 64, "maximum": 1073741824},
        "array_items": {"type": "integer", "minimum": 16, "maximum": 100000000},
        "object_members": {"type": "integer", "minimum": 16, "maximum": 100000000},
        "map_items_per_execution": {"type": "integer", "minimum": 1, "maximum": 100000000},
        "map_concurrency": {"type": "integer", "minimum": 1, "maximum": 1000000},
        "visits_per_step": {"type": "integer", "minimum": 1, "maximum": 100000000},
        "workflow_depth": {"type": "integer", "minimum": 1, "maximum": 64},
        "interruptions": {"type": "integer", "minimum": 1, "maximum": 1000},
        "start_count": {"type": "integer", "minimum": 1, "maximum": 1000000}
      }
    },
    "audit": {
      "type": "object",
      "properties": {
        "signing_key": {"type": "string", "minLength": 1},
        "checkpoints": {"type": "string", "minLength": 1},
        "checkpoint_every": {"type": "string", "minLength": 2}
      }
    },
    "server": {
      "type": "object",
      "properties": {
        "listen": {"type": "string", "minLength": 3},
        "tls_certificate": {"type": "string", "minLength": 1},
        "tls_private_key": {"type": "string", "minLength": 1},
        "plain_http_beyond_loopback": {"type": "boolean"},
        "threads": {"type": "integer", "minimum": 1, "maximum": 256},
        "acting_threads": {"type": "integer", "minimum": 1, "maximum": 4096},
        "body_bytes": {"type": "integer", "minimum": 1024, "maximum": 1073741824},
        "header_bytes": {"type": "integer", "minimum": 1024, "maximum": 1048576},
        "read_timeout": {"type": "string", "minLength": 2},
        "write_timeout": {"type": "string", "minLength": 2},
        "max_connections": {"type": "integer", "minimum": 1, "maximum": 100000},
        "rate_per_second": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000000},
        "rate_burst": {"type": "number", "minimum": 1, "maximum": 1000000},
        "web_root": {"type": "string", "minLength": 1},
        "web": {"type": "boolean"},
        "session_lifetime": {"type": "string", "minLength": 2}
      }
    },
    "oidc": {
      "type": "object",
      "properties": {
        "issuers": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["issuer", "audience"],
            "properties": {
              "issuer": {"type": "string", "minLength": 1},
              "audience": {"type": "string", "minLength": 1},
              "jwks_file": {"type": "string", "minLength": 1},
              "jwks_url": {"type": "string", "pattern": "^https://"},
              "jwks_ca_file": {"type": "string", "minLength": 1},
              "algorithms": {"type": "array", "minItems": 1,
                             "items": {"enum": ["RS256", "ES256"]}},
              "clock_skew": {"type": "string", "minLength": 2},
              "jwks_refresh": {"type": "string", "minLength": 2},
              "organisation": {"type": "string", "minLength": 1},
              "organisations": {"type": "array", "items": {"type": "string", "minLength": 1}},
              "roles": {"type": "array", "items": {"type": "string", "minLength": 1}},
              "sign_in": {
                "type": "object",
                "required": ["id", "name", "authorization_endpoint", "token_endpoint",
                             "client_id", "redirect_uri"],
                "additionalProperties": false,
                "properties": {
                  "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"},
                  "name": {"type": "string", "minLength": 1, "maxLength": 200},
                  "authorization_endpoint": {"$ref": "#/definitions/endpoint"},
                  "token_endpoint": {"$ref": "#/definitions/endpoint"},
                  "client_id": {"type": "string", "minLength": 1},
                  "client_secret_file": {"type": "string", "minLength": 1},
                  "redirect_uri": {"$ref": "#/definitions/endpoint"},
                  "scope": {"type": "string", "minLength": 1},
                  "token_ca_file": {"type": "string", "minLength": 1}
                }
              },
              "claims": {
                "type": "object",
                "properties": {
                  "person": {"type": "string", "minLength": 1},
                  "organisation": {"type": "string", "minLength": 1},
                  "roles": {"type": "string", "minLength": 1},
                  "scopes": {"type": "string", "minLength": 1}
                }
              }
            }
          }
        }
      }
    },
    "permissions": {
      "type": "object",
      "properties": {
        "purge": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        "legal_hold": {"type": "array", "items": {"type": "string", "minLength": 1},
                       "minItems": 1}
      }
    },
    "notifications": {
      "type": "object",
      "properties": {
        "enabled": {"type": "boolean"},
        "on": {"type": "array", "uniqueItems": true,
               "items": {"enum": ["task_opened", "reminder", "escalated", "deadline_expired"]}},
        "step_type": {"type": "string", "minLength": 1},
        "channel": {"anyOf": [{"type": "string", "minLength": 1},
                              {"type": "integer", "minimum": 1}]},
        "max_attempts": {"type": "integer", "minimum": 1, "maximum": 100},
        "retry_after": {"type": "string", "minLength": 2}
      }
    },
    "log": {
      "type": "object",
      "properties": {
        "level": {"enum": ["debug", "info", "warn", "error", "off"]},
        "format": {"enum": ["text", "json"]}
      }
    }
  },
  "definitions": {
    "rule": {
      "type": "object",
      "properties": {
        "keep": {"type": "string", "minLength": 2},
        "from": {"type": "string", "pattern": "^(completed|started|/.*)$"}
      },
      "required": ["keep"]
    },
    "isolation": {"enum": ["in_process", "isolated"]},
    "endpoint": {
      "type": "string",
      "description": "https://, or http:// on a loopback host (a provider on the same machine); printable ASCII without spaces or '#'",
      "pattern": "^(https://[!-\"$-~]+|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]+)?(/[!-\"$-~]*)?)$"
    }
  }
})json";

const JsonSchema& config_schema() {
  static const JsonSchema schema = std::move(
      JsonSchema::compile(nlohmann::json::parse(kSchema), JsonSchema::Objects::kClosedByDefault)
          .value());
  return schema;
}

void read_limits(const nlohmann::json& doc, EngineLimits& limits) {
  auto take = [&doc](const char* key, size_t& field) { field = doc.value(key, field); };
  take("document_bytes", limits.json.max_document_bytes);
  take("depth", limits.json.max_depth);
  take("string_bytes", limits.json.max_string_bytes);
  take("array_items", limits.json.max_array_items);
  take("object_members", limits.json.max_object_members);
  take("map_items_per_execution", limits.execution.map_items);
  take("map_concurrency", limits.execution.map_concurrency);
  take("visits_per_step", limits.execution.visits_per_step);
  take("workflow_depth", limits.execution.workflow_depth);
  take("interruptions", limits.execution.interruptions);
  take("start_count", limits.start_count);
}

Isolation isolation_of(const nlohmann::json& value) {
  return value.get<std::string>() == "in_process" ? Isolation::kInProcess : Isolation::kIsolated;
}

// "plugins.isolation", "plugins.host", "plugins.step_timeout", "plugins.output_bytes".
Status read_isolation(const nlohmann::json& plugins, const std::filesystem::path& base,
                      PluginIsolationConfig& out, ExecutionLimits& limits_out) {
  const auto& isolation = plugins.value("isolation", nlohmann::json::object());
  if (isolation.contains("builtin")) out.builtin = isolation_of(isolation["builtin"]);
  if (isolation.contains("others")) out.others = isolation_of(isolation["others"]);
  const nlohmann::json by_plugin = isolation.value("plugins", nlohmann::json::object());
  for (const auto& [id, mode] : by_plugin.items()) out.by_plugin[id] = isolation_of(mode);
  const auto span = [](const nlohmann::json& doc, const char* key, std::chrono::milliseconds min,
                       const std::string& at, std::chrono::milliseconds& field) -> Status {
    if (!doc.contains(key)) return ok_status();
    auto value = parse_duration(doc[key].get<std::string>());
    if (!value || *value < min) {
      return std::move(
          Error::configuration(value ? "at least " + format_duration(min) : value.error().message())
              .with_pointer(at + key));
    }
    field = *value;
    return ok_status();
  };
  if (auto s = span(plugins, "step_timeout", std::chrono::milliseconds(100), "/plugins/",
                    limits_out.step_timeout);
      !s) {
    return s;
  }
  out.calls.output_bytes = plugins.value("output_bytes", out.calls.output_bytes);
  const auto& host = plugins.value("host", nlohmann::json::object());
  PluginHostLimits& limits = out.host;
  if (host.contains("program")) {
    std::filesystem::path program = host["program"].get<std::string>();
    out.host_program = program.is_absolute() ? program : (base / program).lexically_normal();
  }
  limits.address_space_mb = host.value("address_space_mb", limits.address_space_mb);
  limits.cpu_seconds = host.value("cpu_seconds", limits.cpu_seconds);
  limits.open_files = host.value("open_files", limits.open_files);
  limits.threads = host.value("threads", limits.threads);
  limits.quarantine_after = host.value("quarantine_after", limits.quarantine_after);
  limits.sandbox = host.value("sandbox", limits.sandbox);
  if (auto paths = host.find("paths"); paths != host.end()) {
    auto absolute = [&](const std::string& p) {
      const std::filesystem::path path(p);
      return (path.is_absolute() ? path : base / path).lexically_normal().string();
    };
    for (const auto& [id, granted] : paths->items()) {
      SandboxPaths& to = limits.paths[id];
      for (const auto& p : granted.value("read", nlohmann::json::array())) {
        to.read.push_back(absolute(p.get<std::string>()));
      }
      for (const auto& p : granted.value("write", nlohmann::json::array())) {
        to.write.push_back(absolute(p.get<std::string>()));
      }
    }
  }
  for (auto [key, field] : {std::pair{"restart_backoff", &limits.restart_backoff},
                            std::pair{"restart_backoff_max", &limits.restart_backoff_max},
                            std::pair{"quarantine_for", &limits.quarantine_for}}) {
    if (auto s = span(host, key, std::chrono::milliseconds(1), "/plugins/host/", *field); !s) {
      return s;
    }
  }
  return ok_status();
}

}  // namespace

namespace {

// "store": a SQLite file (path, synchronous) or a PostgreSQL database (url, journal); paths are
// relative to the configuration file.
Status read_store(const nlohmann::json& store, const std::filesystem::path& base,
                  EngineConfig& config) {
  auto relative = [&](const std::string& p) {
    std::filesystem::path path = p;
    return path.is_absolute() ? path : (base / path).lexically_normal();
  };
  if (store.contains("path")) config.store_path = relative(store["path"].get<std::string>());
  config.store_synchronous = store.value("synchronous", config.store_synchronous);
  config.store_url = store.value("url", std::string());
  if (store.contains("journal")) {
    config.store_journal = relative(store["journal"].get<std::string>());
  }
  const auto& node = store.value("node", nlohmann::json::object());
  config.store_node.name = node.value("name", config.store_node.name);
  // A lease shorter than a second would lapse under an ordinary pause of the database.
  for (auto [key, field, least] :
       {std::tuple{"lease", &config.store_node.lease, std::chrono::milliseconds(1000)},
        std::tuple{"busy_wait", &config.store_node.busy_wait, std::chrono::milliseconds(0)},
        std::tuple{"poll", &config.store_node.poll, std::chrono::milliseconds(100)}}) {
    if (!node.contains(key)) continue;
    auto span = parse_duration(node[key].get<std::string>());
    if (!span || *span < least) {
      return std::move(
          Error::configuration(span ? "at least " + format_duration(least) : span.error().message())
              .with_pointer(std::string("/store/node/") + key));
    }
    *field = *span;
  }
  return ok_status();
}

}  // namespace

Result<EngineConfig> parse_engine_config(std::string_view text, const std::filesystem::path& base) {
  auto doc = parse_json(text);
  if (!doc) return Error::configuration(doc.error().message());
  if (auto violations = config_schema().validate(*doc); !violations.empty()) {
    const auto& v = violations.front();
    return std::move(
        Error::configuration(v.message).with_pointer(v.pointer.empty() ? "/" : v.pointer));
  }
  EngineConfig config;
  // A file named without a folder ("--config coalition.json") is in the working directory.
  config.config_directory =
      std::filesystem::absolute(base.empty() ? std::filesystem::path(".") : base)
          .lexically_normal();
  const auto& plugins = doc->value("plugins", nlohmann::json::object());
  for (const auto& dir : plugins.value("directories", nlohmann::json::array())) {
    std::filesystem::path path = dir.get<std::string>();
    config.plugin_directories.push_back(path.is_absolute() ? path
                                                           : (base / path).lexically_normal());
  }
  config.builtin_plugins = plugins.value("builtin", true);
  config.plugin_configs = plugins.value("config", nlohmann::json::object());
  if (auto s = read_isolation(plugins, base, config.plugin_isolation, config.limits.execution);
      !s) {
    return std::move(s).error();
  }
  if (plugins.contains("lock")) {
    std::filesystem::path lock = plugins["lock"].get<std::string>();
    config.plugin_trust.lock_file = lock.is_absolute() ? lock : (base / lock).lexically_normal();
  }
  const nlohmann::json publishers = plugins.value("publishers", nlohmann::json::object());
  for (const auto& [publisher, keys] : publishers.items()) {
    config.plugin_trust.publishers[publisher] = keys.get<std::vector<std::string>>();
  }
  config.plugin_trust.require_signatures = plugins.value("require_signatures", false);
  const auto& engine = doc->value("engine", nlohmann::json::object());
  config.scheduler_threads = engine.value("scheduler_threads", config.scheduler_threads);
  config.plugin_threads = engine.value("plugin_threads", config.plugin_threads);
  auto relative = [&](const std::string& p) {
    std::filesystem::path path = p;
    return path.is_absolute() ? path : (base / path).lexically_normal();
  };
  if (auto s = read_store(doc->value("store", nlohmann::json::object()), base, config); !s) {
    return std::move(s).error();
  }
  const auto& calendars = doc->value("calendars", nlohmann::json::object());
  if (calendars.contains("directory")) {
    config.calendar_directory = relative(calendars["directory"].get<std::string>());
  }
  config.retention = doc->value("retention", nlohmann::json::object());
  for (const auto& [type, rule] : config.retention.items()) {
    if (auto keep = parse_calendar_period(rule["keep"].get<std::string>()); !keep) {
      return std::move(Error::configuration(keep.error().message())
                           .with_pointer("/retention/" + type + "/keep"));
    }
  }
  read_limits(doc->value("limits", nlohmann::json::object()), config.limits);
  const auto& audit = doc->value("audit", nlohmann::json::object());
  if (audit.contains("signing_key")) {
    config.audit_signing_key = relative(audit["signing_key"].get<std::string>());
  }
  if (audit.contains("checkpoints")) {
    config.audit_checkpoints = relative(audit["checkpoints"].get<std::string>());
  }
  if (audit.contains("checkpoint_every")) {
    auto every = parse_duration(audit["checkpoint_every"].get<std::string>());
    if (!every || every->count() < 1000) {
      return std::move(Error::configuration(every ? "at least PT1S" : every.error().message())
                           .with_pointer("/audit/checkpoint_every"));
    }
    config.audit_checkpoint_every = *every;
  }
  const auto& server = doc->value("server", nlohmann::json::object());
  ServerConfig& sc = config.server;
  sc.listen = server.value("listen", sc.listen);
  if (server.contains("tls_certificate")) {
    sc.tls_certificate = relative(server["tls_certificate"].get<std::string>());
  }
  if (server.contains("tls_private_key")) {
    sc.tls_private_key = relative(server["tls_private_key"].get<std::string>());
  }
  if (sc.tls_certificate.empty() != sc.tls_private_key.empty()) {
    return std::move(Error::configuration("TLS needs both tls_certificate and tls_private_key")
                         .with_pointer(sc.tls_certificate.empty() ? "/server/tls_certificate"
                                                                  : "/server/tls_private_key"));
  }
  sc.plain_http_beyond_loopback =
      server.value("plain_http_beyond_loopback", sc.plain_http_beyond_loopback);
  sc.threads = server.value("threads", sc.threads);
  sc.acting_threads = server.value("acting_threads", sc.acting_threads);
  sc.body_bytes = server.value("body_bytes", sc.body_bytes);
  sc.header_bytes = server.value("header_bytes", sc.header_bytes);
  sc.max_connections = server.value("max_connections", sc.max_connections);
  sc.rate_per_second = server.value("rate_per_second", sc.rate_per_second);
  sc.rate_burst = server.value("rate_burst", sc.rate_burst);
  if (server.contains("web_root")) sc.web_root = relative(server["web_root"].get<std::string>());
  sc.web = server.value("web", sc.web);
  for (auto [key, field] :
       {std::pair{"read_timeout", &sc.read_timeout}, std::pair{"write_timeout", &sc.write_timeout},
        std::pair{"session_lifetime", &sc.session_lifetime}}) {
    if (!server.contains(key)) continue;
    auto span = parse_duration(server[key].get<std::string>());
    if (!span || span->count() < 100) {
      return std::move(Error::configuration(span ? "at least PT0.1S" : span.error().message())
                           .with_pointer(std::string("/server/") + key));
    }
    *field = *span;
  }
  const auto& oidc = doc->value("oidc", nlohmann::json::object());
  const auto issuers = oidc.value("issuers", nlohmann::json::array());
  for (size_t i = 0; i < issuers.size(); ++i) {
    const auto& in = issuers[i];
    const std::string at = "/oidc/issuers/" + std::to_string(i);
    OidcIssuerConfig ic;
    ic.issuer = in["issuer"].get<std::string>();
    ic.audience = in["audience"].get<std::string>();
    if (in.contains("jwks_file")) ic.jwks_file = relative(in["jwks_file"].get<std::string>());
    ic.jwks_url = in.value("jwks_url", "");
    if (in.contains("jwks_ca_file")) {
      ic.jwks_ca_file = relative(in["jwks_ca_file"].get<std::string>());
    }
    if (ic.jwks_file.empty() == ic.jwks_url.empty()) {
      return std::move(
          Error::configuration("an issuer's keys come from one of jwks_file or jwks_url")
              .with_pointer(at));
    }
    ic.algorithms = in.value("algorithms", ic.algorithms);
    for (auto [key, field] :
         {std::pair{"clock_skew", &ic.clock_skew}, std::pair{"jwks_refresh", &ic.jwks_refresh}}) {
      if (!in.contains(key)) continue;
      auto span = parse_duration(in[key].get<std::string>());
      if (!span)
        return std::move(Error::configuration(span.error().message()).with_pointer(at + "/" + key));
      *field = *span;
    }
    const auto claims = in.value("claims", nlohmann::json::object());
    ic.person_claim = claims.value("person", ic.person_claim);
    ic.organisation_claim = claims.value("organisation", ic.organisation_claim);
    ic.roles_claim = claims.value("roles", ic.roles_claim);
    ic.scopes_claim = claims.value("scopes", ic.scopes_claim);
    ic.organisation = in.value("organisation", "");
    ic.organisations = in.value("organisations", ic.organisations);
    ic.roles = in.value("roles", ic.roles);
    if (in.contains("sign_in")) {
      const auto& si = in["sign_in"];
      OidcSignInConfig sign_in;
      sign_in.id = si["id"].get<std::string>();
      sign_in.name = si["name"].get<std::string>();
      sign_in.authorization_endpoint = si["authorization_endpoint"].get<std::string>();
      sign_in.token_endpoint = si["token_endpoint"].get<std::string>();
      sign_in.client_id = si["client_id"].get<std::string>();
      sign_in.redirect_uri = si["redirect_uri"].get<std::string>();
      sign_in.scope = si.value("scope", sign_in.scope);
      if (si.contains("client_secret_file")) {
        sign_in.client_secret_file = relative(si["client_secret_file"].get<std::string>());
      }
      if (si.contains("token_ca_file")) {
        sign_in.token_ca_file = relative(si["token_ca_file"].get<std::string>());
      }
      for (const auto& other : config.oidc_issuers) {
        if (other.sign_in && other.sign_in->id == sign_in.id) {
          return std::move(Error::configuration("another issuer signs in as '" + sign_in.id + "'")
                               .with_pointer(at + "/sign_in/id"));
        }
      }
      ic.sign_in = std::move(sign_in);
    }
    config.oidc_issuers.push_back(std::move(ic));
  }
  const auto& permissions = doc->value("permissions", nlohmann::json::object());
  config.permissions.purge = permissions.value("purge", config.permissions.purge);
  config.permissions.legal_hold = permissions.value("legal_hold", config.permissions.legal_hold);
  if (doc->contains("notifications")) {
    const nlohmann::json n = (*doc)["notifications"];
    NotificationsConfig& nc = config.notifications;
    nc.enabled = n.value("enabled", true);
    if (n.contains("on")) {
      nc.on.clear();
      for (const auto& kind : n["on"]) {
        nc.on.push_back(*parse_notification_kind(kind.get<std::string>()));
      }
    }
    nc.step_type = n.value("step_type", nc.step_type);
    if (n.contains("channel")) nc.channel = n["channel"];
    nc.max_attempts = n.value("max_attempts", nc.max_attempts);
    if (n.contains("retry_after")) {
      auto after = parse_duration(n["retry_after"].get<std::string>());
      if (!after || after->count() < 1000) {
        return std::move(Error::configuration(after ? "at least PT1S" : after.error().message())
                             .with_pointer("/notifications/retry_after"));
      }
      nc.retry_after = *after;
    }
  }
  const auto& log = doc->value("log", nlohmann::json::object());
  config.log_level = *parse_log_level(log.value("level", "info"));
  config.log_format = *parse_log_format(log.value("format", "text"));
  return config;
}

Result<EngineConfig> load_engine_config(const std::filesystem::path& file, const FileSystem& fs) {
  auto text = fs.read(file);
  if (!text) return Error::configuration(text.error().message());
  auto config = parse_engine_config(*text, file.parent_path());
  if (!config) {
    Error e = std::move(config).error();
    return Error(e.code(), file.string() + ": " + e.to_string());
  }
  return config;
}

}  // namespace coalition
