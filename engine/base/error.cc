#include "engine/base/error.h"

#include <cstring>

namespace engine::base {

std::string_view code_name(Code c) {
  switch (c) {
    case Code::NotFound: return "not found";
    case Code::AlreadyExists: return "already exists";
    case Code::InvalidArgument: return "invalid argument";
    case Code::FailedPrecondition: return "failed precondition";
    case Code::Unavailable: return "unavailable";
    case Code::Internal: return "internal";
  }
  return "internal";
}

std::string Error::str() const {
  if (sys_errno == 0) return message;
  return message + ": " + std::strerror(sys_errno);
}

Error Error::wrap(std::string_view context) const& {
  Error e = *this;
  e.message = std::string(context) + ": " + e.message;
  return e;
}

Error Error::wrap(std::string_view context) && {
  message = std::string(context) + ": " + message;
  return std::move(*this);
}

Error make_error(Code code, std::string message) { return Error{code, 0, std::move(message)}; }

Error sys_error(std::string message, int err) {
  Code c = Code::Internal;
  switch (err) {
    case ENOENT: c = Code::NotFound; break;
    case EEXIST: c = Code::AlreadyExists; break;
    case EINVAL: c = Code::InvalidArgument; break;
    case EBUSY: c = Code::FailedPrecondition; break;
    case EAGAIN: c = Code::Unavailable; break;
    default: break;
  }
  return Error{c, err, std::move(message)};
}

}  // namespace engine::base
