// The one reader and the one writer of an execution's stored state (the writer as a document,
// and straight to its stored bytes, one layout for both). The reader trusts nothing:
// the document may have been edited, cut short on disk or written by a newer engine, and a
// value of the wrong type or range must be refused by name (where, what) rather than wrap,
// throw from deep inside a getter, or allocate what a count says. Version 1 is read into the
// same structs as version 2, so everything past this file knows one form.
#include "runtime/persisted_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <string_view>

#include "common/msgpack_view.h"
#include "common/msgpack_writer.h"

namespace coalition {

using nlohmann::json;

namespace {

using Pointer = json::json_pointer;

int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Thrown inside this file only, caught in read_persisted_state: where the document is wrong.
struct Refusal {
  Pointer where;
  std::string what;
};

// Thrown inside this file only, caught in decode_persisted_state: the bytes are not a state this
// code reads straight, and the document they decode to is read instead, to say why by name.
struct NotReadStraight {};

// Where `target` sits in `at`, appended to `path`: searched for only when a value is refused,
// so that reading a well-formed document builds no pointers (a pointer per member read was a
// third of reading a state back).
bool find_path(const json& at, const json* target, Pointer& path) {
  if (&at == target) return true;
  if (at.is_object()) {
    for (auto it = at.begin(); it != at.end(); ++it) {
      path.push_back(it.key());
      if (find_path(*it, target, path)) return true;
      path.pop_back();
    }
  } else if (at.is_array()) {
    for (size_t i = 0; i < at.size(); ++i) {
      path.push_back(std::to_string(i));
      if (find_path(at[i], target, path)) return true;
      path.pop_back();
    }
  }
  return false;
}

// A value of a stored state, read the same way whatever form holds it (JsonNode: a document;
// MsgpackNode: the stored bytes). `Form` gives what differs: whether the value is null, a
// string, true or false, an integer written signed or unsigned, its members and items, the
// value as a document, and how a refusal is raised.
template <class Form>
class NodeReading {
 public:
  // A member that must be there.
  Form operator[](const char* key) const {
    auto found = find(key);
    if (!found) self().refuse_member(key, "a required member is missing");
    return *found;
  }
  // A member that must be there, and may be null.
  Form present(const char* key) const {
    auto found = self().find_even_null(key);
    if (!found) self().refuse_member(key, "a required member is missing");
    return *found;
  }
  // A member that may be absent (or null).
  std::optional<Form> find(const char* key) const {
    auto found = self().find_even_null(key);
    if (found && found->is_null()) return std::nullopt;
    return found;
  }
  // An array of exactly `n` items (a tuple).
  std::vector<Form> tuple(size_t n) const {
    auto out = self().items();
    if (out.size() != n) {
      self().refuse(fmt::format("expected an array of {} items, found {}", n, out.size()));
    }
    return out;
  }

  int64_t i64() const {
    if (self().is_unsigned()) {
      if (self().unsigned_value() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        self().refuse("a number too large for this field");
      }
      return static_cast<int64_t>(self().unsigned_value());
    }
    if (!self().is_signed()) self().refuse(self().expected("a whole number"));
    return self().signed_value();
  }
  uint64_t u64() const {
    if (self().is_unsigned()) return self().unsigned_value();
    if (!self().is_signed() || self().signed_value() < 0) {
      self().refuse(self().expected("a whole number of at least 0"));
    }
    return static_cast<uint64_t>(self().signed_value());
  }
  uint32_t u32() const {
    const uint64_t n = u64();
    if (n > std::numeric_limits<uint32_t>::max())
      self().refuse("a number too large for this field");
    return static_cast<uint32_t>(n);
  }
  bool is_integer() const { return self().is_unsigned() || self().is_signed(); }
  std::string text() const {
    if (!self().is_string()) self().refuse(self().expected("a string"));
    return std::string(self().string_value());
  }
  bool boolean() const {
    if (!self().is_boolean()) self().refuse(self().expected("true or false"));
    return self().boolean_value();
  }
  // Milliseconds since the epoch, within the years 0001 to 9999 (what format_utc can write):
  // anything further would overflow the clock's finer unit.
  TimePoint instant() const {
    constexpr int64_t kYear1 = -62135596800000;
    constexpr int64_t kYear10000 = 253402300800000;
    const int64_t ms = i64();
    if (ms < kYear1 || ms >= kYear10000) self().refuse("an instant outside the years 1 to 9999");
    return TimePoint(std::chrono::milliseconds(ms));
  }
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const auto& item : self().items()) out.push_back(item.text());
    return out;
  }
  // An object, as a document.
  json object_document() const {
    self().object_check();
    return self().document();
  }

