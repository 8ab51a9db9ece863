#include "net/state.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/base/fs.h"
#include "engine/base/log.h"
#include "engine/network_json.h"

namespace net {

namespace b = engine::base;
using nlohmann::json;

namespace {

json to_json(const NetworkRecord& r) {
  const auto& s = r.info.spec;
  json eps = json::object();
  for (const auto& [cid, e] : r.endpoints)
    eps[cid] = {{"info", json(e.info)}, {"netns_path", e.netns_path}, {"host_veth", e.host_veth},
                {"default_route", e.default_route}};
  json draining = json::array();
  for (const auto& d : r.draining)
    draining.push_back({{"container_id", d.container_id}, {"host_veth", d.host_veth}, {"ipv4", d.ipv4},
                        {"ifindex", d.ifindex}});
  return {{"id", s.id}, {"name", s.name}, {"driver", s.driver}, {"subnet", s.subnet}, {"gateway", s.gateway},
          {"ip_range", s.ip_range}, {"internal", s.internal}, {"enable_ipv6", s.enable_ipv6},
          {"attachable", s.attachable}, {"labels", s.labels}, {"options", s.options},
          {"bridge", r.info.bridge}, {"created_ns", r.info.created_ns}, {"ipam_cursor", r.ipam_cursor},
          {"endpoints", eps}, {"draining", draining}};
}

NetworkRecord network_from(const json& j) {
  NetworkRecord r;
  auto& s = r.info.spec;
  s.id = j.value("id", "");
  s.name = j.value("name", "");
  s.driver = j.value("driver", "bridge");
  s.subnet = j.value("subnet", "");
  s.gateway = j.value("gateway", "");
  s.ip_range = j.value("ip_range", "");
  s.internal = j.value("internal", false);
  s.enable_ipv6 = j.value("enable_ipv6", false);
  s.attachable = j.value("attachable", false);
  s.labels = j.value("labels", std::map<std::string, std::string>{});
  s.options = j.value("options", std::map<std::string, std::string>{});
  r.info.bridge = j.value("bridge", "");
  r.info.created_ns = j.value("created_ns", int64_t(0));
  r.ipam_cursor = j.value("ipam_cursor", uint32_t(0));
  const json eps = j.value("endpoints", json::object());
  for (const auto& [cid, e] : eps.items()) {
    EndpointRecord er;
    er.info = e.value("info", json::object()).get<engine::EndpointInfo>();
    er.netns_path = e.value("netns_path", "");
    er.host_veth = e.value("host_veth", "");
    er.default_route = e.value("default_route", true);
    r.endpoints[cid] = std::move(er);
  }
  for (const auto& d : j.value("draining", json::array())) {
    DrainingLink dl;
    dl.container_id = d.value("container_id", "");
    dl.host_veth = d.value("host_veth", "");
    dl.ipv4 = d.value("ipv4", "");
    dl.ifindex = d.value("ifindex", 0);
    r.draining.push_back(std::move(dl));
  }
  return r;
}

/// Atomic replace without fsync: a daemon crash (the case reconcile handles) cannot lose a
/// rename that returned, and after a host crash every endpoint is dead anyway, so the
/// fsync (milliseconds per attach) buys nothing here.
b::Status write_state(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return b::sys_error("write " + tmp);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    if (w < 0) {
      int e = errno;
      ::close(fd);
      return b::sys_error("write " + tmp, e);
    }
    off += size_t(w);
  }
  if (::close(fd) != 0) return b::sys_error("write " + tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return b::sys_error("rename " + tmp);
  return {};
}

std::vector<std::string> json_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& ent : std::filesystem::directory_iterator(dir, ec))
    if (ent.path().extension() == ".json") out.push_back(ent.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::map<std::string, NetworkRecord> load_networks(const std::string& dir) {
  std::map<std::string, NetworkRecord> out;
  for (const auto& f : json_files(dir + "/networks")) {
    auto text = b::read_file(f);
    if (!text) continue;
    json j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      b::log_warn("load network state " + f + ": not valid JSON, skipped");
      continue;
    }
    NetworkRecord r = network_from(j);
    if (!r.info.spec.id.empty()) out[r.info.spec.id] = std::move(r);
  }
  return out;
}

b::Status save_network(const std::string& dir, const NetworkRecord& rec) {
  BERTH_TRY(b::make_dirs(dir + "/networks", 0700));
  return write_state(dir + "/networks/" + rec.info.spec.id + ".json", to_json(rec).dump(1));
}

b::Status delete_network_file(const std::string& dir, const std::string& id) {
  std::string p = dir + "/networks/" + id + ".json";
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) return b::sys_error("remove " + p);
  return {};
}

std::map<std::string, std::vector<PortRecord>> load_ports(const std::string& dir) {
  std::map<std::string, std::vector<PortRecord>> out;
  for (const auto& f : json_files(dir + "/ports")) {
    auto text = b::read_file(f);
    if (!text) continue;
    json j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    std::string cid = j.value("container_id", "");
    const json ports = j.value("ports", json::array());
    for (const auto& p : ports) {
      PortRecord r;
      r.container_ip = p.value("container_ip", "");
      r.binding.host_ip = p.value("host_ip", "");
      r.binding.host_port = p.value("host_port", 0);
      r.binding.container_port = p.value("container_port", 0);
      r.binding.proto = p.value("proto", "tcp");
      out[cid].push_back(r);
    }
  }
  return out;
}

b::Status save_ports(const std::string& dir, const std::string& container_id, const std::vector<PortRecord>& ports) {
  std::string path = dir + "/ports/" + container_id + ".json";
  if (ports.empty()) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return b::sys_error("remove " + path);
    return {};
  }
  json arr = json::array();
  for (const auto& p : ports)
    arr.push_back({{"container_ip", p.container_ip}, {"host_ip", p.binding.host_ip},
                   {"host_port", p.binding.host_port}, {"container_port", p.binding.container_port},
                   {"proto", p.binding.proto}});
  BERTH_TRY(b::make_dirs(dir + "/ports", 0700));
  return write_state(path, json{{"container_id", container_id}, {"ports", arr}}.dump(1));
}

}  // namespace net
