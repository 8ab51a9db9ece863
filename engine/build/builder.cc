#include "engine/build/builder.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "engine/base/scope_exit.h"
#include "engine/base/strings.h"
#include "engine/base/time.h"
#include "engine/build/chown.h"
#include "engine/build/copy_step.h"
#include "engine/build/diff_tar.h"
#include "engine/build/dockerfile.h"
#include "engine/build/image_config.h"
#include "engine/build/layer_view.h"
#include "engine/build/run_mounts.h"
#include "engine/build/step_cache.h"
#include "engine/image/digest.h"
#include "engine/image/reference.h"

namespace engine::build {
namespace fs = std::filesystem;
namespace {

/// Tars a directory into a memfd (deterministic order and times).
base::Result<base::UniqueFd> tar_dir(const std::string& dir) {
  int raw = ::memfd_create("berth-build-layer", MFD_CLOEXEC);
  if (raw < 0) return base::sys_error("memfd_create");
  base::UniqueFd fd(raw);
  BERTH_TRY(write_diff_tar(dir, fd.get()));
  if (::lseek(fd.get(), 0, SEEK_SET) != 0) return base::sys_error("seek layer tar");
  return fd;
}

std::string remove_dir(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  return ec ? ec.message() : "";
}

/// What a finished stage leaves for later FROM / COPY --from.
struct StageResult {
  std::string name;
  image::ImageConfig cfg;
  std::string key;  ///< cache key after its last step
};

/// One build: the state carried from step to step.
class BuildRun {
 public:
  BuildRun(image::ImageService& images, const std::string& work_root, const RunFn& run,
           const ImageSourceFn& source, const BuildOptions& opts, const OutputFn& out)
      : images_(images), work_root_(work_root), run_(run), source_(source), opts_(opts), out_(out),
        cache_(work_root + "/cache.json") {}

  /// Runs the global ARGs and stages 0..last_stage of df against the context directory.
  base::Result<image::ImageConfig> build(const Dockerfile& df, size_t last_stage, const std::string& context_dir);

 private:
  void announce(const Instruction& ins) {
    out_("Step " + std::to_string(++step_) + "/" + std::to_string(total_) + " : " + ins.text() + "\n");
  }
  std::string tmp_dir(const std::string& what) {
    return work_root_ + "/tmp/" + what + "-" + std::to_string(::getpid()) + "-" + std::to_string(step_);
  }
  /// An earlier stage by name or index, or nullptr.
  const StageResult* find_stage(const std::string& name) const;
  base::Result<image::Image> image(const Instruction& ins, const std::string& ref);
  base::Status from(const Stage& stage);
  base::Status step(const Instruction& ins);
  /// A COPY/ADD with its flags resolved; a --from source is found but not yet read.
  struct CopyPlan {
    CopySpec spec;
    std::string from_key;          ///< --from: the stage's cache key or the image ID
    image::ImageConfig from_cfg;   ///< --from: its layers
  };
  base::Result<CopyPlan> plan_copy(const Instruction& ins);
  /// COPY/ADD <<EOF: writes the heredocs as files into a directory that becomes the source.
  base::Status stage_heredocs(const Instruction& ins, CopySpec& spec);
  /// What the cache key of a COPY/ADD depends on; stages it (into staging) when only the
  /// staged result can tell (ADD of a URL).
  base::Result<std::string> copy_content(const Instruction& ins, const CopyPlan& plan, std::string& staging);
  /// Stages the COPY/ADD into staging (reading a --from source's layers).
  base::Status stage(const Instruction& ins, const CopyPlan& plan, const std::string& staging);
  base::Status run(const Instruction& ins, const std::string& staging);
  base::Result<image::Digest> layer_from_dir(const std::string& dir);
  std::vector<std::string> lowerdirs(const image::ImageConfig& cfg) const {
    std::vector<std::string> dirs;
    for (auto it = cfg.diff_ids.rbegin(); it != cfg.diff_ids.rend(); ++it)
      dirs.push_back(images_.layers().diff_dir(*it));
    return dirs;
  }

