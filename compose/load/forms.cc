#include "compose/load/forms.h"

#include <cctype>

#include "compose/load/paths.h"
#include "compose/model/units.h"
#include "engine/base/strings.h"

namespace compose::load {
namespace {

using engine::base::split;

/// Parses "80" or "8000-8010" into [lo, hi]; reports bad numbers and ranges.
bool port_range(const std::string& s, long& lo, long& hi, std::string& err) {
  auto num = [&](const std::string& t, long& out) {
    if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos) {
      err = "invalid port \"" + t + "\"";
      return false;
    }
    out = std::stol(t);
    if (out < 0 || out > 65535) {
      err = "port " + t + " is out of range";
      return false;
    }
    return true;
  };
  size_t dash = s.find('-');
  if (dash == std::string::npos) {
    if (!num(s, lo)) return false;
    hi = lo;
    return true;
  }
  if (!num(s.substr(0, dash), lo) || !num(s.substr(dash + 1), hi)) return false;
  if (hi < lo) {
    err = "invalid port range \"" + s + "\"";
    return false;
  }
  return true;
}

Node port_entry(long target, const std::string& published, const std::string& proto, const std::string& ip,
                const Mark& m) {
  Node p = Node::map(m);
  p.set("mode", Node::str("ingress", m));
  if (!ip.empty()) p.set("host_ip", Node::str(ip, m));
  p.set("target", Node::plain(std::to_string(target), m));
  if (!published.empty()) p.set("published", Node::str(published, m));
  p.set("protocol", Node::str(proto, m));
  return p;
}

}  // namespace

std::string scalar_string(const Node& n) {
  if (n.is_null()) return "";
  if (n.is_scalar()) return n.text;
  return to_json(n).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<Node> port_long(const Node& n, const std::string& path, Diagnostics& diags) {
  std::vector<Node> out;
  if (n.is_map()) {
    Node p = n;
    const Node* t = n.find("target");
    long lo = 0, hi = 0;
    std::string err;
    if (!t || !t->is_scalar() || !port_range(t->text, lo, hi, err) || lo != hi) {
      diags.add(t ? t->mark : n.mark, path + ".target", err.empty() ? "target must be a port number" : err);
      return out;
    }
    p.set("target", Node::plain(std::to_string(lo), t->mark));
    if (const Node* pub = n.find("published"); pub && pub->is_scalar()) {
      if (!port_range(pub->text, lo, hi, err)) diags.add(pub->mark, path + ".published", err);
      p.set("published", Node::str(pub->text, pub->mark));
    } else if (pub) {
      p.erase("published");
    }
    if (!p.find("protocol")) p.set("protocol", Node::str("tcp", n.mark));
    if (!p.find("mode")) p.set("mode", Node::str("ingress", n.mark));
    out.push_back(std::move(p));
    return out;
  }
  if (!n.is_scalar()) {
    diags.add(n.mark, path, "port must be a string, a number or a mapping");
    return out;
  }
  std::string s = n.text, proto = "tcp", ip, host;
  if (size_t slash = s.rfind('/'); slash != std::string::npos) {
    proto = s.substr(slash + 1);
    s = s.substr(0, slash);
    if (proto != "tcp" && proto != "udp" && proto != "sctp") {
      diags.add(n.mark, path, "invalid protocol \"" + proto + "\"");
      return out;
    }
  }
  std::string container = s;
  if (size_t c = s.rfind(':'); c != std::string::npos) {
    container = s.substr(c + 1);
    std::string rest = s.substr(0, c);
    size_t c2 = rest.rfind(':');
    if (!rest.empty() && rest[0] == '[') {  // [ipv6]:host
      size_t close = rest.find(']');
      if (close == std::string::npos) {
        diags.add(n.mark, path, "invalid IPv6 address in \"" + n.text + "\"");
        return out;
      }
      ip = rest.substr(1, close - 1);
      host = close + 1 < rest.size() && rest[close + 1] == ':' ? rest.substr(close + 2) : "";
    } else if (c2 != std::string::npos) {
      ip = rest.substr(0, c2);
      host = rest.substr(c2 + 1);
    } else {
      host = rest;
    }
  }
  long clo, chi, hlo = 0, hhi = 0;
  std::string err;
  if (!port_range(container, clo, chi, err) || (!host.empty() && !port_range(host, hlo, hhi, err))) {
    diags.add(n.mark, path, err);
    return out;
  }
  if (clo == 0) {
    diags.add(n.mark, path, "port 0 is out of range");
    return out;
  }
  long count = chi - clo + 1;
  if (host.empty()) {
    for (long p = clo; p <= chi; ++p) out.push_back(port_entry(p, "", proto, ip, n.mark));
  } else if (count == 1) {
    out.push_back(port_entry(clo, host, proto, ip, n.mark));
  } else if (hhi - hlo + 1 == count) {
    for (long i = 0; i < count; ++i) out.push_back(port_entry(clo + i, std::to_string(hlo + i), proto, ip, n.mark));
  } else {
    diags.add(n.mark, path, "port ranges \"" + host + "\" and \"" + container + "\" have different lengths");
  }
  return out;
}

Node volume_long(const Node& n, const std::string& path, const std::string& base, const std::string& home,
                 bool resolve, Diagnostics& diags) {
  auto is_path = [](const std::string& s) {
    return !s.empty() && (s[0] == '.' || s[0] == '/' || s[0] == '~');
  };
  if (n.is_map()) {
    Node v = n;
    const Node* type = n.find("type");
    const Node* src = n.find("source");
    if (type && type->text == "bind" && src && src->is_scalar() && resolve)
      v.set("source", Node::str(absolute_path(base, src->text, home), src->mark));
    if (Node* t = v.find("tmpfs"); t && t->find("size")) t->set("size", bytes_node(*t->find("size"), path + ".tmpfs.size", diags));
    if (!type) diags.add(n.mark, path, "type is required in long volume syntax");
    return v;
  }
  if (!n.is_scalar() || n.text.empty()) {
    diags.add(n.mark, path, "volume must be a string or a mapping");
    return n;
  }
  std::vector<std::string> parts = split(n.text, ':');
  Node v = Node::map(n.mark);
  if (parts.size() == 1) {
    v.set("type", Node::str("volume", n.mark));
    v.set("target", Node::str(parts[0], n.mark));
    v.set("volume", Node::map(n.mark));
    return v;
  }
  if (parts.size() > 3 || parts[1].empty() || parts[0].empty()) {
    diags.add(n.mark, path, "invalid volume specification \"" + n.text + "\"");
    return n;
  }
  std::string src = parts[0], target = parts[1], mode = parts.size() == 3 ? parts[2] : "";
  bool bind = is_path(src);
  v.set("type", Node::str(bind ? "bind" : "volume", n.mark));
  v.set("source", Node::str(bind && resolve ? absolute_path(base, src, home) : src, n.mark));
  v.set("target", Node::str(target, n.mark));
  Node bind_opts = Node::map(n.mark), vol_opts = Node::map(n.mark);
  for (const std::string& opt : split(mode, ',')) {
    if (opt.empty() || opt == "rw") continue;
    if (opt == "ro") v.set("read_only", Node::plain("true", n.mark));
    else if (opt == "z" || opt == "Z") bind_opts.set("selinux", Node::str(opt, n.mark));
    else if (opt == "nocopy") vol_opts.set("nocopy", Node::plain("true", n.mark));
    else if (opt == "shared" || opt == "rshared" || opt == "slave" || opt == "rslave" || opt == "private" ||
             opt == "rprivate")
      bind_opts.set("propagation", Node::str(opt, n.mark));
    else if (opt == "consistent" || opt == "cached" || opt == "delegated") continue;
    else diags.add(n.mark, path, "invalid volume mode \"" + opt + "\"");
  }
  if (bind) {
    bind_opts.set("create_host_path", Node::plain("true", n.mark));
    v.set("bind", std::move(bind_opts));
  } else {
    v.set("volume", std::move(vol_opts));
  }
  return v;
}

bool shell_split(const std::string& s, std::vector<std::string>& out) {
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) out.push_back(cur), cur.clear(), in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < s.size()) {
      cur += s[++i];
    } else if (c == '\'') {
      size_t e = s.find('\'', i + 1);
      if (e == std::string::npos) return false;
      cur += s.substr(i + 1, e - i - 1);
      i = e;
    } else if (c == '"') {
      size_t k = i + 1;
      for (; k < s.size() && s[k] != '"'; ++k) {
        if (s[k] == '\\' && k + 1 < s.size() && std::string("\"\\$`").find(s[k + 1]) != std::string::npos) ++k;
        cur += s[k];
      }
      if (k >= s.size()) return false;
      i = k;
    } else {
      cur += c;
    }
  }
  if (in_word) out.push_back(cur);
  return true;
}

