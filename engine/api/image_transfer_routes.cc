// /images: load, save, create (pull), push and /auth, with Docker's streamed JSON progress.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "engine/api/image_routes.h"
#include "engine/base/log.h"
#include "engine/base/strings.h"
#include "engine/base/unique_fd.h"
#include "engine/image/manifest.h"
#include "engine/image/reference.h"
#include "engine/image/registry/auth.h"

namespace engine::api {

using namespace engine::base;
using engine::image::ProgressEvent;

bool JsonMessageStream::send(const nlohmann::json& message) {
  if (done_ || gone_) return false;
  if (!started_) {
    started_ = true;
    if (!ex_.begin_stream(200, "application/json")) gone_ = true;
  }
  if (!gone_ && !ex_.write_chunk(message.dump() + "\r\n")) gone_ = true;
  return !gone_;
}

void JsonMessageStream::fail(const Error& e) {
  if (done_) return;
  if (!started_) {
    done_ = true;
    return ex_.respond_error(e);
  }
  std::string m = e.str();
  send({{"errorDetail", {{"message", m}}}, {"error", m}});
  finish();
}

void JsonMessageStream::finish() {
  if (done_) return;
  if (!started_) {
    started_ = true;
    if (!ex_.begin_stream(200, "application/json")) gone_ = true;
  }
  done_ = true;
  ex_.end_stream();
}

namespace {

/// units.HumanSize: four significant digits, decimal units.
std::string human_size4(double n) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (n >= 1000 && u < 5) {
    n /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%s", n, units[u]);
  return buf;
}

std::string familiar(const std::string& ref) {
  auto r = engine::image::parse_reference(ref);
  return r ? r->familiar_str() : ref;
}

/// fromImage + tag as one reference ("busybox" + "1.36", or + "sha256:..." as a digest).
std::string pull_reference(const std::string& image, const std::string& tag) {
  if (tag.empty()) return image;
  return image + (starts_with(tag, "sha256:") ? "@" : ":") + tag;
}

void handle_pull(Exchange& ex, const ImageDeps& d) {
  std::string ref = pull_reference(ex.req().q("fromImage").value_or(""), ex.req().q("tag").value_or(""));
  engine::image::PullOptions opts;
  if (auto p = ex.req().q("platform"); p && !p->empty()) opts.platform = *p;
  opts.auth = decode_registry_auth(ex.req().header("x-registry-auth"));
  JsonMessageStream out(ex);
  // "Pulling from" is held back until the manifest was found, so a missing image is a 404.
  std::optional<nlohmann::json> held;
  auto img = d.images->pull(ref, opts, [&](const ProgressEvent& e) {
    nlohmann::json m = progress_message(e);
    if (!out.started() && !held && starts_with(e.status, "Pulling from ")) {
      held = std::move(m);
      return;
    }
    if (held) out.send(*std::exchange(held, std::nullopt));
    out.send(m);
  });
  if (!img) return out.fail(img.error());
  if (held) out.send(*held);
  // A single-arch image of another platform is kept, with docker's warning (moby#42325).
  if (auto want = engine::image::parse_platform(opts.platform); !opts.platform.empty() && want) {
    const auto& c = img->config;
    engine::image::Platform have{c.os, c.architecture, c.variant};
    if (want->os != have.os || want->architecture != have.architecture ||
        (!want->variant.empty() && want->variant != have.variant))
      out.send({{"status", "WARNING: image with reference " + familiar(ref) +
                               " was found but does not match the specified platform: wanted " + want->str() +
                               ", actual: " + have.str()}});
  }
  emit_image_event(d, "pull", familiar(ref), familiar(ref));
  out.finish();
}

void add_create(Router& r, const ImageDeps& d) {
  Route route{"POST", "/images/create",
              [d](Exchange& ex) {
                if (ex.req().q("fromImage")) return handle_pull(ex, d);
                auto src = ex.req().q("fromSrc");
                if (!src) return ex.respond_error(invalid("images/create: fromImage or fromSrc is required"));
                if (*src != "-")
                  return ex.respond_error(invalid("import from a URL (fromSrc=" + *src +
                                                  ") is not supported: send the tarball as the request body "
                                                  "with fromSrc=-"));
                handle_image_import(ex, d);
              },
              true, kMaxArchiveBody};
  r.add(std::move(route));
}

void add_load(Router& r, const ImageDeps& d) {
  Route route{"POST", "/images/load",
              [d](Exchange& ex) {
                bool quiet = ex.req().q_bool("quiet");
                auto fd = body_to_memfd(ex.req().body, "load");
                if (!fd) return ex.respond_error(fd.error());
                JsonMessageStream out(ex);
                auto images = d.images->load(fd->get(), [&](const ProgressEvent& e) {
                  if (!quiet) out.send(progress_message(e));
                });
                if (!images) return out.fail(images.error());
                for (const auto& img : *images) {
                  if (img.repo_tags.empty()) {
                    out.send({{"stream", "Loaded image ID: " + img.id.str() + "\n"}});
                    emit_image_event(d, "load", img.id.str(), img.id.str());
                  }
                  for (const auto& t : img.repo_tags) {
                    out.send({{"stream", "Loaded image: " + t + "\n"}});
                    emit_image_event(d, "load", img.id.str(), t);
                  }
                }
                out.finish();
              },
              true, kMaxArchiveBody};
  r.add(std::move(route));
}

/// Streams docker save's tar for refs: save() writes into a pipe from its own thread.
void stream_save(Exchange& ex, const ImageDeps& d, const std::vector<std::string>& refs) {
  if (refs.empty()) return ex.respond_error(invalid("save: no image names given"));
  for (const auto& ref : refs)
    if (auto img = d.images->resolve(ref); !img) return ex.respond_error(img.error());
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ex.respond_error(sys_error("save: pipe"));
  UniqueFd rd(p[0]);
  auto wr = std::make_shared<UniqueFd>(p[1]);
  Status result;
  std::thread writer([&, wr] {
    result = d.images->save(refs, wr->get());
    wr->reset();
  });
  bool started = false, gone = false;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(rd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (!started) {
      started = true;
      gone = !ex.begin_stream(200, "application/x-tar");
    }
    if (gone || !ex.write_chunk(std::string_view(buf, size_t(n)))) {
      gone = true;
      break;
    }
  }
  rd.reset();  // a writer still running gets EPIPE and stops
  writer.join();
  if (!started) {
    if (!result) return ex.respond_error(result.error());
    ex.begin_stream(200, "application/x-tar");
  } else if (!result && !gone) {
    log_error("api: save " + join(refs, " ") + ": " + result.error().str());
  }
  for (const auto& ref : refs) emit_image_event(d, "save", ref, ref);
  ex.end_stream();
}

void add_save(Router& r, const ImageDeps& d) {
  r.add({"GET", "/images/get",
         [d](Exchange& ex) {
           std::vector<std::string> refs;
           auto range = ex.req().query.equal_range("names");
           for (auto it = range.first; it != range.second; ++it)
             for (const auto& n : split(it->second, ','))
               if (!n.empty()) refs.push_back(n);
           stream_save(ex, d, refs);
         },
         true});
  r.add({"GET", "/images/{name*}/get",
         [d](Exchange& ex) { stream_save(ex, d, {decode_path_param(ex.req().params.at("name"))}); }, true});
}

/// "latest: digest: sha256:... size: 527" -> the aux message docker push clients read.
std::optional<nlohmann::json> push_aux(const std::string& status) {
  size_t dpos = status.find(": digest: ");
  size_t spos = status.find(" size: ");
  if (dpos == std::string::npos || spos == std::string::npos || spos < dpos) return std::nullopt;
  return nlohmann::json{{"progressDetail", nlohmann::json::object()},
                        {"aux",
                         {{"Tag", status.substr(0, dpos)},
                          {"Digest", status.substr(dpos + 10, spos - dpos - 10)},
                          {"Size", std::atoll(status.c_str() + spos + 7)}}}};
}

void handle_push(Exchange& ex, const ImageDeps& d) {
  std::string name = decode_path_param(ex.req().params.at("name"));
  std::string tag = ex.req().q("tag").value_or("");
  std::vector<std::string> refs;
  if (!tag.empty()) {
    refs.push_back(name + ":" + tag);
  } else if (auto r = engine::image::parse_reference_no_default(name); r && (!r->tag.empty() || r->digest)) {
    refs.push_back(name);
  } else {
    // No tag: every local tag of the repository, as `docker push --all-tags`.
    auto images = d.images->list();
    if (!images) return ex.respond_error(images.error());
    std::string repo = r ? r->familiar_name() : name;
    for (const auto& img : *images)
      for (const auto& t : img.repo_tags)
        if (t.substr(0, t.rfind(':')) == repo) refs.push_back(t);
    std::sort(refs.begin(), refs.end());
    if (refs.empty()) return ex.respond_error(not_found("An image does not exist locally with the tag: " + repo));
  }
  engine::image::PushOptions opts;
  opts.auth = decode_registry_auth(ex.req().header("x-registry-auth"));
  JsonMessageStream out(ex);
  for (const auto& ref : refs) {
    auto st = d.images->push(ref, opts, [&](const ProgressEvent& e) {
      out.send(progress_message(e));
      if (e.id.empty())
        if (auto aux = push_aux(e.status)) out.send(*aux);
    });
    if (!st) return out.fail(st.error());
    emit_image_event(d, "push", familiar(ref), familiar(ref));
  }
  out.finish();
}

void add_auth(Router& r, const ImageDeps& d) {
  r.post("/auth", [d](Exchange& ex) {
    auto body = ex.req().json();
    if (!body) return ex.respond_error(body.error());
    if (!body->is_object()) return ex.respond_error(invalid("auth: body must be a JSON object"));
    auto str = [&](const char* k) {
      auto it = body->find(k);
      return it != body->end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    engine::image::AuthConfig auth{str("username"), str("password"), str("identitytoken")};
    std::string server = str("serveraddress");
    if (server.empty()) server = "https://index.docker.io/v1/";
    auto st = d.images->login(server, auth, false);
    if (!st) {
      // A registry refusing the credentials is 401, as dockerd answers.
      if (st.error().code == Code::FailedPrecondition) {
        Response resp = error_response(st.error());
        resp.status = 401;
        return ex.respond(std::move(resp));
      }
      return ex.respond_error(st.error());
    }
    ex.respond_json({{"Status", "Login Succeeded"}, {"IdentityToken", ""}});
  });
}

}  // namespace

std::string progress_bar(uint64_t current, uint64_t total) {
  if (current == 0 && total == 0) return "";
  if (total == 0) {
    std::string c = human_size4(double(current));
    return std::string(c.size() < 8 ? 8 - c.size() : 0, ' ') + c;
  }
  int pct = int(double(current) / double(total) * 100) / 2;
  if (pct > 50) pct = 50;
  std::string bar = "[" + std::string(size_t(pct), '=') + ">" + std::string(size_t(50 - pct), ' ') + "] ";
  std::string c = human_size4(double(current));
  std::string numbers = std::string(c.size() < 8 ? 8 - c.size() : 0, ' ') + c;
  if (current <= total) numbers += "/" + human_size4(double(total));
  return bar + numbers;
}

nlohmann::json progress_message(const ProgressEvent& e) {
  nlohmann::json j = {{"status", e.status}};
  if (!e.id.empty()) j["id"] = e.id;
  bool layer = !e.id.empty() && !starts_with(e.status, "Pulling from ");
  if (layer) {
    // Only transfers in progress carry numbers; final words ("Pushed", "Pull complete") do not.
    bool moving = e.status == "Downloading" || e.status == "Extracting" || e.status == "Pushing" ||
                  e.status == "Loading layer";
    nlohmann::json detail = nlohmann::json::object();
    if (moving && e.current) detail["current"] = e.current;
    if (moving && e.total) detail["total"] = e.total;
    j["progressDetail"] = detail;
    if (std::string bar = moving ? progress_bar(e.current, e.total) : ""; !bar.empty()) j["progress"] = bar;
  }
  return j;
}

Result<UniqueFd> body_to_memfd(std::string& body, const char* what) {
  UniqueFd fd(::memfd_create(what, MFD_CLOEXEC));
  if (!fd) return sys_error(std::string(what) + ": memfd_create");
  for (size_t off = 0; off < body.size();) {
    ssize_t n = ::write(fd.get(), body.data() + off, body.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(std::string(what) + ": write request body");
    off += size_t(n);
  }
  std::string().swap(body);
  if (::lseek(fd.get(), 0, SEEK_SET) < 0) return sys_error(std::string(what) + ": seek");
  return fd;
}

std::optional<engine::image::AuthConfig> decode_registry_auth(const std::string& header) {
  std::string h(trim(header));
  if (h.empty()) return std::nullopt;
  for (char& c : h) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (h.size() % 4) h += '=';
  auto text = engine::image::registry::base64_decode(h);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto str = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  engine::image::AuthConfig a{str("username"), str("password"), str("identitytoken")};
  if (a.username.empty() && !str("auth").empty()) {
    if (auto up = engine::image::registry::base64_decode(str("auth"))) {
      size_t colon = up->find(':');
      a.username = up->substr(0, colon);
      if (colon != std::string::npos) a.password = up->substr(colon + 1);
    }
  }
  if (a.username.empty() && a.password.empty() && a.identity_token.empty()) return std::nullopt;
  return a;
}

void add_image_transfer_routes(Router& r, const ImageDeps& d) {
  add_create(r, d);
  add_load(r, d);
  add_save(r, d);
  r.add({"POST", "/images/{name*}/push", [d](Exchange& ex) { handle_push(ex, d); }, true});
  add_auth(r, d);
}

}  // namespace engine::api
