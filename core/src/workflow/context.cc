// Layers are looked up member by member: a pointer's first token picks the top-level member
// (own layer first, then frozen layers newest first) and the rest of the pointer is resolved
// inside that member alone. Copy on write is per top-level member, the unit a step's "result"
// usually replaces, so a child that writes its own result copies nothing of its parent's.
#include "workflow/context.h"

#include <vector>

namespace coalition {

using nlohmann::json;

namespace {

// Splits a valid pointer into its first token (unescaped) and the rest (still escaped, "" or
// starting with '/').
std::pair<std::string, std::string> first_token(const std::string& pointer) {
  const size_t end = pointer.find('/', 1);
  std::string raw = pointer.substr(1, end == std::string::npos ? std::string::npos : end - 1);
  std::string key;
  key.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '~' && i + 1 < raw.size()) {
      key += raw[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      key += raw[i];
    }
  }
  return {std::move(key), end == std::string::npos ? std::string() : pointer.substr(end)};
}

// Every member of the layers from `top` down to (not including) `stop`, and of `own`, a newer
// layer's member over an older one's.
json flatten(const json& own, const ContextLayer* top, const ContextLayer* stop) {
  std::vector<const ContextLayer*> layers;  // newest first
  for (const ContextLayer* l = top; l != nullptr && l != stop; l = l->below.get()) {
    layers.push_back(l);
  }
  json out = json::object();
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    for (const auto& [key, value] : (*it)->members.items()) out[key] = value;
  }
  for (const auto& [key, value] : own.items()) out[key] = value;
  return out;
}

}  // namespace

Context::Context(json members) : own_(std::move(members)) {}

const json& Context::own() const {
  // Never destroyed: an execution's frames may still be read while the process exits.
  static const json* const kEmpty = new const json(json::object());
  return own_.is_null() ? *kEmpty : own_;
}

Context Context::inherit(const Context& parent, json members) {
  Context child(std::move(members));
  child.frozen_ = parent.frozen_;
  child.inherited_ = parent.frozen_;
  return child;
}

Context Context::from_parts(std::shared_ptr<ContextLayer> frozen,
                            std::shared_ptr<ContextLayer> inherited, json own) {
  Context c(std::move(own));
  c.frozen_ = std::move(frozen);
  c.inherited_ = std::move(inherited);
  return c;
}

const json* Context::member(const std::string& key) const {
  if (auto it = own_.find(key); it != own_.end()) return &*it;
  for (const ContextLayer* l = frozen_.get(); l != nullptr; l = l->below.get()) {
    if (auto it = l->members.find(key); it != l->members.end()) return &*it;
  }
  return nullptr;
}

const json* Context::find(const std::string& pointer) const {
  if (!is_valid_pointer(pointer)) return nullptr;
  auto [key, rest] = first_token(pointer);
  const json* value = member(key);
  if (value == nullptr || rest.empty()) return value;
  return find_at(*value, rest);
}

Status Context::write(const std::string& pointer, json value) {
  if (!is_valid_pointer(pointer)) {
    return Error::invalid_data("'" + pointer + "' is not a JSON Pointer");
  }
  auto [key, rest] = first_token(pointer);
  if (rest.empty()) {
    own_[key] = std::move(value);
    return ok_status();
  }
  // A member already in the own layer is written in place (a write that fails on a value in the
  // way has created nothing before it: every object it creates comes after the last existing
  // value it walked through).
  if (auto it = own_.find(key); it != own_.end()) {
    if (auto s = write_at(*it, rest, std::move(value)); !s) {
      return Error::invalid_data("cannot write at " + pointer +
                                 ": a value on the way is not an object");
    }
    return ok_status();
  }
  // Else into a copy of the shared member, so a failed write leaves the context as it was.
  json target = json::object();
  if (const json* current = member(key)) target = *current;
  if (auto s = write_at(target, rest, std::move(value)); !s) {
    return Error::invalid_data("cannot write at " + pointer +
                               ": a value on the way is not an object");
  }
  own_[key] = std::move(target);
  return ok_status();
}

void Context::freeze() {
  if (own_.empty()) return;
  // A loop around a container step freezes again on each pass. When the frame's own frozen
  // layers cannot be merged into (shared or persisted) they would stack without end and every
  // lookup would walk them: past kMostOwnLayers, fold them and the own layer into one new layer
  // over what the frame inherited. Whoever still shares an old layer keeps it.
  size_t own_layers = 0;
  for (const ContextLayer* l = frozen_.get(); l != nullptr && l != inherited_.get();
       l = l->below.get()) {
    ++own_layers;
  }
  if (own_layers >= kMostOwnLayers) {
    auto layer = std::make_shared<ContextLayer>();
    layer->members = added();
    layer->below = inherited_;
    frozen_ = std::move(layer);
    own_ = json();
    return;
  }
  // Merge into the newest frozen layer when nothing else can see it: not shared with another
  // context or a join (use_count), not persisted (id), and not the layer this frame inherited.
  if (frozen_ != nullptr && frozen_ != inherited_ && frozen_.use_count() == 1 && frozen_->id == 0) {
    for (auto& [key, value] : own_.items()) frozen_->members[key] = std::move(value);
  } else {
    auto layer = std::make_shared<ContextLayer>();
    layer->members = std::move(own_);
    layer->below = std::move(frozen_);
    frozen_ = std::move(layer);
  }
  own_ = json();
}

json Context::added() const {
  return flatten(own_, frozen_.get(), inherited_.get());
}

json Context::merged() const {
  return flatten(own_, frozen_.get(), nullptr);
}

}  // namespace coalition
