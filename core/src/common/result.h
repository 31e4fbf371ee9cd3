// Result<T>: a T or an Error. The return type of every operation that can fail in an expected way.
#ifndef COALITION_COMMON_RESULT_H_
#define COALITION_COMMON_RESULT_H_

#include <cstdlib>
#include <utility>
#include <variant>

#include "common/error.h"

namespace coalition {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : state_(std::in_place_index<0>, std::move(v)) {}      // NOLINT: implicit
  Result(Error e) : state_(std::in_place_index<1>, std::move(e)) {}  // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Precondition: ok(). Violations abort: they are bugs, not expected failures.
  T& value() & { return check(std::get_if<0>(&state_)); }
  const T& value() const& { return check(std::get_if<0>(&state_)); }
  T&& value() && { return std::move(check(std::get_if<0>(&state_))); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Precondition: !ok().
  const Error& error() const& { return check(std::get_if<1>(&state_)); }
  Error&& error() && { return std::move(check(std::get_if<1>(&state_))); }

 private:
  template <class U>
  static U& check(U* p) {
    if (p == nullptr) std::abort();
    return *p;
  }
  template <class U>
  static const U& check(const U* p) {
    if (p == nullptr) std::abort();
    return *p;
  }
  std::variant<T, Error> state_;
};

// Success or an Error, for operations with no value.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() {
  return Ok{};
}

}  // namespace coalition

#endif  // COALITION_COMMON_RESULT_H_
