#include "cli/plugin_test_command.h"

#include <CLI/CLI.hpp>
#include "cli/command_options.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <optional>

#include "cli/exit_code.h"
#include "common/json_text.h"
#include "common/text_field.h"
#include "common/utc_time.h"
#include "plugin_host/isolated_plugin.h"
#include "plugin_host/plugin_discovery.h"
#include "plugin_host/plugin_loader.h"
#include "schema/json_schema.h"

namespace coalition::cli {
namespace {

using nlohmann::json;

std::string_view status_word(StepStatus status) {
  switch (status) {
    case StepStatus::kOk: return "ok";
    case StepStatus::kSuspend: return "suspend";
    case StepStatus::kRetryableError: return "retryable_error";
    case StepStatus::kPermanentError: return "permanent_error";
    case StepStatus::kInvalidParameters: return "invalid_parameters";
  }
  return "unknown";
}

// True when every member of `wanted` is in `actual` with an equal value (recursively for
// objects); arrays and scalars compare whole.
bool includes(const json& actual, const json& wanted) {
  if (!wanted.is_object() || !actual.is_object()) return actual == wanted;
  for (const auto& [key, value] : wanted.items()) {
    auto it = actual.find(key);
    if (it == actual.end() || !includes(*it, value)) return false;
  }
  return true;
}

// Why `outcome` is not what `expect` says; empty when it is.
std::string mismatch(const StepOutcome& outcome, const json& expect) {
  const std::string wanted = expect.value("status", "ok");
  if (status_word(outcome.status) != wanted) {
    std::string why =
        fmt::format("status {} where {} was expected", status_word(outcome.status), wanted);
    if (outcome.is_error())
      why += fmt::format(" ({}: {})", outcome.error.code, outcome.error.message);
    return why;
  }
  if (expect.contains("output") && outcome.output != expect["output"]) {
    return "output " + to_text(outcome.output) + " where " + to_text(expect["output"]) +
           " was expected";
  }
  if (expect.contains("output_includes") && !includes(outcome.output, expect["output_includes"])) {
    return "output " + to_text(outcome.output) + " lacks " + to_text(expect["output_includes"]);
  }
  if (expect.contains("error_code") && outcome.error.code != expect["error_code"]) {
    return "error code '" + outcome.error.code + "' where '" +
           expect["error_code"].get<std::string>() + "' was expected";
  }
  return {};
}

StepContext context_of(const json& given, const std::string& name) {
  StepContext context;
  context.execution_id = given.value("execution_id", "plugin-test");
  context.step_id = given.value("step_id", name);
  context.attempt = given.value("attempt", 1u);
  context.idempotency_key = given.value("idempotency_key", context.execution_id + "/" + name);
  context.now = parse_utc(given.value("now", "2026-01-05T09:00:00Z"));
  if (given.contains("principal") && given["principal"].is_object()) {
    const auto& p = given["principal"];
    context.principal =
        StepPrincipal{p.value("actor", ""), p.value("role", ""), p.value("organisation", "")};
  }
  context.time_limit = std::chrono::milliseconds(given.value("time_limit_ms", 30000));
  return context;
}

// The answers of a completion against what the engine would hold them to: the answer schema the
// step type declares, then the one the suspended step's task names (as the engine does).
std::string check_answers(const StepType& type, const json& wait, const json& completion) {
  std::optional<JsonSchema> own;
  if (wait.contains("answer_schema")) {
    auto compiled = JsonSchema::compile(wait["answer_schema"], JsonSchema::Objects::kAsWritten);
    if (!compiled)
      return "the step declared an invalid answer schema: " + compiled.error().message();
    own = std::move(*compiled);
  }
  const JsonSchema* schemas[] = {type.answer_schema() ? &*type.answer_schema() : nullptr,
                                 own ? &*own : nullptr};
  for (const auto& given : completion.value("completions", json::array())) {
    if (!given.is_object() || !given.contains("data")) continue;
    for (const JsonSchema* schema : schemas) {
      if (schema == nullptr) continue;
      auto violations = schema->validate(given["data"]);
      if (!violations.empty()) {
        return "the case's answer " + to_text(given["data"]) + " violates the answer schema at '" +
               violations.front().pointer + "': " + violations.front().message;
      }
    }
  }
  return {};
}

// Runs one case; empty when it passes, else why not.
std::string run_case(const json& c, const std::vector<std::shared_ptr<const StepType>>& types) {
  const std::string name = c.value("name", "case");
  const std::string type_name = c.value("step_type", "");
  const StepType* type = nullptr;
  for (const auto& t : types) {
    if (t->info().name == type_name || (type_name.empty() && types.size() == 1)) type = t.get();
  }
  if (type == nullptr) return "the library has no step type '" + type_name + "'";
  const StepContext context = context_of(c.value("context", json::object()), name);
  StepOutcome outcome = type->execute(c.value("parameters", json::object()), context);
  if (auto why = mismatch(outcome, c.value("expect", json::object())); !why.empty()) return why;
  json wait = outcome.status == StepStatus::kSuspend ? outcome.output : json::object();
  size_t step = 0;
  for (const auto& resume : c.value("resume", json::array())) {
    ++step;
    const json completion = resume.value("completion", json::object());
    if (auto why = check_answers(*type, wait, completion); !why.empty()) {
      return fmt::format("resume {}: {}", step, why);
    }
    outcome = type->resume(completion, context);
    if (auto why = mismatch(outcome, resume.value("expect", json::object())); !why.empty()) {
      return fmt::format("resume {}: {}", step, why);
    }
    if (outcome.status == StepStatus::kSuspend) wait = outcome.output;
  }
  return {};
}

}  // namespace

int run_plugin_test_command(const PluginTestOptions& options, const EngineConfig& config,
                            std::ostream& out, std::ostream& err) {
  std::vector<json> cases;
  for (const auto& file : options.cases) {
    auto text = read_text_file(file);
    auto doc = text ? parse_json(*text) : Result<json>(std::move(text).error());
    if (!doc) {
      err << "coalition plugin test: " << file << ": " << doc.error().to_string() << "\n";
      return kExitDataError;
    }
    for (const auto& c : doc->is_array() ? *doc : json::array({*doc})) {
      if (!c.is_object()) {
        err << "coalition plugin test: " << file << ": a case is a JSON object\n";
        return kExitDataError;
      }
      cases.push_back(c);
    }
  }
  // Each distinct configuration gets its own load of the library, as the engine would create
  // its instances with it.
  const PluginIsolationConfig& isolation = config.plugin_isolation;
  auto hosts = make_plugin_hosts(isolation);
  DllLibraryLoader libraries;
  std::map<std::string, std::vector<std::shared_ptr<const StepType>>> loaded;
  size_t failed = 0;
  for (const auto& c : cases) {
    const json plugin_config = c.value("config", json::object());
    const std::string key = to_text(plugin_config);
    if (!loaded.count(key)) {
      const bool exec = options.exec || !options.interpreter.empty();
      const std::string id =
          exec ? plugin_id_of_program(options.library) : plugin_id_of_library(options.library);
      PluginLoader loader(libraries, json{{id, plugin_config}}, config.config_directory);
      loader.set_output_bytes(isolation.calls.output_bytes);
      if (!options.in_process) {
        loader.isolate_with(
            *hosts,
            [](const std::string&, const std::filesystem::path&) { return Isolation::kIsolated; },
            config.calendar_directory);
      }
      auto plugin = loader.load(PluginCodeFile{
          options.library, exec ? PluginKind::kExec : PluginKind::kLibrary, options.interpreter});
      if (!plugin) {
        err << "coalition plugin test: " << plugin.error().to_string() << "\n";
        return kExitConfig;
      }
      loaded[key] = std::move(plugin->step_types);
    }
    const std::string name = c.value("name", "case");
    const std::string why = run_case(c, loaded[key]);
    if (why.empty()) {
      out << "PASS " << printable(name) << "\n";
    } else {
      ++failed;
      out << "FAIL " << printable(name) << ": " << printable(why) << "\n";
    }
  }
  out << fmt::format("{} case{}, {} failed\n", cases.size(), cases.size() == 1 ? "" : "s", failed);
  return failed == 0 ? kExitOk : 1;
}

void define_plugin_code_options(CommandOptions& c, bool& in_process, bool& exec,
                                std::string& interpreter) {
  CLI::App& app = c.app();
  app.add_flag("--in-process", in_process,
               "Load the library into this process instead of a plugin host");
  app.add_flag("--exec", exec, "LIBRARY is an exec plugin's program (JSON lines on stdin/stdout)");
  app.add_option("--interpreter", interpreter,
                 "The interpreter that runs the program, such as /usr/bin/python3 (implies "
                 "--exec)");
}

Command plugin_test_command() {
  return make_command<PluginTestOptions>(
      {.path = "plugin test",
       .help = "Run a plugin library against JSON cases (isolated, with every engine check)",
       .needs = Needs::kConfig,
       .define =
           [](CommandOptions& c, PluginTestOptions& o) {
             CLI::App& app = c.app();
             app.add_option("LIBRARY", o.library, "The plugin library (lib<id>.so)")->required();
             app.add_option("CASE", o.cases, "Case files (JSON)")->required();
             define_plugin_code_options(c, o.in_process, o.exec, o.interpreter);
           },
       .run =
           [](const PluginTestOptions& o, const CommandContext& c) {
             return run_plugin_test_command(o, *c.config, *c.out, *c.err);
           }});
}

}  // namespace coalition::cli
