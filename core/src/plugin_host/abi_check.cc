#include "plugin_host/abi_check.h"

#include <fmt/format.h>

#include <cstddef>
#include <regex>

#include "plugin_host/plugin_version.h"

namespace coalition {
namespace {

// The size of the descriptor as ABI 1.0 defines it. Later minors only append fields, so a
// descriptor at least this large has every field this engine reads.
constexpr uint32_t kDescriptorSizeV1_0 = sizeof(coalition_plugin_descriptor_t);
// A step type's struct ends after `destroy` in ABI 1.0 and 1.1.
constexpr uint32_t kStepTypeSizeV1_0 =
    offsetof(coalition_step_type_t, destroy) + sizeof(coalition_step_type_t::destroy);

std::string magic_text(uint32_t magic) {
  std::string text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    char c = static_cast<char>((magic >> shift) & 0xFF);
    text.push_back(c >= 0x20 && c < 0x7F ? c : '?');
  }
  return text;
}

bool present(const char* text) {
  return text != nullptr && *text != '\0';
}

Status check_step_type(const coalition_step_type_t* type, uint32_t index,
                       const std::string& source) {
  const std::string where = fmt::format("{}: step type #{}", source, index);
  if (type == nullptr) return Error::plugin_load(where + " is a null pointer");
  if (type->struct_size < kStepTypeSizeV1_0) {
    return Error::plugin_load(
        fmt::format("{} declares a struct of {} bytes, smaller than the {} "
                    "bytes of ABI 1.0",
                    where, type->struct_size, kStepTypeSizeV1_0));
  }
  if (!present(type->name) || !is_valid_step_type_name(type->name)) {
    return Error::plugin_load(where +
                              " has no valid name (expected lower-case words joined by "
                              "'_' or '.', such as \"aml.red_flags\")");
  }
  const std::string named = fmt::format("{}: step type '{}'", source, type->name);
  if (!present(type->description)) return Error::plugin_load(named + " has no description");
  if (!present(type->parameters_schema_json)) {
    return Error::plugin_load(named + " has no parameters schema");
  }
  if (type->create == nullptr || type->execute == nullptr || type->destroy == nullptr) {
    return Error::plugin_load(named + " lacks create, execute or destroy");
  }
  if ((type->capabilities & COALITION_CAP_MAY_SUSPEND) != 0 && type->resume == nullptr) {
    return Error::plugin_load(named + " may suspend but has no resume function");
  }
  return ok_status();
}

}  // namespace

bool is_valid_plugin_id(const std::string& id) {
  static const std::regex kId("[a-z][a-z0-9_]*");
  return std::regex_match(id, kId);
}

bool is_semantic_version(const std::string& version) {
  return PluginVersion::parse(version).has_value();
}

const char* answer_schema_of(const coalition_step_type_t& type) {
  constexpr size_t kEnd = offsetof(coalition_step_type_t, answer_schema_json) +
                          sizeof(coalition_step_type_t::answer_schema_json);
  return type.struct_size >= kEnd ? type.answer_schema_json : nullptr;
}

bool is_valid_step_type_name(const std::string& name) {
  static const std::regex kName("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
  return std::regex_match(name, kName);
}

Status check_descriptor_header(const coalition_plugin_descriptor_t* d, const std::string& source) {
  if (d == nullptr) {
    return Error::plugin_load(fmt::format(
        "{} refused this engine (plugin ABI {}.{}): its entry point returned no descriptor", source,
        COALITION_ABI_MAJOR, COALITION_ABI_MINOR));
  }
  if (d->magic != COALITION_ABI_MAGIC) {
    return Error::plugin_load(fmt::format(
        "{} is not a Coalition plugin: its descriptor starts with magic 0x{:08X} (\"{}\") where "
        "0x{:08X} (\"{}\") was expected",
        source, d->magic, magic_text(d->magic), COALITION_ABI_MAGIC,
        magic_text(COALITION_ABI_MAGIC)));
  }
  if (d->abi_major != COALITION_ABI_MAJOR) {
    return Error::plugin_load(fmt::format(
        "{} was built for Coalition plugin ABI {}.{} but this engine implements ABI {}.{}; "
        "rebuild the plugin with a Coalition {}.x SDK",
        source, d->abi_major, d->abi_minor, COALITION_ABI_MAJOR, COALITION_ABI_MINOR,
        COALITION_ABI_MAJOR));
  }
  if (d->abi_minor > COALITION_ABI_MINOR) {
    return Error::plugin_load(fmt::format(
        "{} was built for Coalition plugin ABI {}.{} but this engine implements ABI {}.{}, which "
        "is older; upgrade the engine or rebuild the plugin with SDK {}.{}",
        source, d->abi_major, d->abi_minor, COALITION_ABI_MAJOR, COALITION_ABI_MINOR,
        COALITION_ABI_MAJOR, COALITION_ABI_MINOR));
  }
  if (d->struct_size < kDescriptorSizeV1_0) {
    return Error::plugin_load(fmt::format(
        "{} declares a descriptor of {} bytes, smaller than the {} bytes of plugin ABI {}.{} "
        "it claims; the library is damaged or was not built with the Coalition SDK",
        source, d->struct_size, kDescriptorSizeV1_0, d->abi_major, d->abi_minor));
  }
  return ok_status();
}

Status check_descriptor_body(const coalition_plugin_descriptor_t& d, const std::string& source) {
  if (d.id == nullptr || !is_valid_plugin_id(d.id)) {
    return Error::plugin_load(source + " has no valid plugin id (expected [a-z][a-z0-9_]*)");
  }
  if (d.version == nullptr || !is_semantic_version(d.version)) {
    return Error::plugin_load(source + ": plugin '" + d.id +
                              "' has no semantic version (expected MAJOR.MINOR.PATCH)");
  }
  if (!present(d.publisher) || !present(d.description)) {
    return Error::plugin_load(source + ": plugin '" + d.id + "' lacks a publisher or description");
  }
  if (d.partner_type < COALITION_PARTNER_FINANCIAL ||
      d.partner_type > COALITION_PARTNER_COALITION) {
    return Error::plugin_load(fmt::format(
        "{}: plugin '{}' has partner type {}, expected financial (1), technology (2), ngo (3) or "
        "coalition (4)",
        source, d.id, d.partner_type));
  }
  if (d.free_string == nullptr) {
    return Error::plugin_load(source + ": plugin '" + d.id + "' has no free_string function");
  }
  if (d.step_type_count == 0 || d.step_types == nullptr) {
    return Error::plugin_load(source + ": plugin '" + d.id + "' provides no step types");
  }
  for (uint32_t i = 0; i < d.step_type_count; ++i) {
    if (auto status = check_step_type(d.step_types[i], i, source); !status) return status;
  }
  return ok_status();
}

}  // namespace coalition