 private:
  const Form& self() const { return static_cast<const Form&>(*this); }
};

// A value of the stored state as a JSON document, and the document it is in.
class JsonNode : public NodeReading<JsonNode> {
 public:
  explicit JsonNode(const json& document) : root_(&document), value_(&document) {}

  // Refuses the value, naming where it is.
  [[noreturn]] void refuse(std::string what) const { throw Refusal{where(), std::move(what)}; }
  // Refuses the member `key` of the value (one that is missing).
  [[noreturn]] void refuse_member(const char* key, std::string what) const {
    throw Refusal{where() / key, std::move(what)};
  }
  std::string expected(std::string_view what) const {
    return fmt::format("expected {}, found {}", what, kind_of(*value_));
  }

  void object_check() const {
    if (!value_->is_object()) refuse(expected("an object"));
  }
  // A member that may be absent, and may be null when present (a document a plugin or a
  // person gave: null is a value there).
  std::optional<JsonNode> find_even_null(const char* key) const {
    object_check();
    const auto it = value_->find(key);
    if (it == value_->end()) return std::nullopt;
    return JsonNode(root_, &*it);
  }
  std::vector<JsonNode> items() const {
    if (!value_->is_array()) refuse(expected("an array"));
    std::vector<JsonNode> out;
    out.reserve(value_->size());
    for (const auto& item : *value_) out.push_back(JsonNode(root_, &item));
    return out;
  }
  std::vector<std::pair<std::string, JsonNode>> members() const {
    object_check();
    std::vector<std::pair<std::string, JsonNode>> out;
    for (auto it = value_->begin(); it != value_->end(); ++it) {
      out.emplace_back(it.key(), JsonNode(root_, &*it));
    }
    return out;
  }

  bool is_null() const { return value_->is_null(); }
  bool is_unsigned() const { return value_->is_number_unsigned(); }
  bool is_signed() const { return value_->is_number_integer() && !is_unsigned(); }
  uint64_t unsigned_value() const { return value_->get<uint64_t>(); }
  int64_t signed_value() const { return value_->get<int64_t>(); }
  bool is_string() const { return value_->is_string(); }
  const std::string& string_value() const { return value_->get_ref<const std::string&>(); }
  bool is_boolean() const { return value_->is_boolean(); }
  bool boolean_value() const { return value_->get<bool>(); }
  json document() const { return *value_; }

 private:
  static std::string_view kind_of(const json& v) {
    switch (v.type()) {
      case json::value_t::object: return "an object";
      case json::value_t::array: return "an array";
      case json::value_t::string: return "a string";
      case json::value_t::boolean: return "true or false";
      case json::value_t::number_integer:
      case json::value_t::number_unsigned: return "a whole number";
      case json::value_t::number_float: return "a number with a fraction";
      default: return "null";
    }
  }

  JsonNode(const json* root, const json* value) : root_(root), value_(value) {}
  Pointer where() const {
    Pointer path;
    if (!find_path(*root_, value_, path)) return Pointer();
    return path;
  }

  const json* root_;
  const json* value_;
};

// A value of the stored state in its stored bytes (MessagePack), read where it lies. It reads
// what this code writes, and gives up (NotReadStraight) on anything else, which the document
// reading then refuses by name or reads: one outcome for one state whichever way it is read.
// A map must hold its keys as this code and nlohmann::json write them, sorted and once each (a
// key twice would be read differently by the two readings); that lets a member be searched for.
class MsgpackNode : public NodeReading<MsgpackNode> {
 public:
  using Kind = MsgpackView::Kind;

  explicit MsgpackNode(const MsgpackView& value) : value_(value) {}

