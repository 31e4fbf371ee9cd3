// Header-only C++ helper over the C plugin ABI (coalition/plugin_abi.h).
//
// A plugin author writes one class per step type and one registration line at the end of a file:
//
//   class Echo {
//    public:
//     static constexpr coalition::sdk::StepTypeInfo kInfo{
//         .name = "echo", .description = "Returns its parameters.",
//         .parameters_schema = R"({"type":"object","properties":{"text":{"type":"string"}}})"};
//     explicit Echo(const coalition::sdk::Host& host, const nlohmann::json& config);  // optional
//     coalition::sdk::Outcome execute(const nlohmann::json& params,
//                                     const coalition::sdk::Context& context);
//     // optional, for steps with COALITION_CAP_MAY_SUSPEND:
//     coalition::sdk::Outcome resume(const nlohmann::json& completion,
//                                    const coalition::sdk::Context& context);
//   };
//   constexpr coalition::sdk::PluginInfo kPlugin{.id = "echo", .version = "1.0.0", ...};
//   COALITION_PLUGIN(kPlugin, Echo)
//
// Every function the ABI sees is noexcept: an exception escaping a step becomes a permanent error
// (code "plugin.exception"), and InvalidParameters becomes COALITION_STATUS_INVALID_PARAMETERS.
// Requires C++20 and nlohmann/json; no Boost, no engine headers.
#ifndef COALITION_PLUGIN_HPP_
#define COALITION_PLUGIN_HPP_

#include <coalition/plugin_abi.h>

#include <concepts>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

// The ABI minor the plugin declares. By default the SDK's own (COALITION_ABI_MINOR); a plugin
// that uses nothing newer may target an older minor so that older engines load it too:
//   #define COALITION_SDK_TARGET_ABI_MINOR 0   // before including <coalition/plugin.hpp>
// Newer host features stay safe to call either way: Host::extension answers nullopt for an
// extension an older engine lacks, and Context::now() is empty without "now".
#ifndef COALITION_SDK_TARGET_ABI_MINOR
#define COALITION_SDK_TARGET_ABI_MINOR COALITION_ABI_MINOR
#endif
static_assert(COALITION_SDK_TARGET_ABI_MINOR <= COALITION_ABI_MINOR,
              "COALITION_SDK_TARGET_ABI_MINOR cannot be newer than this SDK's ABI minor");

namespace coalition::sdk {

enum class PartnerType : uint32_t {
  kFinancial = COALITION_PARTNER_FINANCIAL,
  kTechnology = COALITION_PARTNER_TECHNOLOGY,
  kNgo = COALITION_PARTNER_NGO,
  kCoalition = COALITION_PARTNER_COALITION,
};

// Names the plugin; strings must have static lifetime.
struct PluginInfo {
  const char* id = nullptr;
  const char* version = nullptr;
  const char* publisher = nullptr;
  PartnerType partner_type = PartnerType::kCoalition;
  const char* description = nullptr;
};

// Declares one step type; strings must have static lifetime (string literals).
struct StepTypeInfo {
  const char* name = nullptr;
  const char* description = nullptr;
  const char* parameters_schema = nullptr;
  const char* input_schema = nullptr;
  const char* output_schema = nullptr;
  uint32_t capabilities = 0;  // COALITION_CAP_* bits
  // What every answer to this step's tasks looks like (ABI 1.2; engines of 1.1 ignore it).
  const char* answer_schema = nullptr;
};

// Who acts on a step: the person or system the engine runs it for.
struct Principal {
  std::string actor;
  std::string role;
  std::string organisation;
};

namespace detail {
template <class S>
struct Binding;

// The empty object, one for the whole library and never destroyed: a call handed {} and an
// Outcome::ok() read it, and a plugin thread the engine gave up waiting for may still do so
// while the process exits.
inline const nlohmann::json& empty_object() {
  static const nlohmann::json* const kEmpty = new const nlohmann::json(nlohmann::json::object());
  return *kEmpty;
}
}  // namespace detail

// The engine's context of one attempt (see coalition_step_type_t.execute). The document is parsed
// on first use, so a step that never looks at its context pays nothing for it. Copies and moves
// hold their own parsed document, never the text: a step may keep one past its call.
class Context {
 public:
  explicit Context(nlohmann::json doc) : doc_(std::move(doc)), parsed_(true) {}
  explicit Context(const char* text) : owned_(text != nullptr ? text : ""), text_(owned_.c_str()) {}
  Context(const Context& other) : doc_(other.parsed_copy()), parsed_(true) {}
  Context(Context&& other) : doc_(other.parsed_move()), parsed_(true) {}
  Context& operator=(const Context& other) {
    if (this != &other) assign(other.parsed_copy());
    return *this;
  }
  Context& operator=(Context&& other) {
    if (this != &other) assign(other.parsed_move());
    return *this;
  }
  ~Context() = default;

