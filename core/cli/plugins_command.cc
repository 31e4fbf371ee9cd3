#include "cli/plugins_command.h"

#include <CLI/CLI.hpp>
#include "cli/command_options.h"

#include <fmt/format.h>

#include <map>

#include "cli/exit_code.h"

namespace coalition::cli {
namespace {

nlohmann::json capabilities_json(const StepTypeInfo& info) {
  return {{"idempotent", info.idempotent()},
          {"thread_safe", info.thread_safe()},
          {"may_suspend", info.may_suspend()},
          {"non_blocking", info.non_blocking()}};
}

std::string capabilities_text(const StepTypeInfo& info) {
  std::string text;
  auto add = [&](bool on, const char* word) {
    if (!on) return;
    if (!text.empty()) text += ", ";
    text += word;
  };
  add(info.idempotent(), "idempotent");
  add(info.thread_safe(), "thread-safe");
  add(info.may_suspend(), "may suspend");
  add(info.non_blocking(), "non-blocking");
  return text.empty() ? "" : " [" + text + "]";
}

// The host of each isolated plugin, by plugin id.
std::map<std::string, PluginHealth> hosts_of(const Installation& inst) {
  std::map<std::string, PluginHealth> hosts;
  if (inst.plugin_hosts) {
    for (auto& health : inst.plugin_hosts->health()) hosts[health.plugin_id] = health;
  }
  return hosts;
}

void write_json(const Installation& inst, std::ostream& out) {
  nlohmann::json plugins = nlohmann::json::array();
  const auto hosts = hosts_of(inst);
  for (const auto& p : inst.registry.plugins()) {
    nlohmann::json types = nlohmann::json::array();
    for (const auto& name : p.step_types) {
      const auto& info = inst.registry.find_version(name, p.version)->info();
      types.push_back({{"name", info.name},
                       {"description", info.description},
                       {"capabilities", capabilities_json(info)}});
    }
    plugins.push_back(
        {{"id", p.id},
         {"version", p.version},
         {"publisher", p.publisher},
         {"partner_type", to_string(p.partner_type)},
         {"description", p.description},
         {"kind", to_string(p.kind)},
         // An exec plugin speaks the exec protocol, not the C ABI.
         {"abi", p.kind == PluginKind::kExec
                     ? nlohmann::json(nullptr)
                     : nlohmann::json(fmt::format("{}.{}", p.abi_major, p.abi_minor))},
         {"source", p.source},
         {"isolation", to_string(p.isolation)},
         {"sha256", p.library_sha256},
         {"step_types", std::move(types)}});
    if (auto host = hosts.find(p.id); host != hosts.end()) {
      plugins.back()["host"] = {{"running", host->second.running},
                                {"starts", host->second.starts},
                                {"failures", host->second.failures},
                                {"quarantined", host->second.quarantined},
                                {"last_failure", host->second.last_failure}};
    }
  }
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : inst.plugin_errors) errors.push_back(e.to_string());
  out << nlohmann::json{{"plugins", std::move(plugins)}, {"errors", std::move(errors)}}.dump(2)
      << "\n";
}

void write_text(const Installation& inst, std::ostream& out) {
  const auto& plugins = inst.registry.plugins();
  size_t type_count = 0;
  for (const auto& p : plugins) {
    out << fmt::format("{} {}  {} ({}{}{})\n  {}\n", p.id, p.version, p.publisher,
                       to_string(p.partner_type), p.kind == PluginKind::kExec ? ", exec" : "",
                       p.isolation == Isolation::kIsolated ? ", isolated" : "", p.description);
    for (const auto& name : p.step_types) {
      const auto& info = inst.registry.find_version(name, p.version)->info();
      out << fmt::format("    {}{}: {}\n", info.name, capabilities_text(info), info.description);
      ++type_count;
    }
  }
  out << fmt::format("{} plugin{}, {} step type{} installed\n", plugins.size(),
                     plugins.size() == 1 ? "" : "s", type_count, type_count == 1 ? "" : "s");
}

}  // namespace

int run_plugins_command(const PluginsOptions& options, const Installation& inst, std::ostream& out,
                        std::ostream& err) {
  if (!options.schema_of.empty()) {
    const StepType* type = inst.registry.find(options.schema_of);
    if (type == nullptr) {
      err << "coalition plugins: no installed step type is named '" << options.schema_of << "'";
      auto close = inst.registry.closest_names(options.schema_of);
      if (!close.empty())
        err << "; did you mean '" << fmt::format("{}", fmt::join(close, "', '")) << "'?";
      err << "\n";
      return kExitUsage;
    }
    // The schemas as the engine applies them, under the names a manifest gives them.
    nlohmann::ordered_json schemas;
    schemas["parameters_schema"] = type->parameters_schema().document();
    const std::pair<const char*, const std::optional<JsonSchema>*> optional[] = {
        {"input_schema", &type->input_schema()},
        {"output_schema", &type->output_schema()},
        {"answer_schema", &type->answer_schema()}};
    for (const auto& [key, schema] : optional) {
      if (*schema) schemas[key] = (*schema)->document();
    }
    out << schemas.dump(2) << "\n";
    return kExitOk;
  }
  if (options.json) {
    write_json(inst, out);
  } else {
    write_text(inst, out);
  }
  for (const auto& e : inst.plugin_errors)
    err << "coalition: plugin refused: " << e.to_string() << "\n";
  return inst.plugin_errors.empty() ? kExitOk : kExitConfig;
}

Command plugins_command() {
  return make_command<PluginsOptions>(
      {.path = "plugins",
       .help = "List installed plugins and step types",
       .define =
           [](CommandOptions& c, PluginsOptions& o) {
             c.json(o.json, "Print JSON instead of text");
             c.app()
                 .add_option("--schema", o.schema_of,
                             "Print the parameters, input, output and answer schemas of "
                             "STEP_TYPE")
                 ->type_name("STEP_TYPE");
           },
       .run =
           [](const PluginsOptions& o, const CommandContext& c) {
             return run_plugins_command(o, *c.installation, *c.out, *c.err);
           }});
}

}  // namespace coalition::cli
