#pragma once
/// COPY/ADD --chown and --chmod: resolving user and group names against a stage's
/// /etc/passwd and /etc/group (as Docker does), numeric ids, and octal modes. Pure.
#include <string_view>

#include "engine/base/error.h"

namespace engine::build {

/// The owner COPY/ADD gives the files it creates.
struct Owner {
  unsigned uid = 0;
  unsigned gid = 0;
};

/// Resolves "user[:group]" (names or numbers). Without a group, a named user gets its
/// primary group and a numeric uid the same gid. passwd/group are the files' texts.
base::Result<Owner> resolve_chown(std::string_view spec, std::string_view passwd, std::string_view group);

/// Parses a --chmod value: an octal mode up to 07777.
base::Result<unsigned> parse_chmod(std::string_view spec);

}  // namespace engine::build
