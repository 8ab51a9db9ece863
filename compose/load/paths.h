#pragma once
/// Lexical path helpers (no disk access): join, clean, dirname, ~ expansion.
#include <string>

namespace compose::load {

/// Removes "." and ".." segments and duplicate slashes lexically.
std::string clean_path(const std::string& p);
/// base/rel cleaned, or rel cleaned when already absolute.
std::string join_path(const std::string& base, const std::string& rel);
/// Parent directory ("/" for top-level entries).
std::string dir_name(const std::string& p);
/// Last path segment.
std::string base_name(const std::string& p);
/// Expands a leading ~ with home, then makes the path absolute against base.
std::string absolute_path(const std::string& base, const std::string& p, const std::string& home);

}  // namespace compose::load
