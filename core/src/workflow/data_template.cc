#include "workflow/data_template.h"

#include "common/json_text.h"

namespace coalition {
namespace {

using nlohmann::json;

Status check(const json& t, const std::string& at, std::vector<TemplateReference>& refs) {
  if (t.is_object()) {
    if (t.contains("$literal")) {
      if (t.size() != 1) return Error::invalid_data("\"$literal\" must stand alone", at);
      return ok_status();
    }
    if (t.contains("$path")) {
      const auto& path = t["$path"];
      if (!path.is_string() || !is_valid_pointer(path.get<std::string>())) {
        return Error::invalid_data(
            "\"$path\" must be a JSON Pointer into the context, such as \"/input/case_id\"",
            pointer_append(at, "$path"));
      }
      for (const auto& [key, value] : t.items()) {
        if (key != "$path" && key != "$default") {
          return Error::invalid_data(
              "a reference allows only \"$path\" and \"$default\", not \"" + key + "\"",
              pointer_append(at, key));
        }
      }
      refs.push_back({at, path.get<std::string>(), t.contains("$default")});
      return ok_status();
    }
    for (const auto& [key, value] : t.items()) {
      if (auto s = check(value, pointer_append(at, key), refs); !s) return s;
    }
  } else if (t.is_array()) {
    for (size_t i = 0; i < t.size(); ++i) {
      if (auto s = check(t[i], pointer_append(at, i), refs); !s) return s;
    }
  }
  return ok_status();
}

Status resolve(const json& t, const ContextReader& context, const std::string& at, json& out) {
  if (t.is_object()) {
    if (auto lit = t.find("$literal"); lit != t.end() && t.size() == 1) {
      out = *lit;
      return ok_status();
    }
    if (auto path = t.find("$path"); path != t.end() && path->is_string()) {
      if (const json* value = context.find(path->get<std::string>())) {
        out = *value;
        return ok_status();
      }
      if (auto def = t.find("$default"); def != t.end()) {
        out = *def;
        return ok_status();
      }
      return Error::invalid_data("the context has nothing at " + path->get<std::string>(), at);
    }
    out = json::object();
    for (const auto& [key, value] : t.items()) {
      if (auto s = resolve(value, context, pointer_append(at, key), out[key]); !s) return s;
    }
    return ok_status();
  }
  if (t.is_array()) {
    out = json::array();
    for (size_t i = 0; i < t.size(); ++i) {
      out.push_back(nullptr);
      if (auto s = resolve(t[i], context, pointer_append(at, i), out.back()); !s) return s;
    }
    return ok_status();
  }
  out = t;
  return ok_status();
}

}  // namespace

bool is_template_directive(const json& value) {
  return value.is_object() && (value.contains("$path") || value.contains("$literal"));
}

Result<std::vector<TemplateReference>> check_template(const json& tmpl, const std::string& base) {
  std::vector<TemplateReference> refs;
  if (auto s = check(tmpl, base, refs); !s) return std::move(s).error();
  return refs;
}

Result<json> resolve_template(const json& tmpl, const ContextReader& context) {
  json out;
  if (auto s = resolve(tmpl, context, "", out); !s) return std::move(s).error();
  return out;
}

bool is_valid_pointer(const std::string& pointer) {
  if (pointer.empty() || pointer[0] != '/') return false;
  for (size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] == '~' &&
        (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))) {
      return false;
    }
  }
  return true;
}

const json* find_at(const json& doc, const std::string& pointer) {
  if (pointer.empty()) return &doc;
  if (!is_valid_pointer(pointer)) return nullptr;
  try {
    json::json_pointer p(pointer);
    if (!doc.contains(p)) return nullptr;
    return &doc.at(p);
  } catch (const json::exception&) {  // e.g. "/items/x" on an array
    return nullptr;
  }
}

Status write_at(json& doc, const std::string& pointer, json value) {
  if (!is_valid_pointer(pointer)) {
    return Error::invalid_data("'" + pointer + "' is not a JSON Pointer");
  }
  try {
    doc[json::json_pointer(pointer)] = std::move(value);
    return ok_status();
  } catch (const json::exception&) {
    return Error::invalid_data("cannot write at " + pointer +
                               ": a value on the way is not an object");
  }
}

}  // namespace coalition
