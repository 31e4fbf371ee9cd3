#include "plugin_host/plugin_manifest.h"

#include <coalition/plugin_abi.h>
#include <fmt/format.h>

#include <array>
#include <utility>

#include "common/json_text.h"
#include "common/sha256.h"
#include "plugin_host/abi_check.h"
#include "plugin_host/plugin_discovery.h"

namespace coalition {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<std::string_view, uint32_t>, 4> kCapabilities{{
    {"idempotent", COALITION_CAP_IDEMPOTENT},
    {"thread_safe", COALITION_CAP_THREAD_SAFE},
    {"may_suspend", COALITION_CAP_MAY_SUSPEND},
    {"non_blocking", COALITION_CAP_NON_BLOCKING},
}};

constexpr std::array<std::pair<std::string_view, uint32_t>, 4> kPartnerTypes{{
    {"financial", COALITION_PARTNER_FINANCIAL},
    {"technology", COALITION_PARTNER_TECHNOLOGY},
    {"ngo", COALITION_PARTNER_NGO},
    {"coalition", COALITION_PARTNER_COALITION},
}};

// Reads fields of one JSON object, naming the file and the JSON Pointer of whatever is wrong.
class Fields {
 public:
  Fields(const json& object, std::string pointer, const std::string& file)
      : object_(object), pointer_(std::move(pointer)), file_(file) {}

