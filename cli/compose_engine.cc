// compose's EngineClient over the Docker Engine API (see compose_engine.h).
#include "cli/compose_engine.h"

#include "cli/build_context.h"
#include "cli/image_support.h"
#include "engine/base/time.h"

namespace cli {

namespace eb = engine::base;
using compose::plan::ContainerSummary;
using compose::plan::ResourceInfo;

namespace {

eb::Error http_error(const std::string& what, const HttpResponse& r) {
  eb::Code code = eb::Code::Internal;
  if (r.status == 404) code = eb::Code::NotFound;
  else if (r.status == 409) code = eb::Code::AlreadyExists;
  else if (r.status == 400) code = eb::Code::InvalidArgument;
  else if (r.status == 503) code = eb::Code::Unavailable;
  return eb::make_error(code, what + ": " + r.error_message());
}

std::string filters(const std::vector<std::string>& labels) {
  nlohmann::json f = nlohmann::json::object();
  for (const std::string& l : labels) f["label"][l] = true;
  return url_encode(f.dump());
}

std::map<std::string, std::string> string_map(const nlohmann::json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it->is_string()) out[it.key()] = it->get<std::string>();
  return out;
}

ResourceInfo resource(const nlohmann::json& j) {
  return ResourceInfo{j.value("Name", ""), j.value("Id", j.value("Name", "")), j.value("Driver", ""),
                      string_map(j.value("Labels", nlohmann::json::object()))};
}

/// "name:tag" -> (name, tag); a digest stays whole after '@'; no tag = latest.
std::pair<std::string, std::string> split_ref(const std::string& ref) {
  auto slash = ref.rfind('/');
  auto colon = ref.rfind(':');
  if (auto at = ref.find('@'); at != std::string::npos) return {ref.substr(0, at), ref.substr(at + 1)};
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return {ref.substr(0, colon), ref.substr(colon + 1)};
  return {ref, "latest"};
}

/// The text of a JSON message's "error" (a string, or the object's dump).
std::string message_of(const nlohmann::json& j) {
  const nlohmann::json& e = j["error"];
  return e.is_string() ? e.get<std::string>() : e.dump();
}

/// Splits a stream of newline-separated JSON messages and hands each object to `fn`.
class JsonLines {
 public:
  explicit JsonLines(std::function<void(const nlohmann::json&)> fn) : fn_(std::move(fn)) {}
  bool feed(std::string_view d) {
    partial_.append(d);
    size_t nl;
    while ((nl = partial_.find('\n')) != std::string::npos) {
      auto j = nlohmann::json::parse(partial_.substr(0, nl), nullptr, false);
      partial_.erase(0, nl + 1);
      if (j.is_object()) fn_(j);
    }
    return true;
  }

 private:
  std::function<void(const nlohmann::json&)> fn_;
  std::string partial_;
};

}  // namespace

bool StreamDemuxer::feed(std::string_view data) {
  buf_.append(data);
  if (mode_ < 0) {
    if (buf_.size() < 8) return true;
    auto b = reinterpret_cast<const unsigned char*>(buf_.data());
    mode_ = (b[0] <= 2 && b[1] == 0 && b[2] == 0 && b[3] == 0) ? 1 : 0;
  }
  if (mode_ == 0) {
    bool more = sink_(1, buf_);
    buf_.clear();
    return more;
  }
  while (buf_.size() >= 8) {
    auto b = reinterpret_cast<const unsigned char*>(buf_.data());
    size_t len = (size_t(b[4]) << 24) | (size_t(b[5]) << 16) | (size_t(b[6]) << 8) | size_t(b[7]);
    if (buf_.size() < 8 + len) break;
    int stream = b[0] == 2 ? 2 : 1;
    bool more = sink_(stream, std::string_view(buf_).substr(8, len));
    buf_.erase(0, 8 + len);
    if (!more) return false;
  }
  return true;
}

eb::Result<HttpResponse> ComposeEngine::call(const std::string& method, const std::string& path,
                                             const std::string& body) {
  auto r = api_.request(method, path, body);
  if (!r) return r.take_error();
  // 304: already started / already stopped, which is what compose wanted.
  if (!r->ok() && r->status != 304) return http_error(method + " " + path, *r);
  return r;
}