  [[noreturn]] void refuse(const std::string& /*what*/) const { throw NotReadStraight{}; }
  [[noreturn]] void refuse_member(const char* /*key*/, const std::string& /*what*/) const {
    throw NotReadStraight{};
  }
  std::string expected(std::string_view /*what*/) const { return {}; }

  void object_check() const {
    if (value_.kind() != Kind::kMap) throw NotReadStraight{};
  }
  std::optional<MsgpackNode> find_even_null(const char* key) const {
    const auto& members = index();
    const auto it =
        std::lower_bound(members.begin(), members.end(), std::string_view(key),
                         [](const auto& member, std::string_view k) { return member.first < k; });
    if (it == members.end() || it->first != key) return std::nullopt;
    return MsgpackNode(it->second);
  }
  std::vector<MsgpackNode> items() const {
    if (value_.kind() != Kind::kArray) throw NotReadStraight{};
    std::vector<MsgpackNode> out;
    out.reserve(value_.size());
    for (const auto& item : value_.items()) out.emplace_back(item);
    return out;
  }
  std::vector<std::pair<std::string_view, MsgpackNode>> members() const {
    std::vector<std::pair<std::string_view, MsgpackNode>> out;
    out.reserve(value_.size());
    for (const auto& [key, value] : index()) out.emplace_back(key, MsgpackNode(value));
    return out;
  }

  bool is_null() const { return value_.kind() == Kind::kNil; }
  bool is_unsigned() const { return value_.kind() == Kind::kUnsigned; }
  bool is_signed() const { return value_.kind() == Kind::kSigned; }
  uint64_t unsigned_value() const { return value_.unsigned_integer(); }
  int64_t signed_value() const { return value_.signed_integer(); }
  bool is_string() const { return value_.kind() == Kind::kString; }
  std::string_view string_value() const { return value_.text(); }
  bool is_boolean() const { return value_.kind() == Kind::kBoolean; }
  bool boolean_value() const { return value_.boolean(); }
  json document() const {
    // An empty map or array, the most common context and completions, needs no decoding.
    if (value_.size() == 0 && value_.kind() == Kind::kMap) return json::object();
    if (value_.size() == 0 && value_.kind() == Kind::kArray) return json::array();
    json out = value_.document();
    if (out.is_discarded()) throw NotReadStraight{};
    return out;
  }

 private:
  using Members = std::vector<std::pair<std::string_view, MsgpackView>>;

  // The map's members, checked sorted and unique once, on the first search.
  const Members& index() const {
    if (!index_) {
      object_check();
      auto members = value_.members();
      if (!members) throw NotReadStraight{};
      for (size_t i = 1; i < members->size(); ++i) {
        if (!((*members)[i - 1].first < (*members)[i].first)) throw NotReadStraight{};
      }
      index_ = std::move(*members);
    }
    return *index_;
  }

  MsgpackView value_;
  mutable std::optional<Members> index_;
};

// Optional members, absent when they hold their default.
template <class T, class Node, class Read>
T optional_member(const Node& n, const char* key, T fallback, Read read) {
  const auto found = n.find(key);
  return found ? read(*found) : fallback;
}
template <class Node>
uint32_t u32_or(const Node& n, const char* key, uint32_t fallback) {
  return optional_member(n, key, fallback, [](const auto& v) { return v.u32(); });
}
template <class Node>
std::string text_or_empty(const Node& n, const char* key) {
  return optional_member(n, key, std::string(), [](const auto& v) { return v.text(); });
}
template <class Node>
std::optional<TimePoint> instant_or_none(const Node& n, const char* key) {
  return optional_member(n, key, std::optional<TimePoint>(),
                         [](const auto& v) { return std::optional(v.instant()); });
}
template <class Node>
std::optional<uint64_t> id_or_none(const Node& n, const char* key) {
  return optional_member(n, key, std::optional<uint64_t>(),
                         [](const auto& v) { return std::optional(v.u64()); });
}