  std::string execution_id() const { return text("execution_id"); }
  std::string step_id() const { return text("step_id"); }
  uint32_t attempt() const { return document().value("attempt", 1u); }
  std::string idempotency_key() const { return text("idempotency_key"); }
  std::string task_token() const { return text("task_token"); }
  // The engine's clock for this call (RFC 3339 UTC); virtual time under --now. Empty from an
  // engine older than ABI 1.1.
  std::string now() const { return text("now"); }
  std::optional<std::string> deadline() const {
    auto it = document().find("deadline");
    if (it == document().end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  }
  std::optional<Principal> principal() const {
    auto it = document().find("principal");
    if (it == document().end() || !it->is_object()) return std::nullopt;
    return Principal{it->value("actor", ""), it->value("role", ""), it->value("organisation", "")};
  }
  // Throws nlohmann::json::parse_error when the host sent malformed text (never in practice).
  const nlohmann::json& document() const {
    if (!parsed_) {
      doc_ = parse(text_);
      parsed_ = true;
    }
    return doc_;
  }

 private:
  template <class S>
  friend struct detail::Binding;
  struct Borrowed {};
  // The SDK's own, for the context_json of a call: read where it lies, without a copy (the
  // host's text outlives the call, and the Context made for it does not).
  Context(Borrowed /*unused*/, const char* text) : text_(text != nullptr ? text : "") {}

  static nlohmann::json parse(const char* text) {
    return *text == '\0' ? nlohmann::json::object() : nlohmann::json::parse(text);
  }
  // What a copy holds: the document, parsed from the text if this one has not been (leaving this
  // one as it is, so copying a shared Context from several threads reads it only).
  nlohmann::json parsed_copy() const { return parsed_ ? doc_ : parse(text_); }
  nlohmann::json parsed_move() { return parsed_ ? std::move(doc_) : parse(text_); }
  void assign(nlohmann::json doc) {
    doc_ = std::move(doc);
    parsed_ = true;
    owned_.clear();
    text_ = "";
  }
  std::string text(const char* key) const {
    auto it = document().find(key);
    return it != document().end() && it->is_string() ? it->get<std::string>() : std::string();
  }
  std::string owned_;      // the text, when a caller handed it to the public constructor
  const char* text_ = "";  // read only until parsed_
  mutable nlohmann::json doc_;
  mutable bool parsed_ = false;
};

// The outcome of one attempt. Error codes are dotted lower-case names ("notify.webhook_down").
class Outcome {
 public:
  // {}: what most steps answer, held without building a document.
  static Outcome ok() { return Outcome(COALITION_STATUS_OK, nullptr, nullptr, true); }
  static Outcome ok(nlohmann::json output) {
    return Outcome(COALITION_STATUS_OK, std::move(output), {});
  }
  static Outcome retryable(std::string code, std::string message) {
    return Outcome(COALITION_STATUS_RETRYABLE_ERROR, {}, error(code, message));
  }
  static Outcome permanent(std::string code, std::string message) {
    return Outcome(COALITION_STATUS_PERMANENT_ERROR, {}, error(code, message));
  }
  static Outcome invalid_parameters(std::string pointer, std::string message) {
    auto e = error("parameters.invalid", std::move(message));
    e["pointer"] = std::move(pointer);
    return Outcome(COALITION_STATUS_INVALID_PARAMETERS, {}, std::move(e));
  }
  // Waits for an external completion; `wait` describes what for (reason, roles, due, ...).
  static Outcome suspend(nlohmann::json wait) {
    return Outcome(COALITION_STATUS_SUSPEND, std::move(wait), {});
  }

  uint32_t status() const { return status_; }
  const nlohmann::json& output() const { return empty_object_ ? detail::empty_object() : output_; }
  const nlohmann::json& error_document() const { return error_; }
  // The output is {} (its text needs no serializer).
  bool output_is_empty_object() const {
    return empty_object_ || (output_.is_object() && output_.empty());
  }

