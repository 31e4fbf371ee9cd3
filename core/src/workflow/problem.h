// Problem: one thing wrong with a workflow definition, located by JSON Pointer.
#ifndef COALITION_WORKFLOW_PROBLEM_H_
#define COALITION_WORKFLOW_PROBLEM_H_

#include <string>
#include <vector>

namespace coalition {

struct Problem {
  std::string pointer;  // RFC 6901 into the workflow file; "" for the whole file
  std::string message;  // what is wrong, what was expected

  // "FILE: /pointer: message" — the line `coalition validate` prints.
  std::string format(const std::string& file) const {
    return file + ": " + (pointer.empty() ? std::string("/") : pointer) + ": " + message;
  }
};

using Problems = std::vector<Problem>;

}  // namespace coalition

#endif  // COALITION_WORKFLOW_PROBLEM_H_
