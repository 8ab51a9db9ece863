#include "engine/image/manifest.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "engine/base/strings.h"

namespace engine::image {

using base::Result;
using nlohmann::json;

namespace {

Result<Descriptor> descriptor_from(const json& j) {
  if (!j.is_object()) return base::invalid("descriptor is not an object");
  Descriptor d;
  d.media_type = j.value("mediaType", "");
  auto dg = parse_digest(j.value("digest", ""));
  if (!dg) return dg.take_error();
  d.digest = *dg;
  if (auto s = j.find("size"); s != j.end() && s->is_number_unsigned()) d.size = s->get<uint64_t>();
  if (auto p = j.find("platform"); p != j.end() && p->is_object())
    d.platform = Platform{p->value("os", ""), p->value("architecture", ""), p->value("variant", "")};
  if (auto a = j.find("annotations"); a != j.end() && a->is_object())
    for (auto it = a->begin(); it != a->end(); ++it)
      if (it->is_string()) d.annotations[it.key()] = it->get<std::string>();
  return d;
}

json descriptor_to(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
  if (d.platform) {
    json p = {{"architecture", d.platform->architecture}, {"os", d.platform->os}};
    if (!d.platform->variant.empty()) p["variant"] = d.platform->variant;
    j["platform"] = p;
  }
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

}  // namespace

Result<Platform> parse_platform(std::string_view s) {
  std::vector<std::string> parts = base::split(s, '/');
  Platform p;
  if (parts.size() == 1 && !parts[0].empty()) {
    // As containerd reads one word: a known OS (with the default architecture) or a known architecture.
    static constexpr std::string_view kOses[] = {"linux", "windows", "darwin", "freebsd", "netbsd", "openbsd"};
    static constexpr std::string_view kArches[] = {"amd64", "x86_64", "arm64", "aarch64", "arm", "386", "ppc64le",
                                                   "s390x", "riscv64", "mips64le", "mips64", "loong64"};
    if (std::find(std::begin(kOses), std::end(kOses), parts[0]) != std::end(kOses))
      p.os = parts[0];
    else if (std::find(std::begin(kArches), std::end(kArches), parts[0]) != std::end(kArches))
      p.architecture = parts[0];
    else
      return base::invalid("\"" + parts[0] + "\": unknown operating system or architecture");
  } else if (parts.size() == 2 || parts.size() == 3) {
    p.os = parts[0];
    p.architecture = parts[1];
    if (parts.size() == 3) p.variant = parts[2];
  } else {
    return base::invalid("invalid platform \"" + std::string(s) + "\": want os/arch[/variant]");
  }
  if (p.os.empty() || p.architecture.empty()) return base::invalid("invalid platform \"" + std::string(s) + "\"");
  if (p.architecture == "x86_64") p.architecture = "amd64";
  if (p.architecture == "aarch64") p.architecture = "arm64";
  return p;
}

bool is_index_type(std::string_view t) { return t == media::kDockerList || t == media::kOciIndex; }

std::string detect_media_type(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "";
  std::string mt = j.value("mediaType", "");
  if (!mt.empty()) return mt;
  if (j.contains("manifests")) return std::string(media::kOciIndex);
  if (j.contains("layers") && j.contains("config")) return std::string(media::kOciManifest);
  if (j.value("schemaVersion", 0) == 1) return "application/vnd.docker.distribution.manifest.v1+json";
  return "";
}

Result<Manifest> parse_manifest(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::invalid("manifest: not a JSON object");
  if (j.value("schemaVersion", 0) == 1)
    return base::invalid("manifest: Docker schema 1 manifests are not supported");
  Manifest m;
  m.media_type = detect_media_type(text);
  if (m.media_type != media::kDockerManifest && m.media_type != media::kOciManifest)
    return base::invalid("manifest: unsupported media type \"" + m.media_type + "\"");
  auto cfg = descriptor_from(j.value("config", json()));
  if (!cfg) return cfg.take_error().wrap("manifest: config");
  m.config = *cfg;
  for (const json& l : j.value("layers", json::array())) {
    auto d = descriptor_from(l);
    if (!d) return d.take_error().wrap("manifest: layer");
    m.layers.push_back(*d);
  }
  return m;
}

Result<Index> parse_index(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::invalid("index: not a JSON object");
  Index idx;
  idx.media_type = detect_media_type(text);
  for (const json& m : j.value("manifests", json::array())) {
    auto d = descriptor_from(m);
    if (!d) return d.take_error().wrap("index: manifest");
    idx.manifests.push_back(*d);
  }
  return idx;
}

std::string manifest_to_json(const Manifest& m) {
  json layers = json::array();
  for (const Descriptor& d : m.layers) layers.push_back(descriptor_to(d));
  json j = {{"schemaVersion", 2}, {"mediaType", m.media_type}, {"config", descriptor_to(m.config)}, {"layers", layers}};
  return j.dump();
}

std::string index_to_json(const Index& i) {
  json ms = json::array();
  for (const Descriptor& d : i.manifests) ms.push_back(descriptor_to(d));
  return json{{"schemaVersion", 2}, {"mediaType", i.media_type}, {"manifests", ms}}.dump();
}

Result<Descriptor> select_platform(const Index& index, const Platform& want) {
  const Descriptor* loose = nullptr;
  for (const Descriptor& d : index.manifests) {
    if (!d.platform || d.platform->os != want.os || d.platform->architecture != want.architecture) continue;
    if (d.platform->variant == want.variant) return d;
    if (want.variant.empty() && !loose) loose = &d;
  }
  if (loose) return *loose;
  return base::not_found("no matching manifest for " + want.str() + " in the manifest list entries");
}

std::string compression_of(std::string_view t) {
  if (t.find("gzip") != std::string_view::npos) return "gzip";
  if (t.find("zstd") != std::string_view::npos) return "zstd";
  return "none";
}

}  // namespace engine::image
