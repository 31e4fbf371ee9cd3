#include "plugin_host/plugin_loader.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "common/json_text.h"
#include "plugin_host/abi_check.h"
#include "plugin_host/isolated_plugin.h"
#include "plugin_host/isolated_step_invoker.h"
#include "plugin_host/native_step_invoker.h"
#include "plugin_host/plugin_discovery.h"
#include "plugin_host/plugin_host_api.h"
#include "plugin_host/sealed_library.h"

namespace coalition {
namespace {

// How long a plugin host may take to start and load its plugin.
constexpr std::chrono::seconds kHostStartLimit{10};

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
                                                       const PluginInfo& plugin,
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
  auto answer =
      compile_schema(t.answer_schema, JsonSchema::Objects::kAsWritten, where + " answer schema");
  if (!answer) return std::move(answer).error();
  StepTypeInfo info{t.name,         t.description,  plugin.id,
                    t.capabilities, plugin.version, plugin.library_sha256};
  return std::shared_ptr<const StepType>(
      std::make_shared<StepType>(std::move(info), std::move(**parameters), std::move(*input),
                                 std::move(*output), std::move(*answer), std::move(invoker)));
}

// The describe document a plugin host sent (host_session.h), read defensively: it comes from
// another process.
// Plugin code runs in the host and could write its own frames, so the host's own checks are not
// relied on: the id must be the library's name, the ABI this engine's, each step type once.
Result<std::pair<PluginInfo, std::vector<StepTypeDeclaration>>> read_description(
    const std::string& text, const std::string& source, const std::string& expected_id,
    PluginKind kind) {
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
                    {},
                    Isolation::kIsolated,
                    {},
                    kind};
    if (info.id != expected_id) {
      return Error::plugin_load(
          kind == PluginKind::kExec
              ? fmt::format("{}: the program declares plugin id '{}'; its file name says '{}' "
                            "(a plugin's id is its program's name)",
                            source, info.id, expected_id)
              : fmt::format("{}: the library declares plugin id '{}'; its file "
                            "name says '{}' (a plugin's id is its library's name)",
                            source, info.id, expected_id));
    }
    // An exec plugin has no C ABI: its host says so, and speaks the exec protocol for it.
    if (doc->value("kind", std::string("library")) != to_string(kind)) return broken("kind");
    if (kind == PluginKind::kExec
            ? info.abi_major != 0 || info.abi_minor != 0
            : info.abi_major != COALITION_ABI_MAJOR || info.abi_minor > COALITION_ABI_MINOR) {
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
      if (t.contains("answer_schema")) type.answer_schema = optional_text(t.at("answer_schema"));
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
  return load(PluginCodeFile{file, PluginKind::kLibrary, {}});
}

Result<LoadedPlugin> PluginLoader::load(const PluginCodeFile& file) {
  auto code = load_code(file);
  if (!code) return std::move(code).error();
  return with_step_types(std::move(*code), file.file.string());
}

Result<LoadedPlugin> PluginLoader::load_entry(coalition_plugin_entry_v1_fn entry,
                                              const std::string& source) {
  auto code = entry_code(entry, source);
  if (!code) return std::move(code).error();
  return with_step_types(std::move(*code), source);
}

Result<LoadedPlugin> PluginLoader::declare(const PluginManifest& manifest) {
  const std::string source = manifest.library.string();
  const std::string id = manifest.info.id;
  if (manifest.kind == PluginKind::kExec) {
    if (auto where = exec_isolation(id, manifest.library); !where) return std::move(where).error();
  }
  auto deferred = std::make_shared<DeferredPlugin>(id, [this, manifest]() -> Result<PluginCode> {
    auto code = load_code(manifest.code(), manifest.library_sha256,
                          "its manifest " + manifest.file.string());
    if (!code) return code;
    if (auto same = check_code_matches(manifest, code->info, code->step_types); !same) {
      return std::move(same).error();
    }
    return code;
  });
  LoadedPlugin plugin;
  plugin.info = manifest.info;
  plugin.info.isolation = isolation_of(id, manifest.library);
  plugin.info.library_sha256 = manifest.library_sha256;
  const bool in_process =
      manifest.kind != PluginKind::kExec && plugin.info.isolation == Isolation::kInProcess;
  for (size_t i = 0; i < manifest.step_types.size(); ++i) {
    auto type = make_step_type(manifest.step_types[i], plugin.info,
                               std::make_unique<DeferredStepInvoker>(deferred, i, in_process),
                               manifest.file.string());
    if (!type) return std::move(type).error();
    plugin.step_types.push_back(std::move(*type));
  }
  return plugin;
}

Isolation PluginLoader::isolation_of(const std::string& id,
                                     const std::filesystem::path& file) const {
  return hosts_ != nullptr && choose_ ? choose_(id, file) : Isolation::kInProcess;
}

Status PluginLoader::exec_isolation(const std::string& id,
                                    const std::filesystem::path& program) const {
  if (hosts_ == nullptr) {
    return Error::plugin_load(program.string() +
                              ": an exec plugin runs in a plugin host, and this command runs "
                              "plugins in process only");
  }
  if (isolation_of(id, program) != Isolation::kIsolated) {
    return Error::plugin_load(fmt::format(
        "{}: an exec plugin runs in a plugin host only, but the configuration runs plugin '{}' "
        "in process (plugins.isolation)",
        program.string(), id));
  }
  return ok_status();
}

Result<PluginCode> PluginLoader::load_code(const std::filesystem::path& file,
                                           const std::string& sha256,
                                           const std::string& expected_by) {
  return load_code(PluginCodeFile{file, PluginKind::kLibrary, {}}, sha256, expected_by);
}

Result<PluginCode> PluginLoader::load_code(const PluginCodeFile& code_file,
                                           const std::string& sha256,
                                           const std::string& expected_by) {
  const std::filesystem::path& file = code_file.file;
  if (code_file.kind == PluginKind::kExec) {
    const std::string id = plugin_id_of_program(file);
    if (auto where = exec_isolation(id, file); !where) return std::move(where).error();
    return isolated_code(code_file, id, sha256, expected_by);
  }
  const std::string id = plugin_id_of_library(file);
  if (isolation_of(id, file) == Isolation::kIsolated) {
    return isolated_code(code_file, id, sha256, expected_by);
  }
  std::optional<SealedLibrary> sealed;
  if (!sha256.empty()) {
    auto copy = SealedLibrary::verified_copy_of(file, sha256, expected_by);
    if (!copy) return std::move(copy).error();
    sealed.emplace(std::move(*copy));
  }
  auto entry = libraries_.open(sealed ? sealed->path() : file);
  if (!entry) {
    if (!sealed) return std::move(entry).error();
    return Error::plugin_load(sealed->naming(entry.error().message(), file));
  }
  if (sealed) sealed->keep_open();
  auto code = entry_code(*entry, file.string());
  if (code && code->info.id != id) {
    return Error::plugin_load(
        fmt::format("{}: the library declares plugin id '{}'; its file name "
                    "says '{}' (a plugin's id is its library's name)",
                    file.string(), code->info.id, id));
  }
  return code;
}

Result<PluginCode> PluginLoader::isolated_code(const PluginCodeFile& code_file,
                                               const std::string& id, const std::string& sha256,
                                               const std::string& expected_by) {
  const std::filesystem::path& file = code_file.file;
  const std::string source = file.string();
  nlohmann::json load{{"protocol", kHostProtocolVersion},
                      {"plugin_id", id},
                      {"library", std::filesystem::absolute(file).string()},
                      {"config", config_for(id)},
                      {"calendars", calendar_directory_.string()},
                      {"threads", hosts_->limits().threads},
                      {"output_bytes", output_bytes_}};
  if (code_file.kind == PluginKind::kExec) {
    load.erase("library");
    load["exec"] = {{"program", std::filesystem::absolute(file).string()},
                    {"interpreter", code_file.interpreter.string()}};
  }
  if (!sha256.empty()) {
    load["sha256"] = sha256;
    load["sha256_expected_by"] = expected_by;
  }
  if (const PluginHostLimits& host = hosts_->limits(); host.sandbox) {
    SandboxPaths paths;
    paths.read = system_read_paths();
    paths.write = system_write_paths();
    paths.read.push_back(std::filesystem::absolute(file).parent_path().string());
    std::error_code ec;  // a library reached through a link is opened where it really is
    if (auto real = std::filesystem::canonical(file, ec); !ec) {
      paths.read.push_back(real.parent_path().string());
    }
    if (!calendar_directory_.empty()) paths.read.push_back(calendar_directory_.string());
    if (!code_file.interpreter.empty()) {
      // Usually under /usr already; one installed elsewhere must still be run and read.
      paths.read.push_back(code_file.interpreter.parent_path().string());
      if (auto real = std::filesystem::canonical(code_file.interpreter, ec); !ec) {
        paths.read.push_back(real.parent_path().string());
      }
    }
    if (auto granted = host.paths.find(id); granted != host.paths.end()) {
      paths.read.insert(paths.read.end(), granted->second.read.begin(), granted->second.read.end());
      paths.write.insert(paths.write.end(), granted->second.write.begin(),
                         granted->second.write.end());
    }
    load["sandbox"] = {{"read", paths.read}, {"write", paths.write}};
  }
  // An answer carries an output and an error document; beyond that the host is broken.
  const size_t max_frame = 2 * output_bytes_ + (size_t{64} << 10);
  auto plugin = hosts_->add(id, to_text(load), max_frame);
  const auto give_up = [&](Error error) -> Result<PluginCode> {
    plugin->stop();
    hosts_->forget(plugin.get());
    return error;
  };
  auto description = plugin->start(kHostStartLimit);
  if (!description) {
    const std::string why = description.error().message();
    return give_up(Error::plugin_load(why.rfind(source, 0) == 0 ? why : source + ": " + why));
  }
  auto declared = read_description(*description, source, id, code_file.kind);
  if (!declared) return give_up(std::move(declared).error());
  auto& [info, types] = *declared;
  PluginCode code;
  code.info = std::move(info);
  code.info.isolation = Isolation::kIsolated;
  for (uint32_t i = 0; i < types.size(); ++i) {
    const std::string who =
        fmt::format("step type '{}' of plugin '{}'", types[i].name, code.info.id);
    code.info.step_types.push_back(types[i].name);
    code.invokers.push_back(std::make_unique<IsolatedStepInvoker>(plugin, i, who));
  }
  code.step_types = std::move(types);
  return code;
}

Result<PluginCode> PluginLoader::entry_code(coalition_plugin_entry_v1_fn entry,
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
  PluginCode code;
  code.info = PluginInfo{d.id,
                         d.version,
                         d.publisher,
                         d.description,
                         partner_type_from_abi(d.partner_type),
                         source,
                         d.abi_major,
                         d.abi_minor,
                         {},
                         Isolation::kInProcess,
                         {}};
  const std::string config_json = to_text(config_for(d.id));
  auto host = std::make_shared<const PluginHostApi>(d.id, calendars_);
  for (uint32_t i = 0; i < d.step_type_count; ++i) {
    const auto& t = *d.step_types[i];
    for (const auto& earlier : code.info.step_types) {
      if (earlier == t.name) {
        return Error::plugin_load(source + ": plugin '" + d.id + "' declares step type '" + t.name +
                                  "' twice");
      }
    }
    auto invoker = NativeStepInvoker::create(d, t, host, config_json, output_bytes_);
    if (!invoker) return std::move(invoker).error();
    code.step_types.push_back(
        StepTypeDeclaration{t.name, t.description != nullptr ? t.description : "", t.capabilities,
                            text_of(t.parameters_schema_json), text_of(t.input_schema_json),
                            text_of(t.output_schema_json), text_of(answer_schema_of(t))});
    code.info.step_types.push_back(t.name);
    code.invokers.push_back(std::move(*invoker));
  }
  return code;
}

Result<LoadedPlugin> PluginLoader::with_step_types(PluginCode code, const std::string& source) {
  LoadedPlugin plugin;
  plugin.info = std::move(code.info);
  for (size_t i = 0; i < code.step_types.size(); ++i) {
    auto type =
        make_step_type(code.step_types[i], plugin.info, std::move(code.invokers[i]), source);
    if (!type) return std::move(type).error();
    plugin.step_types.push_back(std::move(*type));
  }
  return plugin;
}

}  // namespace coalition
