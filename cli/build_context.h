#pragma once
/// The build context as POST /build takes it, shared by `berth build` and `berth compose build`.
#include <string>

namespace cli {

/// The context directory as an uncompressed tar (paths relative to dir); fails (exit 1) when unreadable.
std::string build_context_tar(const std::string& dir);

}  // namespace cli
