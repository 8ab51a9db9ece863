// build, push and the files compose writes for secrets and configs (see orchestrator.h).
#include "compose/plan/create_body.h"
#include "compose/plan/file_refs.h"
#include "compose/plan/orchestrator.h"

namespace compose::plan {

namespace {

/// The services to act on: the named ones (checked), else every service, in name order.
engine::base::Result<std::vector<std::string>> named_or_all(const model::Project& p,
                                                            const std::vector<std::string>& services) {
  for (const std::string& s : services)
    if (!p.services.count(s)) return engine::base::not_found("no such service: " + s);
  if (!services.empty()) return services;
  std::vector<std::string> all;
  for (const auto& [name, s] : p.services) all.push_back(name);
  return all;
}

}  // namespace

std::string Orchestrator::files_dir(const model::Project& p) const { return project_files_dir(opts_.files_base, p); }

engine::base::Status Orchestrator::build_service(const model::Project& p, const model::Service& s,
                                                 const BuildFlags& f) {
  auto req = build_request(p, s, f, opts_.env);
  if (!req) return req.take_error();
  const std::string image = req->tags.front();
  emit("Image", image, "Building");
  auto out = [&](int, std::string_view text) {
    if (opts_.image_output) opts_.image_output(s.name, text);
    return true;
  };
  auto id = engine_.build_image(*req, out);
  if (!id) {
    emit("Image", image, "Error", true);
    return id.take_error().wrap("service " + s.name + ": build");
  }
  emit("Image", image, "Built");
  return {};
}

engine::base::Status Orchestrator::build(const model::Project& p, const std::vector<std::string>& services,
                                         const BuildFlags& f) {
  auto names = named_or_all(p, services);
  if (!names) return names.take_error();
  // One after another: the context tar is made in this process, and builds share the daemon's cores.
  for (const std::string& n : *names) {
    const model::Service& s = p.services.at(n);
    if (!s.build) continue;
    BERTH_TRY(build_service(p, s, f));
  }
  return {};
}

engine::base::Status Orchestrator::push(const model::Project& p, const std::vector<std::string>& services,
                                        bool ignore_failures) {
  auto names = named_or_all(p, services);
  if (!names) return names.take_error();
  for (const std::string& n : *names) {
    const model::Service& s = p.services.at(n);
    if (s.image.empty() || !s.build) continue;
    emit("Image", s.image, "Pushing");
    auto st = engine_.push_image(s.image, [&](int, std::string_view text) {
      if (opts_.image_output) opts_.image_output(n, text);
      return true;
    });
    if (!st.ok()) {
      emit("Image", s.image, "Error", true);
      if (!ignore_failures) return st.take_error().wrap("service " + n + ": push " + s.image);
      continue;
    }
    emit("Image", s.image, "Pushed");
  }
  return {};
}

engine::base::Status Orchestrator::prepare_files(const model::Project& p, const std::vector<std::string>& services) {
  for (const std::string& n : services) {
    auto mounts = file_mounts(p, p.services.at(n), files_dir(p));
    if (!mounts) return mounts.take_error();
    if (auto st = write_file_mounts(*mounts, opts_.env); !st.ok()) return st.take_error().wrap("service " + n);
  }
  return {};
}

}  // namespace compose::plan
