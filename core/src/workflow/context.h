// Context: the JSON object a running sequence's steps read ("$path", conditions, deadlines) and
// write (a step's "result"), shared between frames instead of copied.
//
// A branch or map iteration starts from its parent's context as it stood when the container
// step began. Copying that document into every child made a map over n items cost n copies of
// the whole context (the list itself included) in memory and in every snapshot. Instead a
// context is a stack of layers: its own members, which it alone writes, over frozen layers it
// may share with its parent and siblings. A member is looked up in its own layer first, then in
// each frozen layer, newest first. A write copies the top-level member it lands in into the own
// layer the first time (copy on write, one member at a time); frozen layers never change.
//
// Not thread-safe: an execution touches its contexts only under its own lock.
#ifndef COALITION_WORKFLOW_CONTEXT_H_
#define COALITION_WORKFLOW_CONTEXT_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"
#include "workflow/data_template.h"

namespace coalition {

// One frozen layer: top-level members over the layers below. Never changed once a second
// context (or anything else holding the pointer) refers to it, or once it has an id.
struct ContextLayer {
  nlohmann::json members = nlohmann::json::object();
  std::shared_ptr<ContextLayer> below;
  // Given by whoever persists the layer (an execution's snapshot), so that it is written once
  // and named by id afterwards; 0 until then.
  uint64_t id = 0;
};

class Context final : public ContextReader {
 public:
  // An empty context. It allocates nothing: its own layer is made by the first write.
  Context() = default;
  // A context of one own layer; `members` must be an object, or null for none.
  explicit Context(nlohmann::json members);
  // A context for a child frame: reads `parent` as it stands now (which must be frozen — see
  // freeze()) and holds `members` (an object: a map's "item" and "index"; null for none) in its
  // own layer.
  static Context inherit(const Context& parent, nlohmann::json members);
  // Rebuilds a context from its parts, as written by a snapshot.
  static Context from_parts(std::shared_ptr<ContextLayer> frozen,
                            std::shared_ptr<ContextLayer> inherited, nlohmann::json own);

  const nlohmann::json* find(const std::string& pointer) const override;
  // The top-level member `key`, or nullptr.
  const nlohmann::json* member(const std::string& key) const;
  // Writes `value` at `pointer` (RFC 6901, non-empty), creating objects on the way. Fails with
  // kInvalidData, changing nothing, when a value on the way is not an object (or an array with
  // that index).
  Status write(const std::string& pointer, nlohmann::json value);

  // Moves the own layer into a frozen one, so that children can share it. Cheap when nothing
  // was written since the last freeze; a frozen layer nobody else holds and nobody persisted is
  // merged into rather than stacked on, and past kMostOwnLayers of its own the frame's layers
  // are folded into one (so a loop does not grow the stack without end).
  void freeze();
  static constexpr size_t kMostOwnLayers = 8;

  // What this frame added to the context it started from: its own members and those of the
  // layers it froze itself, over everything it inherited. For a context that inherited
  // nothing, the whole document.
  nlohmann::json added() const;
  // The whole document, every layer merged.
  nlohmann::json merged() const;

  // The own layer: always an object (empty when nothing was written).
  const nlohmann::json& own() const;
  const std::shared_ptr<ContextLayer>& frozen() const { return frozen_; }
  const std::shared_ptr<ContextLayer>& inherited() const { return inherited_; }

 private:
  // Null until the first write, an object after: an empty object is a heap allocation, and
  // every frame (a parallel step's hundred branches, each finished frame cleared) made and
  // dropped one it never wrote to. find, items and empty read null as empty, and write's
  // non-const operator[] makes it an object; a const operator[] would throw on null.
  nlohmann::json own_;
  std::shared_ptr<ContextLayer> frozen_;     // newest frozen layer; the rest below it
  std::shared_ptr<ContextLayer> inherited_;  // where the layers this frame started with begin
};

}  // namespace coalition

#endif  // COALITION_WORKFLOW_CONTEXT_H_
