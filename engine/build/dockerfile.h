#pragma once
/// Dockerfile parsing: text -> stages of instructions (pure, no I/O).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/error.h"
#include "engine/build/heredoc.h"

namespace engine::build {

/// One instruction, after joining continuation lines and dropping comments.
struct Instruction {
  int line = 0;                    ///< 1-based line where the instruction starts
  std::string keyword;             ///< upper-case keyword: RUN, COPY, ...
  std::vector<std::string> flags;  ///< leading --name=value flags (COPY, ADD, RUN, FROM, HEALTHCHECK)
  std::string args;                ///< the text after the keyword and flags, trimmed
  bool exec_form = false;          ///< args was a JSON array of strings
  std::vector<std::string> argv;   ///< the JSON array when exec_form
  /// Heredocs (RUN/COPY/ADD <<EOF). For RUN they are already folded into args: the body
  /// alone is the script when no command precedes it, else the shell reads them itself.
  std::vector<Heredoc> heredocs;

  /// "KEYWORD args" as written (flags included), for step output and cache keys.
  std::string text() const;
  /// Value of flag --name=value, if present.
  std::optional<std::string> flag(std::string_view name) const;
};

/// One build stage: FROM base [AS name] and its instructions.
struct Stage {
  Instruction from;                       ///< the FROM instruction
  std::string base;                       ///< base image reference or "scratch" (unexpanded)
  std::string name;                       ///< stage name from AS, lower-case; empty if none
  std::vector<Instruction> instructions;  ///< instructions after FROM
};

/// A parsed Dockerfile.
struct Dockerfile {
  std::vector<Instruction> global_args;  ///< ARG instructions before the first FROM
  std::vector<Stage> stages;             ///< at least one
};

/// Parses a Dockerfile; errors read "Dockerfile:LINE: ...".
base::Result<Dockerfile> parse_dockerfile(std::string_view text);

/// An invalid-argument error "Dockerfile:LINE: msg" for the instruction's line.
base::Error instruction_error(const Instruction& ins, const std::string& msg);

/// Variable lookup for expand_vars; nullopt when unset.
using VarLookup = std::function<std::optional<std::string>(const std::string&)>;

/// Expands $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alt}; "\$" stays a literal "$".
std::string expand_vars(std::string_view s, const VarLookup& lookup);

/// Splits shell-like words, honouring single/double quotes and backslash escapes.
std::vector<std::string> split_words(std::string_view s);

/// Parses "k=v k2=v2" or legacy "k v" (ENV/LABEL) into ordered pairs.
base::Result<std::vector<std::pair<std::string, std::string>>> parse_key_values(std::string_view args,
                                                                               bool allow_legacy);

}  // namespace engine::build