 private:
  Outcome(uint32_t status, nlohmann::json output, nlohmann::json error, bool empty_object = false)
      : status_(status),
        output_(std::move(output)),
        error_(std::move(error)),
        empty_object_(empty_object) {}
  static nlohmann::json error(std::string code, std::string message) {
    return {{"code", std::move(code)}, {"message", std::move(message)}};
  }
  uint32_t status_;
  nlohmann::json output_;
  nlohmann::json error_;
  bool empty_object_ = false;  // output_ stands for {} (left null)
};

// Thrown by a constructor, execute or resume to reject parameters or configuration.
class InvalidParameters : public std::runtime_error {
 public:
  InvalidParameters(std::string pointer, const std::string& message)
      : std::runtime_error(message), pointer_(std::move(pointer)) {}
  const std::string& pointer() const { return pointer_; }

 private:
  std::string pointer_;
};

// The host's services, as seen by a step. Cheap to copy; valid while the instance lives.
class Host {
 public:
  explicit Host(const coalition_host_api_t* api) : api_(api) {}
  void debug(std::string_view message) const { log(COALITION_LOG_DEBUG, message); }
  void info(std::string_view message) const { log(COALITION_LOG_INFO, message); }
  void warn(std::string_view message) const { log(COALITION_LOG_WARN, message); }
  void error(std::string_view message) const { log(COALITION_LOG_ERROR, message); }
  const void* extension(const char* id) const {
    return api_ != nullptr && api_->get_extension != nullptr
               ? api_->get_extension(api_->host_ctx, id)
               : nullptr;
  }
  // `days` business days of the engine's calendar `calendar` after `from` (RFC 3339): the end
  // of that business day, as RFC 3339 UTC. nullopt when the host has no such calendar (or no
  // calendars at all), the calendar does not cover the days the count needs, or `from` is not
  // an instant.
  std::optional<std::string> add_business_days(const std::string& calendar, const std::string& from,
                                               uint32_t days) const {
    const auto* ext =
        static_cast<const coalition_calendar_ext_v1_t*>(extension(COALITION_EXT_CALENDAR_V1));
    if (ext == nullptr || ext->struct_size < sizeof(coalition_calendar_ext_v1_t)) {
      return std::nullopt;
    }
    char out[64] = {};
    if (ext->add_business_days(api_->host_ctx, calendar.c_str(), from.c_str(), days, out,
                               sizeof out) != COALITION_CALENDAR_OK) {
      return std::nullopt;
    }
    return std::string(out);
  }

 private:
  void log(uint32_t level, std::string_view message) const {
    if (api_ == nullptr || api_->log == nullptr) return;
    std::string text(message);
    api_->log(api_->host_ctx, level, text.c_str());
  }
  const coalition_host_api_t* api_;
};

namespace detail {

inline char* duplicate(std::string_view text) noexcept {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy != nullptr) {
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
  }
  return copy;
}

inline void free_string(char* s) noexcept {
  std::free(s);
}

inline void write(const Outcome& outcome, coalition_result_t* out) {
  out->status = outcome.status();
  if (outcome.status() == COALITION_STATUS_OK || outcome.status() == COALITION_STATUS_SUSPEND) {
    out->output_json =
        outcome.output_is_empty_object() ? duplicate("{}") : duplicate(outcome.output().dump());
  } else {
    out->error_json = duplicate(outcome.error_document().dump());
  }
}

// Fills `out` with an error without throwing (best effort if memory is exhausted).
inline void fail(coalition_result_t* out, uint32_t status, const char* code,
                 const std::string& message, const std::string& pointer = {}) noexcept {
  out->status = status;
  try {
    nlohmann::json e{{"code", code}, {"message", message}};
    if (!pointer.empty() || status == COALITION_STATUS_INVALID_PARAMETERS) e["pointer"] = pointer;
    out->error_json = duplicate(e.dump());
  } catch (...) {
    out->error_json = nullptr;
  }
}

// Runs `body` and turns whatever it throws into an error in `out`.
template <class Body>
void guarded(const char* step_name, coalition_result_t* out, Body&& body) noexcept {
  try {
    body();
  } catch (const InvalidParameters& e) {
    fail(out, COALITION_STATUS_INVALID_PARAMETERS, "parameters.invalid", e.what(), e.pointer());
  } catch (const std::exception& e) {
    fail(out, COALITION_STATUS_PERMANENT_ERROR, "plugin.exception",
         std::string("step type '") + step_name + "' threw: " + e.what());
  } catch (...) {
    fail(out, COALITION_STATUS_PERMANENT_ERROR, "plugin.exception",
         std::string("step type '") + step_name + "' threw an unknown exception");
  }
}

inline bool is_empty_document(const char* text) {
  return text == nullptr || *text == '\0' || std::strcmp(text, "{}") == 0;
}

// "{}", what most calls are handed, is returned without a parser (whose construction alone reads
// the locale): the same document.
inline nlohmann::json parse_or_empty(const char* text) {
  return is_empty_document(text) ? nlohmann::json::object() : nlohmann::json::parse(text);
}

// Calls `call` with the document of `text`, a temporary it may take: "{}" (and no text) as the
// library's one empty object, so the usual call builds no document at all, where the step takes
// it as const nlohmann::json& (a step that takes its own, by value or as &&, is handed a new one).
template <class Call>
Outcome with_document(const char* text, Call&& call) {
  if (!is_empty_document(text)) return call(nlohmann::json::parse(text));
  if constexpr (std::is_invocable_v<Call&, const nlohmann::json&>) {
    return call(empty_object());
  } else {
    return call(nlohmann::json::object());
  }
}

template <class S>
concept Resumable = requires(S& s, const nlohmann::json& j, const Context& c) {
  { s.resume(j, c) } -> std::same_as<Outcome>;
};

template <class S>
struct Binding {
  static S* construct(const coalition_host_api_t* host, const nlohmann::json& config) {
    if constexpr (std::is_constructible_v<S, const Host&, const nlohmann::json&>) {
      return new S(Host(host), config);
    } else if constexpr (std::is_constructible_v<S, const Host&>) {
      return new S(Host(host));
    } else {
      return new S();
    }
  }

