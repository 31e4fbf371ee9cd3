// LazyQueue: first in, first out — a std::deque made on the first push and kept from then on.
// An execution holds two queues (its deferred step entries, its inline outcomes) that most
// executions never use, or only now and then. A std::deque member is 80 bytes and allocates a
// map and a 512-byte block as soon as it is constructed; a LazyQueue is one pointer until used.
// That keeps an execution under 1,008 bytes: at or above that, its allocation is a "large"
// request to glibc's malloc, which first consolidates every freed small block of its arena,
// which was about 5% of the scheduler's samples when parked executions were reloaded. (A queue
// over one vector was tried first: a parallel step's hundred outcomes then grew one block of
// 17 KB, a large request again, and W2 ran 4-8% slower.)
#ifndef COALITION_COMMON_LAZY_QUEUE_H_
#define COALITION_COMMON_LAZY_QUEUE_H_

#include <cstddef>
#include <deque>
#include <memory>
#include <utility>

namespace coalition {

template <class T>
class LazyQueue {
 public:
  bool empty() const { return !items_ || items_->empty(); }
  size_t size() const { return items_ ? items_->size() : 0; }
  bool allocated() const { return items_ != nullptr; }  // pushed to at least once
  void push(T item) { queue().push_back(std::move(item)); }
  template <class... Args>
  void emplace(Args&&... args) {
    queue().emplace_back(std::forward<Args>(args)...);
  }
  // The front item, moved out. Not empty() is the caller's to check.
  T pop() {
    T out = std::move(items_->front());
    items_->pop_front();
    return out;
  }
  // The items not yet taken, front first (to hand elsewhere before clear()).
  std::deque<T>& rest() { return queue(); }
  void clear() {
    if (items_) items_->clear();
  }

 private:
  std::deque<T>& queue() {
    if (!items_) items_ = std::make_unique<std::deque<T>>();
    return *items_;
  }
  std::unique_ptr<std::deque<T>> items_;
};

}  // namespace coalition

#endif  // COALITION_COMMON_LAZY_QUEUE_H_
