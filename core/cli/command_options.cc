// The binder records pointers into the command's own options instance, which lives as long as
// the command table; the checks read them only after CLI11 has parsed the line into them.
#include "cli/command_options.h"

#include <CLI/CLI.hpp>

#include "common/text_field.h"

namespace coalition::cli {

CLI::Option* CommandOptions::text(const std::string& option, std::string& into,
                                  const std::string& help, size_t max_bytes, bool names_someone) {
  texts_.push_back(TextOption{option, &into, max_bytes, names_someone});
  return app_->add_option(option, into, help);
}

CLI::Option* CommandOptions::name(const std::string& option, std::string& into,
                                  const std::string& help) {
  return text(option, into, help, kMaxNameBytes, false);
}

CLI::Option* CommandOptions::reason(const std::string& option, std::string& into,
                                    const std::string& help) {
  return text(option, into, help, kMaxReasonBytes, false);
}

CLI::Option* CommandOptions::json(bool& into, const std::string& help) {
  return app_->add_flag("--json", into, help);
}

CLI::Option* CommandOptions::person(const std::string& option, std::string& into,
                                    const std::string& help) {
  return text(option, into, help, kMaxNameBytes, true);
}

CLI::Option* CommandOptions::local_only(CLI::Option* option) {
  local_only_.push_back(option);
  return option;
}

void CommandOptions::acting(std::string& actor, std::string& role, std::string& organisation,
                            const std::string& as_help) {
  local_only(person("--as", actor, as_help));
  person("--role", role, "The role they act in");
  local_only(person("--org", organisation, "The organisation they act for (not with --server)"));
}

CLI::Option* CommandOptions::view(std::string& into, const std::string& help) {
  return local_only(person("--view", into, help));
}

CLI::Option* CommandOptions::store(std::string& into) {
  return local_only(app_->add_option(
      "--store", into, "Store file (default: $COALITION_STORE, store.path, ./coalition.db)"));
}

CLI::Option* CommandOptions::now(std::string& into, const std::string& help) {
  return local_only(app_->add_option("--now", into, help));
}

void CommandOptions::session(app::SessionOptions& into) {
  store(into.store);
  now(into.now);
}

const std::string* CommandOptions::text_of(std::string_view option) const {
  for (const TextOption& t : texts_) {
    if (t.option == option) return t.text;
  }
  return nullptr;
}

std::vector<std::string> CommandOptions::local_only_given() const {
  std::vector<std::string> given;
  for (const CLI::Option* option : local_only_) {
    if (option->count() > 0) given.push_back(option->get_name());
  }
  return given;
}

}  // namespace coalition::cli
