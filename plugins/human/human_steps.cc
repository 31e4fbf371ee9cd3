#include "human_steps.h"

namespace coalition::plugins::human {

using nlohmann::json;

namespace {

json base_task(const json& params) {
  json task{{"title", params.at("title")}};
  if (params.contains("instructions")) task["instructions"] = params["instructions"];
  return task;
}

const json& latest(const json& completion) {
  return completion.at("completions").back();
}

json by(const json& c) {
  return {
      {"actor", c.value("actor", "")}, {"role", c.value("role", "")}, {"at", c.value("at", "")}};
}

}  // namespace

json approval_task(const json& params) {
  // No answer_schema: the step type declares it (kApprovalAnswerSchema), and the engine holds
  // every task of the type to it and shows it; a copy in each task was written out, read back
  // and dropped again at every suspend.
  return base_task(params);
}

std::optional<json> approval_decision(const json& completion) {
  const json& completions = completion.at("completions");
  const size_t quorum = completion.value("quorum", 1u);
  json votes = json::array();
  size_t approvals = 0;
  for (const auto& c : completions) {
    json vote = by(c);
    vote["decision"] = c["data"].value("decision", "");
    if (c["data"].contains("justification")) vote["justification"] = c["data"]["justification"];
    votes.push_back(vote);
    if (vote["decision"] == "reject") {
      return json{{"decision", "rejected"}, {"decided_by", by(c)}, {"votes", votes}};
    }
    ++approvals;
  }
  if (approvals < quorum) return std::nullopt;
  return json{{"decision", "approved"}, {"decided_by", by(latest(completion))}, {"votes", votes}};
}

json checklist_task(const json& params) {
  json task = base_task(params);
  json items = json::object();
  json required = json::array();
  for (const auto& item : params.at("items")) {
    const std::string id = item.at("id").get<std::string>();
    required.push_back(id);
    items[id] = {{"type", "object"},
                 {"properties",
                  {{"status", {{"enum", {"observed", "not_observed", "not_applicable"}}}},
                   {"evidence",
                    {{"type", "string"},
                     {"minLength", 1},
                     {"maxLength", 500},
                     {"description",
                      "A reference (case, document or report number, URL, hash), "
                      "never the content itself."}}},
                   {"note", {{"type", "string"}, {"maxLength", 2000}}}}},
                 {"required", {"status"}},
                 {"if", {{"properties", {{"status", {{"const", "observed"}}}}}}},
                 {"then", {{"required", {"status", "evidence"}}}},
                 {"additionalProperties", false}};
  }
  task["items"] = params.at("items");
  task["answer_schema"] = {{"type", "object"},
                           {"properties",
                            {{"answers",
                              {{"type", "object"},
                               {"properties", items},
                               {"required", required},
                               {"additionalProperties", false}}},
                             {"justification", {{"type", "string"}, {"maxLength", 4000}}}}},
                           {"required", {"answers"}},
                           {"additionalProperties", false}};
  return task;
}

json checklist_result(const json& completion) {
  const json& c = latest(completion);
  const json& answers = c.at("data").at("answers");
  json observed = json::array();
  for (const auto& [id, answer] : answers.items()) {
    if (answer.value("status", "") == "observed") observed.push_back(id);
  }
  return {{"answers", answers}, {"observed", observed}, {"completed_by", by(c)}};
}

json form_task(const json& params) {
  json task = base_task(params);
  task["answer_schema"] = params.at("schema");
  return task;
}

json form_result(const json& completion) {
  const json& c = latest(completion);
  return {{"data", c.at("data")}, {"completed_by", by(c)}};
}

}  // namespace coalition::plugins::human