  Error wrong(std::string_view key, std::string_view expected) const {
    return Error::plugin_load(
        fmt::format("{}: {}: expected {}", file_, pointer_append(pointer_, key), expected));
  }
  const json* find(std::string_view key) const {
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  Result<std::string> text(std::string_view key) const {
    const json* value = find(key);
    if (value == nullptr || !value->is_string() || value->get_ref<const std::string&>().empty()) {
      return wrong(key, "a non-empty string");
    }
    return value->get<std::string>();
  }
  Result<uint32_t> number(std::string_view key) const {
    const json* value = find(key);
    if (value == nullptr || !value->is_number_unsigned() || value->get<uint64_t>() > UINT32_MAX) {
      return wrong(key, "a non-negative integer");
    }
    return value->get<uint32_t>();
  }
  // A schema: absent (when optional) or a JSON object, kept as compact text.
  Result<std::optional<std::string>> schema(std::string_view key, bool required) const {
    const json* value = find(key);
    if (value == nullptr && !required) return std::optional<std::string>();
    if (value == nullptr || !value->is_object()) return wrong(key, "a JSON Schema object");
    return std::optional<std::string>(to_text(*value));
  }
  std::string pointer(std::string_view key) const { return pointer_append(pointer_, key); }

 private:
  const json& object_;
  std::string pointer_;
  const std::string& file_;
};

Result<StepTypeDeclaration> read_step_type(const json& value, const std::string& pointer,
                                           const std::string& file) {
  if (!value.is_object()) {
    return Error::plugin_load(fmt::format("{}: {}: expected an object", file, pointer));
  }
  Fields f(value, pointer, file);
  StepTypeDeclaration type;
  auto name = f.text("name");
  if (!name) return std::move(name).error();
  if (!is_valid_step_type_name(*name)) {
    return f.wrong("name", "lower-case words joined by '_' or '.', such as \"aml.red_flags\"");
  }
  type.name = std::move(*name);
  auto description = f.text("description");
  if (!description) return std::move(description).error();
  type.description = std::move(*description);
  if (const json* caps = f.find("capabilities"); caps != nullptr) {
    if (!caps->is_array()) return f.wrong("capabilities", "an array of capability names");
    for (size_t i = 0; i < caps->size(); ++i) {
      const json& cap = (*caps)[i];
      uint32_t bit = 0;
      for (const auto& [word, bits] : kCapabilities) {
        if (cap.is_string() && cap.get_ref<const std::string&>() == word) bit = bits;
      }
      if (bit == 0) {
        return Error::plugin_load(
            fmt::format("{}: {}: expected \"idempotent\", \"thread_safe\", \"may_suspend\" or "
                        "\"non_blocking\"",
                        file, pointer_append(f.pointer("capabilities"), i)));
      }
      type.capabilities |= bit;
    }
  }
  auto parameters = f.schema("parameters_schema", true);
  if (!parameters) return std::move(parameters).error();
  type.parameters_schema = std::move(*parameters);
  auto input = f.schema("input_schema", false);
  if (!input) return std::move(input).error();
  type.input_schema = std::move(*input);
  auto output = f.schema("output_schema", false);
  if (!output) return std::move(output).error();
  type.output_schema = std::move(*output);
  auto answer = f.schema("answer_schema", false);
  if (!answer) return std::move(answer).error();
  type.answer_schema = std::move(*answer);
  return type;
}

std::vector<std::string_view> capability_names(uint32_t bits) {
  std::vector<std::string_view> names;
  for (const auto& [word, value] : kCapabilities) {
    if ((bits & value) != 0) names.push_back(word);
  }
  return names;
}

// Schemas compare as JSON values: the manifest holds them reformatted.
bool same_schema(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  auto left = parse_json(*a);
  auto right = parse_json(*b);
  return left && right && *left == *right;
}

}  // namespace

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::filesystem::path manifest_path_of(const std::filesystem::path& library) {
  return library.parent_path() / (plugin_id_of_library(library) + ".plugin.json");
}

Result<PluginDeclaration> read_plugin_declaration(const nlohmann::json& doc,
                                                  const std::string& source) {
  if (!doc.is_object()) return Error::plugin_load(source + ": expected a JSON object");
  Fields f(doc, "", source);
  auto id = f.text("id");
  if (!id) return std::move(id).error();
  if (!is_valid_plugin_id(*id)) return f.wrong("id", "a plugin id ([a-z][a-z0-9_]*)");
  auto version = f.text("version");
  if (!version) return std::move(version).error();
  if (!is_semantic_version(*version)) {
    return f.wrong("version", "a semantic version (MAJOR.MINOR.PATCH)");
  }
  auto publisher = f.text("publisher");
  if (!publisher) return std::move(publisher).error();
  auto description = f.text("description");
  if (!description) return std::move(description).error();
  auto partner = f.text("partner_type");
  uint32_t partner_value = 0;
  for (const auto& [word, value] : kPartnerTypes) {
    if (partner && *partner == word) partner_value = value;
  }
  if (partner_value == 0) {
    return f.wrong("partner_type", "\"financial\", \"technology\", \"ngo\" or \"coalition\"");
  }
  PluginDeclaration d;
  d.info.id = std::move(*id);
  d.info.version = std::move(*version);
  d.info.publisher = std::move(*publisher);
  d.info.description = std::move(*description);
  d.info.partner_type = partner_type_from_abi(partner_value);
  const json* types = f.find("step_types");
  if (types == nullptr || !types->is_array() || types->empty()) {
    return f.wrong("step_types", "a non-empty array of step types");
  }
  for (size_t i = 0; i < types->size(); ++i) {
    const std::string pointer = pointer_append("/step_types", i);
    auto type = read_step_type((*types)[i], pointer, source);
    if (!type) return std::move(type).error();
    for (const auto& earlier : d.step_types) {
      if (earlier.name == type->name) {
        return Error::plugin_load(fmt::format("{}: {}: step type '{}' is declared twice", source,
                                              pointer_append(pointer, "name"), type->name));
      }
    }
    d.info.step_types.push_back(type->name);
    d.step_types.push_back(std::move(*type));
  }
  return d;
}

Result<PluginManifest> parse_plugin_manifest(std::string_view text,
                                             const std::filesystem::path& file) {
  const std::string name = file.string();
  auto doc = parse_json(text);
  if (!doc) return Error::plugin_load(name + ": " + doc.error().message());
  if (!doc->is_object()) return Error::plugin_load(name + ": expected a JSON object");
  Fields f(*doc, "", name);
  auto format = f.text("format");
  if (!format || *format != kManifestFormat) {
    return f.wrong("format", fmt::format("\"{}\"", kManifestFormat));
  }
  auto declared = read_plugin_declaration(*doc, name);
  if (!declared) return std::move(declared).error();
  PluginManifest m;
  m.file = file;
  m.manifest_sha256 = sha256_hex(text);
  m.info = std::move(declared->info);
  m.step_types = std::move(declared->step_types);
  const std::string& id = m.info.id;
  const std::string expected_manifest = id + ".plugin.json";
  if (file.filename() != expected_manifest) {
    return Error::plugin_load(fmt::format(
        "{}: declares plugin id '{}', so its file must be named {}", name, id, expected_manifest));
  }
  const json* exec = f.find("exec");
  if (exec != nullptr && f.find("library") != nullptr) {
    return f.wrong("exec", "either \"library\" or \"exec\", not both");
  }
  if (exec == nullptr) {
    auto library = f.text("library");
    if (!library) return std::move(library).error();
    if (*library != "lib" + id + ".so") {
      return f.wrong("library",
                     fmt::format("\"lib{}.so\" (a plugin's library is named after its id)", id));
    }
    m.library = file.parent_path() / *library;
    const json* abi = f.find("abi");
    if (abi == nullptr || !abi->is_object()) return f.wrong("abi", "{\"major\", \"minor\"}");
    Fields a(*abi, "/abi", name);
    auto major = a.number("major");
    if (!major) return std::move(major).error();
    auto minor = a.number("minor");
    if (!minor) return std::move(minor).error();
    if (*major != COALITION_ABI_MAJOR || *minor > COALITION_ABI_MINOR) {
      return Error::plugin_load(
          fmt::format("{}: plugin '{}' needs plugin ABI {}.{}; this engine implements ABI {}.{}",
                      name, id, *major, *minor, COALITION_ABI_MAJOR, COALITION_ABI_MINOR));
    }
    m.info.abi_major = *major;
    m.info.abi_minor = *minor;
  } else {
    if (!exec->is_object()) return f.wrong("exec", "{\"program\", \"interpreter\"?}");
    if (f.find("abi") != nullptr) {
      return f.wrong("abi", "nothing: an exec plugin speaks the exec protocol, not the C ABI");
    }
    Fields e(*exec, "/exec", name);
    auto program = e.text("program");
    if (!program) return std::move(program).error();
    if (plugin_id_of_program(*program) != id ||
        *program != std::filesystem::path(*program).filename()) {
      return e.wrong("program",
                     fmt::format("a file beside the manifest named \"{}\" or \"{}.<extension>\" "
                                 "(a plugin's program is named after its id)",
                                 id, id));
    }
    m.kind = PluginKind::kExec;
    m.library = file.parent_path() / *program;
    if (e.find("interpreter") != nullptr) {
      auto interpreter = e.text("interpreter");
      if (!interpreter || !std::filesystem::path(*interpreter).is_absolute()) {
        return e.wrong("interpreter", "an absolute path, such as \"/usr/bin/python3\"");
      }
      m.interpreter = std::move(*interpreter);
    }
  }
  auto sha256 = f.text("sha256");
  if (!sha256 || !is_sha256_hex(*sha256)) {
    return f.wrong("sha256", fmt::format("the {}'s SHA-256 as 64 lower-case hex digits",
                                         m.kind == PluginKind::kExec ? "program" : "library"));
  }
  m.library_sha256 = std::move(*sha256);
  m.info.source = m.library.string();
  m.info.kind = m.kind;
  m.info.isolation = Isolation::kInProcess;
  return m;
}

Result<std::string> manifest_text(const PluginInfo& info,
                                  const std::vector<StepTypeDeclaration>& step_types,
                                  const std::string& library_sha256, const PluginCodeFile& code) {
  nlohmann::ordered_json types = nlohmann::ordered_json::array();
  for (const auto& t : step_types) {
    nlohmann::ordered_json type;
    type["name"] = t.name;
    type["description"] = t.description;
    type["capabilities"] = capability_names(t.capabilities);
    for (const auto& [key, schema] :
         {std::pair{"parameters_schema", &t.parameters_schema},
          std::pair{"input_schema", &t.input_schema}, std::pair{"output_schema", &t.output_schema},
          std::pair{"answer_schema", &t.answer_schema}}) {
      if (!schema->has_value()) continue;
      auto value = parse_json(**schema);
      if (!value) {
        return Error::plugin_load(fmt::format("step type '{}': the {} is malformed: {}", t.name,
                                              key, value.error().message()));
      }
      type[key] = nlohmann::ordered_json::parse(value->dump());
    }
    types.push_back(std::move(type));
  }
  // Keys in reading order (nlohmann::json would sort them).
  nlohmann::ordered_json doc;
  doc["format"] = kManifestFormat;
  doc["id"] = info.id;
  doc["version"] = info.version;
  doc["publisher"] = info.publisher;
  doc["description"] = info.description;
  doc["partner_type"] = to_string(info.partner_type);
  if (info.kind == PluginKind::kExec) {
    nlohmann::ordered_json exec;
    exec["program"] = code.file.filename().string();
    if (!code.interpreter.empty()) exec["interpreter"] = code.interpreter.string();
    doc["exec"] = std::move(exec);
  } else {
    doc["abi"] = {{"major", info.abi_major}, {"minor", info.abi_minor}};
    doc["library"] = "lib" + info.id + ".so";
  }
  doc["sha256"] = library_sha256;
  doc["step_types"] = std::move(types);
  return doc.dump(2) + "\n";
}

Status check_code_matches(const PluginManifest& m, const PluginInfo& code,
                          const std::vector<StepTypeDeclaration>& types) {
  const char* code_is = m.kind == PluginKind::kExec ? "program" : "library";
  const auto differs = [&m, code_is](const std::string& what, const std::string& manifest_says,
                                     const std::string& library_says) {
    return Error::plugin_load(fmt::format(
        "{} and {} disagree: the manifest declares {} {} where the {} declares {}; "
        "regenerate the manifest with `coalition plugin manifest` or reinstall the plugin",
        m.file.string(), m.library.string(), what, manifest_says, code_is, library_says));
  };
  if (code.kind != m.kind) {
    return differs("a plugin of kind", std::string(to_string(m.kind)),
                   std::string(to_string(code.kind)));
  }
  const auto quoted = [](const std::string& s) { return "'" + s + "'"; };
  if (code.id != m.info.id) return differs("plugin id", quoted(m.info.id), quoted(code.id));
  if (code.version != m.info.version) {
    return differs("version", quoted(m.info.version), quoted(code.version));
  }
  if (code.publisher != m.info.publisher) {
    return differs("publisher", quoted(m.info.publisher), quoted(code.publisher));
  }
  if (code.description != m.info.description) {
    return differs("description", quoted(m.info.description), quoted(code.description));
  }
  if (code.partner_type != m.info.partner_type) {
    return differs("partner type", std::string(to_string(m.info.partner_type)),
                   std::string(to_string(code.partner_type)));
  }
  if (code.abi_major != m.info.abi_major || code.abi_minor != m.info.abi_minor) {
    return differs("plugin ABI", fmt::format("{}.{}", m.info.abi_major, m.info.abi_minor),
                   fmt::format("{}.{}", code.abi_major, code.abi_minor));
  }
  if (types.size() != m.step_types.size()) {
    return differs("step type count", std::to_string(m.step_types.size()),
                   std::to_string(types.size()));
  }
  for (size_t i = 0; i < types.size(); ++i) {
    const auto& want = m.step_types[i];
    const auto& got = types[i];
    const std::string which = fmt::format("step type #{}", i);
    if (got.name != want.name) return differs(which + " name", quoted(want.name), quoted(got.name));
    const std::string named = "for step type '" + want.name + "'";
    if (got.description != want.description) {
      return differs("description " + named, quoted(want.description), quoted(got.description));
    }
    // Bits this engine does not know mean nothing to it, and a manifest cannot name them.
    constexpr uint32_t kKnown = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE |
                                COALITION_CAP_MAY_SUSPEND | COALITION_CAP_NON_BLOCKING;
    if ((got.capabilities & kKnown) != (want.capabilities & kKnown)) {
      return differs("capabilities " + named,
                     fmt::format("[{}]", fmt::join(capability_names(want.capabilities), ", ")),
                     fmt::format("[{}]", fmt::join(capability_names(got.capabilities), ", ")));
    }
    for (const auto& [what, a, b] :
         {std::tuple{"parameters schema", &want.parameters_schema, &got.parameters_schema},
          std::tuple{"input schema", &want.input_schema, &got.input_schema},
          std::tuple{"output schema", &want.output_schema, &got.output_schema},
          std::tuple{"answer schema", &want.answer_schema, &got.answer_schema}}) {
      if (!same_schema(*a, *b)) {
        return differs(std::string(what) + " " + named, a->value_or("none"), b->value_or("none"));
      }
    }
  }
  return ok_status();
}

}  // namespace coalition
