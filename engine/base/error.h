#pragma once
/// Error and Result<T>: the error contract shared by every module.
///
/// An Error carries a category (Code), the errno that caused it (0 if none) and a
/// message written as "operation object" with context added on the way up:
///   "start container web: mount /proc: Operation not permitted".
/// errno is rendered once, at the end, by Error::str().
#include <cerrno>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace engine::base {

/// Error category; the API edge maps it to an HTTP status in one table.
enum class Code { NotFound, AlreadyExists, InvalidArgument, FailedPrecondition, Unavailable, Internal };

/// Name of a code ("not found", ...), for logs and tests.
std::string_view code_name(Code c);

struct Error {
  Code code = Code::Internal;
  int sys_errno = 0;        ///< errno that caused it, 0 if none
  std::string message;      ///< lowercase "operation object" phrase, context first

  /// message plus ": strerror(errno)" when sys_errno is set.
  std::string str() const;
  /// Prefixes context: wrap("start web") turns "mount /proc" into "start web: mount /proc".
  Error wrap(std::string_view context) const&;
  Error wrap(std::string_view context) &&;
};

Error make_error(Code code, std::string message);
/// An error from a failed system call; errno defaults to the current errno.
Error sys_error(std::string message, int err = errno);
inline Error not_found(std::string m) { return make_error(Code::NotFound, std::move(m)); }
inline Error invalid(std::string m) { return make_error(Code::InvalidArgument, std::move(m)); }
inline Error conflict(std::string m) { return make_error(Code::AlreadyExists, std::move(m)); }
inline Error precondition(std::string m) { return make_error(Code::FailedPrecondition, std::move(m)); }
inline Error internal(std::string m) { return make_error(Code::Internal, std::move(m)); }

/// Either a T or an Error (std::expected-like; move to std::expected with C++23).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::in_place_index<0>, std::move(v)) {}
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }
  Error&& take_error() { return std::get<1>(std::move(v_)); }
  T value_or(T other) const& { return ok() ? value() : std::move(other); }

 private:
  std::variant<T, Error> v_;
};

/// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : err_(std::move(e)), failed_(true) {}
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return err_; }
  Error&& take_error() { return std::move(err_); }

 private:
  Error err_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace engine::base

/// Returns the error of a failed Result expression from the enclosing function.
#define BERTH_TRY(expr)                                     \
  do {                                                      \
    auto&& berth_try_r_ = (expr);                           \
    if (!berth_try_r_.ok()) return berth_try_r_.take_error(); \
  } while (0)
