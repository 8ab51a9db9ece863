#include "engine/api/build_routes.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/api/image_routes.h"
#include "engine/base/scope_exit.h"
#include "engine/build/builder.h"
#include "engine/image/reference.h"
#include "engine/build/dockerignore.h"
#include "engine/build/run_step.h"
#include "engine/image/unpack.h"

namespace engine::api {
namespace fs = std::filesystem;
namespace {

/// Removes the context paths .dockerignore excludes (never the Dockerfile itself).
void apply_dockerignore(const std::string& dir, const std::string& dockerfile) {
  std::ifstream in(dir + "/.dockerignore");
  if (!in) return;
  std::stringstream text;
  text << in.rdbuf();
  auto rules = engine::build::IgnoreRules::parse(text.str());
  std::vector<fs::path> doomed;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = fs::relative(it->path(), dir, ec).string();
    if (rel == dockerfile || rel == ".dockerignore") continue;
    if (rules.ignored(rel)) {
      doomed.push_back(it->path());
      if (it->is_directory()) it.disable_recursion_pending();
    }
  }
  for (const auto& p : doomed) fs::remove_all(p, ec);
}

void handle_build(Exchange& ex, const BuildDeps& d) {
  const Request& req = ex.req();
  engine::build::BuildOptions opts;
  auto range = req.query.equal_range("t");
  for (auto it = range.first; it != range.second; ++it)
    if (!it->second.empty()) opts.tags.push_back(it->second);
  if (auto f = req.q("dockerfile"); f && !f->empty()) opts.dockerfile = *f;
  if (auto b = req.q("buildargs"); b && !b->empty()) {
    auto j = nlohmann::json::parse(*b, nullptr, false);
    if (!j.is_object()) return ex.respond_error(engine::base::invalid("buildargs: expected a JSON object"));
    for (auto& [k, v] : j.items())
      if (v.is_string()) opts.build_args[k] = v.get<std::string>();
  }
  opts.no_cache = req.q_bool("nocache");
  opts.pull = req.q_bool("pull");
  if (auto t = req.q("target")) opts.target = *t;
  if (auto p = req.q("platform")) opts.platform = *p;
  bool quiet = req.q_bool("q");

  static std::atomic<unsigned> counter{0};
  std::string ctx = d.work_root + "/tmp/context-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  auto cleanup = engine::base::ScopeExit([&] {
    std::error_code ec;
    fs::remove_all(ctx, ec);
  });
  std::error_code ec;
  fs::create_directories(ctx, ec);
  if (ec) return ex.respond_error(engine::base::internal("create " + ctx + ": " + ec.message()));
  auto fd = body_to_memfd(ex.req().body, "build");
  if (!fd) return ex.respond_error(fd.error());
  engine::image::UnpackOptions uo;
  uo.convert_whiteouts = false;
  uo.hash_compressed = false;
  if (auto u = engine::image::unpack_layer(fd->get(), ctx, uo); !u)
    return ex.respond_error(u.error().wrap("build: read context"));
  apply_dockerignore(ctx, opts.dockerfile);

  JsonMessageStream out(ex);
  auto emit = [&](const std::string& s) {
    if (!quiet) out.send({{"stream", s}});
  };
  engine::build::Builder builder(*d.images, d.work_root,
                                 engine::build::make_runtime_run_fn(*d.runtime, d.runtime_state_root, emit));
  auto img = builder.build(ctx, opts, emit);
  if (!img) return out.fail(img.error());
  out.send({{"aux", {{"ID", img->id.str()}}}});
  if (quiet) {
    out.send({{"stream", img->id.str() + "\n"}});
  } else {
    out.send({{"stream", "Successfully built " + img->id.short_hex() + "\n"}});
    for (const auto& t : opts.tags) {
      auto ref = engine::image::parse_reference(t);  // "app" is tagged as app:latest, as docker says
      out.send({{"stream", "Successfully tagged " + (ref ? ref->familiar_str() : t) + "\n"}});
    }
  }
  out.finish();
}

}  // namespace

void add_build_routes(Router& r, const BuildDeps& d) {
  r.add(Route{"POST", "/build", [d](Exchange& ex) { handle_build(ex, d); }, true, kMaxArchiveBody});
}

}  // namespace engine::api