template <class Node>
int read_version(const Node& doc) {
  const auto v = doc.find("v");
  if (!v || !v->is_integer()) {
    doc.refuse_member("v", "it names no snapshot version");
  }
  const int64_t version = v->i64();
  if (version < kOldestPersistedStateVersion || version > kPersistedStateVersion) {
    v->refuse(fmt::format(
        "its snapshot is version {}, and this engine reads versions {} to {} (was it written by "
        "a newer engine?)",
        version, kOldestPersistedStateVersion, kPersistedStateVersion));
  }
  return static_cast<int>(version);
}

template <class Node>
SlotState slot_state(const Node& n) {
  const auto state = n.is_integer() ? slot_state_from(n.i64()) : std::nullopt;
  if (!state) n.refuse("a join slot state other than 0-3");
  return *state;
}

template <class Node>
PersistedFrame read_frame(const Node& n, int version) {
  PersistedFrame f;
  f.id = n["id"].i64();
  f.workflow = n["wf"].text();
  f.parent = n["parent"].i64();
  f.slot = n["slot"].u64();
  f.path = n["path"].text();
  f.current = n["current"].text();
  for (const auto& [step, count] : n["visits"].members()) f.visits.emplace(step, count.u32());
  f.entered_at = n["entered_at"].instant();
  const Node own = n[version == 1 ? "context" : "own"];  // v1: the whole context
  f.own = own.object_document();
  if (version > 1) {
    f.frozen = id_or_none(n, "frozen");
    f.inherited = id_or_none(n, "inherited");
  }
  f.due = instant_or_none(n, "due");
  f.cap = instant_or_none(n, "cap");
  f.level = u32_or(n, "level", 0);
  f.basis = {text_or_empty(n, "due_rule"), text_or_empty(n, "due_calendar")};
  f.cap_basis = {text_or_empty(n, "cap_rule"), text_or_empty(n, "cap_calendar")};
  f.crashes = u32_or(n, "crashes", 0);
  return f;
}

// Version 1 stored one state and one child per slot; version 2 runs, and only running children.
template <class Node>
void read_v1_slots(const Node& n, PersistedJoin& j) {
  const auto states = n["state"].items();
  const auto children = n["children"].items();
  if (children.size() != states.size()) n["children"].refuse("one child per slot expected");
  for (size_t i = 0; i < states.size(); ++i) {
    const SlotState s = slot_state(states[i]);
    if (!j.runs.empty() && j.runs.back().first == s) {
      ++j.runs.back().second;
    } else {
      j.runs.emplace_back(s, 1);
    }
    if (s == SlotState::kRunning) j.running.emplace_back(i, children[i].i64());
  }
}

template <class Node>
PersistedJoin read_join(const Node& n, int version) {
  PersistedJoin j;
  j.frame = n["frame"].i64();
  if (version == 1) {
    read_v1_slots(n, j);
  } else {
    j.items_from = id_or_none(n, "items_from");
    for (const auto& run : n["runs"].items()) {
      const auto r = run.tuple(2);
      j.runs.emplace_back(slot_state(r[0]), r[1].u64());
    }
    for (const auto& slot : n["running"].items()) {
      const auto r = slot.tuple(2);
      j.running.emplace_back(r[0].u64(), r[1].i64());
    }
  }
  // Version 1 always held them; a later state only when read from one and not yet rebuilt.
  const auto outputs = version == 1 ? std::optional(n["outputs"]) : n.find("outputs");
  if (outputs) {
    j.inline_outputs.emplace();
    for (const auto& o : outputs->items()) j.inline_outputs->push_back(o.document());
  }
  const auto counts = n["counts"].tuple(4);
  j.succeeded = counts[0].u64();
  j.failed = counts[1].u64();
  j.running_count = counts[2].u64();
  j.next_slot = counts[3].u64();
  return j;
}

template <class Node>
PersistedTask read_task(const Node& n) {
  PersistedTask t;
  t.id = n["id"].text();
  t.spec = n.present("spec").document();
  t.roles = n["roles"].texts();
  t.organisation = n["organisation"].text();
  const Node completions = n["completions"];
  completions.items();  // an array
  t.completions = completions.document();
  t.assignee = text_or_empty(n, "assignee");
  t.created_at = n["created_at"].instant();
  return t;
}

