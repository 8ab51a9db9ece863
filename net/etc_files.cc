#include "net/etc_files.h"

#include "engine/base/strings.h"

namespace net {

namespace b = engine::base;

std::string render_hosts(const engine::HostsSpec& spec) {
  std::string out =
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "ff00::0\tip6-mcastprefix\n"
      "ff02::1\tip6-allnodes\n"
      "ff02::2\tip6-allrouters\n";
  for (const auto& [name, ip] : spec.extra_hosts) {
    if (ip == "host-gateway" && spec.host_gateway.empty()) continue;  // nothing to point at
    out += (ip == "host-gateway" ? spec.host_gateway : ip) + "\t" + name + "\n";
  }
  if (!spec.hostname.empty()) {
    std::string names = spec.domainname.empty() ? spec.hostname
                                                : spec.hostname + "." + spec.domainname + " " + spec.hostname;
    for (const auto& a : spec.addresses) out += a + "\t" + names + "\n";
  }
  return out;
}

ResolvConf parse_resolv_conf(std::string_view text) {
  ResolvConf rc;
  for (const auto& raw : b::split(text, '\n')) {
    std::string_view line = b::trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    std::vector<std::string> words;
    for (const auto& w : b::split(line, ' '))
      for (const auto& t : b::split(w, '\t'))
        if (!t.empty()) words.push_back(t);
    if (words.size() < 2) continue;
    if (words[0] == "nameserver") {
      rc.nameservers.push_back(words[1]);
    } else if (words[0] == "search" || words[0] == "domain") {
      rc.search.assign(words.begin() + 1, words.end());
    } else if (words[0] == "options") {
      rc.options.insert(rc.options.end(), words.begin() + 1, words.end());
    }
  }
  return rc;
}

std::string render_resolv_conf(const engine::ResolvSpec& spec, const std::string& embedded_dns,
                               std::string_view host_resolv_conf) {
  ResolvConf host = parse_resolv_conf(host_resolv_conf);
  std::vector<std::string> servers;
  if (!spec.dns.empty()) {
    servers = spec.dns;
  } else if (!embedded_dns.empty()) {
    servers = {embedded_dns};
  } else {
    for (const auto& s : host.nameservers)
      if (!b::starts_with(s, "127.") && s != "::1") servers.push_back(s);
    if (servers.empty()) servers = {"8.8.8.8", "8.8.4.4"};
  }
  const auto& search = spec.dns_search.empty() ? host.search : spec.dns_search;
  const auto& options = spec.dns_options.empty() ? host.options : spec.dns_options;
  std::string out;
  for (const auto& s : servers) out += "nameserver " + s + "\n";
  if (!search.empty()) out += "search " + b::join(search, " ") + "\n";
  if (!options.empty()) out += "options " + b::join(options, " ") + "\n";
  return out;
}

}  // namespace net
