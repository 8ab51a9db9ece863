#pragma once
/// Split planning: where a big compose file can be cut in two so that both halves parse
/// on their own (one thread each) into exactly the tree the whole file parses to.
/// Only a plain text scan; anything unusual means "do not split" (the caller parses the
/// whole file), and the caller falls back to the whole parse on any error of a half.
#include <cstddef>
#include <optional>
#include <string_view>

namespace compose::load {

/// Two halves of a compose file: A = text[0, split), B = text[0, header_end) + text[split, end).
/// The header is everything up to and including the top-level `services:` line, so B sees
/// the same top-level anchors (x-common: &common) and the same services mapping.
struct SplitPlan {
  size_t header_end = 0;  ///< offset just past the `services:` line
  size_t split = 0;       ///< offset of the service key line that starts B's services
  int header_lines = 0;   ///< lines in [0, header_end)
  int split_line = 0;     ///< 1-based line number of `split` in the whole text
};

/// A plan when text is at least min_bytes long and simple enough to cut safely: one
/// document, a block mapping at the top whose `services:` is a block mapping of
/// plainly-named services, no merge keys at those two levels and no anchors in A's
/// services (so B's aliases can only name header anchors); nullopt otherwise.
std::optional<SplitPlan> plan_split(std::string_view text, size_t min_bytes);

}  // namespace compose::load