template <class Node>
PersistedAttempt read_attempt(const Node& n) {
  PersistedAttempt a;
  a.frame = n["frame"].i64();
  a.number = n["number"].u32();
  a.suspended = optional_member(n, "suspended", false, [](const auto& v) { return v.boolean(); });
  a.signal = text_or_empty(n, "signal");
  if (const auto input = n.find_even_null("resume_input")) a.resume_input = input->document();
  a.plugin_version = text_or_empty(n, "plugin_version");
  a.key = text_or_empty(n, "key");
  if (const auto task = n.find("task")) a.task = read_task(*task);
  return a;
}

template <class Node>
std::pair<uint64_t, ExecutionTimer> read_timer(const Node& n) {
  const auto t = n.tuple(5);
  const auto timer =
      ExecutionTimer::from_stored(t[1].instant(), t[2].i64(), t[3].i64(), t[4].u32());
  if (!timer) t[2].refuse("a timer kind other than 0-5");
  return {t[0].u64(), *timer};
}

// Everything an execution resumes from; the writer leaves it out once the execution has ended.
template <class Node>
void read_resumable(const Node& doc, int version, PersistedState& s) {
  s.map_items =
      optional_member(doc, "map_items", uint64_t{0}, [](const auto& v) { return v.u64(); });
  s.next_layer =
      optional_member(doc, "next_layer", uint64_t{1}, [](const auto& v) { return v.u64(); });
  for (const auto& f : doc["frames"].items()) s.frames.push_back(read_frame(f, version));
  for (const auto& j : doc["joins"].items()) s.joins.push_back(read_join(j, version));
  for (const auto& a : doc["attempts"].items()) s.attempts.push_back(read_attempt(a));
  for (const auto& w : doc["waiting"].items()) s.waiting.insert(w.i64());
  for (const auto& t : doc["timers"].items()) s.timers.insert(read_timer(t));
  if (const auto actors = doc.find("actors")) {
    for (const auto& [step, who] : actors->members()) {
      const auto ids = who.texts();
      s.actors.emplace(step, std::set<std::string>(ids.begin(), ids.end()));
    }
  }
}

template <class Node>
PersistedState read(const Node& doc) {
  PersistedState s;
  s.version = read_version(doc);
  s.workflow = doc["workflow"].text();
  s.initiator = doc["initiator"].text();
  const Node status = doc["status"];
  const auto parsed = parse_execution_status(status.text());
  if (!parsed) status.refuse("an execution status this engine never writes");
  s.status = *parsed;
  s.started_at = doc["started_at"].instant();
  // An ended execution's state written before retries existed keeps no counters: it has
  // nothing to number on from, and none is read from it.
  const bool ended = is_finished(s.status);
  if (const auto seq = ended ? doc.find("seq") : std::optional(doc["seq"])) s.seq = seq->u64();
  if (const auto counters = ended ? doc.find("next") : std::optional(doc["next"])) {
    const auto next = counters->tuple(3);
    s.next_frame = next[0].i64();
    s.next_timer = next[1].u64();
    s.next_task = next[2].u64();
  }
  // A finished execution keeps its counters only (for a retry): nothing is left to resume.
  if (!ended) read_resumable(doc, s.version, s);
  return s;
}

json layer_ref(const std::optional<uint64_t>& id) {
  return id ? json(*id) : json(nullptr);
}

json frame_json(PersistedFrame&& f) {
  json fj{{"id", f.id},
          {"wf", f.workflow},
          {"parent", f.parent},
          {"slot", f.slot},
          {"path", f.path},
          {"current", f.current},
          {"visits", f.visits},
          {"entered_at", to_ms(f.entered_at)},
          {"own", std::move(f.own)},
          {"frozen", layer_ref(f.frozen)},
          {"inherited", layer_ref(f.inherited)}};
  if (f.due) fj["due"] = to_ms(*f.due);
  if (f.cap) fj["cap"] = to_ms(*f.cap);
  if (f.level > 0) fj["level"] = f.level;
  if (!f.basis.rule.empty()) fj["due_rule"] = f.basis.rule;
  if (!f.basis.calendar.empty()) fj["due_calendar"] = f.basis.calendar;
  if (!f.cap_basis.rule.empty()) fj["cap_rule"] = f.cap_basis.rule;
  if (!f.cap_basis.calendar.empty()) fj["cap_calendar"] = f.cap_basis.calendar;
  if (f.crashes > 0) fj["crashes"] = f.crashes;
  return fj;
}

