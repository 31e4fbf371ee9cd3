#include "plugin_host/plugin_loader.h"

#include <fmt/format.h>

#include "common/json_text.h"
#include "plugin_host/abi_check.h"
#include "plugin_host/native_step_invoker.h"
#include "plugin_host/plugin_host_api.h"

namespace coalition {
namespace {

Result<std::optional<JsonSchema>> compile_schema(const char* text, JsonSchema::Objects objects,
                                                 const std::string& what) {
  if (text == nullptr) return std::optional<JsonSchema>();
  auto doc = parse_json(text);
  if (!doc) return Error::plugin_load(what + " is malformed: " + doc.error().message());
  auto schema = JsonSchema::compile(*doc, objects);
  if (!schema) return Error::plugin_load(what + " is " + schema.error().message());
  return std::optional<JsonSchema>(std::move(*schema));
}

Result<std::shared_ptr<const StepType>> make_step_type(
    const coalition_plugin_descriptor_t& d, const coalition_step_type_t& t,
    const std::shared_ptr<const PluginHostApi>& host, const std::string& config_json,
    const std::string& source) {
  const std::string where = fmt::format("{}: step type '{}'", source, t.name);
  auto parameters = compile_schema(t.parameters_schema_json, JsonSchema::Objects::kClosedByDefault,
                                   where + " parameters schema");
  if (!parameters) return std::move(parameters).error();
  if ((*parameters)->document().value("type", "") != "object") {
    return Error::plugin_load(where + " parameters schema must declare \"type\": \"object\"");
  }
  auto input =
      compile_schema(t.input_schema_json, JsonSchema::Objects::kAsWritten, where + " input schema");
  if (!input) return std::move(input).error();
  auto output = compile_schema(t.output_schema_json, JsonSchema::Objects::kAsWritten,
                               where + " output schema");
  if (!output) return std::move(output).error();

  auto invoker = NativeStepInvoker::create(d, t, host, config_json);
  if (!invoker) return std::move(invoker).error();
  StepTypeInfo info{t.name, t.description, d.id, t.capabilities};
  return std::shared_ptr<const StepType>(
      std::make_shared<StepType>(std::move(info), std::move(**parameters), std::move(*input),
                                 std::move(*output), std::move(*invoker)));
}

}  // namespace

PluginLoader::PluginLoader(LibraryLoader& libraries, nlohmann::json plugin_configs,
                           std::filesystem::path config_directory, const CalendarSet* calendars)
    : libraries_(libraries),
      plugin_configs_(std::move(plugin_configs)),
      config_directory_(std::move(config_directory)),
      calendars_(calendars) {}

Result<LoadedPlugin> PluginLoader::load(const std::filesystem::path& file) {
  auto entry = libraries_.open(file);
  if (!entry) return std::move(entry).error();
  return load_entry(*entry, file.string());
}

Result<LoadedPlugin> PluginLoader::load_entry(coalition_plugin_entry_v1_fn entry,
                                              const std::string& source) {
  const coalition_plugin_descriptor_t* descriptor = nullptr;
  try {  // boundary: plugin code
    descriptor = entry(COALITION_ABI_MAJOR, COALITION_ABI_MINOR);
  } catch (...) {
    return Error::plugin_load(source + ": the plugin's entry point threw an exception");
  }
  if (auto status = check_descriptor_header(descriptor, source); !status) {
    return std::move(status).error();
  }
  if (auto status = check_descriptor_body(*descriptor, source); !status) {
    return std::move(status).error();
  }
  const auto& d = *descriptor;
  LoadedPlugin plugin;
  plugin.info = PluginInfo{d.id,
                           d.version,
                           d.publisher,
                           d.description,
                           partner_type_from_abi(d.partner_type),
                           source,
                           d.abi_major,
                           d.abi_minor,
                           {}};
  const auto config_it = plugin_configs_.find(d.id);
  nlohmann::json config =
      config_it != plugin_configs_.end() ? *config_it : nlohmann::json::object();
  if (!config_directory_.empty() && config.is_object() && !config.contains("config_directory")) {
    config["config_directory"] = config_directory_.string();
  }
  const std::string config_json = to_text(config);
  auto host = std::make_shared<const PluginHostApi>(d.id, calendars_);
  for (uint32_t i = 0; i < d.step_type_count; ++i) {
    const auto& t = *d.step_types[i];
    for (const auto& earlier : plugin.info.step_types) {
      if (earlier == t.name) {
        return Error::plugin_load(source + ": plugin '" + d.id + "' declares step type '" + t.name +
                                  "' twice");
      }
    }
    auto type = make_step_type(d, t, host, config_json, source);
    if (!type) return std::move(type).error();
    plugin.info.step_types.push_back(t.name);
    plugin.step_types.push_back(std::move(*type));
  }
  return plugin;
}

}  // namespace coalition
