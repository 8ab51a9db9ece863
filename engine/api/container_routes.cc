#include "engine/api/container_routes.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "engine/api/archive_routes.h"
#include "engine/api/filters.h"
#include "engine/api/stream_relay.h"
#include "engine/api/system_routes.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"
#include "engine/runtime/log_file.h"

namespace engine::api {

using namespace engine::base;
using engine::container::Container;
using engine::container::Manager;
using nlohmann::json;

std::string mux_frame(int stream, std::string_view payload) {
  std::string f(8, '\0');
  f[0] = static_cast<char>(stream);
  uint32_t n = static_cast<uint32_t>(payload.size());
  f[4] = static_cast<char>(n >> 24);
  f[5] = static_cast<char>(n >> 16);
  f[6] = static_cast<char>(n >> 8);
  f[7] = static_cast<char>(n);
  f.append(payload);
  return f;
}

namespace {

const std::string& id_param(Exchange& ex) { return ex.req().params.at("id"); }

bool list_match(const Filters& f, const Container& c) {
  if (f.has("id")) {
    bool any = false;
    for (const auto& v : f.values("id"))
      if (starts_with(c.id, v)) any = true;
    if (!any) return false;
  }
  if (f.has("name")) {
    bool any = false;
    for (const auto& v : f.values("name")) {
      std::string want = starts_with(v, "/") ? v.substr(1) : v;
      if (c.name.find(want) != std::string::npos) any = true;
    }
    if (!any) return false;
  }
  if (!f.match_exact("status", c.state.status)) return false;
  if (!f.match_labels(c.labels())) return false;
  if (f.has("exited") && (c.state.status != "exited" || !f.match_exact("exited", std::to_string(c.state.exit_code))))
    return false;
  if (f.has("ancestor") && !f.match_exact("ancestor", c.image) && !f.match_exact("ancestor", c.image_id)) return false;
  if (f.has("network")) {
    bool any = false;
    for (const auto& [name, n] : c.networks)
      if (f.match_exact("network", name) || f.match_exact("network", n.network_id)) any = true;
    if (!any) return false;
  }
  if (f.has("volume")) {
    bool any = false;
    for (const auto& m : c.mounts)
      if (f.match_exact("volume", m.name) || f.match_exact("volume", m.destination)) any = true;
    if (!any) return false;
  }
  if (f.has("health")) {
    std::string h = c.state.health.status.empty() ? "none" : c.state.health.status;
    if (!f.match_exact("health", h)) return false;
  }
  return true;
}

std::optional<int> opt_int(Exchange& ex, const char* key) {
  auto v = ex.req().q(key);
  if (!v || v->empty()) return std::nullopt;
  return std::atoi(v->c_str());
}

void handle_logs(Manager* m, Exchange& ex) {
  auto c = m->get(id_param(ex));
  if (!c) return ex.respond_error(c.error());
  const Request& rq = ex.req();
  bool out = rq.q_bool("stdout"), err = rq.q_bool("stderr");
  if (!out && !err) return ex.respond_error(invalid("Bad parameters: you must choose at least one stream"));
  if (c->host_config.value("LogConfig", json::object()).value("Type", "json-file") == "none")
    return ex.respond_error(invalid("configured logging driver does not support reading"));
  bool follow = rq.q_bool("follow"), timestamps = rq.q_bool("timestamps");
  runtime::LogReadOptions opts;
  opts.stdout_stream = out;
  opts.stderr_stream = err;
  std::string tail = rq.q("tail").value_or("all");
  opts.tail = tail == "all" || tail.empty() ? -1 : std::atoi(tail.c_str());
  if (auto since = rq.q("since"); since && !since->empty() && *since != "0")
    opts.since_ns = static_cast<int64_t>(std::strtold(since->c_str(), nullptr) * 1e9L);
  if (auto until = rq.q("until"); until && !until->empty() && *until != "0")
    opts.until_ns = static_cast<int64_t>(std::strtold(until->c_str(), nullptr) * 1e9L);
  bool tty = c->config.value("Tty", false);
  auto entries = runtime::read_log(c->log_path, opts);
  if (!entries) return ex.respond_error(entries.error());
  auto render = [&](const runtime::LogEntry& e) {
    std::string line = timestamps ? format_rfc3339_nano(e.time_ns) + " " + e.line : e.line;
    return tty ? line : mux_frame(e.stream == "stderr" ? 2 : 1, line);
  };
  if (!ex.begin_stream(200, tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"))
    return;
  for (const auto& e : *entries)
    if (!ex.write_chunk(render(e))) return;
  if (follow) {
    runtime::LogFollower follower(c->log_path);
    for (;;) {
      auto more = follower.next(300);
      if (more) {
        for (const auto& e : *more) {
          if ((e.stream == "stdout" && !out) || (e.stream == "stderr" && !err)) continue;
          if (opts.until_ns && e.time_ns > opts.until_ns) return ex.end_stream();
          if (!ex.write_chunk(render(e))) return;
        }
      }
      if (ex.client_gone()) return;
      auto now = m->get(c->id);
      if (!now || (!now->is_running() && now->state.status != "restarting")) {
        // Drain what the exit left behind, then end as Docker does when the container stops.
        if (auto last = follower.next(50); last)
          for (const auto& e : *last)
            if ((e.stream == "stdout" && out) || (e.stream == "stderr" && err)) ex.write_chunk(render(e));
        break;
      }
    }
  }
  ex.end_stream();
}

void handle_attach(Manager* m, Exchange& ex) {
  auto c = m->get(id_param(ex));
  if (!c) return ex.respond_error(c.error());
  bool want_stdin = ex.req().q_bool("stdin");
  bool upgrade = !ex.req().header("upgrade").empty();
  bool tty = c->config.value("Tty", false);
  std::string pending;
  int client = -1;
  // The 101 goes out only once the attach is counted: the client starts the container on it.
  auto hijack = [&] {
    client = ex.hijack(upgrade, tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream",
                       &pending);
    return client >= 0;
  };
  // A client without stdin half-closes its side at once (docker does): only a full close cancels.
  auto stream = m->attach(c->id, hijack, [&client] {
    pollfd p{client, 0, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
  });
  if (client < 0) {
    if (!stream) ex.respond_error(stream.error());
    return;
  }
  if (stream) {
    int stdin_fd = want_stdin && stream->stdin_fd ? stream->stdin_fd.release() : -1;
    // Docker's StdinOnce: the end of the attached client's stdin is the end of the container's.
    std::function<void()> on_stdin_closed;
    if (c->config.value("StdinOnce", false)) {
      std::string cid = c->id;
      on_stdin_closed = [m, cid] { (void)m->close_stdin(cid); };
    }
    relay_attach(client, stream->conn.get(), stdin_fd, tty, pending, on_stdin_closed);
  }
  ::shutdown(client, SHUT_RDWR);
  ::close(client);
}

void handle_exec_start(Manager* m, Exchange& ex) {
  const std::string& id = id_param(ex);
  auto body = ex.req().json();
  if (!body) return ex.respond_error(body.error());
  json b = body->is_object() ? *body : json::object();
  bool detach = b.value("Detach", false);
  auto info = m->exec_inspect(id);
  if (!info) return ex.respond_error(info.error());
  auto proc = m->exec_start(id);
  if (!proc) return ex.respond_error(proc.error());
  bool tty = proc->tty;
  if (detach) {
    std::string xid = id;
    auto owned = std::make_shared<runtime::ExecProcess>(std::move(*proc));
    std::thread([m, xid, owned] { m->exec_finish(xid, *owned); }).detach();
    return ex.respond_empty(200);
  }
  bool upgrade = !ex.req().header("upgrade").empty();
  std::string pending;
  int client = ex.hijack(upgrade, tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream",
                         &pending);
  bool want_stdin = (*info)["OpenStdin"].get<bool>();
  int stdin_fd = want_stdin && proc->stdin_fd ? proc->stdin_fd.release() : -1;
  if (client >= 0) {
    relay_exec(client, proc->stdout_fd.get(), tty ? -1 : proc->stderr_fd.get(), stdin_fd, tty, pending);
  } else if (stdin_fd >= 0) {
    ::close(stdin_fd);
  }
  m->exec_finish(id, *proc);
  if (client >= 0) {
    ::shutdown(client, SHUT_RDWR);
    ::close(client);
  }
}

}  // namespace

void add_container_routes(Router& r, Manager* m) {
  r.get("/containers/json", [m](Exchange& ex) {
    auto f = Filters::parse(ex.req().q("filters").value_or(""),
                            {"id", "name", "label", "status", "exited", "ancestor", "network", "volume", "health",
                             "before", "since", "is-task", "publish", "expose"});
    if (!f) return ex.respond_error(f.error());
    bool all = ex.req().q_bool("all");
    auto limit = ex.req().q_int("limit", -1);
    if (!limit) return ex.respond_error(limit.error());
    json out = json::array();
    for (const Container& c : m->list()) {
      if (!all && !c.is_running() && c.state.status != "restarting" && !f->has("status") && !f->has("exited")) continue;
      if (!list_match(*f, c)) continue;
      if (*limit > 0 && static_cast<long long>(out.size()) >= *limit) break;
      out.push_back(container::summary_json(c));
    }
    ex.respond_json(out);
  });

  Route create{"POST", "/containers/create", [m](Exchange& ex) {
                 auto body = ex.req().json();
                 if (!body) return ex.respond_error(body.error());
                 auto id = m->create(*body, ex.req().q("name").value_or(""));
                 if (!id) return ex.respond_error(id.error());
                 ex.respond_json({{"Id", *id}, {"Warnings", json::array()}}, 201);
               }};
  r.add(create);

  r.get("/containers/{id}/json", [m](Exchange& ex) {
    auto c = m->get(id_param(ex));
    if (!c) return ex.respond_error(c.error());
    ex.respond_json(container::inspect_json(*c));
  });

  // Starting can take a while (networking, runtime): its own thread.
  r.add({"POST", "/containers/{id}/start",
         [m](Exchange& ex) {
           auto c = m->get(id_param(ex));
           if (!c) return ex.respond_error(c.error());
           if (c->is_running()) return ex.respond_empty(304);
           auto st = m->start(id_param(ex));
           if (!st) return ex.respond_error(st.error());
           ex.respond_empty(204);
         },
         true});
  r.add({"POST", "/containers/{id}/stop",
         [m](Exchange& ex) {
           auto st = m->stop(id_param(ex), opt_int(ex, "t"), ex.req().q("signal").value_or(""));
           if (!st) {
             if (st.error().message == "container already stopped") return ex.respond_empty(304);
             return ex.respond_error(st.error());
           }
           ex.respond_empty(204);
         },
         true});
  r.add({"POST", "/containers/{id}/restart",
         [m](Exchange& ex) {
           auto st = m->restart(id_param(ex), opt_int(ex, "t"));
           if (!st) return ex.respond_error(st.error());
           ex.respond_empty(204);
         },
         true});
  r.post("/containers/{id}/kill", [m](Exchange& ex) {
    auto st = m->kill(id_param(ex), ex.req().q("signal").value_or(""));
    if (!st) return ex.respond_error(st.error());
    ex.respond_empty(204);
  });
  r.post("/containers/{id}/pause", [m](Exchange& ex) {
    auto st = m->pause(id_param(ex));
    if (!st) return ex.respond_error(st.error());
    ex.respond_empty(204);
  });
  r.post("/containers/{id}/unpause", [m](Exchange& ex) {
    auto st = m->unpause(id_param(ex));
    if (!st) return ex.respond_error(st.error());
    ex.respond_empty(204);
  });
  r.add({"POST", "/containers/{id}/wait",
         [m](Exchange& ex) {
           std::string cond = ex.req().q("condition").value_or("not-running");
           container::WaitCondition wc;
           if (cond == "not-running" || cond.empty()) wc = container::WaitCondition::NotRunning;
           else if (cond == "next-exit") wc = container::WaitCondition::NextExit;
           else if (cond == "removed") wc = container::WaitCondition::Removed;
           else return ex.respond_error(invalid("invalid condition: \"" + cond + "\""));
           auto c = m->get(id_param(ex));
           if (!c) return ex.respond_error(c.error());
           // Headers now (clients start the container after seeing them), the result at the exit.
           if (!ex.begin_stream(200, "application/json")) return;
           auto r = m->wait(c->id, wc, [&ex] { return ex.client_gone(); });
           json out;
           if (r) out = {{"StatusCode", r->first}, {"Error", r->second.empty() ? json(nullptr) : json{{"Message", r->second}}}};
           else out = {{"StatusCode", -1}, {"Error", {{"Message", r.error().str()}}}};
           ex.write_chunk(out.dump() + "\n");
           ex.end_stream();
         },
         true});
  r.add({"DELETE", "/containers/{id}",
         [m](Exchange& ex) {
           auto st = m->remove(id_param(ex), ex.req().q_bool("force"), ex.req().q_bool("v"));
           if (!st) return ex.respond_error(st.error());
           ex.respond_empty(204);
         },
         true});
  r.post("/containers/{id}/rename", [m](Exchange& ex) {
    auto st = m->rename(id_param(ex), ex.req().q("name").value_or(""));
    if (!st) return ex.respond_error(st.error());
    ex.respond_empty(204);
  });
  r.get("/containers/{id}/top", [m](Exchange& ex) {
    auto t = m->top(id_param(ex));
    if (!t) return ex.respond_error(t.error());
    ex.respond_json(*t);
  });
  r.add({"GET", "/containers/{id}/stats",
         [m](Exchange& ex) {
           bool stream = ex.req().q_bool("stream", true) && !ex.req().q_bool("one-shot");
           auto first = m->stats(id_param(ex));
           if (!first) return ex.respond_error(first.error());
           if (!stream) return ex.respond_json(*first);
           if (!ex.begin_stream(200, "application/json")) return;
           json prev = *first;
           ex.write_chunk(prev.dump() + "\n");
           for (;;) {
             std::this_thread::sleep_for(std::chrono::seconds(1));
             if (ex.client_gone()) break;
             auto s = m->stats(id_param(ex));
             if (!s) break;
             (*s)["precpu_stats"] = prev["cpu_stats"];
             (*s)["preread"] = prev["read"];
             if (!ex.write_chunk(s->dump() + "\n")) break;
             prev = *s;
           }
           ex.end_stream();
         },
         true});
  r.add({"GET", "/containers/{id}/logs", [m](Exchange& ex) { handle_logs(m, ex); }, true});
  r.add({"POST", "/containers/{id}/attach", [m](Exchange& ex) { handle_attach(m, ex); }, true});
  r.post("/containers/{id}/resize", [m](Exchange& ex) {
    auto h = ex.req().q_int("h", 0), w = ex.req().q_int("w", 0);
    if (!h || !w) return ex.respond_error(invalid("invalid resize parameters"));
    auto st = m->resize(id_param(ex), static_cast<unsigned>(*h), static_cast<unsigned>(*w));
    if (!st) return ex.respond_error(st.error());
    ex.respond_empty(200);
  });
  r.post("/containers/{id}/update", [m](Exchange& ex) {
    auto body = ex.req().json();
    if (!body) return ex.respond_error(body.error());
    auto warnings = m->update(id_param(ex), body->is_null() ? json::object() : *body);
    if (!warnings) return ex.respond_error(warnings.error());
    ex.respond_json({{"Warnings", *warnings}});
  });
  // Removing and measuring writable layers takes a while: its own thread.
  r.add({"POST", "/containers/prune", [m](Exchange& ex) {
    auto f = Filters::parse(ex.req().q("filters").value_or(""), {"label", "label!", "until"});
    if (!f) return ex.respond_error(f.error());
    Filters filters = *f;
    // Writable layers are measured before they go (SpaceReclaimed).
    std::map<std::string, uint64_t> sizes;
    for (const Container& c : m->list())
      if (!c.is_running()) sizes[c.id] = m->size_rw(c.id);
    auto removed = m->prune([&](const Container& c) { return filters.match_labels(c.labels()); });
    uint64_t reclaimed = 0;
    for (const auto& id : removed) reclaimed += sizes[id];
    ex.respond_json({{"ContainersDeleted", removed.empty() ? json(nullptr) : json(removed)}, {"SpaceReclaimed", reclaimed}});
  }, true});

  add_archive_routes(r, m);
  add_system_df_route(r, m);

  // exec
  r.post("/containers/{id}/exec", [m](Exchange& ex) {
    auto body = ex.req().json();
    if (!body) return ex.respond_error(body.error());
    auto id = m->exec_create(id_param(ex), *body);
    if (!id) return ex.respond_error(id.error());
    ex.respond_json({{"Id", *id}}, 201);
  });
  r.add({"POST", "/exec/{id}/start", [m](Exchange& ex) { handle_exec_start(m, ex); }, true});
  r.get("/exec/{id}/json", [m](Exchange& ex) {
    auto j = m->exec_inspect(id_param(ex));
    if (!j) return ex.respond_error(j.error());
    ex.respond_json(*j);
  });
  r.post("/exec/{id}/resize", [m](Exchange& ex) {
    auto h = ex.req().q_int("h", 0), w = ex.req().q_int("w", 0);
    if (!h || !w) return ex.respond_error(invalid("invalid resize parameters"));
    auto st = m->exec_resize(id_param(ex), static_cast<unsigned>(*h), static_cast<unsigned>(*w));
    if (!st) return ex.respond_error(st.error());
    ex.respond_empty(200);
  });
}

}  // namespace engine::api
