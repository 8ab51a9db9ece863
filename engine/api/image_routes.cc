// /images: list, inspect, history, tag, remove and prune (Docker Engine API v1.41 shapes).
#include "engine/api/image_routes.h"

#include <fnmatch.h>

#include <map>
#include <set>

#include "engine/api/filters.h"
#include "engine/base/time.h"
#include "engine/image/inspect.h"
#include "engine/image/reference.h"

namespace engine::api {

using namespace engine::base;
using engine::image::Image;

void emit_image_event(const ImageDeps& d, const std::string& action, const std::string& id, const std::string& name) {
  if (!d.events) return;
  std::map<std::string, std::string> attrs;
  if (!name.empty()) attrs["name"] = name;
  d.events->publish({"image", action, id, attrs, 0});
}

namespace {

/// Go's path.Match as Docker's reference filter uses it ('*' stops at '/').
bool glob_match(const std::string& pattern, const std::string& s) {
  return ::fnmatch(pattern.c_str(), s.c_str(), FNM_PATHNAME) == 0;
}

/// reference.FamiliarMatch: the pattern against "name:tag", then against "name".
bool reference_match(const std::vector<std::string>& patterns, const std::string& familiar_ref) {
  std::string name = familiar_ref;
  size_t at = name.find('@');
  if (at != std::string::npos) name = name.substr(0, at);
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && name.find('/', colon) == std::string::npos) name = name.substr(0, colon);
  for (const std::string& p : patterns)
    if (glob_match(p, familiar_ref) || glob_match(p, name)) return true;
  return false;
}

Result<bool> bool_filter(const Filters& f, const std::string& name) {
  const std::string& v = f.values(name).front();
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return invalid("invalid filter '" + name + "=" + v + "'");
}

/// Created time of the image a before/since filter names.
Result<int64_t> anchor_time(const ImageDeps& d, const Filters& f, const std::string& name) {
  auto img = d.images->resolve(f.values(name).front());
  if (!img) return img.take_error();
  return img->created_ns;
}

/// Applies GET /images/json filters; returns the summary JSON or nothing when filtered out.
struct ListFilter {
  Filters f;
  std::optional<bool> dangling;
  std::optional<int64_t> before, since;

