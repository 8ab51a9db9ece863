#include "engine/build/image_config.h"

#include <algorithm>

namespace engine::build {
namespace {

base::Error keyword_error(const Instruction& ins, const std::string& msg) {
  return base::invalid("Dockerfile:" + std::to_string(ins.line) + ": " + ins.keyword + ": " + msg);
}

void set_env(image::ContainerConfig& c, const std::string& k, const std::string& v) {
  std::string prefix = k + "=";
  for (auto& e : c.env)
    if (e.starts_with(prefix)) {
      e = prefix + v;
      return;
    }
  c.env.push_back(prefix + v);
}

void add_sorted_unique(std::vector<std::string>& list, const std::string& v) {
  if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
  std::sort(list.begin(), list.end());
}

}  // namespace

std::optional<std::string> lookup_var(const StageState& st, const std::string& name) {
  std::string prefix = name + "=";
  for (const auto& e : st.config.env)
    if (e.starts_with(prefix)) return e.substr(prefix.size());
  if (auto it = st.args.find(name); it != st.args.end()) return it->second;
  return std::nullopt;
}

bool is_metadata(const Instruction& ins) {
  return ins.keyword != "RUN" && ins.keyword != "COPY" && ins.keyword != "ADD" && ins.keyword != "FROM";
}

base::Result<int64_t> parse_duration_ns(std::string_view s) {
  if (s.empty()) return base::invalid("empty duration");
  int64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
    if (j == i) return base::invalid("bad duration: " + std::string(s));
    double n = std::stod(std::string(s.substr(i, j - i)));
    size_t k = j;
    while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
    std::string unit(s.substr(j, k - j));
    double mult = 0;
    if (unit == "ns") mult = 1;
    else if (unit == "us") mult = 1e3;
    else if (unit == "ms") mult = 1e6;
    else if (unit == "s") mult = 1e9;
    else if (unit == "m") mult = 60e9;
    else if (unit == "h") mult = 3600e9;
    else return base::invalid("bad duration: " + std::string(s));
    total += static_cast<int64_t>(n * mult);
    i = k;
  }
  return total;
}

std::vector<std::string> command_of(const Instruction& ins, const StageState& st) {
  if (ins.exec_form) return ins.argv;
  std::vector<std::string> argv = st.shell;
  argv.push_back(ins.args);
  return argv;
}

base::Result<void> apply_metadata(const Instruction& ins, StageState& st,
                                  const std::map<std::string, std::string>& build_args) {
  auto look = [&](const std::string& n) { return lookup_var(st, n); };
  const std::string& kw = ins.keyword;
  auto& c = st.config;
  if (kw == "ARG") {
    auto words = split_words(ins.args);
    if (words.size() != 1) return keyword_error(ins, "requires exactly one argument");
    std::string name = words[0], def;
    bool has_def = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      def = expand_vars(name.substr(eq + 1), look);
      name = name.substr(0, eq);
      has_def = true;
    }
    if (auto it = build_args.find(name); it != build_args.end()) st.args[name] = it->second;
    else if (has_def) st.args[name] = def;
    else if (!st.args.count(name)) st.args[name] = "";
    return {};
  }
  if (kw == "ENV" || kw == "LABEL") {
    auto kvs = parse_key_values(ins.args, kw == "ENV");
    if (!kvs) return keyword_error(ins, kvs.error().message);
    for (auto& [k, v] : *kvs) {
      std::string val = expand_vars(v, look);
      if (kw == "ENV") set_env(c, k, val);
      else c.labels[k] = val;
    }
    return {};
  }
  if (kw == "MAINTAINER") return {};
  std::string text = expand_vars(ins.args, look);
  if (kw == "WORKDIR") {
    if (text.empty()) return keyword_error(ins, "requires a path");
    if (text.starts_with("/")) c.working_dir = text;
    else c.working_dir = (c.working_dir.empty() ? std::string("/") : c.working_dir + "/") + text;
    return {};
  }
  if (kw == "USER") {
    if (text.empty()) return keyword_error(ins, "requires a user");
    c.user = text;
    return {};
  }
  if (kw == "STOPSIGNAL") {
    c.stop_signal = text;
    return {};
  }
  if (kw == "CMD" || kw == "ENTRYPOINT") {
    auto argv = command_of(ins, st);
    if (kw == "CMD") {
      c.cmd = argv;
    } else {
      c.entrypoint = argv;
      c.cmd.reset();  // docker resets CMD inherited from the base when ENTRYPOINT is set
    }
    return {};
  }
  if (kw == "SHELL") {
    if (!ins.exec_form || ins.argv.empty()) return keyword_error(ins, "requires a JSON array");
    st.shell = ins.argv;
    return {};
  }
  if (kw == "EXPOSE") {
    for (auto p : split_words(text)) {
      if (p.find('/') == std::string::npos) p += "/tcp";
      add_sorted_unique(c.exposed_ports, p);
    }
    return {};
  }
  if (kw == "VOLUME") {
    std::vector<std::string> vols = ins.exec_form ? ins.argv : split_words(text);
    for (const auto& v : vols) add_sorted_unique(c.volumes, v);
    return {};
  }
  if (kw == "HEALTHCHECK") {
    auto words = split_words(ins.args);
    if (!words.empty() && (words[0] == "NONE" || words[0] == "none")) {
      c.healthcheck = image::HealthConfig{{"NONE"}, 0, 0, 0, 0};
      return {};
    }
    if (!ins.args.starts_with("CMD") && !ins.args.starts_with("cmd")) return keyword_error(ins, "expected CMD or NONE");
    Instruction inner = ins;
    inner.args = std::string(ins.args.substr(3));
    while (!inner.args.empty() && inner.args.front() == ' ') inner.args.erase(0, 1);
    image::HealthConfig h;
    if (inner.args.starts_with("[")) {
      auto parsed = parse_dockerfile("FROM scratch\nCMD " + inner.args);
      if (!parsed || !parsed->stages[0].instructions[0].exec_form) return keyword_error(ins, "bad JSON array");
      h.test = {"CMD"};
      for (auto& a : parsed->stages[0].instructions[0].argv) h.test.push_back(a);
    } else {
      h.test = {"CMD-SHELL", inner.args};
    }
    for (const auto& f : ins.flags) {
      auto eq = f.find('=');
      if (eq == std::string::npos) return keyword_error(ins, "bad flag " + f);
      std::string name = f.substr(2, eq - 2), val = f.substr(eq + 1);
      if (name == "retries") {
        h.retries = std::atoi(val.c_str());
        continue;
      }
      auto d = parse_duration_ns(val);
      if (!d) return keyword_error(ins, d.error().message);
      if (name == "interval") h.interval_ns = *d;
      else if (name == "timeout") h.timeout_ns = *d;
      else if (name == "start-period") h.start_period_ns = *d;
      else return keyword_error(ins, "unknown flag --" + name);
    }
    c.healthcheck = h;
    return {};
  }
  return keyword_error(ins, "not a metadata instruction");
}

}  // namespace engine::build
