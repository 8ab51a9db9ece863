#pragma once
/// Docker's `filters` query parameter: JSON {"label":{"a=b":true}} (or the older
/// {"label":["a=b"]}) parsed into name -> values, with the matching rules Docker uses.
#include <map>
#include <string>
#include <vector>

#include "engine/base/error.h"

namespace engine::api {

class Filters {
 public:
  /// Parses the raw (URL-decoded) parameter; empty = no filters. Unknown names -> InvalidArgument
  /// ("invalid filter 'x'") when allowed is non-empty.
  static engine::base::Result<Filters> parse(const std::string& raw, const std::vector<std::string>& allowed = {});
  bool empty() const { return f_.empty(); }
  bool has(const std::string& name) const { return f_.count(name) > 0; }
  const std::vector<std::string>& values(const std::string& name) const;
  /// True when no filter of this name is set, or value equals one of its values.
  bool match_exact(const std::string& name, const std::string& value) const;
  /// True when no filter of this name is set, or one of its values is a substring of value (name=).
  bool match_substring(const std::string& name, const std::string& value) const;
  /// Every label filter ("key" or "key=value") is satisfied by labels.
  bool match_labels(const std::map<std::string, std::string>& labels, const std::string& name = "label") const;
  void add(const std::string& name, const std::string& value) { f_[name].push_back(value); }

 private:
  std::map<std::string, std::vector<std::string>> f_;
};

}  // namespace engine::api
