#include "engine/build/builder.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/base/scope_exit.h"
#include "engine/build/diff_tar.h"
#include "engine/build/dockerfile.h"
#include "engine/build/image_config.h"
#include "engine/image/digest.h"
#include "engine/image/reference.h"

namespace engine::build {
namespace fs = std::filesystem;
namespace {

base::Error at(const Instruction& ins, const std::string& msg) {
  return base::invalid("Dockerfile:" + std::to_string(ins.line) + ": " + msg);
}

/// The step cache: key -> image config JSON after the step.
class StepCache {
 public:
  explicit StepCache(std::string path) : path_(std::move(path)) {
    std::ifstream in(path_);
    if (!in) return;
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object())
      for (auto& [k, v] : j.items())
        if (v.is_string()) entries_[k] = v.get<std::string>();
  }
  const std::string* find(const std::string& key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }
  void put(const std::string& key, const std::string& config) { entries_[key] = config; }
  base::Result<void> save() const {
    nlohmann::json j(entries_);
    std::string tmp = path_ + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << j.dump();
      if (!out) return base::internal("write " + tmp);
    }
    if (::rename(tmp.c_str(), path_.c_str()) != 0) return base::sys_error("rename " + tmp);
    return {};
  }

 private:
  std::string path_;
  std::map<std::string, std::string> entries_;
};

/// Creates a layer from a directory; returns its diff ID.
base::Result<image::Digest> layer_from_dir(image::ImageService& images, const std::string& dir) {
  int raw = ::memfd_create("berth-build-layer", MFD_CLOEXEC);
  if (raw < 0) return base::sys_error("memfd_create");
  base::UniqueFd fd(raw);
  if (auto r = write_diff_tar(dir, fd.get()); !r) return r.take_error();
  if (::lseek(fd.get(), 0, SEEK_SET) != 0) return base::sys_error("seek layer tar");
  auto info = images.layers().create(fd.get(), std::nullopt, std::nullopt);
  if (!info) return info.take_error();
  return info->diff_id;
}

/// Gives every entry under dir (and dir) a fixed mtime, so equal content tars equally
/// (copies get the copy time as mtime, which would defeat the COPY cache).
void settle_dir_times(const std::string& dir) {
  const struct timespec times[2] = {{0, 0}, {0, 0}};
  std::error_code ec;
  std::vector<std::string> dirs{dir};
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); ++it)
    dirs.push_back(it->path().string());
  for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) ::utimensat(AT_FDCWD, d->c_str(), times, AT_SYMLINK_NOFOLLOW);
}

std::string remove_dir(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  return ec ? ec.message() : "";
}

/// Stages COPY sources from the context into staging/<dest>.
base::Result<void> stage_copy(const Instruction& ins, const std::vector<std::string>& words,
                              const std::string& context, const std::string& workdir, const std::string& staging) {
  if (words.size() < 2) return at(ins, ins.keyword + " requires at least two arguments");
  std::string dest = words.back();
  if (!dest.starts_with("/")) dest = (workdir.empty() ? std::string("/") : workdir + "/") + dest;
  std::vector<std::string> sources;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    std::string pattern = context + "/" + words[i];
    glob_t g{};
    int rc = ::glob(pattern.c_str(), 0, nullptr, &g);
    if (rc != 0 || g.gl_pathc == 0) {
      ::globfree(&g);
      return at(ins, ins.keyword + " failed: no source files were specified: " + words[i]);
    }
    for (size_t k = 0; k < g.gl_pathc; ++k) sources.emplace_back(g.gl_pathv[k]);
    ::globfree(&g);
  }
  bool dest_is_dir = dest.ends_with("/") || dest.ends_with("/.") || sources.size() > 1;
  std::error_code ec;
  for (const auto& src : sources) {
    std::string canon = fs::weakly_canonical(src, ec).string();
    std::string root = fs::weakly_canonical(context, ec).string();
    if (canon != root && !canon.starts_with(root + "/")) return at(ins, "source outside the build context: " + src);
    fs::path target = fs::path(staging) / fs::path(dest).relative_path();
    bool is_dir = fs::is_directory(src);
    if (is_dir || dest_is_dir) {
      fs::create_directories(target, ec);
      if (!is_dir) target /= fs::path(src).filename();
    } else {
      fs::create_directories(target.parent_path(), ec);
    }
    fs::copy(src, target, fs::copy_options::recursive | fs::copy_options::copy_symlinks |
                              fs::copy_options::overwrite_existing, ec);
    if (ec) return at(ins, "copy " + src + ": " + ec.message());
  }
  if (auto chown = ins.flag("chown")) {
    unsigned uid = 0, gid = 0;
    char colon = 0;
    std::istringstream in(*chown);
    if (!(in >> uid)) return at(ins, "--chown supports numeric uid[:gid] only: " + *chown);
    gid = uid;
    if (in >> colon && !(colon == ':' && in >> gid)) return at(ins, "bad --chown: " + *chown);
    for (auto it = fs::recursive_directory_iterator(staging); it != fs::recursive_directory_iterator(); ++it)
      if (::lchown(it->path().c_str(), uid, gid) != 0) return base::sys_error("chown " + it->path().string());
  }
  return {};
}

}  // namespace

