// Data templates: JSON values that mix literals with references into an execution's context.
//
// A reference is an object {"$path": "/json/pointer"} (RFC 6901), optionally with "$default"
// used when the path is absent. {"$template": "Confirm contacts: {/item/name}"} is text with
// the context's values put in its {/pointer} placeholders (text, numbers, true or false; "{{"
// and "}}" for a brace): a task's title that names the member it is about. {"$literal": value}
// inserts value as written, so a literal object that happens to contain "$path" can still be
// expressed. Anything else is a literal; references may appear at any depth.
#ifndef COALITION_WORKFLOW_DATA_TEMPLATE_H_
#define COALITION_WORKFLOW_DATA_TEMPLATE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"

namespace coalition {

struct TemplateReference {
  std::string at;    // pointer of the reference inside the template
  std::string path;  // the context pointer it names
  bool has_default = false;
};

// True for {"$path": ...}, {"$template": ...} and {"$literal": ...} objects.
bool is_template_directive(const nlohmann::json& value);

// Checks the template's directives (a "$path" must be a valid pointer string; no other keys next
// to "$path"/"$default" or "$literal") and lists its references in document order. Problems are
// reported as kInvalidData errors whose pointer is `base` + the place inside the template.
Result<std::vector<TemplateReference>> check_template(const nlohmann::json& tmpl,
                                                      const std::string& base);

// Every problem check_template would find, not only the first: what `validate` reports.
std::vector<Error> template_problems(const nlohmann::json& tmpl, const std::string& base);

// Reads the value at `pointer` in `doc`; nullptr when absent or the pointer is malformed.
const nlohmann::json* find_at(const nlohmann::json& doc, const std::string& pointer);

// What templates, conditions and deadlines read an execution's context through: one document,
// or the layered context of a frame (workflow/context.h), or a composition of both.
class ContextReader {
 public:
  virtual ~ContextReader() = default;
  // The value at `pointer` (a valid, non-empty JSON Pointer); nullptr when absent or the pointer
  // is malformed. The value lives as long as the reader is left unchanged.
  virtual const nlohmann::json* find(const std::string& pointer) const = 0;
};

// A ContextReader over one JSON document, which must outlive it.
class DocumentReader final : public ContextReader {
 public:
  explicit DocumentReader(const nlohmann::json& doc) : doc_(doc) {}
  const nlohmann::json* find(const std::string& pointer) const override {
    return find_at(doc_, pointer);
  }

 private:
  const nlohmann::json& doc_;
};

// Replaces every reference with the value it names in `context`. A path that is absent and has
// no "$default" fails with kInvalidData naming the path and the place. Never throws.
Result<nlohmann::json> resolve_template(const nlohmann::json& tmpl, const ContextReader& context);
inline Result<nlohmann::json> resolve_template(const nlohmann::json& tmpl,
                                               const nlohmann::json& context) {
  return resolve_template(tmpl, DocumentReader(context));
}

// Writes `value` at `pointer` in `doc`, creating objects on the way. Fails with kInvalidData when
// a parent on the way is not an object (or an array with that index). Never throws.
Status write_at(nlohmann::json& doc, const std::string& pointer, nlohmann::json value);

// True when `pointer` is a syntactically valid, non-empty JSON Pointer.
bool is_valid_pointer(const std::string& pointer);

}  // namespace coalition

#endif  // COALITION_WORKFLOW_DATA_TEMPLATE_H_
