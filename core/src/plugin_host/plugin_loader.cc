#include "plugin_host/plugin_loader.h"

#include <fmt/format.h>

#include "common/json_text.h"
#include "plugin_host/abi_check.h"
#include "plugin_host/isolated_plugin.h"
#include "plugin_host/isolated_step_invoker.h"
#include "plugin_host/native_step_invoker.h"
#include "plugin_host/plugin_discovery.h"
#include "plugin_host/plugin_host_api.h"

namespace coalition {
namespace {

// How long a plugin host may take to start and load its plugin.
constexpr std::chrono::seconds kHostStartLimit{10};

// What a step type declares, whichever side of a process boundary it was read on.
struct StepTypeDeclaration {
  std::string name;
  std::string description;
  uint32_t capabilities = 0;
  std::optional<std::string> parameters_schema;
  std::optional<std::string> input_schema;
  std::optional<std::string> output_schema;
};

std::optional<std::string> text_of(const char* text) {
  return text == nullptr ? std::nullopt : std::optional<std::string>(text);
}

Result<std::optional<JsonSchema>> compile_schema(const std::optional<std::string>& text,
                                                 JsonSchema::Objects objects,
                                                 const std::string& what) {
  if (!text) return std::optional<JsonSchema>();
  auto doc = parse_json(*text);
  if (!doc) return Error::plugin_load(what + " is malformed: " + doc.error().message());
  auto schema = JsonSchema::compile(*doc, objects);
  if (!schema) return Error::plugin_load(what + " is " + schema.error().message());
  return std::optional<JsonSchema>(std::move(*schema));
}

Result<std::shared_ptr<const StepType>> make_step_type(const StepTypeDeclaration& t,
                                                       const std::string& plugin_id,
                                                       std::unique_ptr<StepInvoker> invoker,
                                                       const std::string& source) {
  const std::string where = fmt::format("{}: step type '{}'", source, t.name);
  if (!t.parameters_schema) return Error::plugin_load(where + " has no parameters schema");
  auto parameters = compile_schema(t.parameters_schema, JsonSchema::Objects::kClosedByDefault,
                                   where + " parameters schema");
  if (!parameters) return std::move(parameters).error();
  if ((*parameters)->document().value("type", "") != "object") {
    return Error::plugin_load(where + " parameters schema must declare \"type\": \"object\"");
  }
  auto input =
      compile_schema(t.input_schema, JsonSchema::Objects::kAsWritten, where + " input schema");
  if (!input) return std::move(input).error();
  auto output =
      compile_schema(t.output_schema, JsonSchema::Objects::kAsWritten, where + " output schema");
  if (!output) return std::move(output).error();
  StepTypeInfo info{t.name, t.description, plugin_id, t.capabilities};
  return std::shared_ptr<const StepType>(
      std::make_shared<StepType>(std::move(info), std::move(**parameters), std::move(*input),
                                 std::move(*output), std::move(invoker)));
}

// The describe document a plugin host sent (host_session.h), read defensively: it comes from
// another process.
// Plugin code runs in the host and could write its own frames, so the host's own checks are not
// relied on: the id must be the library's name, the ABI this engine's, each step type once.
Result<std::pair<PluginInfo, std::vector<StepTypeDeclaration>>> read_description(
    const std::string& text, const std::string& source, const std::string& expected_id) {
  const auto broken = [&source](const std::string& why) {
    return Error::plugin_contract(source + ": the plugin host sent a malformed description (" +
                                  why + ")");
  };
  auto doc = parse_json(text);
  if (!doc) return broken(doc.error().message());
  try {  // boundary: a document from another process; a missing or mistyped field ends here
    const auto& plugin = doc->at("plugin");
    const uint32_t partner = plugin.at("partner_type").get<uint32_t>();
    if (partner < COALITION_PARTNER_FINANCIAL || partner > COALITION_PARTNER_COALITION) {
      return broken("partner type");
    }
    PluginInfo info{plugin.at("id").get<std::string>(),
                    plugin.at("version").get<std::string>(),
                    plugin.at("publisher").get<std::string>(),
                    plugin.at("description").get<std::string>(),
                    partner_type_from_abi(partner),
                    source,
                    plugin.at("abi_major").get<uint32_t>(),
                    plugin.at("abi_minor").get<uint32_t>(),
                    {}};
    if (info.id != expected_id) {
      return Error::plugin_load(
          fmt::format("{}: the library declares plugin id '{}'; its file "
                      "name says '{}' (a plugin's id is its library's name)",
                      source, info.id, expected_id));
    }
    if (info.abi_major != COALITION_ABI_MAJOR || info.abi_minor > COALITION_ABI_MINOR) {
      return broken("ABI version");
    }
    std::vector<StepTypeDeclaration> types;
    const auto optional_text = [](const nlohmann::json& v) {
      return v.is_null() ? std::nullopt : std::optional<std::string>(v.get<std::string>());
    };
    for (const auto& t : doc->at("step_types")) {
      StepTypeDeclaration type;
      type.name = t.at("name").get<std::string>();
      if (!is_valid_step_type_name(type.name)) return broken("step type name");
      type.description = t.at("description").get<std::string>();
      type.capabilities = t.at("capabilities").get<uint32_t>();
      type.parameters_schema = optional_text(t.at("parameters_schema"));
      type.input_schema = optional_text(t.at("input_schema"));
      type.output_schema = optional_text(t.at("output_schema"));
      for (const auto& earlier : types) {
        if (earlier.name == type.name) {
          return Error::plugin_load(source + ": plugin '" + info.id + "' declares step type '" +
                                    type.name + "' twice");
        }
      }
      types.push_back(std::move(type));
    }
    return std::make_pair(std::move(info), std::move(types));
  } catch (const nlohmann::json::exception& e) {
    return broken(e.what());
  }
}

}  // namespace

PluginLoader::PluginLoader(LibraryLoader& libraries, nlohmann::json plugin_configs,
                           std::filesystem::path config_directory, const CalendarSet* calendars)
    : libraries_(libraries),
      plugin_configs_(std::move(plugin_configs)),
      config_directory_(std::move(config_directory)),
      calendars_(calendars) {}

void PluginLoader::isolate_with(PluginHosts& hosts, IsolationChooser choose,
                                std::filesystem::path calendar_directory) {
  hosts_ = &hosts;
  choose_ = std::move(choose);
  calendar_directory_ = std::move(calendar_directory);
}

nlohmann::json PluginLoader::config_for(const std::string& id) const {
  const auto config_it = plugin_configs_.find(id);
  nlohmann::json config =
      config_it != plugin_configs_.end() ? *config_it : nlohmann::json::object();
  if (!config_directory_.empty() && config.is_object() && !config.contains("config_directory")) {
    config["config_directory"] = config_directory_.string();
  }
  return config;
}

Result<LoadedPlugin> PluginLoader::load(const std::filesystem::path& file) {
  const std::string id = plugin_id_of_library(file);
  if (hosts_ != nullptr && choose_ && choose_(id, file) == Isolation::kIsolated) {
    return load_isolated(file, id);
  }
  auto entry = libraries_.open(file);
  if (!entry) return std::move(entry).error();
  auto plugin = load_entry(*entry, file.string());
  if (plugin && plugin->info.id != id) {
    return Error::plugin_load(
        fmt::format("{}: the library declares plugin id '{}'; its file name "
                    "says '{}' (a plugin's id is its library's name)",
                    file.string(), plugin->info.id, id));
  }
  return plugin;
}

Result<LoadedPlugin> PluginLoader::load_isolated(const std::filesystem::path& file,
                                                 const std::string& id) {
  const std::string source = file.string();
  const nlohmann::json load{{"protocol", kHostProtocolVersion},
                            {"plugin_id", id},
                            {"library", std::filesystem::absolute(file).string()},
                            {"config", config_for(id)},
                            {"calendars", calendar_directory_.string()},
                            {"threads", hosts_->limits().threads},
                            {"output_bytes", output_bytes_}};
  // An answer carries an output and an error document; beyond that the host is broken.
  const size_t max_frame = 2 * output_bytes_ + (size_t{64} << 10);
  auto plugin = hosts_->add(id, to_text(load), max_frame);
  auto description = plugin->start(kHostStartLimit);
  if (!description) {
    plugin->stop();
    hosts_->forget(plugin.get());
    const std::string why = description.error().message();
    return Error::plugin_load(why.rfind(source, 0) == 0 ? why : source + ": " + why);
  }
  auto declared = read_description(*description, source, id);
  if (!declared) {
    plugin->stop();
    hosts_->forget(plugin.get());
    return std::move(declared).error();
  }
  auto& [info, types] = *declared;
  LoadedPlugin loaded;
  loaded.info = std::move(info);
  loaded.info.isolation = Isolation::kIsolated;
  for (uint32_t i = 0; i < types.size(); ++i) {
    const std::string who =
        fmt::format("step type '{}' of plugin '{}'", types[i].name, loaded.info.id);
    auto type = make_step_type(types[i], loaded.info.id,
                               std::make_unique<IsolatedStepInvoker>(plugin, i, who), source);
    if (!type) {
      plugin->stop();
      hosts_->forget(plugin.get());
      return std::move(type).error();
    }
    loaded.info.step_types.push_back(types[i].name);
    loaded.step_types.push_back(std::move(*type));
  }
  return loaded;
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
  const std::string config_json = to_text(config_for(d.id));
  auto host = std::make_shared<const PluginHostApi>(d.id, calendars_);
  for (uint32_t i = 0; i < d.step_type_count; ++i) {
    const auto& t = *d.step_types[i];
    for (const auto& earlier : plugin.info.step_types) {
      if (earlier == t.name) {
        return Error::plugin_load(source + ": plugin '" + d.id + "' declares step type '" + t.name +
                                  "' twice");
      }
    }
    auto invoker = NativeStepInvoker::create(d, t, host, config_json, output_bytes_);
    if (!invoker) return std::move(invoker).error();
    StepTypeDeclaration declaration{t.name,
                                    t.description != nullptr ? t.description : "",
                                    t.capabilities,
                                    text_of(t.parameters_schema_json),
                                    text_of(t.input_schema_json),
                                    text_of(t.output_schema_json)};
    auto type = make_step_type(declaration, d.id, std::move(*invoker), source);
    if (!type) return std::move(type).error();
    plugin.info.step_types.push_back(t.name);
    plugin.step_types.push_back(std::move(*type));
  }
  return plugin;
}

}  // namespace coalition
