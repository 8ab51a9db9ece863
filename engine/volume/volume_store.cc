#include "engine/volume/volume_store.h"

#include <sys/stat.h>

#include <filesystem>

#include "engine/base/fs.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"

namespace engine::volume {

using namespace engine::base;
namespace fs = std::filesystem;

bool valid_volume_name(const std::string& name) {
  if (name.size() < 2) return false;
  auto ok = [](char c, bool first) {
    return std::isalnum(static_cast<unsigned char>(c)) || (!first && (c == '_' || c == '.' || c == '-'));
  };
  for (size_t i = 0; i < name.size(); ++i)
    if (!ok(name[i], i == 0)) return false;
  return true;
}

nlohmann::json Volume::to_json() const {
  nlohmann::json l = nlohmann::json::object(), o = nlohmann::json::object();
  for (const auto& [k, v] : labels) l[k] = v;
  for (const auto& [k, v] : options) o[k] = v;
  std::string created = format_rfc3339_nano(created_ns);
  // Docker prints seconds precision with a zone: 2026-11-28T06:30:00Z.
  created = created.substr(0, 19) + "Z";
  return {{"Name", name},     {"Driver", driver}, {"Mountpoint", mountpoint}, {"CreatedAt", created},
          {"Labels", l},      {"Scope", "local"}, {"Options", options.empty() ? nlohmann::json(nullptr) : o}};
}

static nlohmann::json to_record(const Volume& v) {
  return {{"name", v.name},     {"driver", v.driver},   {"mountpoint", v.mountpoint}, {"created_ns", v.created_ns},
          {"labels", v.labels}, {"options", v.options}, {"anonymous", v.anonymous}};
}

static Volume from_record(const nlohmann::json& j) {
  Volume v;
  v.name = j.value("name", "");
  v.driver = j.value("driver", "local");
  v.mountpoint = j.value("mountpoint", "");
  v.created_ns = j.value("created_ns", int64_t(0));
  v.labels = j.value("labels", std::map<std::string, std::string>{});
  v.options = j.value("options", std::map<std::string, std::string>{});
  v.anonymous = j.value("anonymous", false);
  return v;
}

Result<std::unique_ptr<VolumeStore>> VolumeStore::open(const std::string& root) {
  std::string dir = root + "/volumes";
  BERTH_TRY(make_dirs(dir, 0701));
  std::unique_ptr<VolumeStore> s(new VolumeStore(dir));
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_directory()) continue;
    auto rec = read_file(e.path().string() + "/volume.json");
    if (!rec) continue;  // a half-made volume (crash during create): ignored, removed below
    auto j = nlohmann::json::parse(*rec, nullptr, false);
    if (j.is_discarded()) continue;
    Volume v = from_record(j);
    s->volumes_[v.name] = v;
  }
  // Directories without metadata were never handed out: remove them.
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory() && !s->volumes_.count(e.path().filename().string())) (void)remove_all(e.path().string());
  }
  return s;
}

Result<Volume> VolumeStore::create(const std::string& name_in, const std::string& driver,
                                   const std::map<std::string, std::string>& labels,
                                   const std::map<std::string, std::string>& options) {
  std::string name = name_in.empty() ? random_hex(64) : name_in;
  if (!valid_volume_name(name))
    return invalid("create " + name + ": \"" + name +
                   "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
                   "allowed. If you intended to pass a host directory, use absolute path");
  if (!driver.empty() && driver != "local")
    return invalid("create " + name + ": volume driver \"" + driver + "\" is not supported (only \"local\")");
  std::lock_guard lock(mu_);
  if (auto it = volumes_.find(name); it != volumes_.end()) return it->second;

  Volume v;
  v.name = name;
  v.labels = labels;
  v.options = options;
  v.anonymous = name_in.empty();
  v.created_ns = now_ns();
  std::string vdir = dir_ + "/" + name;
  v.mountpoint = vdir + "/_data";
  if (!options.empty()) {
    // The local driver's bind form: type=none, o=bind, device=/host/path.
    auto get = [&](const char* k) {
      auto it = options.find(k);
      return it == options.end() ? std::string() : it->second;
    };
    std::string o = get("o");
    bool bind = get("type") == "none" && (o == "bind" || o.find("bind") != std::string::npos);
    for (const auto& [k, _] : options)
      if (k != "type" && k != "o" && k != "device")
        return invalid("create " + name + ": invalid option \"" + k + "\" for the local driver");
    if (!bind)
      return invalid("create " + name + ": local driver options type=" + get("type") + " o=" + o +
                     " are not supported yet (only type=none, o=bind, device=PATH)");
    std::string device = get("device");
    struct stat st {};
    if (device.empty() || device[0] != '/' || ::stat(device.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return invalid("create " + name + ": bind device \"" + device + "\" must be an existing absolute directory");
    v.mountpoint = device;
  }
  BERTH_TRY(make_dirs(vdir + "/_data", 0755));
  if (auto st = write_file_atomic(vdir + "/volume.json", to_record(v).dump(), 0600); !st) {
    (void)remove_all(vdir);
    return st.take_error().wrap("create " + name);
  }
  volumes_[name] = v;
  return v;
}

Result<Volume> VolumeStore::get(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = volumes_.find(name);
  if (it == volumes_.end()) return not_found("get " + name + ": no such volume");
  return it->second;
}

std::vector<Volume> VolumeStore::list() const {
  std::lock_guard lock(mu_);
  std::vector<Volume> out;
  for (const auto& [_, v] : volumes_) out.push_back(v);
  return out;
}

Status VolumeStore::remove_locked(const std::string& name) {
  BERTH_TRY(remove_all(dir_ + "/" + name));
  volumes_.erase(name);
  return {};
}

Status VolumeStore::remove(const std::string& name, bool force, const InUseFn& in_use) {
  std::lock_guard lock(mu_);
  if (!volumes_.count(name)) {
    if (force) return {};
    return not_found("get " + name + ": no such volume");
  }
  auto users = in_use ? in_use(name) : std::vector<std::string>{};
  if (!users.empty())
    return precondition("remove " + name + ": volume is in use - [" + join(users, ", ") + "]");
  return remove_locked(name);
}

uint64_t VolumeStore::size(const std::string& name) const {
  auto v = get(name);
  if (!v) return 0;
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(v->mountpoint, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += it->file_size(ec);
  }
  return total;
}

PruneResult VolumeStore::prune(const std::function<bool(const Volume&)>& select, const InUseFn& in_use) {
  PruneResult r;
  for (const Volume& v : list()) {
    if (select && !select(v)) continue;
    if (in_use && !in_use(v.name).empty()) continue;
    uint64_t bytes = v.mountpoint == dir_ + "/" + v.name + "/_data" ? size(v.name) : 0;
    std::lock_guard lock(mu_);
    if (remove_locked(v.name).ok()) {
      r.deleted.push_back(v.name);
      r.reclaimed += bytes;
    }
  }
  return r;
}

}  // namespace engine::volume