eb::Result<std::vector<ContainerSummary>> ComposeEngine::list_containers(const std::vector<std::string>& labels,
                                                                          bool all) {
  auto r = call("GET", std::string("/containers/json?all=") + (all ? "1" : "0") + "&filters=" + filters(labels));
  if (!r) return r.take_error();
  std::vector<ContainerSummary> out;
  for (const nlohmann::json& c : r->json()) {
    ContainerSummary s;
    s.id = c.value("Id", "");
    auto names = c.value("Names", nlohmann::json::array());
    if (!names.empty()) s.name = names[0].get<std::string>();
    if (!s.name.empty() && s.name[0] == '/') s.name.erase(0, 1);
    s.image = c.value("Image", "");
    s.image_id = c.value("ImageID", "");
    s.state = c.value("State", "");
    s.status = c.value("Status", "");
    s.command = c.value("Command", "");
    s.created = c.value("Created", int64_t{0});
    s.labels = string_map(c.value("Labels", nlohmann::json::object()));
    s.ports = c.value("Ports", nlohmann::json::array());
    out.push_back(std::move(s));
  }
  return out;
}

eb::Result<std::string> ComposeEngine::create_container(const std::string& name, const Json& body) {
  auto r = call("POST", "/containers/create?name=" + url_encode(name), body.dump());
  if (!r) return r.take_error().wrap("create " + name);
  return r->json().value("Id", "");
}

eb::Status ComposeEngine::start_container(const std::string& id) {
  auto r = call("POST", "/containers/" + url_encode(id) + "/start");
  if (!r) return r.take_error();
  return {};
}

eb::Status ComposeEngine::stop_container(const std::string& id, int timeout_s) {
  std::string q = timeout_s >= 0 ? "?t=" + std::to_string(timeout_s) : "";
  auto r = call("POST", "/containers/" + url_encode(id) + "/stop" + q);
  if (!r) return r.take_error();
  return {};
}

eb::Status ComposeEngine::restart_container(const std::string& id, int timeout_s) {
  std::string q = timeout_s >= 0 ? "?t=" + std::to_string(timeout_s) : "";
  auto r = call("POST", "/containers/" + url_encode(id) + "/restart" + q);
  if (!r) return r.take_error();
  return {};
}

eb::Status ComposeEngine::kill_container(const std::string& id, const std::string& signal) {
  auto r = call("POST", "/containers/" + url_encode(id) + "/kill?signal=" + url_encode(signal));
  if (!r) return r.take_error();
  return {};
}

eb::Status ComposeEngine::pause_container(const std::string& id) {
  auto r = call("POST", "/containers/" + url_encode(id) + "/pause");
  if (!r) return r.take_error();
  return {};
}

eb::Status ComposeEngine::unpause_container(const std::string& id) {
  auto r = call("POST", "/containers/" + url_encode(id) + "/unpause");
  if (!r) return r.take_error();
  return {};
}

eb::Status ComposeEngine::remove_container(const std::string& id, bool force, bool volumes) {
  auto r = call("DELETE", "/containers/" + url_encode(id) + "?force=" + (force ? "1" : "0") +
                              "&v=" + (volumes ? "1" : "0"));
  if (!r) return r.take_error();
  return {};
}

eb::Result<compose::plan::ContainerState> ComposeEngine::inspect_container(const std::string& id) {
  auto r = call("GET", "/containers/" + url_encode(id) + "/json");
  if (!r) return r.take_error();
  nlohmann::json j = r->json();
  compose::plan::ContainerState s;
  s.id = j.value("Id", "");
  s.name = j.value("Name", "");
  if (!s.name.empty() && s.name[0] == '/') s.name.erase(0, 1);
  const nlohmann::json st = j.value("State", nlohmann::json::object());
  s.status = st.value("Status", "");
  s.running = st.value("Running", false);
  s.exit_code = st.value("ExitCode", int64_t{0});
  s.oom_killed = st.value("OOMKilled", false);
  s.error = st.value("Error", "");
  if (st.contains("Health") && st["Health"].is_object()) s.health = st["Health"].value("Status", "");
  s.labels = string_map(j.value("Config", nlohmann::json::object()).value("Labels", nlohmann::json::object()));
  return s;
}

eb::Result<int64_t> ComposeEngine::wait_container(const std::string& id) {
  auto r = call("POST", "/containers/" + url_encode(id) + "/wait");
  if (!r) return r.take_error();
  nlohmann::json j = r->json();
  if (j.contains("Error") && j["Error"].is_object() && !j["Error"].value("Message", "").empty())
    return eb::internal("wait " + id + ": " + j["Error"].value("Message", ""));
  return j.value("StatusCode", int64_t{0});
}