json join_json(PersistedJoin&& j) {
  json runs = json::array();
  for (const auto& [state, n] : j.runs) runs.push_back({slot_state_number(state), n});
  json running = json::array();
  for (const auto& [slot, child] : j.running) running.push_back({slot, child});
  json jj{{"frame", j.frame},
          {"items_from", layer_ref(j.items_from)},
          {"runs", std::move(runs)},
          {"running", std::move(running)},
          {"counts", {j.succeeded, j.failed, j.running_count, j.next_slot}}};
  if (j.inline_outputs) jj["outputs"] = std::move(*j.inline_outputs);
  return jj;
}

json attempt_json(PersistedAttempt&& a) {
  json aj{{"frame", a.frame}, {"number", a.number}};
  if (!a.plugin_version.empty()) aj["plugin_version"] = a.plugin_version;
  if (!a.key.empty()) aj["key"] = a.key;
  if (a.suspended) aj["suspended"] = true;
  if (!a.signal.empty()) aj["signal"] = a.signal;
  if (a.resume_input) aj["resume_input"] = std::move(*a.resume_input);
  if (a.task) {
    PersistedTask& t = *a.task;
    aj["task"] = {{"id", t.id},
                  {"spec", std::move(t.spec)},
                  {"roles", t.roles},
                  {"organisation", t.organisation},
                  {"completions", std::move(t.completions)},
                  {"created_at", to_ms(t.created_at)}};
    if (!t.assignee.empty()) aj["task"]["assignee"] = t.assignee;
  }
  return aj;
}

}  // namespace

void PersistedState::number_on_after(const PersistedState& newer) {
  seq = std::max(seq, newer.seq);
  next_frame = std::max(next_frame, newer.next_frame);
  next_timer = std::max(next_timer, newer.next_timer);
  next_task = std::max(next_task, newer.next_task);
}

Result<PersistedState> read_persisted_state(const json& document) {
  try {
    return read(JsonNode(document));
  } catch (const Refusal& r) {
    const std::string where = r.where.to_string();
    return Error::invalid_data(
        fmt::format("{} ({})", r.what, where.empty() ? "the whole document" : "at " + where),
        where);
  }
}

// Read straight from the bytes when they hold what this code writes (a snapshot decoded into a
// document first was a fifth of reloading a parked execution); anything else is decoded and
// read as a document, which refuses it by name or reads it — the same result either way.
Result<PersistedState> decode_persisted_state(std::string_view bytes) {
  if (const auto view = MsgpackView::parse(bytes)) {
    try {
      return read(MsgpackNode(*view));
    } catch (const NotReadStraight&) {
    }
  }
  const json document = json::from_msgpack(bytes, /*strict=*/true, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return Error::invalid_data(
        "the stored state is not MessagePack this engine can read (cut short or damaged)");
  }
  return read_persisted_state(document);
}

json to_json(PersistedState s) {
  json doc{{"v", kPersistedStateVersion},
           {"workflow", s.workflow},
           {"initiator", s.initiator},
           {"status", to_string(s.status)},
           {"started_at", to_ms(s.started_at)},
           {"seq", s.seq},
           {"next", {s.next_frame, s.next_timer, s.next_task}}};
  if (is_finished(s.status)) return doc;
  doc["map_items"] = s.map_items;
  doc["next_layer"] = s.next_layer;
  json frames = json::array();
  for (auto& f : s.frames) frames.push_back(frame_json(std::move(f)));
  doc["frames"] = std::move(frames);
  json joins = json::array();
  for (auto& j : s.joins) joins.push_back(join_json(std::move(j)));
  doc["joins"] = std::move(joins);
  json attempts = json::array();
  for (auto& a : s.attempts) attempts.push_back(attempt_json(std::move(a)));
  doc["attempts"] = std::move(attempts);
  doc["waiting"] = s.waiting;
  json timers = json::array();
  for (const auto& [id, t] : s.timers) {
    timers.push_back({id, to_ms(t.due), static_cast<int>(t.kind), t.frame, t.stored_argument()});
  }
  doc["timers"] = std::move(timers);
  if (!s.actors.empty()) doc["actors"] = s.actors;
  return doc;
}