Builder::Builder(image::ImageService& images, std::string work_root, RunFn run)
    : images_(images), work_root_(std::move(work_root)), run_(std::move(run)) {}

base::Result<image::Image> Builder::build(const std::string& context_dir, const BuildOptions& opts,
                                          const OutputFn& out) {
  std::vector<std::string> tags;
  for (const auto& t : opts.tags) {
    auto ref = image::parse_reference(t);
    if (!ref) return ref.take_error().wrap("invalid tag " + t);
    if (ref->digest) return base::invalid("invalid tag " + t + ": must not contain a digest");
    tags.push_back(ref->tagged());
  }
  std::ifstream in(context_dir + "/" + opts.dockerfile);
  if (!in) return base::invalid("Cannot locate specified Dockerfile: " + opts.dockerfile);
  std::stringstream text;
  text << in.rdbuf();
  auto df = parse_dockerfile(text.str());
  if (!df) return df.take_error();
  std::error_code ec;
  fs::create_directories(work_root_ + "/tmp", ec);
  if (ec) return base::internal("create " + work_root_ + "/tmp: " + ec.message());
  StepCache cache(work_root_ + "/cache.json");

  size_t total = df->global_args.size();
  for (const auto& st : df->stages) total += 1 + st.instructions.size();
  size_t step = 0;
  auto announce = [&](const Instruction& ins) {
    out("Step " + std::to_string(++step) + "/" + std::to_string(total) + " : " + ins.text() + "\n");
  };
  StageState global;
  for (const auto& ins : df->global_args) {
    announce(ins);
    if (auto r = apply_metadata(ins, global, opts.build_args); !r) return r.take_error();
  }

  image::ImageConfig cfg;
  for (const auto& stage : df->stages) {
    announce(stage.from);
    std::string base = expand_vars(stage.base, [&](const std::string& n) { return lookup_var(global, n); });
    StageState st;
    std::string key;
    cfg = image::ImageConfig{};
    if (base != "scratch") {
      auto img = images_.resolve(base);
      if (!img) return at(stage.from, "FROM " + base + ": " + img.error().message);
      cfg = img->config;
      st.config = cfg.config;
      key = img->id.str();
      out(" ---> " + img->id.short_hex() + "\n");
    } else {
      key = "scratch";
    }
    for (const auto& ins : stage.instructions) {
      announce(ins);
      auto look = [&](const std::string& n) { return lookup_var(st, n); };
      std::string expanded = ins.keyword == "RUN" ? ins.text() : expand_vars(ins.text(), look);
      std::string content;
      std::string staging;
      auto cleanup = base::ScopeExit([&] {
        if (!staging.empty()) remove_dir(staging);
      });
      if (ins.keyword == "COPY" || ins.keyword == "ADD") {
        if (ins.flag("from")) return at(ins, ins.keyword + " --from is not supported yet");
        staging = work_root_ + "/tmp/copy-" + std::to_string(::getpid()) + "-" + std::to_string(step);
        remove_dir(staging);
        fs::create_directories(staging, ec);
        auto words = split_words(expand_vars(ins.args, look));
        if (ins.exec_form) words = ins.argv;
        if (auto r = stage_copy(ins, words, context_dir, st.config.working_dir, staging); !r) return r.take_error();
        settle_dir_times(staging);
        int raw = ::memfd_create("berth-build-hash", MFD_CLOEXEC);
        if (raw < 0) return base::sys_error("memfd_create");
        base::UniqueFd fd(raw);
        if (auto r = write_diff_tar(staging, fd.get()); !r) return r.take_error();
        auto h = image::sha256_file("/proc/self/fd/" + std::to_string(fd.get()));
        if (!h) return h.take_error();
        content = h->str();
      }
      if (ins.keyword == "RUN")  // build args reach RUN through its environment
        for (const auto& [k, v] : st.args) content += k + "=" + v + "\n";
      std::string new_key = image::sha256_of(key + "\n" + expanded + "\n" + content).str();
      if (!opts.no_cache && !is_metadata(ins)) {
        if (const std::string* hit = cache.find(new_key)) {
          auto cached = image::parse_image_config(*hit);
          bool layers_ok = cached.ok();
          if (layers_ok)
            for (const auto& d : cached->diff_ids) layers_ok = layers_ok && images_.layers().has(d);
          if (layers_ok) {
            cfg = *cached;
            cfg.config = st.config;  // metadata state is carried by st
            key = new_key;
            out(" ---> Using cache\n");
            continue;
          }
        }
      }
      if (is_metadata(ins)) {
        if (auto r = apply_metadata(ins, st, opts.build_args); !r) return r.take_error();
        if (ins.keyword == "WORKDIR" && !cfg.diff_ids.empty()) {
          // Docker creates the working directory; make a small layer when no layer has it.
          bool found = false;
          for (const auto& d : cfg.diff_ids)
            found = found || fs::is_directory(images_.layers().diff_dir(d) + st.config.working_dir);
          if (!found) {
            staging = work_root_ + "/tmp/workdir-" + std::to_string(::getpid()) + "-" + std::to_string(step);
            remove_dir(staging);
            fs::create_directories(staging + st.config.working_dir, ec);
            settle_dir_times(staging);
          }
        }
      } else if (ins.keyword == "RUN") {
        if (!run_) return at(ins, "RUN is not available");
        RunRequest req;
        for (auto it = cfg.diff_ids.rbegin(); it != cfg.diff_ids.rend(); ++it)
          req.lowerdirs.push_back(images_.layers().diff_dir(*it));
        staging = work_root_ + "/tmp/run-" + std::to_string(::getpid()) + "-" + std::to_string(step);
        remove_dir(staging);
        fs::create_directories(staging, ec);
        req.upper_dir = staging;
        req.argv = command_of(ins, st);
        req.env = st.config.env;
        for (const auto& [k, v] : st.args)
          if (!lookup_var(StageState{st.config, {}, {}}, k)) req.env.push_back(k + "=" + v);
        req.working_dir = st.config.working_dir;
        req.user = st.config.user;
        auto rc = run_(req);
        if (!rc) return rc.error().wrap("Dockerfile:" + std::to_string(ins.line) + ": " + ins.text());
        if (*rc != 0)
          return base::invalid("Dockerfile:" + std::to_string(ins.line) + ": " + ins.text() +
                               ": exit code " + std::to_string(*rc));
      }
      if (!staging.empty()) {
        auto d = layer_from_dir(images_, staging);
        if (!d) return d.take_error();
        cfg.diff_ids.push_back(*d);
      }
      image::HistoryItem h;
      h.created_by = expanded;
      h.empty_layer = staging.empty();
      cfg.history.push_back(h);
      cfg.config = st.config;
      key = new_key;
      if (!is_metadata(ins)) {
        cache.put(new_key, image::image_config_to_json(cfg));
        if (auto r = cache.save(); !r) return r.take_error();
      }
    }
    cfg.config = st.config;
  }
  auto img = images_.register_image(image::image_config_to_json(cfg), tags, {}, {});
  if (!img) return img.take_error();
  return img;
}

}  // namespace engine::build