  static void* create(const coalition_host_api_t* host, const char* config_json,
                      coalition_result_t* error) noexcept {
    void* instance = nullptr;
    guarded(S::kInfo.name, error, [&] { instance = construct(host, parse_or_empty(config_json)); });
    return instance;
  }

  static void execute(void* instance, const char* input_json, const char* context_json,
                      coalition_result_t* out) noexcept {
    guarded(S::kInfo.name, out, [&] {
      const Context context(Context::Borrowed{}, context_json);
      auto* step = static_cast<S*>(instance);
      // A step's own signature decides how it takes its parameters (const&, by value or &&):
      // the return type keeps the call out of overload resolution where it would not compile.
      write(with_document(input_json,
                          [&](auto&& params) -> decltype(step->execute(
                                                 std::forward<decltype(params)>(params), context)) {
                            return step->execute(std::forward<decltype(params)>(params), context);
                          }),
            out);
    });
  }

  static void resume(void* instance, const char* completion_json, const char* context_json,
                     coalition_result_t* out) noexcept {
    if constexpr (Resumable<S>) {
      guarded(S::kInfo.name, out, [&] {
        const Context context(Context::Borrowed{}, context_json);
        auto* step = static_cast<S*>(instance);
        write(with_document(completion_json,
                            [&](const nlohmann::json& completion) {
                              return step->resume(completion, context);
                            }),
              out);
      });
    }
  }

  static void destroy(void* instance) noexcept { delete static_cast<S*>(instance); }

  static inline const coalition_step_type_t kStepType = {
      sizeof(coalition_step_type_t),
      S::kInfo.capabilities,
      S::kInfo.name,
      S::kInfo.description,
      S::kInfo.parameters_schema,
      S::kInfo.input_schema,
      S::kInfo.output_schema,
      &create,
      &execute,
      Resumable<S> ? &resume : nullptr,
      &destroy,
      S::kInfo.answer_schema,
  };
};

template <class... Steps>
const coalition_plugin_descriptor_t* describe(const PluginInfo& info) noexcept {
  static const coalition_step_type_t* const kTypes[] = {&Binding<Steps>::kStepType...};
  static const coalition_plugin_descriptor_t kDescriptor = {
      COALITION_ABI_MAGIC,
      sizeof(coalition_plugin_descriptor_t),
      COALITION_ABI_MAJOR,
      COALITION_SDK_TARGET_ABI_MINOR,
      info.id,
      info.version,
      info.publisher,
      info.description,
      static_cast<uint32_t>(info.partner_type),
      static_cast<uint32_t>(sizeof...(Steps)),
      kTypes,
      &free_string,
  };
  return &kDescriptor;
}

}  // namespace detail
}  // namespace coalition::sdk

// Declares the plugin's one exported entry symbol. Use once per library, last in a file.
#define COALITION_PLUGIN(plugin_info, ...)                                                    \
  extern "C" COALITION_EXPORT const coalition_plugin_descriptor_t* coalition_plugin_entry_v1( \
      uint32_t /*host_abi_major*/, uint32_t /*host_abi_minor*/) {                             \
    return ::coalition::sdk::detail::describe<__VA_ARGS__>(plugin_info);                      \
  }

#endif  // COALITION_PLUGIN_HPP_
