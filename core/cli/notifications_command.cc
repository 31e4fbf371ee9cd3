#include "cli/notifications_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <ostream>

#include "cli/command_options.h"
#include "cli/exit_code.h"
#include "common/utc_time.h"

namespace coalition::cli {
namespace {

using nlohmann::json;

json notification_json(const NotificationRecord& n) {
  json doc{{"id", n.id},
           {"execution", n.execution_id},
           {"kind", to_string(n.kind)},
           {"task", n.task},
           {"created_at", format_utc(n.created_at)},
           {"status", to_string(n.status)},
           {"attempts", n.attempts},
           {"subject", n.subject}};
  if (n.status == NotificationStatus::kPending) doc["next_at"] = format_utc(n.next_at);
  if (!n.last_error.empty()) doc["last_error"] = n.last_error;
  if (n.sent_at) doc["sent_at"] = format_utc(*n.sent_at);
  if (!n.delivery.is_null()) doc["delivery"] = n.delivery;
  return doc;
}

// "northwind.bsa_officer (c***@northwind.example.com)", one per recipient.
std::string recipient_list(const json& delivery) {
  std::string text;
  for (const auto& r : delivery.value("recipients", json::array())) {
    if (!text.empty()) text += ", ";
    text += r.value("contact", "?") + " (" + r.value("to", "?") + ")";
  }
  return text;
}

int run_notifications_command(const NotificationsOptions& o, const Installation& installation,
                              std::ostream& out, std::ostream& err) {
  NotificationFilter filter;
  filter.execution_id = o.execution;
  filter.limit = o.limit;
  if (o.statuses.size() > 1) {
    return fail(err, "notifications",
                Error::invalid_argument("--status takes one of pending, sent, failed"));
  }
  if (!o.statuses.empty()) {
    filter.status = parse_notification_status(o.statuses.front());
    if (!filter.status) {
      return fail(err, "notifications",
                  Error::invalid_argument("--status " + o.statuses.front() +
                                          ": expected pending, sent or failed"));
    }
  }
  auto s = open_for_reading(o.session, installation);
  if (!s) return fail(err, "notifications", s.error());
  auto found = (*s)->store().notifications(filter);
  if (!found) return fail(err, "notifications", found.error());
  if (o.json) {
    json list = json::array();
    for (const auto& n : *found) list.push_back(notification_json(n));
    out << json{{"notifications", std::move(list)}}.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& n : *found) {
    std::string line =
        fmt::format("{}  {:<16}  {}  {}  {}", format_utc(n.created_at), to_string(n.kind), n.task,
                    to_string(n.status), n.subject.value("title", std::string()));
    if (n.status == NotificationStatus::kSent) line += "  to " + recipient_list(n.delivery);
    if (n.status == NotificationStatus::kPending) {
      line += fmt::format("  next try {} (attempt {})", format_utc(n.next_at), n.attempts + 1);
    }
    if (!n.last_error.empty()) line += "  — " + n.last_error;
    out << line << "\n";
  }
  if (found->empty()) out << "no notifications\n";
  return kExitOk;
}

void define_notifications(CommandOptions& c, NotificationsOptions& o) {
  c.name("--execution", o.execution, "Only this execution's");
  c.app().add_option("--status", o.statuses, "pending, sent or failed");
  c.app().add_option("--limit", o.limit, "At most this many (default 50)");
  c.json(o.json);
  c.store(o.session.store);
}

}  // namespace

Command notifications_command() {
  return make_command<NotificationsOptions>(
      {.path = "notifications",
       .help = "List what the engine notified people of about their tasks, newest first",
       .define = define_notifications,
       .run = [](const NotificationsOptions& o, const CommandContext& c) {
         return run_notifications_command(o, *c.installation, *c.out, *c.err);
       }});
}

}  // namespace coalition::cli
