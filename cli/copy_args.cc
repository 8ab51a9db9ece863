// docker cp's argument rules (pure; in berth_client so tests can use them).
#include "cli/copy.h"

namespace cli {

CopyEndpoint parse_copy_arg(const std::string& arg) {
  if (!arg.empty() && arg[0] == '/') return {"", arg};
  size_t colon = arg.find(':');
  if (colon == std::string::npos || (!arg.empty() && arg[0] == '.')) return {"", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

engine::base::Status check_copy_args(const CopyEndpoint& src, const CopyEndpoint& dst) {
  if (!src.container.empty() && !dst.container.empty())
    return engine::base::invalid("copying between containers is not supported");
  if (src.container.empty() && dst.container.empty())
    return engine::base::invalid("must specify at least one container source");
  if (src.container.empty() ? dst.path.empty() : src.path.empty())
    return engine::base::invalid("the container path must not be empty");
  return {};
}

}  // namespace cli