namespace {

// The stored form, written straight from the structs (encode_persisted_state): the bytes
// to_msgpack(to_json(s)) gives, so each map's keys go in the sorted order a JSON object keeps,
// and a member to_json leaves out is left out here too (the counts say so).
void write_layer_ref(MsgpackWriter& w, const std::optional<uint64_t>& id) {
  if (id) {
    w.unsigned_integer(*id);
  } else {
    w.nil();
  }
}

// How many members write_due writes.
size_t due_members(const std::optional<TimePoint>& at, const DueBasis& basis) {
  return static_cast<size_t>(at.has_value()) + static_cast<size_t>(!basis.calendar.empty()) +
         static_cast<size_t>(!basis.rule.empty());
}

// A frame's due time or cap with its basis: `name`, `name`_calendar, `name`_rule, each when set
// (the three keys sort together).
void write_due(MsgpackWriter& w, const std::string& name, const std::optional<TimePoint>& at,
               const DueBasis& basis) {
  if (at) {
    w.text(name);
    w.integer(to_ms(*at));
  }
  if (!basis.calendar.empty()) {
    w.text(name + "_calendar");
    w.text(basis.calendar);
  }
  if (!basis.rule.empty()) {
    w.text(name + "_rule");
    w.text(basis.rule);
  }
}

void write_frame(MsgpackWriter& w, const PersistedFrame& f) {
  w.map(11 + due_members(f.cap, f.cap_basis) + (f.crashes > 0) + due_members(f.due, f.basis) +
        (f.level > 0));
  write_due(w, "cap", f.cap, f.cap_basis);
  if (f.crashes > 0) {
    w.text("crashes");
    w.unsigned_integer(f.crashes);
  }
  w.text("current");
  w.text(f.current);
  write_due(w, "due", f.due, f.basis);
  w.text("entered_at");
  w.integer(to_ms(f.entered_at));
  w.text("frozen");
  write_layer_ref(w, f.frozen);
  w.text("id");
  w.integer(f.id);
  w.text("inherited");
  write_layer_ref(w, f.inherited);
  if (f.level > 0) {
    w.text("level");
    w.unsigned_integer(f.level);
  }
  w.text("own");
  w.json(f.own);
  w.text("parent");
  w.integer(f.parent);
  w.text("path");
  w.text(f.path);
  w.text("slot");
  w.unsigned_integer(f.slot);
  w.text("visits");
  w.map(f.visits.size());
  for (const auto& [step, n] : f.visits) {
    w.text(step);
    w.unsigned_integer(n);
  }
  w.text("wf");
  w.text(f.workflow);
}

void write_join(MsgpackWriter& w, const PersistedJoin& j) {
  w.map(5 + static_cast<size_t>(j.inline_outputs.has_value()));
  w.text("counts");
  w.array(4);
  for (const uint64_t n : {j.succeeded, j.failed, j.running_count, j.next_slot}) {
    w.unsigned_integer(n);
  }
  w.text("frame");
  w.integer(j.frame);
  w.text("items_from");
  write_layer_ref(w, j.items_from);
  if (j.inline_outputs) {
    w.text("outputs");
    w.array(j.inline_outputs->size());
    for (const auto& output : *j.inline_outputs) w.json(output);
  }
  w.text("running");
  w.array(j.running.size());
  for (const auto& [slot, child] : j.running) {
    w.array(2);
    w.unsigned_integer(slot);
    w.integer(child);
  }
  w.text("runs");
  w.array(j.runs.size());
  for (const auto& [state, n] : j.runs) {
    w.array(2);
    w.integer(slot_state_number(state));
    w.unsigned_integer(n);
  }
}

void write_task(MsgpackWriter& w, const PersistedTask& t) {
  w.map(6 + static_cast<size_t>(!t.assignee.empty()));
  if (!t.assignee.empty()) {
    w.text("assignee");
    w.text(t.assignee);
  }
  w.text("completions");
  w.json(t.completions);
  w.text("created_at");
  w.integer(to_ms(t.created_at));
  w.text("id");
  w.text(t.id);
  w.text("organisation");
  w.text(t.organisation);
  w.text("roles");
  w.array(t.roles.size());
  for (const auto& role : t.roles) w.text(role);
  w.text("spec");
  w.json(t.spec);
}

void write_attempt(MsgpackWriter& w, const PersistedAttempt& a) {
  w.map(2 + static_cast<size_t>(!a.key.empty()) + !a.plugin_version.empty() +
        static_cast<size_t>(a.resume_input.has_value()) + !a.signal.empty() + a.suspended +
        static_cast<size_t>(a.task.has_value()));
  w.text("frame");
  w.integer(a.frame);
  if (!a.key.empty()) {
    w.text("key");
    w.text(a.key);
  }
  w.text("number");
  w.unsigned_integer(a.number);
  if (!a.plugin_version.empty()) {
    w.text("plugin_version");
    w.text(a.plugin_version);
  }
  if (a.resume_input) {
    w.text("resume_input");
    w.json(*a.resume_input);
  }
  if (!a.signal.empty()) {
    w.text("signal");
    w.text(a.signal);
  }
  if (a.suspended) {
    w.text("suspended");
    w.boolean(true);
  }
  if (a.task) {
    w.text("task");
    write_task(w, *a.task);
  }
}

}  // namespace

