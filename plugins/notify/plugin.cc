// notify: sends a message to a contact (by its directory entry and channel priority), to a
// configured webhook (https://, verified), or to the log; e-mail goes out over SMTP with
// STARTTLS when a mail server is configured, else to the outbox; optionally waits for an
// acknowledgement (a task the contact completes, with a one-time code for verification challenges,
// or a signal). Payloads carry references only: a field other than case_id and references that
// is outside the step's allow-list is refused before anything is sent, and addresses never
// leave the directory except to the delivery itself.
#include <coalition/plugin.hpp>

#include "contacts/contact_directory.h"
#include "notify/notify_message.h"
#include "notify/smtp_mailer.h"
#include "notify/webhook_client.h"
#include "shared/config_file.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace {

using coalition::sdk::Context;
using coalition::sdk::Host;
using coalition::sdk::Outcome;
using nlohmann::json;
namespace contacts = coalition::plugins::contacts;
namespace notify = coalition::plugins::notify;
namespace plugins = coalition::plugins;

// What every acknowledgement looks like; with `challenge` the task also requires the code.
constexpr const char* kAnswerSchema = R"json({
  "type": "object",
  "properties": {
    "acknowledged": {"const": true},
    "note": {"type": "string", "maxLength": 500},
    "code": {"type": "string", "pattern": "^[0-9]{6}$"}
  },
  "required": ["acknowledged"],
  "additionalProperties": false
})json";