  std::optional<nlohmann::json> apply(const Image& img) const {
    bool is_dangling = img.repo_tags.empty();
    if (dangling && *dangling != is_dangling) return std::nullopt;
    if (!f.match_labels(img.config.config.labels)) return std::nullopt;
    if (before && img.created_ns >= *before) return std::nullopt;
    if (since && img.created_ns <= *since) return std::nullopt;
    nlohmann::json j = engine::image::image_summary_json(img);
    if (f.has("reference")) {
      const auto& pats = f.values("reference");
      nlohmann::json tags = nlohmann::json::array(), digests = nlohmann::json::array();
      for (const auto& t : img.repo_tags)
        if (reference_match(pats, t)) tags.push_back(t);
      for (const auto& dg : img.repo_digests)
        if (reference_match(pats, dg)) digests.push_back(dg);
      if (tags.empty() && digests.empty()) return std::nullopt;
      j["RepoTags"] = tags.empty() ? nlohmann::json::array({"<none>:<none>"}) : tags;
      j["RepoDigests"] = digests.empty() ? nlohmann::json::array({"<none>@<none>"}) : digests;
    }
    return j;
  }
};

Result<ListFilter> list_filter(const ImageDeps& d, const std::string& raw) {
  auto f = Filters::parse(raw, {"reference", "dangling", "label", "before", "since"});
  if (!f) return f.take_error();
  ListFilter lf{*f, {}, {}, {}};
  if (f->has("dangling")) {
    auto b = bool_filter(*f, "dangling");
    if (!b) return b.take_error();
    lf.dangling = *b;
  }
  for (const char* name : {"before", "since"}) {
    if (!f->has(name)) continue;
    auto t = anchor_time(d, *f, name);
    if (!t) return t.take_error();
    (std::string(name) == "before" ? lf.before : lf.since) = *t;
  }
  return lf;
}

/// The name of a {name*} path parameter, decoded.
std::string name_param(const Exchange& ex) { return decode_path_param(ex.req().params.at("name")); }

void add_list(Router& r, const ImageDeps& d) {
  r.get("/images/json", [d](Exchange& ex) {
    auto lf = list_filter(d, ex.req().q("filters").value_or(""));
    if (!lf) return ex.respond_error(lf.error());
    auto images = d.images->list();
    if (!images) return ex.respond_error(images.error());
    nlohmann::json out = nlohmann::json::array();
    for (const Image& img : *images)
      if (auto j = lf->apply(img)) out.push_back(std::move(*j));
    ex.respond_json(out);
  });
}

void add_inspect(Router& r, const ImageDeps& d) {
  r.get("/images/{name*}/json", [d](Exchange& ex) {
    auto img = d.images->resolve(name_param(ex));
    if (!img) return ex.respond_error(img.error());
    auto dirs = d.images->layer_dirs(*img);
    ex.respond_json(engine::image::image_inspect_json(*img, dirs ? *dirs : std::vector<std::string>{}));
  });
  r.get("/images/{name*}/history", [d](Exchange& ex) {
    auto h = d.images->history(name_param(ex));
    if (!h) return ex.respond_error(h.error());
    ex.respond_json(engine::image::history_json(*h));
  });
}

void add_tag(Router& r, const ImageDeps& d) {
  r.post("/images/{name*}/tag", [d](Exchange& ex) {
    std::string repo = ex.req().q("repo").value_or("");
    std::string tag = ex.req().q("tag").value_or("");
    if (repo.empty()) return ex.respond_error(invalid("tag: repository name must have at least one component"));
    std::string target = tag.empty() ? repo : repo + ":" + tag;
    std::string src = name_param(ex);
    auto img = d.images->resolve(src);
    if (!img) return ex.respond_error(img.error());
    if (auto st = d.images->tag(img->id.str(), target); !st) return ex.respond_error(st.error());
    auto ref = engine::image::parse_reference(target);
    std::string familiar = ref ? ref->familiar_str() : target;
    emit_image_event(d, "tag", img->id.str(), familiar);
    ex.respond_empty(201);
  });
}

void add_remove(Router& r, const ImageDeps& d) {
  r.del("/images/{name*}", [d](Exchange& ex) {
    std::string name = name_param(ex);
    auto img = d.images->resolve(name);
    if (!img) return ex.respond_error(img.error());
    auto items = d.images->remove(name, ex.req().q_bool("force"), d.in_use);
    if (!items) return ex.respond_error(items.error());
    for (const auto& it : *items) {
      if (!it.untagged.empty()) emit_image_event(d, "untag", img->id.str(), it.untagged);
      if (it.deleted == img->id.str()) emit_image_event(d, "delete", img->id.str(), name);
    }
    ex.respond_json(engine::image::removed_json(*items));
  });
}

void add_prune(Router& r, const ImageDeps& d) {
  r.post("/images/prune", [d](Exchange& ex) {
    auto f = Filters::parse(ex.req().q("filters").value_or(""), {"dangling", "label", "label!", "until"});
    if (!f) return ex.respond_error(f.error());
    bool all = false;
    if (f->has("dangling")) {
      auto b = bool_filter(*f, "dangling");
      if (!b) return ex.respond_error(b.error());
      all = !*b;
    }
    std::optional<int64_t> until;
    if (f->has("until")) {
      const std::string& v = f->values("until").front();
      auto t = v.find('T') != std::string::npos ? parse_rfc3339(v) : Result<int64_t>(int64_t(std::atoll(v.c_str())) * 1000000000);
      if (!t) return ex.respond_error(t.error());
      until = *t;
    }
    // The filters become "keep" answers of the in-use predicate: the service prunes under
    // its lock and must not be called back, so the candidates are chosen beforehand.
    engine::image::InUseFn pred = d.in_use;
    if (f->has("label") || f->has("label!") || until) {
      auto images = d.images->list();
      if (!images) return ex.respond_error(images.error());
      std::set<std::string> prunable;  // images created later than the listing are kept
      for (const Image& img : *images) {
        bool match = f->match_labels(img.config.config.labels);
        for (const auto& neg : f->values("label!")) {
          Filters one;
          one.add("label", neg);
          if (one.match_labels(img.config.config.labels)) match = false;
        }
        if (until && img.created_ns >= *until) match = false;
        if (match) prunable.insert(img.id.hex);
      }
      pred = [prunable, in_use = d.in_use](const engine::image::Digest& id) {
        return !prunable.count(id.hex) || (in_use && in_use(id));
      };
    }
    auto rep = d.images->prune(all, pred);
    if (!rep) return ex.respond_error(rep.error());
    if (d.events) d.events->publish({"image", "prune", "", {{"reclaimed", std::to_string(rep->space_reclaimed)}}, 0});
    nlohmann::json items = engine::image::removed_json(rep->items);
    ex.respond_json({{"ImagesDeleted", items.empty() ? nlohmann::json(nullptr) : items},
                     {"SpaceReclaimed", rep->space_reclaimed}});
  });
}

}  // namespace

std::string decode_path_param(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void add_image_query_routes(Router& r, const ImageDeps& d) {
  // Fixed paths first: "/images/{name*}" would otherwise also match "/images/json".
  add_list(r, d);
  add_prune(r, d);
  add_inspect(r, d);
  add_tag(r, d);
}

void add_image_routes(Router& r, const ImageDeps& d) {
  add_image_query_routes(r, d);
  add_image_transfer_routes(r, d);
  // Last: the catch-all DELETE /images/{name*}.
  add_remove(r, d);
}

}  // namespace engine::api