std::string encode_persisted_state(const PersistedState& s) {
  std::string out;
  out.reserve(512);
  MsgpackWriter w(out);
  const bool ended = is_finished(s.status);
  w.map(ended ? 7 : 14 + static_cast<size_t>(!s.actors.empty()));
  if (!ended && !s.actors.empty()) {
    w.text("actors");
    w.map(s.actors.size());
    for (const auto& [step, who] : s.actors) {
      w.text(step);
      w.array(who.size());
      for (const auto& actor : who) w.text(actor);
    }
  }
  if (!ended) {
    w.text("attempts");
    w.array(s.attempts.size());
    for (const auto& a : s.attempts) write_attempt(w, a);
    w.text("frames");
    w.array(s.frames.size());
    for (const auto& f : s.frames) write_frame(w, f);
  }
  w.text("initiator");
  w.text(s.initiator);
  if (!ended) {
    w.text("joins");
    w.array(s.joins.size());
    for (const auto& j : s.joins) write_join(w, j);
    w.text("map_items");
    w.unsigned_integer(s.map_items);
  }
  w.text("next");
  w.array(3);
  w.integer(s.next_frame);
  w.unsigned_integer(s.next_timer);
  w.unsigned_integer(s.next_task);
  if (!ended) {
    w.text("next_layer");
    w.unsigned_integer(s.next_layer);
  }
  w.text("seq");
  w.unsigned_integer(s.seq);
  w.text("started_at");
  w.integer(to_ms(s.started_at));
  w.text("status");
  w.text(to_string(s.status));
  if (!ended) {
    w.text("timers");
    w.array(s.timers.size());
    for (const auto& [id, t] : s.timers) {
      w.array(5);
      w.unsigned_integer(id);
      w.integer(to_ms(t.due));
      w.integer(static_cast<int>(t.kind));
      w.integer(t.frame);
      w.unsigned_integer(t.stored_argument());
    }
  }
  w.text("v");
  w.integer(kPersistedStateVersion);
  if (!ended) {
    w.text("waiting");
    w.array(s.waiting.size());
    for (const int64_t frame : s.waiting) w.integer(frame);
  }
  w.text("workflow");
  w.text(s.workflow);
  return out;
}

json purged_state(const std::string& workflow_key) {
  return {{"purged", true}, {"workflow", workflow_key}};
}

bool is_purged_state(const json& document) {
  if (!document.is_object()) return false;
  const auto purged = document.find("purged");
  return purged != document.end() && purged->is_boolean() && purged->get<bool>();
}

}  // namespace coalition