class Notify {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "notify",
      .description =
          "Sends a references-only message through a channel (outbox, webhook or log), "
          "optionally waiting for an acknowledgement.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "x-coalition-confined-by": "within",
        "properties": {
          "within": {"type": "string", "minLength": 1,
                     "description": "The organisation the message stays in: every recipient must be a contact entry of it (an entry's own webhook channel is its organisation's; a configured webhook or the log is refused). What stays within it is not screened for a suspicious-activity report's facts."},
          "to": {
            "type": "object",
            "description": "{contact, channel}: a directory entry and the channel's priority (1 = primary) or type; {people: {organisation?, roles}, channel}: every entry holding one of the roles (in the organisation); {webhook}: a configured webhook name; {log: true}.",
            "properties": {
              "contact": {"type": "string", "minLength": 1},
              "people": {
                "type": "object",
                "properties": {
                  "organisation": {"type": "string", "minLength": 1},
                  "roles": {"type": "array", "minItems": 1,
                            "items": {"type": "string", "minLength": 1}}
                },
                "required": ["roles"]
              },
              "channel": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]},
              "webhook": {"type": "string", "minLength": 1},
              "log": {"const": true}
            },
            "oneOf": [{"required": ["contact"]}, {"required": ["people"]},
                      {"required": ["webhook"]}, {"required": ["log"]}]
          },
          "message": {"type": "string", "pattern": "^[a-z][a-z0-9_.]*$",
                      "x-coalition-outbound": true,
                      "description": "What the message is (its template), e.g. escalation.p0."},
          "payload": {"type": "object", "additionalProperties": true,
                      "x-coalition-outbound": true,
                      "x-coalition-listed-in": "allow",
                      "x-coalition-listed-by-default": ["case_id", "references"]},
          "allow": {"type": "array", "items": {"type": "string"}, "uniqueItems": true,
                    "description": "The payload fields this step may send beyond case_id and references (references only)."},
          "ack": {"enum": ["none", "task", "signal"]},
          "signal": {"type": "string", "pattern": "^[a-z][a-z0-9_.-]*$"},
          "challenge": {"type": "boolean", "description": "Send a one-time code the acknowledgement must repeat."},
          "title": {"type": "string", "maxLength": 200, "x-coalition-outbound": true}
        },
        "required": ["to", "message", "payload"]
      })json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_MAY_SUSPEND,
      .answer_schema = kAnswerSchema,
  };

  Notify(const Host& host, const json& config)
      : host_(host),
        config_(config),
        outbox_(plugins::config_path(config, "outbox", "outbox")),
        secret_file_(plugins::config_path(config, "secret_file", "notify.secret")),
        timeout_ms_(config.value("webhook_timeout_ms", 5000)) {
    webhook_.timeout_ms = timeout_ms_;
    webhook_.ca_file = plugins::config_path(config, "webhook_ca_file", "").string();
    if (config.contains("smtp") && config["smtp"].is_object()) {
      const json& smtp = config["smtp"];
      smtp_.url = smtp.value("url", "");
      smtp_.from = smtp.value("from", "");
      smtp_.username = smtp.value("username", "");
      smtp_.timeout_ms = smtp.value("timeout_ms", 10000);
      // Relative to the configuration file, like every other path of the plugin's section.
      json located = smtp;
      located["config_directory"] = config.value("config_directory", std::string());
      smtp_password_file_ = plugins::config_path(located, "password_file", "");
      smtp_.ca_file = plugins::config_path(located, "ca_file", "").string();
      mail_configured_ = !smtp_.url.empty();
    }
    const auto file = plugins::config_path(config, "directory", "");
    if (!file.empty()) {
      directory_ = std::make_unique<contacts::ContactDirectory>(
          file, plugins::config_path(config, "seed", ""));
    }
  }

  Outcome execute(const json& params, const Context& context) {
    const json& payload = params.at("payload");
    if (auto field = notify::field_outside(payload, notify::allowed_fields(params))) {
      return Outcome::permanent("notify.field_not_allowed",
                                "payload field '" + *field +
                                    "' is not on this step's allow-list (references only: "
                                    "list it in \"allow\" if it is one); nothing was sent");
    }
    const std::string key = context.idempotency_key();
    const std::string ack = params.value("ack", "none");
    const bool challenge = params.value("challenge", false);
    json message{{"idempotency_key", key},
                 {"execution", context.execution_id()},
                 {"message", params.at("message")},
                 {"payload", payload},
                 {"at", context.now()},
                 {"ack_required", ack != "none"}};
    if (challenge) {
      if (ack != "task") {
        return Outcome::invalid_parameters("/challenge", "a challenge needs \"ack\": \"task\"");
      }
      message["code"] = notify::challenge_code(secret(), context.task_token());
    }
    json sent;
    if (auto failed = deliver(params.at("to"), params.value("within", ""), message, sent)) {
      return *failed;
    }
    sent["message_id"] = key;
    sent["message"] = params.at("message");
    sent["sent_at"] = context.now();
    if (ack == "none") return Outcome::ok(std::move(sent));
    if (ack == "signal") return Outcome::suspend({{"signal", params.value("signal", "ack")}});
    json answer = json::parse(kAnswerSchema);
    if (challenge) {
      answer["required"].push_back("code");
    } else {
      answer["properties"].erase("code");
    }
    return Outcome::suspend(
        {{"title", params.value("title", "Acknowledge " + params.at("message").get<std::string>())},
         {"instructions", std::string("Confirm receipt through the portal") +
                              (challenge ? ", repeating the one-time code you received." : ".")},
         {"answer_schema", std::move(answer)},
         {"sent", std::move(sent)}});
  }

  Outcome resume(const json& completion, const Context& context) {
    if (!completion.contains("completions")) {  // a signal
      return Outcome::ok({{"acknowledged", true}, {"via", "signal"}, {"data", completion}});
    }
    const json& c = completion.at("completions").back();
    const json& data = c.at("data");
    if (data.contains("code") &&
        data["code"].get<std::string>() != notify::challenge_code(secret(), context.task_token())) {
      return Outcome::permanent("notify.challenge_failed",
                                "the acknowledgement did not repeat the one-time code sent");
    }
    return Outcome::ok({{"acknowledged", true},
                        {"via", "task"},
                        {"by", c.value("actor", "")},
                        {"role", c.value("role", "")},
                        {"at", c.value("at", "")},
                        {"verified", data.contains("code")}});
  }

 private:
  const std::string& secret() {
    if (secret_.empty()) secret_ = notify::load_or_create_secret(secret_file_);
    return secret_;
  }

  // `within`: the organisation the message must stay in (empty: anywhere). Only contact
  // entries of it may be addressed; a webhook's or the log's reader is nobody's member.
  std::optional<Outcome> deliver(const json& to, const std::string& within, const json& message,
                                 json& sent) {
    if (!within.empty() && (to.contains("log") || to.contains("webhook"))) {
      return Outcome::permanent("notify.outside_organisation",
                                "a message that stays within '" + within +
                                    "' goes to its contact entries only, not to a webhook or the "
                                    "log; nothing was sent");
    }
    if (to.contains("log")) {
      host_.info("notification " + message["message"].get<std::string>() + " " +
                 message["payload"].dump());
      sent = {{"channel", "log"}, {"to", "log"}, {"delivered_via", "log"}};
      return std::nullopt;
    }
    if (to.contains("webhook")) {
      const std::string name = to["webhook"].get<std::string>();
      const json hooks = config_.value("webhooks", json::object());
      if (!hooks.contains(name)) {
        return Outcome::permanent("notify.unknown_webhook",
                                  "no webhook '" + name + "' in the notify plugin's configuration");
      }
      sent = {{"channel", "webhook"}, {"to", name}, {"delivered_via", "webhook"}};
      return post(hooks[name].get<std::string>(), message);
    }
    if (!directory_) {
      return Outcome::permanent("notify.no_directory",
                                "the notify plugin has no contact directory configured");
    }
    const json wanted = to.value("channel", json(1));
    if (to.contains("people")) {
      json people = to["people"];
      const std::string organisation = people.value("organisation", "");
      if (!within.empty() && !organisation.empty() && organisation != within) {
        return Outcome::permanent("notify.outside_organisation",
                                  "the people addressed are of '" + organisation + "', not of '" +
                                      within +
                                      "', which the message stays within; nothing was sent");
      }
      if (!within.empty()) people["organisation"] = within;
      return deliver_to_people(people, wanted, message, sent);
    }
    const std::string id = to.at("contact").get<std::string>();
    auto entry = directory_->find(id);
    if (!entry)
      return Outcome::permanent("notify.unknown_contact", "no contact entry '" + id + "'");
    if (!within.empty() && entry->value("organisation", "") != within) {
      return Outcome::permanent("notify.outside_organisation",
                                "contact entry '" + id + "' is not of '" + within +
                                    "', which the message stays within; nothing was sent");
    }
    return send_to_entry(*entry, wanted, message, sent);
  }

  // Every entry holding one of the roles (in the organisation, when one is named) that is not
  // suspended, each through its channel `wanted`. One entry that cannot be reached does not keep
  // the others from being told: the notification succeeds when anyone was reached, and lists
  // who was not and why. When nobody was, the retry (if the failure is for now) sends again to
  // all, under the same per-entry keys (the outbox keeps one line each; a mail keeps its
  // Message-ID).
  std::optional<Outcome> deliver_to_people(const json& people, const json& wanted,
                                           const json& message, json& sent) {
    const std::string organisation = people.value("organisation", "");
    const json& roles = people.at("roles");
    const auto now = plugins::parse_instant(message.value("at", ""));
    const json policy = directory_->policy();
    json recipients = json::array();
    json unreached = json::array();
    std::optional<Outcome> first_failure;
    for (const auto& entry : directory_->entries()) {
      const bool role =
          std::find(roles.begin(), roles.end(), entry.value("role", "")) != roles.end();
      const bool member = organisation.empty() || entry.value("organisation", "") == organisation;
      if (!role || !member) continue;
      if (now && contacts::effective_status(entry, *now, policy) == "suspended") continue;
      json addressed = message;
      addressed["idempotency_key"] =
          message["idempotency_key"].get<std::string>() + "/" + entry.value("id", "");
      json one;
      if (auto failed = send_to_entry(entry, wanted, addressed, one)) {
        const json& error = failed->error_document();
        unreached.push_back(
            {{"contact", entry.value("id", "")},
             {"error", error.value("code", "") + ": " + error.value("message", "")}});
        // A failure for now wins over one for good: retrying may reach everyone yet.
        const auto retryable = [](const Outcome& o) {
          return o.status() == COALITION_STATUS_RETRYABLE_ERROR;
        };
        if (!first_failure || (retryable(*failed) && !retryable(*first_failure))) {
          first_failure = std::move(failed);
        }
        continue;
      }
      recipients.push_back(std::move(one));
    }
    if (recipients.empty() && first_failure) return first_failure;
    if (recipients.empty()) {
      return Outcome::permanent(
          "notify.no_recipients",
          "no contact entry holds role " + roles.dump() +
              (organisation.empty() ? std::string() : " in organisation '" + organisation + "'"));
    }
    sent = {{"channel", wanted}, {"to", "people"}, {"recipients", std::move(recipients)}};
    if (!unreached.empty()) sent["unreached"] = std::move(unreached);
    return std::nullopt;
  }

  std::optional<Outcome> send_to_entry(const json& entry, const json& wanted, const json& message,
                                       json& sent) {
    const std::string id = entry.value("id", "");
    const json channels = entry.value("channels", json::array());
    const json* channel = nullptr;
    for (const auto& c : channels) {
      const bool match = wanted.is_number() ? c.value("priority", 0) == wanted.get<int>()
                                            : c.value("type", "") == wanted.get<std::string>();
      if (match) channel = &c;
    }
    if (channel == nullptr) {
      return Outcome::permanent("notify.no_channel",
                                "contact entry '" + id + "' has no channel " + wanted.dump());
    }
    const std::string type = channel->value("type", "");
    const std::string address = channel->value("address", "");
    const bool by_mail = type == "email" && mail_configured_;
    sent = {{"channel", type},
            {"contact", id},
            {"to", contacts::mask_address(type, address)},
            {"delivered_via", type == "webhook" ? "webhook"
                              : by_mail         ? "smtp"
                                                : "outbox"}};
    json addressed = message;
    addressed["contact"] = id;
    if (type == "webhook") return post(address, addressed);
    if (by_mail) return mail(address, addressed);
    addressed["address"] = address;  // the gateway's copy only; never logged, never returned
    try {
      notify::append_to_outbox(outbox_, type, addressed);
    } catch (const std::exception& e) {
      return Outcome::retryable("notify.outbox_unavailable", e.what());
    }
    return std::nullopt;
  }

  // At least once: a retry after a lost answer sends the mail again with the same Message-ID,
  // so the recipient's mail system can tell it is a copy.
  std::optional<Outcome> mail(const std::string& address, const json& message) {
    auto password = smtp_password();
    if (!password) {
      return Outcome::permanent(
          "notify.smtp_unconfigured",
          "cannot read the mail server's password file " + smtp_password_file_.string());
    }
    notify::SmtpOptions options = smtp_;
    options.password = std::move(*password);
    const notify::MailContent content = notify::compose_mail(message, smtp_.from);
    const notify::Mail mail{address, content.subject, content.body, content.message_id,
                            notify::mail_date(message.value("at", ""))};
    auto r = notify::send_mail(options, mail);
    if (r.sent) return std::nullopt;
    if (r.permanent) return Outcome::permanent("notify.smtp_refused", r.error);
    return Outcome::retryable("notify.smtp_unavailable", r.error);
  }

  // COALITION_SMTP_PASSWORD, else the first line of smtp.password_file; "" without a file.
  std::optional<std::string> smtp_password() const {
    if (const char* env = std::getenv("COALITION_SMTP_PASSWORD"); env != nullptr) return env;
    if (smtp_password_file_.empty()) return std::string();
    std::ifstream in(smtp_password_file_);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

  std::optional<Outcome> post(const std::string& url, const json& message) {
    auto r = notify::post_webhook(url, message.dump(),
                                  message["idempotency_key"].get<std::string>(), webhook_);
    if (r.status == 0 && r.permanent) return Outcome::permanent("notify.webhook_refused", r.error);
    if (r.status == 0) return Outcome::retryable("notify.webhook_unreachable", r.error);
    if (r.status >= 500) {
      return Outcome::retryable("notify.webhook_failed",
                                "the webhook answered HTTP " + std::to_string(r.status));
    }
    if (r.status >= 400) {
      return Outcome::permanent("notify.webhook_refused",
                                "the webhook answered HTTP " + std::to_string(r.status));
    }
    return std::nullopt;
  }

  Host host_;
  json config_;
  std::filesystem::path outbox_;
  std::filesystem::path secret_file_;
  int timeout_ms_;
  notify::WebhookOptions webhook_;
  notify::SmtpOptions smtp_;
  std::filesystem::path smtp_password_file_;
  bool mail_configured_ = false;
  std::unique_ptr<contacts::ContactDirectory> directory_;
  std::string secret_;
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "notify",
    .version = "1.2.0",
    .publisher = "Coalition Project",
    .partner_type = coalition::sdk::PartnerType::kCoalition,
    .description =
        "References-only notifications by e-mail (SMTP with STARTTLS), HTTPS webhooks, an "
        "outbox or the log, with acknowledgements.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, Notify)
