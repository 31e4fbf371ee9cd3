// A batch is checked whole before anything starts: a coordinator who starts "every active
// member" wants all of them or a list of what is wrong, not the first forty and an error. Ids
// come from the batch and the item's key (app/execution_actions.h shared_key), so the store
// itself remembers what a batch started: no table of batches to keep in step with it.
#include "app/bulk_start.h"

#include <set>

#include "app/execution_actions.h"
#include "common/text_field.h"
#include "workflow/condition.h"
#include "workflow/data_template.h"

namespace coalition::app {

using nlohmann::json;

namespace {

// {"item", "index"}: what the template, the condition and the key read.
json item_document(const json& item, size_t index) {
  return json{{"item", item}, {"index", index}};
}

Result<std::string> key_of(const json& doc, const std::string& pointer, size_t index) {
  const json* key = find_at(doc, pointer);
  const std::string at = "items/" + std::to_string(index);
  if (key == nullptr) {
    return Error::invalid_data(at + ": the key " + pointer + " is absent", pointer);
  }
  if (key->is_number_integer() || key->is_number_unsigned()) return key->dump();
  if (!key->is_string() || key->get<std::string>().empty()) {
    return Error::invalid_data(at + ": the key " + pointer + " is not text or an integer", pointer);
  }
  if (auto ok = check_text_field("the key " + pointer, key->get<std::string>()); !ok) {
    return Error::invalid_data(at + ": " + ok.error().message(), pointer);
  }
  return key->get<std::string>();
}

// Whether execution `id`, which a batch started, was started with `input` under the version
// asked for (the highest held when none was). Its first event says; an event that no longer
// holds its input cannot be compared and is taken as it was. (A retention purge that rewrote
// the input rather than removing it would read as another input: a refusal, never a silent
// skip.)
Status started_as_planned(Session& s, const std::string& id, const BulkStart& request,
                          const json& input) {
  auto history = s.store().history(id);
  if (!history) return std::move(history).error();
  for (const auto& e : *history) {
    if (e.type != EventType::kExecutionStarted) continue;
    const json data = e.data();
    const std::string workflow = data.value("workflow", "");
    const bool same_version = request.version == 0 ||
                              workflow == request.workflow + "@" + std::to_string(request.version);
    const auto stored = data.find("input");
    const bool same_input = stored == data.end() || *stored == input;
    if (same_version && same_input) return ok_status();
    return Error::conflict("the batch started " + id + " for this key with " +
                           (same_version ? std::string("another input") : "version " + workflow) +
                           "; a changed batch needs a new --batch name (or the item its own key)");
  }
  return ok_status();
}

// The batch's own terms: its name, its size, its key pointer and its template; its filter,
// compiled.
Result<std::optional<Condition>> check_batch(Session& s, const BulkStart& request) {
  if (auto ok = check_text_field("batch", request.batch); !ok) return std::move(ok).error();
  if (request.batch.empty()) return Error::invalid_argument("batch: a batch needs a name");
  if (!request.items.is_array()) {
    return Error::invalid_data("items: expected a list (a JSON array)");
  }
  const size_t max = s.installation().config.limits.start_count;
  if (request.items.size() > max) {
    return Error::invalid_argument("items: at most " + std::to_string(max) +
                                   " (limits.start_count), not " +
                                   std::to_string(request.items.size()));
  }
  if (!is_valid_pointer(request.key)) {
    return Error::invalid_argument(
        "key: a JSON Pointer into {\"item\", \"index\"}, such as /item/id");
  }
  std::optional<Condition> where;
  if (!request.where.is_null()) {
    auto compiled = Condition::compile(request.where, "where");
    if (!compiled) return std::move(compiled).error();
    where = std::move(*compiled);
  }
  if (!request.input_template.is_null()) {
    if (auto checked = check_template(request.input_template, "input"); !checked) {
      return std::move(checked).error();
    }
  }
  return where;
}

// An item the filter kept: its place in the list, its key and its input.
struct Planned {
  size_t index;
  std::string key;
  json input;
};

// Every item the filter keeps, with its key (each its own) and its input; `skipped` counts the
// rest.
Result<std::vector<Planned>> plan_items(const BulkStart& request,
                                        const std::optional<Condition>& where, size_t& skipped) {
  std::vector<Planned> planned;
  std::set<std::string> keys;
  for (size_t i = 0; i < request.items.size(); ++i) {
    const json doc = item_document(request.items[i], i);
    if (where && !where->evaluate(doc)) {
      ++skipped;
      continue;
    }
    auto key = key_of(doc, request.key, i);
    if (!key) return std::move(key).error();
    if (!keys.insert(*key).second) {
      return Error::invalid_data("items/" + std::to_string(i) + ": the key '" + *key +
                                     "' is another item's too: each item of a batch needs its own",
                                 request.key);
    }
    json input = request.items[i];
    if (!request.input_template.is_null()) {
      auto resolved = resolve_template(request.input_template, doc);
      if (!resolved) {
        return Error::invalid_data("items/" + std::to_string(i) + ": " + resolved.error().message(),
                                   resolved.error().pointer());
      }
      input = std::move(*resolved);
    }
    planned.push_back({i, std::move(*key), std::move(input)});
  }
  return planned;
}

// The start of one item. Its run key is one line (a key is text people may read); the batch's
// length keeps "a:b" + "c" apart from "a" + "b:c".
StartRequest request_for(const BulkStart& request, const Planned& item) {
  StartRequest start{request.workflow, request.version, item.input,
                     "batch:" + request.workflow + ":" + std::to_string(request.batch.size()) +
                         ":" + request.batch + ":" + item.key,
                     request.run};
  start.shared_key = true;
  return start;
}

Error about(const Planned& item, const Error& e, const std::string& more) {
  return Error(e.code(), "items/" + std::to_string(item.index) + " (key " + item.key +
                             "): " + e.message() + more)
      .with_pointer(e.pointer());
}

// Each item's id, and its input against the workflow's input schema (what the engine would
// refuse it with), before the first start. An item the batch started before must have been
// started with the same workflow version and input, else the batch has changed under its name
// and "already started" would be untrue.
Status check_planned(Session& s, const Principal& p, const BulkStart& request,
                     const std::vector<Planned>& planned, BulkStarted& out) {
  for (const auto& item : planned) {
    auto checked = plan_start(s, p, request_for(request, item));
    if (!checked) return about(item, checked.error(), "");
    if (!checked->created) {
      if (auto same = started_as_planned(s, checked->id, request, item.input); !same) {
        return about(item, same.error(), "");
      }
    }
    out.items.push_back({item.index, item.key, checked->id, checked->created});
  }
  return ok_status();
}

}  // namespace

Result<BulkStarted> start_each(Session& s, const Principal& p, const BulkStart& request) {
  auto where = check_batch(s, request);
  if (!where) return std::move(where).error();
  // First every item: its key and its input, before anything starts.
  BulkStarted out;
  auto planned = plan_items(request, *where, out.skipped);
  if (!planned) return std::move(planned).error();
  if (auto checked = check_planned(s, p, request, *planned, out); !checked) {
    return std::move(checked).error();
  }
  if (request.dry_run) return out;
  for (size_t i = 0; i < planned->size(); ++i) {
    if (!out.items[i].created) continue;  // started by an earlier run of the batch
    auto started = start_execution(s, p, request_for(request, (*planned)[i]));
    if (!started) {
      return about((*planned)[i], started.error(),
                   " (the items before it are started; running the batch again carries on)");
    }
    out.items[i].created = started->created;
  }
  return out;
}

}  // namespace coalition::app
