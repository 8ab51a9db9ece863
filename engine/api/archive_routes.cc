#include "engine/api/archive_routes.h"

#include "engine/container/archive.h"

namespace engine::api {

using engine::container::Manager;

namespace {

constexpr const char* kStatHeader = "X-Docker-Container-Path-Stat";
constexpr size_t kMaxUpload = size_t{1} << 30;  // a PUT body is held in memory

/// The container's root and the path asked for, or an error already answered.
std::unique_ptr<container::RootView> open_view(Manager* m, Exchange& ex, std::string* path) {
  auto p = ex.req().q("path");
  if (!p || p->empty()) {
    ex.respond_error(engine::base::invalid("missing path parameter"));
    return nullptr;
  }
  *path = *p;
  if ((*path)[0] != '/') *path = "/" + *path;  // relative to the container's root, as Docker takes it
  auto view = m->open_root(ex.req().params.at("id"));
  if (!view) {
    ex.respond_error(view.error());
    return nullptr;
  }
  return std::move(*view);
}

void handle_stat(Manager* m, Exchange& ex) {
  std::string path;
  auto view = open_view(m, ex, &path);
  if (!view) return;
  auto st = container::stat_in_root(view->root.get(), path);
  view.reset();  // a stopped container's mount is gone before the client hears back
  if (!st) return ex.respond_error(st.error());
  ex.respond(Response{200, "", {{kStatHeader, container::path_stat_header(*st)}}, ""});
}

void handle_get(Manager* m, Exchange& ex) {
  std::string path;
  auto view = open_view(m, ex, &path);
  if (!view) return;
  auto st = container::stat_in_root(view->root.get(), path);
  if (!st) return ex.respond_error(st.error());
  // Docker clients need the stat header with the tar, and Exchange streams carry no extra
  // headers: the tar is gathered first (bounded like an upload).
  std::string tar;
  auto sink = [&](std::string_view data) {
    tar.append(data);
    return tar.size() <= kMaxUpload;
  };
  auto done = container::tar_from_root(view->root.get(), path, sink);
  view.reset();
  if (!done) {
    if (tar.size() > kMaxUpload)
      return ex.respond_error(engine::base::invalid("archive of " + path + " is larger than 1 GiB"));
    return ex.respond_error(done.error());
  }
  ex.respond(Response{200, "application/x-tar", {{kStatHeader, container::path_stat_header(*st)}}, std::move(tar)});
}

void handle_put(Manager* m, Exchange& ex) {
  std::string path;
  auto view = open_view(m, ex, &path);
  if (!view) return;
  if (view->read_only)
    return ex.respond_error(engine::base::precondition("container rootfs is marked read-only"));
  bool no_overwrite = ex.req().q_bool("noOverwriteDirNonDir");
  bool chown = ex.req().q_bool("copyUIDGID");
  auto st = container::extract_into_root(view->root.get(), path, ex.req().body, no_overwrite, chown);
  view.reset();
  if (!st) return ex.respond_error(st.error());
  ex.respond_empty(200);
}

}  // namespace

void add_archive_routes(Router& r, Manager* m) {
  r.add({"HEAD", "/containers/{id}/archive", [m](Exchange& ex) { handle_stat(m, ex); }, true});
  r.add({"GET", "/containers/{id}/archive", [m](Exchange& ex) { handle_get(m, ex); }, true});
  r.add({"PUT", "/containers/{id}/archive", [m](Exchange& ex) { handle_put(m, ex); }, true, kMaxUpload});
}

}  // namespace engine::api
