#include "plugin_host/exec_protocol.h"

#include <coalition/plugin_abi.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "common/json_text.h"
#include "plugin_host/host_frame.h"
#include "plugin_host/native_step_invoker.h"
#include "plugin_host/plugin_manifest.h"

namespace coalition {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<std::string_view, uint32_t>, 5> kStatuses{{
    {"ok", COALITION_STATUS_OK},
    {"retryable_error", COALITION_STATUS_RETRYABLE_ERROR},
    {"permanent_error", COALITION_STATUS_PERMANENT_ERROR},
    {"invalid_parameters", COALITION_STATUS_INVALID_PARAMETERS},
    {"suspend", COALITION_STATUS_SUSPEND},
}};

constexpr std::array<std::pair<std::string_view, uint32_t>, 4> kLevels{{
    {"debug", COALITION_LOG_DEBUG},
    {"info", COALITION_LOG_INFO},
    {"warn", COALITION_LOG_WARN},
    {"error", COALITION_LOG_ERROR},
}};

uint32_t partner_type_code(PartnerType type) {
  switch (type) {
    case PartnerType::kFinancial: return COALITION_PARTNER_FINANCIAL;
    case PartnerType::kTechnology: return COALITION_PARTNER_TECHNOLOGY;
    case PartnerType::kNgo: return COALITION_PARTNER_NGO;
    case PartnerType::kCoalition: return COALITION_PARTNER_COALITION;
  }
  return COALITION_PARTNER_COALITION;
}

// A document the engine wrote goes into a request as it is; a line ends at "\n", which valid
// JSON holds only as whitespace between tokens (never inside a string), so a space replaces it.
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

PluginAnswer malformed(const std::string& why) {
  return breach_answer("plugin.exec_protocol", "the program's answer " + why);
}

}  // namespace

std::string exec_describe_request(const std::string& plugin_id, const std::string& config_json) {
  // Keys in this order, so a program that prints what it receives shows the call first.
  return fmt::format(R"({{"call":"describe","protocol":{},"plugin_id":{},"config":{}}})",
                     kExecProtocolVersion, json(plugin_id).dump(), one_line(config_json)) +
         "\n";
}

std::string exec_call_request(uint64_t id, bool resume, const std::string& step_type,
                              const std::string& document_json, const std::string& context_json) {
  return fmt::format(R"({{"call":"{}","id":{},"step_type":{},"{}":{},"context":{}}})",
                     resume ? "resume" : "execute", id, json(step_type).dump(),
                     resume ? "completion" : "input", one_line(document_json),
                     one_line(context_json)) +
         "\n";
}

Result<ExecDescription> exec_description(std::string_view line, const std::string& source,
                                         const std::string& expected_id) {
  const std::string what = source + ": its answer to describe";
  auto doc = parse_json(line);
  if (!doc) return Error::plugin_load(what + " is not JSON: " + doc.error().message());
  auto declared = read_plugin_declaration(*doc, what);
  if (!declared) return std::move(declared).error();
  PluginInfo& info = declared->info;
  if (info.id != expected_id) {
    return Error::plugin_load(fmt::format(
        "{}: the program declares plugin id '{}'; its file name says '{}' (a plugin's id is its "
        "program's name)",
        source, info.id, expected_id));
  }
  json types = json::array();
  for (const auto& t : declared->step_types) {
    const auto text = [](const std::optional<std::string>& schema) {
      return schema ? json(*schema) : json(nullptr);
    };
    types.push_back({{"name", t.name},
                     {"description", t.description},
                     {"capabilities", t.capabilities},
                     {"parameters_schema", text(t.parameters_schema)},
                     {"input_schema", text(t.input_schema)},
                     {"output_schema", text(t.output_schema)},
                     {"answer_schema", text(t.answer_schema)}});
  }
  std::string document = to_text(json{{"protocol", kHostProtocolVersion},
                                      {"kind", "exec"},
                                      {"plugin",
                                       {{"id", info.id},
                                        {"version", info.version},
                                        {"publisher", info.publisher},
                                        {"description", info.description},
                                        {"partner_type", partner_type_code(info.partner_type)},
                                        {"abi_major", 0},
                                        {"abi_minor", 0}}},
                                      {"step_types", std::move(types)}});
  return ExecDescription{std::move(document), std::move(info.step_types)};
}

ExecLine read_exec_line(std::string_view line) {
  auto doc = parse_json(line);
  if (!doc || !doc->is_object()) {
    return ExecBroken{
        "wrote a line to its standard output that is not a JSON object (print "
        "anything but answers to standard error)"};
  }
  if (auto log = doc->find("log"); log != doc->end()) {
    ExecLog entry{COALITION_LOG_INFO, {}};
    if (log->is_object()) {
      if (auto message = log->find("message"); message != log->end() && message->is_string()) {
        entry.message = message->get<std::string>();
      }
      if (auto level = log->find("level"); level != log->end() && level->is_string()) {
        for (const auto& [word, code] : kLevels) {
          if (level->get_ref<const std::string&>() == word) entry.level = code;
        }
      }
    } else if (log->is_string()) {
      entry.message = log->get<std::string>();
    }
    return entry;
  }
  auto id = doc->find("id");
  if (id == doc->end() || !id->is_number_unsigned()) {
    return ExecBroken{"wrote an answer without the \"id\" of the call it answers"};
  }
  ExecAnswer answer;
  answer.id = id->get<uint64_t>();
  auto status = doc->find("status");
  const std::string* word = status != doc->end() && status->is_string()
                                ? &status->get_ref<const std::string&>()
                                : nullptr;
  bool known = false;
  for (const auto& [name, code] : kStatuses) {
    if (word != nullptr && *word == name) {
      answer.answer.status = code;
      known = true;
    }
  }
  if (!known) {
    answer.answer = malformed(
        "has no \"status\" among \"ok\", \"suspend\", \"retryable_error\", \"permanent_error\" "
        "and \"invalid_parameters\"");
    return answer;
  }
  // The documents go on as text, to be decoded by the engine exactly as a library's are.
  if (auto output = doc->find("output"); output != doc->end() && !output->is_null()) {
    answer.answer.output_json = to_text(*output);
  }
  if (auto error = doc->find("error"); error != doc->end() && !error->is_null()) {
    answer.answer.error_json = to_text(*error);
  }
  return answer;
}

}  // namespace coalition
