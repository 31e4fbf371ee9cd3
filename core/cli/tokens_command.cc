#include "cli/tokens_command.h"

#include <CLI/CLI.hpp>
#include "cli/command_options.h"

#include <ostream>

#include "app/session.h"
#include "app/token_admin.h"
#include "cli/exit_code.h"
#include "cli/instant_option.h"
#include "common/text_field.h"
#include "common/utc_time.h"
#include "workflow/duration.h"

namespace coalition::cli {

using nlohmann::json;

namespace {

int failed(std::ostream& err, const std::string& action, const Error& error) {
  err << "coalition tokens " << action << ": " << error.to_string() << "\n";
  return exit_code_for(error);
}

// A token works through the day its expiry names: a date alone is the end of that day, UTC.
Result<std::optional<TimePoint>> expiry(const std::string& text, TimePoint now,
                                        std::ostream& notes) {
  if (text.empty()) return std::optional<TimePoint>();
  if (auto span = parse_duration(text)) return std::optional<TimePoint>(now + *span);
  auto read = parse_instant_text(text, "--expires", DateAlone::kEndOfDay, TimeZone::utc());
  if (!read) {
    return Error::invalid_argument(
        "--expires: a date (2027-03-01: the end of that day, UTC), an RFC 3339 instant "
        "(2027-03-01T00:00:00Z) or a duration from now (P90D)");
  }
  if (!read->reading.empty()) notes << reading_note("--expires", text, *read) << "\n";
  return std::optional<TimePoint>(read->at);
}

}  // namespace

int run_tokens_command(const TokensOptions& o, const Installation& installation, std::ostream& out,
                       std::ostream& err) {
  app::SessionOptions so;
  so.store = o.store;
  so.act = false;  // tokens change beside a running server: no engine, no lock
  auto s = app::Session::open(installation, so);
  if (!s) return failed(err, o.action, s.error());
  const Principal by = asserted_principal(o.actor.empty() ? "operator" : o.actor, "", "");
  const TimePoint now = utc_now();
  Store& store = (*s)->store();
  if (o.action == "create") {
    auto until = expiry(o.expires, now, err);
    if (!until) return failed(err, o.action, until.error());
    TokenRequest request{o.person, o.organisation, o.roles, o.scopes, *until, ""};
    auto issued = app::create_token(store, by, request, now);
    if (!issued) return failed(err, o.action, issued.error());
    if (o.json) {
      json doc = app::token_json(issued->record, now);
      doc["token"] = issued->text;
      out << doc.dump(2) << "\n";
    } else {
      out << issued->text << "\n";
      err << "token " << issued->record.id << " for " << printable(issued->record.person)
          << ": shown once, store it now; only its hash is kept\n";
    }
    return kExitOk;
  }
  if (o.action == "list") {
    auto list = app::list_tokens(store, by, now);
    if (!list) return failed(err, o.action, list.error());
    if (o.json) {
      out << list->dump(2) << "\n";
      return kExitOk;
    }
    if ((*list)["tokens"].empty()) out << "no tokens\n";
    for (const auto& t : (*list)["tokens"]) {
      std::string grants;
      for (const auto& r : t["roles"]) grants += (grants.empty() ? "" : ",") + r.get<std::string>();
      for (const auto& sc : t["scopes"]) {
        grants += (grants.empty() ? "" : ",") + sc.get<std::string>();
      }
      out << t["id"].get<std::string>() << "  " << t["state"].get<std::string>() << "  "
          << printable(t["person"].get<std::string>()) << "  "
          << printable(t["organisation"].get<std::string>()) << "  " << printable(grants)
          << "  expires " << t.value("expires_at", std::string("never")) << "\n";
    }
    return kExitOk;
  }
  auto revoked = app::revoke_token(store, by, o.id, now);
  if (!revoked) return failed(err, o.action, revoked.error());
  out << (*revoked ? "revoked token " : "token was already revoked: ") << o.id << "\n";
  return kExitOk;
}

namespace {

// What every tokens command takes: the store, and who does it.
void define_tokens_common(CommandOptions& c, TokensOptions& o) {
  c.store(o.store);
  c.person("--as", o.actor, "Who does this (the audit log's actor)");
}

int run_tokens(const TokensOptions& o, const CommandContext& c) {
  return run_tokens_command(o, *c.installation, *c.out, *c.err);
}

}  // namespace

Command tokens_create_command() {
  return make_command<TokensOptions>(
      {.path = "tokens create",
       .help = "Make a token; it is printed once",
       .define =
           [](CommandOptions& c, TokensOptions& o) {
             o.action = "create";
             CLI::App& app = c.app();
             c.person("--person", o.person, "Whom it names")->required();
             c.person("--org", o.organisation, "Their organisation");
             app.add_option("--roles", o.roles, "Their roles, comma-separated")->delimiter(',');
             app.add_option("--scopes", o.scopes,
                            "admin, coordinate, metrics or signal:<workflow>, comma-separated")
                 ->delimiter(',');
             app.add_option("--expires", o.expires,
                            "When it stops working: RFC 3339 instant, a date (its end, UTC) or a "
                            "duration (P90D)");
             c.json(o.json, "Print JSON (with the token)");
             define_tokens_common(c, o);
           },
       .run = run_tokens});
}

Command tokens_list_command() {
  return make_command<TokensOptions>({.path = "tokens list",
                                      .help = "List tokens (never their secrets)",
                                      .define =
                                          [](CommandOptions& c, TokensOptions& o) {
                                            o.action = "list";
                                            c.json(o.json);
                                            define_tokens_common(c, o);
                                          },
                                      .run = run_tokens});
}

Command tokens_revoke_command() {
  return make_command<TokensOptions>(
      {.path = "tokens revoke",
       .help = "Revoke a token at once",
       .define =
           [](CommandOptions& c, TokensOptions& o) {
             o.action = "revoke";
             c.name("ID", o.id, "Token id (as tokens list shows it)")->required();
             define_tokens_common(c, o);
           },
       .run = run_tokens});
}

}  // namespace coalition::cli
