// no_media: the explicit guard step against images and video. The engine already refuses
// media in every completion, signal and plugin output before anything is stored; this step
// lets a workflow check a payload it assembled (evidence lists, partner data) and fail the run
// at that point, naming where and what was found, never the bytes.
#include <coalition/plugin.hpp>

#include <vector>

#include "guard/media_scan.h"
#include "guard/reference_fields.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Host;
using coalition::sdk::Outcome;
using nlohmann::json;

// Iterative: a payload can nest deeper than the call stack allows.
size_t count_strings(const json& doc) {
  size_t n = 0;
  std::vector<const json*> stack{&doc};
  while (!stack.empty()) {
    const json* v = stack.back();
    stack.pop_back();
    if (v->is_string()) ++n;
    if (v->is_structured()) {
      for (const auto& child : *v) stack.push_back(&child);
    }
  }
  return n;
}

class Guard {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "no_media.guard",
      .description =
          "Refuses a payload that carries an image or video (declared MIME type, data URI, or "
          "the signature of decoded data) or more binary than a reference holds outside the "
          "fields `schema` declares references; passes references through.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "payload": {"description": "Any JSON: usually the intake's evidence references."},
          "source": {"type": "string", "maxLength": 100, "description": "What the payload is, for the refusal message."},
          "schema": {"type": "object", "description": "A JSON Schema of the payload: its fields marked x-coalition-reference (or format uri) may carry binary beyond the limit."}
        },
        "required": ["payload"]
      })json",
      .output_schema = R"json({"type": "object", "required": ["clean", "strings_checked"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  explicit Guard(const Host& host) : host_(host) {}
  Outcome execute(const json& params, const Context& context) {
    const json& payload = params.at("payload");
    const auto schema = params.find("schema");
    const coalition::MediaScanOptions options = schema != params.end()
                                                    ? coalition::reference_options(*schema)
                                                    : coalition::MediaScanOptions{};
    if (auto found = coalition::find_media(payload, options)) {
      const std::string source = params.value("source", "payload");
      // The refusal names the place and the kind, never the bytes.
      host_.warn("blocked_media_upload in " + context.execution_id() + ": " + source +
                 found->pointer + " carries " + found->kind + " (" + found->how + ")");
      return Outcome::permanent("media.refused", source + found->pointer + " carries " +
                                                     found->kind + " (" + found->how +
                                                     "): references only, never images or video");
    }
    return Outcome::ok({{"clean", true}, {"strings_checked", count_strings(payload)}});
  }

 private:
  Host host_;
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "no_media",
    .version = "1.0.0",
    .publisher = "Coalition Technology Working Group",
    .partner_type = coalition::sdk::PartnerType::kTechnology,
    .description = "Refuses images and video anywhere in a payload: references only.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, Guard)