eb::Result<bool> ComposeEngine::wait_container_event(const std::string& id, int64_t since_ns,
                                                    std::chrono::milliseconds timeout) {
  auto stamp = [](int64_t ns) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1000000000),
                  static_cast<long long>(ns % 1000000000));
    return std::string(buf);
  };
  int64_t until = eb::now_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  nlohmann::json f = {{"type", {{"container", true}}}, {"container", {{id, true}}}};
  bool seen = false;
  // since= replays what happened after the caller's last look, so no event falls in between.
  auto r = api_.stream("GET", "/events?since=" + stamp(since_ns) + "&until=" + stamp(until) +
                                  "&filters=" + url_encode(f.dump()), {},
                       [&](std::string_view) {
                         seen = true;
                         return false;
                       });
  if (!r) return r.take_error();
  if (!r->ok()) return http_error("events", *r);
  return seen;
}

eb::Status ComposeEngine::container_logs(const std::string& id, const compose::plan::LogOptions& o,
                                         const compose::plan::OutputSink& sink) {
  std::string path = "/containers/" + url_encode(id) + "/logs?stdout=1&stderr=1&follow=" + (o.follow ? "1" : "0") +
                     "&timestamps=" + (o.timestamps ? "1" : "0") + "&tail=" + url_encode(o.tail);
  if (!o.since.empty()) path += "&since=" + url_encode(o.since);
  StreamDemuxer demux(sink);
  auto r = api_.stream("GET", path, {}, [&](std::string_view d) { return demux.feed(d); });
  if (!r) return r.take_error();
  if (!r->ok()) return http_error("logs " + id, *r);
  return {};
}

eb::Result<int64_t> ComposeEngine::exec(const std::string& id, const compose::plan::ExecOptions& o,
                                        const compose::plan::OutputSink& sink) {
  Json body = {{"AttachStdout", true}, {"AttachStderr", true}, {"AttachStdin", false}, {"Tty", o.tty},
               {"Cmd", o.cmd}, {"Env", o.env}, {"Privileged", o.privileged}};
  if (!o.user.empty()) body["User"] = o.user;
  if (!o.working_dir.empty()) body["WorkingDir"] = o.working_dir;
  auto r = call("POST", "/containers/" + url_encode(id) + "/exec", body.dump());
  if (!r) return r.take_error();
  std::string exec_id = r->json().value("Id", "");
  StreamDemuxer demux(sink);
  auto s = api_.stream("POST", "/exec/" + exec_id + "/start", Json{{"Detach", false}, {"Tty", o.tty}}.dump(),
                       [&](std::string_view d) { return demux.feed(d); });
  if (!s) return s.take_error();
  if (!s->ok()) return http_error("exec start", *s);
  auto info = call("GET", "/exec/" + exec_id + "/json");
  if (!info) return info.take_error();
  nlohmann::json j = info->json();
  return j["ExitCode"].is_number() ? j["ExitCode"].get<int64_t>() : int64_t{0};
}

eb::Result<compose::plan::Json> ComposeEngine::top(const std::string& id) {
  auto r = call("GET", "/containers/" + url_encode(id) + "/top");
  if (!r) return r.take_error();
  return r->json();
}

eb::Result<std::vector<ResourceInfo>> ComposeEngine::list_networks(const std::vector<std::string>& labels) {
  auto r = call("GET", "/networks?filters=" + filters(labels));
  if (!r) return r.take_error();
  std::vector<ResourceInfo> out;
  for (const nlohmann::json& n : r->json()) out.push_back(resource(n));
  return out;
}

eb::Result<ResourceInfo> ComposeEngine::inspect_network(const std::string& name) {
  auto r = call("GET", "/networks/" + url_encode(name));
  if (!r) return r.take_error();
  return resource(r->json());
}

eb::Status ComposeEngine::create_network(const Json& body) {
  auto r = call("POST", "/networks/create", body.dump());
  if (!r) return r.take_error();
  return {};
}

eb::Status ComposeEngine::remove_network(const std::string& name) {
  auto r = call("DELETE", "/networks/" + url_encode(name));
  if (!r) return r.take_error();
  return {};
}

eb::Status ComposeEngine::connect_network(const std::string& network, const std::string& container, const Json& ep) {
  auto r = call("POST", "/networks/" + url_encode(network) + "/connect",
                Json{{"Container", container}, {"EndpointConfig", ep}}.dump());
  if (!r) return r.take_error();
  return {};
}

eb::Result<std::vector<ResourceInfo>> ComposeEngine::list_volumes(const std::vector<std::string>& labels) {
  auto r = call("GET", "/volumes?filters=" + filters(labels));
  if (!r) return r.take_error();
  std::vector<ResourceInfo> out;
  nlohmann::json j = r->json();
  for (const nlohmann::json& v : j.value("Volumes", nlohmann::json::array())) out.push_back(resource(v));
  return out;
}

