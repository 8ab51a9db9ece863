// build: services (see build.h).
#include "compose/plan/build.h"

#include "compose/plan/create_body.h"

namespace compose::plan {

namespace {

/// KEY=VALUE, or KEY with the value from the environment (nullopt when unset).
std::pair<std::string, std::optional<std::string>> split_arg(const std::string& a, const EnvLookup& env) {
  auto eq = a.find('=');
  if (eq != std::string::npos) return {a.substr(0, eq), a.substr(eq + 1)};
  return {a, env ? env(a) : std::nullopt};
}

std::map<std::string, std::string> string_map(const model::Json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it->is_string()) out[it.key()] = it->get<std::string>();
  return out;
}

}  // namespace

engine::base::Result<BuildRequest> build_request(const model::Project& p, const model::Service& s,
                                                 const BuildFlags& f, const EnvLookup& env) {
  if (!s.build) return engine::base::invalid("service " + s.name + " has no build section");
  const model::Build& b = *s.build;
  const std::string pre = "service " + s.name + ": build: ";
  if (b.context.empty() || b.context.front() != '/')
    return engine::base::invalid(pre + "context " + b.context + " is not a local directory (remote contexts are not supported yet)");
  BuildRequest r;
  r.context = b.context;
  if (!b.dockerfile.empty()) r.dockerfile = b.dockerfile;
  if (r.dockerfile.front() == '/') {
    // An absolute Dockerfile is sent by its path inside the context (the context tar carries it).
    if (!r.dockerfile.starts_with(r.context + "/"))
      return engine::base::invalid(pre + "dockerfile " + r.dockerfile + " outside the context is not supported yet");
    r.dockerfile = r.dockerfile.substr(r.context.size() + 1);
  }
  r.tags.push_back(service_image(p, s));
  if (b.other.contains("tags") && b.other["tags"].is_array())
    for (const model::Json& t : b.other["tags"])
      if (t.is_string() && t.get<std::string>() != r.tags.front()) r.tags.push_back(t.get<std::string>());
  for (const auto& [k, v] : b.args) {
    if (v) r.args[k] = *v;
    else if (auto e = env ? env(k) : std::nullopt) r.args[k] = *e;
  }
  for (const std::string& a : f.build_args) {
    auto [k, v] = split_arg(a, env);
    if (v) r.args[k] = *v;
  }
  r.labels = string_map(b.other.value("labels", model::Json::object()));
  r.target = b.target;
  r.no_cache = f.no_cache || b.other.value("no_cache", false);
  r.pull = f.pull || b.other.value("pull", false);
  r.quiet = f.quiet;
  return r;
}

bool needs_build(const model::Service& s, bool image_present, bool build_flag, bool no_build_flag) {
  if (!s.build || no_build_flag) return false;
  return build_flag || s.pull_policy == "build" || !image_present;
}

}  // namespace compose::plan
