#include "workflow/data_template.h"

#include <utility>

#include "common/json_text.h"

namespace coalition {
namespace {

using nlohmann::json;

// What a pointer written another way was meant to be: "input/case" and "input.case" are
// "/input/case"; a pointer stays as it is.
std::string suggested_pointer(const std::string& written) {
  if (written.empty() || written[0] == '/') return written;
  std::string out = "/" + written;
  if (written.find('/') == std::string::npos) {
    for (char& c : out) c = c == '.' ? '/' : c;
  }
  return out;
}

// The pieces of a "$template" text: literal text and "{/pointer}" placeholders, in order;
// "{{" and "}}" stand for a brace. kInvalidData naming what is wrong.
struct TextPiece {
  bool placeholder = false;
  std::string text;  // the literal text, or the placeholder's pointer
};

Result<std::vector<TextPiece>> split_text_template(const std::string& text, const std::string& at) {
  std::vector<TextPiece> pieces;
  std::string literal;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal.push_back(c);
      ++i;
      continue;
    }
    if (c == '}') {
      return Error::invalid_data("\"$template\": a '}' without its '{' (write \"}}\" for a brace)",
                                 at);
    }
    if (c != '{') {
      literal.push_back(c);
      continue;
    }
    const size_t close = text.find('}', i + 1);
    if (close == std::string::npos) {
      return Error::invalid_data("\"$template\": a '{' without its '}' (write \"{{\" for a brace)",
                                 at);
    }
    const std::string pointer = text.substr(i + 1, close - i - 1);
    if (!is_valid_pointer(pointer)) {
      return Error::invalid_data("\"$template\": {" + pointer +
                                     "} must hold a JSON Pointer into the context, such as "
                                     "{/item/name}",
                                 at);
    }
    if (!literal.empty()) pieces.push_back({false, std::exchange(literal, std::string())});
    pieces.push_back({true, pointer});
    i = close;
  }
  if (!literal.empty()) pieces.push_back({false, literal});
  return pieces;
}

// With `all`, a problem is noted there and the check goes on with the next part (every
// problem of a template in one pass); without, the first one is returned.
Status check(const json& t, const std::string& at, std::vector<TemplateReference>& refs,
             std::vector<Error>* all) {
  const auto problem = [all](Error e) -> Status {
    if (all == nullptr) return e;
    all->push_back(std::move(e));
    return ok_status();
  };
  if (t.is_object()) {
    if (auto text = t.find("$template"); text != t.end()) {
      const std::string place = pointer_append(at, "$template");
      if (t.size() != 1 || !text->is_string()) {
        return problem(Error::invalid_data(
            "\"$template\" stands alone and holds text with {/pointer} placeholders, such as "
            "\"Confirm escalation contacts: {/item/name}\"",
            place));
      }
      auto pieces = split_text_template(text->get<std::string>(), place);
      if (!pieces) return problem(std::move(pieces).error());
      for (const auto& piece : *pieces) {
        if (piece.placeholder) refs.push_back({at, piece.text, false});
      }
      return ok_status();
    }
    if (t.contains("$literal")) {
      if (t.size() != 1) return problem(Error::invalid_data("\"$literal\" must stand alone", at));
      return ok_status();
    }
    // {"$ref": "/input/x"} is how JSON Schema and OpenAPI refer; here it would be taken as
    // a literal object and only fail when the step runs. A schema's own "$ref" ("#/...") is
    // left alone: a form's answer schema may hold one.
    if (auto ref = t.find("$ref"); ref != t.end() && t.size() == 1 && ref->is_string() &&
                                   ref->get<std::string>().rfind('#', 0) != 0) {
      return problem(
          Error::invalid_data("\"$ref\" does not read the context: write {\"$path\": \"" +
                                  suggested_pointer(ref->get<std::string>()) + "\"}",
                              pointer_append(at, "$ref")));
    }
    if (t.contains("$path")) {
      const auto& path = t["$path"];
      if (!path.is_string() || !is_valid_pointer(path.get<std::string>())) {
        std::string message =
            "\"$path\" must be a JSON Pointer into the context, such as \"/input/case_id\"";
        if (path.is_string() && !path.get<std::string>().empty() &&
            is_valid_pointer(suggested_pointer(path.get<std::string>()))) {
          message += "; did you mean \"" + suggested_pointer(path.get<std::string>()) + "\"?";
        }
        return problem(Error::invalid_data(message, pointer_append(at, "$path")));
      }
      for (const auto& [key, value] : t.items()) {
        if (key != "$path" && key != "$default") {
          return problem(Error::invalid_data(
              "a reference allows only \"$path\" and \"$default\", not \"" + key + "\"",
              pointer_append(at, key)));
        }
      }
      refs.push_back({at, path.get<std::string>(), t.contains("$default")});
      return ok_status();
    }
    for (const auto& [key, value] : t.items()) {
      if (auto s = check(value, pointer_append(at, key), refs, all); !s) return s;
    }
  } else if (t.is_array()) {
    for (size_t i = 0; i < t.size(); ++i) {
      if (auto s = check(t[i], pointer_append(at, i), refs, all); !s) return s;
    }
  }
  return ok_status();
}

Status resolve(const json& t, const ContextReader& context, const std::string& at, json& out) {
  if (t.is_object()) {
    if (auto text = t.find("$template"); text != t.end() && t.size() == 1 && text->is_string()) {
      auto pieces = split_text_template(text->get<std::string>(), at);
      if (!pieces) return std::move(pieces).error();
      std::string rendered;
      for (const auto& piece : *pieces) {
        if (!piece.placeholder) {
          rendered += piece.text;
          continue;
        }
        const json* value = context.find(piece.text);
        if (value == nullptr)
          return Error::invalid_data("the context has nothing at " + piece.text, at);
        if (value->is_string()) {
          rendered += value->get<std::string>();
        } else if (value->is_number() || value->is_boolean()) {
          rendered += value->dump();
        } else {
          return Error::invalid_data("a template inserts text, numbers and true or false; " +
                                         piece.text + " holds " +
                                         (value->is_null() ? "null" : value->type_name()),
                                     at);
        }
      }
      out = std::move(rendered);
      return ok_status();
    }
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
  return value.is_object() &&
         (value.contains("$path") || value.contains("$literal") || value.contains("$template"));
}

Result<std::vector<TemplateReference>> check_template(const json& tmpl, const std::string& base) {
  std::vector<TemplateReference> refs;
  if (auto s = check(tmpl, base, refs, nullptr); !s) return std::move(s).error();
  return refs;
}

std::vector<Error> template_problems(const json& tmpl, const std::string& base) {
  std::vector<TemplateReference> refs;
  std::vector<Error> all;
  (void)check(tmpl, base, refs, &all);
  return all;
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
