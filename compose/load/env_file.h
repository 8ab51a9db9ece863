#pragma once
/// Env files (.env, --env-file, env_file:): KEY=VALUE lines, `export` prefix, # comments,
/// single quotes (literal), double quotes (escapes, interpolation), unquoted values
/// (interpolated, trailing " #comment" removed). A line with only KEY takes the value of KEY
/// from the lookup environment, or is skipped when unset.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "compose/load/environment.h"
#include "engine/base/error.h"

namespace compose::load {

/// Ordered KEY=VALUE pairs of an env file.
using EnvPairs = std::vector<std::pair<std::string, std::string>>;

/// Parses env file text; `file` is used in error messages ("file:line: ...").
engine::base::Result<EnvPairs> parse_env_file(const std::string& text, const std::string& file, const Environment& env);

/// Parses an env_file with `format: raw` (docker run --env-file): KEY=VALUE taken as written
/// (no quotes, escapes, comments after values or interpolation), # comment lines, a line with
/// only KEY takes the value of KEY from env or is skipped when unset.
engine::base::Result<EnvPairs> parse_raw_env_file(const std::string& text, const std::string& file,
                                                  const Environment& env);

}  // namespace compose::load