  image::ImageService& images_;
  const std::string& work_root_;
  const RunFn& run_;
  const ImageSourceFn& source_;
  const BuildOptions& opts_;
  const OutputFn& out_;
  StepCache cache_;
  std::string context_dir_;
  size_t step_ = 0, total_ = 0;
  StageState global_;
  std::vector<StageResult> done_;
  // The stage being built.
  StageState st_;
  image::ImageConfig cfg_;
  std::string key_;
};

const StageResult* BuildRun::find_stage(const std::string& name) const {
  std::string n = base::to_lower(name);
  for (const auto& s : done_)
    if (!s.name.empty() && s.name == n) return &s;
  if (!n.empty() && n.size() < 6 && std::all_of(n.begin(), n.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    size_t i = std::stoul(n);
    if (i < done_.size()) return &done_[i];
  }
  return nullptr;
}

base::Result<image::Image> BuildRun::image(const Instruction& ins, const std::string& ref) {
  auto img = source_(ref, opts_);
  if (!img) return instruction_error(ins, ins.keyword + " " + ref + ": " + img.error().message);
  return img;
}

base::Status BuildRun::from(const Stage& stage) {
  announce(stage.from);
  std::string base = expand_vars(stage.base, [&](const std::string& n) { return lookup_var(global_, n); });
  st_ = StageState{};
  cfg_ = image::ImageConfig{};
  if (const StageResult* prev = find_stage(base); prev && !std::isdigit(static_cast<unsigned char>(base[0]))) {
    cfg_ = prev->cfg;
    key_ = prev->key;
  } else if (base == "scratch") {
    key_ = "scratch";
  } else {
    auto img = image(stage.from, base);
    if (!img) return img.take_error();
    cfg_ = img->config;
    key_ = img->id.str();
    out_(" ---> " + img->id.short_hex() + "\n");
  }
  st_.config = cfg_.config;
  return {};
}

base::Result<BuildRun::CopyPlan> BuildRun::plan_copy(const Instruction& ins) {
  auto look = [&](const std::string& n) { return lookup_var(st_, n); };
  auto words = ins.exec_form ? ins.argv : split_words(expand_vars(ins.args, look));
  if (words.size() < 2) return instruction_error(ins, ins.keyword + " requires at least two arguments");
  CopyPlan plan;
  CopySpec& spec = plan.spec;
  spec.dest = words.back();
  spec.sources.assign(words.begin(), words.end() - 1);
  spec.workdir = st_.config.working_dir;
  spec.src_root = context_dir_;
  spec.add = ins.keyword == "ADD";
  if (!ins.heredocs.empty()) BERTH_TRY(stage_heredocs(ins, spec));
  if (auto chown = ins.flag("chown")) {
    LayerView rootfs(lowerdirs(cfg_));
    auto owner = resolve_chown(expand_vars(*chown, look), rootfs.read_file("etc/passwd"), rootfs.read_file("etc/group"));
    if (!owner) return instruction_error(ins, owner.error().message);
    spec.owner = *owner;
  }
  if (auto chmod = ins.flag("chmod")) {
    auto mode = parse_chmod(*chmod);
    if (!mode) return instruction_error(ins, mode.error().message);
    spec.mode = *mode;
  }
  if (auto from = ins.flag("from")) {
    std::string name = expand_vars(*from, look);
    if (const StageResult* s = find_stage(name)) {
      plan.from_cfg = s->cfg;
      plan.from_key = "stage " + s->key;
    } else {
      auto img = image(ins, name);
      if (!img) return img.take_error();
      plan.from_cfg = img->config;
      plan.from_key = "image " + img->id.str();
    }
  }
  return plan;
}

base::Status BuildRun::stage_heredocs(const Instruction& ins, CopySpec& spec) {
  if (ins.flag("from")) return instruction_error(ins, ins.keyword + " --from cannot copy heredocs");
  std::string dir = tmp_dir("heredoc");
  remove_dir(dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return base::internal("create " + dir + ": " + ec.message());
  auto look = [&](const std::string& n) { return lookup_var(st_, n); };
  for (std::string& src : spec.sources) {
    std::string_view name = src;
    if (!name.starts_with("<<")) return instruction_error(ins, "a " + ins.keyword + " with heredocs cannot also copy " + src);
    name.remove_prefix(2);
    if (name.starts_with("-")) name.remove_prefix(1);
    auto doc = std::find_if(ins.heredocs.begin(), ins.heredocs.end(), [&](const Heredoc& h) { return h.name == name; });
    if (doc == ins.heredocs.end()) return instruction_error(ins, "no heredoc named " + std::string(name));
    std::ofstream f(dir + "/" + doc->name, std::ios::binary | std::ios::trunc);
    f << (doc->expand ? expand_vars(doc->content, look) : doc->content);
    if (!f.flush()) return base::internal("write heredoc " + doc->name);
    fs::permissions(dir + "/" + doc->name, fs::perms(0644), ec);
    src = doc->name;
  }
  spec.src_root = dir;
  return {};
}

base::Result<std::string> BuildRun::copy_content(const Instruction& ins, const CopyPlan& plan, std::string& staging) {
  std::string owner = plan.spec.owner ? std::to_string(plan.spec.owner->uid) + ":" + std::to_string(plan.spec.owner->gid) : "";
  if (!plan.from_key.empty()) return plan.from_key + "\n" + owner;
  auto digest = source_digest(ins, plan.spec);
  if (!digest) return digest.take_error();
  if (*digest) return **digest + "\n" + owner;
  staging = tmp_dir("copy");
  BERTH_TRY(stage(ins, plan, staging));
  auto tar = tar_dir(staging);
  if (!tar) return tar.take_error();
  auto h = image::sha256_file("/proc/self/fd/" + std::to_string(tar->get()));
  if (!h) return h.take_error();
  return h->str();
}

base::Status BuildRun::stage(const Instruction& ins, const CopyPlan& plan, const std::string& staging) {
  remove_dir(staging);
  std::error_code ec;
  fs::create_directories(staging, ec);
  if (ec) return base::internal("create " + staging + ": " + ec.message());
  if (plan.from_key.empty()) return stage_copy(ins, plan.spec, staging);
  std::string from_root = tmp_dir("from");
  auto cleanup = base::ScopeExit([&] { remove_dir(from_root); });
  remove_dir(from_root);
  LayerView view(lowerdirs(plan.from_cfg));
  for (const auto& s : plan.spec.sources) BERTH_TRY(view.flatten(glob_free_prefix(s), from_root));
  CopySpec spec = plan.spec;
  spec.src_root = from_root;
  return stage_copy(ins, spec, staging);
}

base::Status BuildRun::run(const Instruction& ins, const std::string& staging) {
  if (!run_) return instruction_error(ins, "RUN is not available");
  RunRequest req;
  req.lowerdirs = lowerdirs(cfg_);
  req.upper_dir = staging;
  req.argv = command_of(ins, st_);
  req.env = st_.config.env;
  for (const auto& [k, v] : st_.args)
    if (!lookup_var(StageState{st_.config, {}, {}}, k)) req.env.push_back(k + "=" + v);
  req.working_dir = st_.config.working_dir;
  req.user = st_.config.user;
  auto mounts = run_mounts(ins, req.working_dir, work_root_ + "/cache-mounts");
  if (!mounts) return mounts.take_error();
  req.mounts = std::move(*mounts);
  auto rc = run_(req);
  remove_mount_stubs(req.mounts, staging, req.lowerdirs);
  if (!rc) return rc.error().wrap("Dockerfile:" + std::to_string(ins.line) + ": " + ins.text());
  if (*rc != 0)
    return base::invalid("Dockerfile:" + std::to_string(ins.line) + ": " + ins.text() + ": exit code " +
                         std::to_string(*rc));
  return {};
}

base::Result<image::Digest> BuildRun::layer_from_dir(const std::string& dir) {
  auto fd = tar_dir(dir);
  if (!fd) return fd.take_error();
  // The tar is kept as the layer's blob (as import does): save and push serve it.
  uint64_t size = 0;
  auto blob = images_.blobs().put_fd(fd->get(), &size);
  if (!blob) return blob.take_error();
  auto in = images_.blobs().open_blob(*blob);
  if (!in) return in.take_error();
  auto info = images_.layers().create(in->get(), std::nullopt, image::LayerBlob{*blob, "", size});
  if (!info) return info.take_error();
  return info->diff_id;
}

base::Status BuildRun::step(const Instruction& ins) {
  announce(ins);
  auto look = [&](const std::string& n) { return lookup_var(st_, n); };
  std::string expanded = ins.keyword == "RUN" ? ins.text() : expand_vars(ins.text(), look);
  std::string content;
  std::string staging;
  auto cleanup = base::ScopeExit([&] {
    if (!staging.empty()) remove_dir(staging);
    if (!ins.heredocs.empty()) remove_dir(tmp_dir("heredoc"));
  });
  std::error_code ec;
  std::optional<CopyPlan> copy_plan;
  if (ins.keyword == "COPY" || ins.keyword == "ADD") {
    auto plan = plan_copy(ins);
    if (!plan) return plan.take_error();
    copy_plan = std::move(*plan);
    auto c = copy_content(ins, *copy_plan, staging);
    if (!c) return c.take_error();
    content = *c;
  }
  if (ins.keyword == "RUN")  // build args reach RUN through its environment
    for (const auto& [k, v] : st_.args) content += k + "=" + v + "\n";
  std::string new_key = image::sha256_of(key_ + "\n" + expanded + "\n" + content).str();
  if (is_metadata(ins)) BERTH_TRY(apply_metadata(ins, st_, opts_.build_args));
  // Docker creates a WORKDIR that no layer has: such a WORKDIR makes a (cached) layer.
  bool workdir_layer = false;
  if (ins.keyword == "WORKDIR" && !cfg_.diff_ids.empty()) {
    workdir_layer = true;
    for (const auto& d : cfg_.diff_ids)
      workdir_layer = workdir_layer && !fs::is_directory(images_.layers().diff_dir(d) + st_.config.working_dir);
  }
  const bool cacheable = !is_metadata(ins) || workdir_layer;
  if (!opts_.no_cache && cacheable) {
    if (const std::string* hit = cache_.find(new_key)) {
      auto cached = image::parse_image_config(*hit);
      bool layers_ok = cached.ok();
      if (layers_ok)
        for (const auto& d : cached->diff_ids) layers_ok = layers_ok && images_.layers().has(d);
      if (layers_ok) {
        cfg_ = std::move(*cached);
        cfg_.config = st_.config;  // metadata state is carried by st_
        key_ = new_key;
        out_(" ---> Using cache\n");
        return {};
      }
    }
  }
  if (copy_plan && staging.empty()) {
    staging = tmp_dir("copy");
    BERTH_TRY(stage(ins, *copy_plan, staging));
  } else if (workdir_layer) {
    staging = tmp_dir("workdir");
    remove_dir(staging);
    fs::create_directories(staging + st_.config.working_dir, ec);
    settle_dir_times(staging);
  } else if (ins.keyword == "RUN") {
    staging = tmp_dir("run");
    remove_dir(staging);
    fs::create_directories(staging, ec);
    BERTH_TRY(run(ins, staging));
  }
  if (!staging.empty()) {
    auto d = layer_from_dir(staging);
    if (!d) return d.take_error();
    cfg_.diff_ids.push_back(*d);
  }
  image::HistoryItem h;
  h.created_by = expanded;
  // docker history's CREATED: a step that makes a layer (cached with it) takes the time; a metadata
  // step (never cached) takes the time of the last layer, so that a cached rebuild keeps the image ID.
  if (cacheable) cfg_.created = base::format_rfc3339_nano(base::now_ns());
  h.created = cfg_.created;
  h.empty_layer = staging.empty();
  cfg_.history.push_back(h);
  cfg_.config = st_.config;
  key_ = new_key;
  if (cacheable) {
    cache_.put(new_key, image::image_config_to_json(cfg_));
    BERTH_TRY(cache_.save());
  }
  return {};
}

base::Result<image::ImageConfig> BuildRun::build(const Dockerfile& df, size_t last_stage,
                                                 const std::string& context_dir) {
  context_dir_ = context_dir;
  total_ = df.global_args.size();
  for (size_t i = 0; i <= last_stage; ++i) total_ += 1 + df.stages[i].instructions.size();
  for (const auto& ins : df.global_args) {
    announce(ins);
    BERTH_TRY(apply_metadata(ins, global_, opts_.build_args));
  }
  for (size_t i = 0; i <= last_stage; ++i) {
    const Stage& stage = df.stages[i];
    BERTH_TRY(from(stage));
    for (const auto& ins : stage.instructions) BERTH_TRY(step(ins));
    cfg_.config = st_.config;
    done_.push_back(StageResult{stage.name, cfg_, key_});
  }
  return cfg_;
}

}  // namespace

Builder::Builder(image::ImageService& images, std::string work_root, RunFn run)
    : images_(images), work_root_(std::move(work_root)), run_(std::move(run)) {
  source_ = [this](const std::string& ref, const BuildOptions& opts) -> base::Result<image::Image> {
    if (!opts.pull)
      if (auto img = images_.resolve(ref); img || img.error().code != base::Code::NotFound) return img;
    image::PullOptions po;
    if (!opts.platform.empty()) po.platform = opts.platform;
    return images_.pull(ref, po, nullptr);
  };
}

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
  size_t last = df->stages.size() - 1;
  if (!opts.target.empty()) {
    std::string want = base::to_lower(opts.target);
    size_t i = 0;
    while (i < df->stages.size() && df->stages[i].name != want) ++i;
    if (i == df->stages.size()) return base::invalid("failed to reach build target " + opts.target + " in Dockerfile");
    last = i;
  }
  std::error_code ec;
  fs::create_directories(work_root_ + "/tmp", ec);
  if (ec) return base::internal("create " + work_root_ + "/tmp: " + ec.message());
  BuildRun run(images_, work_root_, run_, source_, opts, out);
  auto cfg = run.build(*df, last, context_dir);
  if (!cfg) return cfg.take_error();
  auto img = images_.register_image(image::image_config_to_json(*cfg), tags, {}, {});
  if (!img) return img.take_error();
  return img;
}

}  // namespace engine::build