Node duration_node(const Node& n, const std::string& path, Diagnostics& diags) {
  if (!n.is_scalar()) return n;
  auto d = model::parse_duration(n.text);
  if (!d) {
    diags.add(n.mark, path, "invalid duration \"" + n.text + "\"");
    return n;
  }
  return Node::str(model::format_duration(*d), n.mark);
}

Node bytes_node(const Node& n, const std::string& path, Diagnostics& diags) {
  if (!n.is_scalar()) return n;
  if (n.style == Style::Plain && n.text == "-1") return n;  // the number -1: unlimited (memswap_limit)
  auto b = model::parse_bytes(n.text);
  if (!b) {
    diags.add(n.mark, path, "invalid size \"" + n.text + "\"");
    return n;
  }
  return Node::plain(std::to_string(*b), n.mark);
}

Node string_map(const Node& n, const std::string& path, Diagnostics& diags, char sep) {
  Node m = Node::map(n.mark);
  if (n.is_map()) {
    for (const Entry& e : n.entries) {
      if (e.value.is_null()) m.entries.push_back(Entry{e.key, e.key_mark, Node::null(e.value.mark)});
      else if (!e.value.is_scalar()) diags.add(e.value.mark, path + "." + e.key, "must be a string, number or boolean");
      else m.entries.push_back(Entry{e.key, e.key_mark, Node::str(e.value.text, e.value.mark)});
    }
    return m;
  }
  if (!n.is_seq()) {
    if (!n.is_null()) diags.add(n.mark, path, "must be a mapping or a list");
    return m;
  }
  for (size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = n.items[i];
    if (!item.is_scalar()) {
      diags.add(item.mark, path + "[" + std::to_string(i) + "]", "must be a string");
      continue;
    }
    size_t p = item.text.find(sep);
    if (p == std::string::npos) m.set(item.text, Node::null(item.mark));
    else m.set(item.text.substr(0, p), Node::str(item.text.substr(p + 1), item.mark));
  }
  return m;
}

}  // namespace compose::load
