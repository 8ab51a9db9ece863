// Secrets and configs as files (see file_refs.h).
#include "compose/plan/file_refs.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "engine/base/fs.h"

namespace compose::plan {

namespace fs = std::filesystem;

namespace {

engine::base::Result<int64_t> numeric_id(const std::string& v, const std::string& what) {
  if (v.empty()) return int64_t{-1};
  for (char c : v)
    if (c < '0' || c > '9') return engine::base::invalid(what + " \"" + v + "\" must be a number");
  return std::stoll(v);
}

/// The bytes a mount's file gets.
engine::base::Result<std::string> content_of(const FileMount& m, const EnvLookup& env) {
  if (m.content) return *m.content;
  if (!m.env_var.empty()) {
    auto v = env ? env(m.env_var) : std::nullopt;
    if (!v) return engine::base::invalid("environment variable " + m.env_var + " is not set");
    return *v;
  }
  return engine::base::read_file(m.file_source);
}

engine::base::Status write_one(const FileMount& m, const EnvLookup& env) {
  auto text = content_of(m, env);
  if (!text) return text.take_error();
  BERTH_TRY(engine::base::make_dirs(fs::path(m.host_path).parent_path().string(), 0700));
  BERTH_TRY(engine::base::write_file_atomic(m.host_path, *text, m.mode));
  if ((m.uid >= 0 || m.gid >= 0) &&
      ::chown(m.host_path.c_str(), static_cast<uid_t>(m.uid), static_cast<gid_t>(m.gid)) != 0)
    return engine::base::sys_error("chown " + m.host_path);
  return {};
}

}  // namespace

std::string project_files_dir(const std::string& base, const model::Project& p) {
  if (base.empty()) return "";
  return base + "/" + p.name;
}

engine::base::Result<std::vector<FileMount>> file_mounts(const model::Project& p, const model::Service& s,
                                                         const std::string& dir) {
  std::vector<FileMount> out;
  auto add = [&](const std::vector<model::FileRef>& refs, const std::map<std::string, model::Resource>& top,
                 const std::string& kind, const std::string& base) -> engine::base::Status {
    for (size_t i = 0; i < refs.size(); ++i) {
      const model::FileRef& f = refs[i];
      const std::string at = "service " + s.name + ": " + kind + " " + f.source + ": ";
      auto it = top.find(f.source);
      if (it == top.end() || it->second.external) continue;  // reported by the loader / unsupported_keys
      const model::Resource& r = it->second;
      FileMount m;
      m.kind = kind;
      m.source = f.source;
      m.target = f.target.empty() ? f.source : f.target;
      if (m.target.front() != '/') m.target = base + m.target;
      auto uid = numeric_id(f.uid, "uid");
      auto gid = numeric_id(f.gid, "gid");
      if (!uid) return uid.take_error().wrap(at.substr(0, at.size() - 2));
      if (!gid) return gid.take_error().wrap(at.substr(0, at.size() - 2));
      m.uid = *uid, m.gid = *gid;
      if (f.mode) m.mode = static_cast<uint32_t>(*f.mode);
      if (!r.file.empty()) {
        m.file_source = r.file;
      } else if (r.other.contains("environment") && r.other["environment"].is_string()) {
        m.env_var = r.other["environment"].get<std::string>();
      } else if (r.other.contains("content") && r.other["content"].is_string()) {
        m.content = r.other["content"].get<std::string>();
      } else {
        return engine::base::invalid(at + "no file, environment or content source");
      }
      m.written = m.file_source.empty() || f.mode || m.uid >= 0 || m.gid >= 0;
      if (!m.written) {
        m.host_path = m.file_source;
      } else {
        if (dir.empty()) return engine::base::invalid(at + "no directory to write it to");
        m.host_path = dir + "/" + kind + "/" + s.name + "/" + std::to_string(i) + "-" + f.source;
      }
      out.push_back(std::move(m));
    }
    return {};
  };
  BERTH_TRY(add(s.secrets, p.secrets, "secrets", "/run/secrets/"));
  BERTH_TRY(add(s.configs, p.configs, "configs", "/"));
  return out;
}

engine::base::Status write_file_mounts(const std::vector<FileMount>& mounts, const EnvLookup& env) {
  for (const FileMount& m : mounts) {
    if (!m.written) continue;
    if (auto st = write_one(m, env); !st.ok())
      return st.take_error().wrap(m.kind + " " + m.source);
  }
  return {};
}

}  // namespace compose::plan
