#pragma once
/// Image references parsed and normalized as Docker does:
///   busybox                 -> docker.io/library/busybox:latest
///   host:5000/ns/app:1.2    -> host:5000/ns/app:1.2
///   app@sha256:<hex>        -> docker.io/library/app@sha256:<hex>
/// The "familiar" form drops docker.io/ and library/ again for display (RepoTags).
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/error.h"
#include "engine/image/digest.h"

namespace engine::image {

inline constexpr std::string_view kDefaultDomain = "docker.io";
inline constexpr std::string_view kDefaultTag = "latest";

/// A normalized reference: domain, repository path, and a tag and/or a digest.
struct Reference {
  std::string domain;            ///< "docker.io", "localhost:5000", ...
  std::string path;              ///< "library/busybox", "ns/app"
  std::string tag;               ///< empty when only a digest was given
  std::optional<Digest> digest;  ///< set for name@sha256:... references

  /// "docker.io/library/busybox".
  std::string name() const { return domain + "/" + path; }
  /// Full normalized form: name[:tag][@digest].
  std::string str() const;
  /// Repository name for display: "busybox", "ns/app", "host:5000/app".
  std::string familiar_name() const;
  /// familiar_name()[:tag][@digest].
  std::string familiar_str() const;
  /// "name:tag" (full); empty when there is no tag.
  std::string tagged() const { return tag.empty() ? std::string() : name() + ":" + tag; }
  /// "name@sha256:..." (full); empty when there is no digest.
  std::string digested() const { return digest ? name() + "@" + digest->str() : std::string(); }
};

/// Parses and normalizes a reference; adds the "latest" tag when neither tag nor digest is given.
base::Result<Reference> parse_reference(std::string_view s);
/// Parses without adding a default tag (for "all tags of a repository" lookups).
base::Result<Reference> parse_reference_no_default(std::string_view s);
/// Familiar form of a full normalized "name[:tag][@digest]" string (used for RepoTags/RepoDigests).
std::string familiarize(std::string_view full);

}  // namespace engine::image