eb::Result<ResourceInfo> ComposeEngine::inspect_volume(const std::string& name) {
  auto r = call("GET", "/volumes/" + url_encode(name));
  if (!r) return r.take_error();
  return resource(r->json());
}

eb::Status ComposeEngine::create_volume(const Json& body) {
  auto r = call("POST", "/volumes/create", body.dump());
  if (!r) return r.take_error();
  return {};
}

eb::Status ComposeEngine::remove_volume(const std::string& name) {
  auto r = call("DELETE", "/volumes/" + url_encode(name));
  if (!r) return r.take_error();
  return {};
}

eb::Result<std::string> ComposeEngine::image_id(const std::string& ref) {
  // Image references are path-safe as written (docker sends /images/library/busybox:1/json).
  auto r = call("GET", "/images/" + ref + "/json");
  if (!r) return r.take_error();
  return r->json().value("Id", "");
}

eb::Status ComposeEngine::pull_image(const std::string& ref) {
  auto [name, tag] = split_ref(ref);
  // The body is a stream of JSON progress messages; an {"error": ...} one means the pull failed.
  std::string error;
  JsonLines lines([&](const nlohmann::json& j) {
    if (j.contains("error")) error = message_of(j);
  });
  auto r = api_.stream("POST", "/images/create?fromImage=" + url_encode(name) + "&tag=" + url_encode(tag), {},
                       [&](std::string_view d) { return lines.feed(d); });
  if (!r) return r.take_error();
  if (!r->ok()) return http_error("pull " + ref, *r);
  if (!error.empty()) return eb::internal("pull " + ref + ": " + error);
  return {};
}

eb::Result<std::string> ComposeEngine::build_image(const compose::plan::BuildRequest& b,
                                                   const compose::plan::OutputSink& out) {
  std::string path = "/build?rm=1&dockerfile=" + url_encode(b.dockerfile);
  for (const std::string& t : b.tags) path += "&t=" + url_encode(t);
  if (!b.args.empty()) path += "&buildargs=" + url_encode(nlohmann::json(b.args).dump());
  if (!b.labels.empty()) path += "&labels=" + url_encode(nlohmann::json(b.labels).dump());
  if (!b.target.empty()) path += "&target=" + url_encode(b.target);
  if (b.no_cache) path += "&nocache=1";
  if (b.pull) path += "&pull=1";
  if (b.quiet) path += "&q=1";
  std::string body = build_context_tar(b.context);
  std::string id, error;
  JsonLines lines([&](const nlohmann::json& j) {
    if (j.contains("error")) error = message_of(j);
    else if (j.contains("stream") && j["stream"].is_string() && out) out(1, j["stream"].get<std::string>());
    else if (j.contains("aux") && j["aux"].is_object()) id = j["aux"].value("ID", id);
  });
  auto r = request_streamed(api_, "POST", path, {}, body, "application/x-tar",
                            [&](std::string_view d) { return lines.feed(d); });
  if (!r) return r.take_error();
  if (!r->ok()) return http_error("build " + b.tags.front(), *r);
  if (!error.empty()) return eb::internal(error);
  return id;
}

eb::Status ComposeEngine::push_image(const std::string& ref, const compose::plan::OutputSink& out) {
  auto [name, tag] = split_ref(ref);
  std::vector<std::pair<std::string, std::string>> headers;
  if (std::string auth = registry_auth_header(registry_of(ref)); !auth.empty())
    headers.push_back({"X-Registry-Auth", auth});
  std::string error;
  JsonLines lines([&](const nlohmann::json& j) {
    if (j.contains("error")) {
      error = message_of(j);
    } else if (j.contains("status") && j["status"].is_string() && out) {
      std::string line = j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() + ": " : "";
      out(1, line + j["status"].get<std::string>() + "\n");
    }
  });
  auto r = request_streamed(api_, "POST", "/images/" + name + "/push?tag=" + url_encode(tag), headers, "",
                            "application/json", [&](std::string_view d) { return lines.feed(d); });
  if (!r) return r.take_error();
  if (!r->ok()) return http_error("push " + ref, *r);
  if (!error.empty()) return eb::internal(error);
  return {};
}

eb::Status ComposeEngine::remove_image(const std::string& ref) {
  auto r = call("DELETE", "/images/" + ref);
  if (!r) return r.take_error();
  return {};
}

}  // namespace cli
