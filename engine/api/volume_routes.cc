#include "engine/api/volume_routes.h"

#include "engine/api/body_decode.h"
#include "engine/api/filters.h"

namespace engine::api {

using namespace engine::base;
using engine::volume::Volume;

static void emit(const VolumeDeps& d, const std::string& action, const std::string& name) {
  if (d.events) d.events->publish({"volume", action, name, {{"driver", "local"}}, 0});
}

void add_volume_routes(Router& r, VolumeDeps d) {
  r.get("/volumes", [d](Exchange& ex) {
    auto f = Filters::parse(ex.req().q("filters").value_or(""), {"name", "label", "dangling", "driver"});
    if (!f) return ex.respond_error(f.error());
    nlohmann::json vols = nlohmann::json::array();
    for (const Volume& v : d.store->list()) {
      if (!f->match_substring("name", v.name) || !f->match_exact("driver", v.driver) || !f->match_labels(v.labels))
        continue;
      if (f->has("dangling")) {
        bool want = f->values("dangling")[0] == "true" || f->values("dangling")[0] == "1";
        bool dangling = d.in_use ? d.in_use(v.name).empty() : true;
        if (want != dangling) continue;
      }
      vols.push_back(v.to_json());
    }
    ex.respond_json({{"Volumes", vols}, {"Warnings", nlohmann::json::array()}});
  });

  r.post("/volumes/create", [d](Exchange& ex) {
    auto body = ex.req().json();
    if (!body) return ex.respond_error(body.error());
    auto args = volume_create_args(*body);
    if (!args) return ex.respond_error(args.error());
    const std::string& name = args->name;
    bool existed = !name.empty() && d.store->get(name).ok();
    auto v = d.store->create(name, args->driver, args->labels, args->driver_opts);
    if (!v) return ex.respond_error(v.error());
    if (!existed) emit(d, "create", v->name);
    ex.respond_json(v->to_json(), 201);
  });

  r.get("/volumes/{name}", [d](Exchange& ex) {
    auto v = d.store->get(ex.req().params.at("name"));
    if (!v) return ex.respond_error(v.error());
    ex.respond_json(v->to_json());
  });

  r.del("/volumes/{name}", [d](Exchange& ex) {
    const std::string& name = ex.req().params.at("name");
    bool existed = d.store->get(name).ok();
    auto st = d.store->remove(name, ex.req().q_bool("force"), d.in_use);
    if (!st) return ex.respond_error(st.error());
    if (existed) emit(d, "destroy", name);
    ex.respond_empty(204);
  });

  r.post("/volumes/prune", [d](Exchange& ex) {
    auto f = Filters::parse(ex.req().q("filters").value_or(""), {"label", "label!", "all"});
    if (!f) return ex.respond_error(f.error());
    Filters filters = *f;
    auto res = d.store->prune(
        [&](const Volume& v) {
          if (!filters.match_labels(v.labels)) return false;
          for (const auto& neg : filters.values("label!")) {
            Filters one;
            one.add("label", neg);
            if (one.match_labels(v.labels)) return false;
          }
          return true;
        },
        d.in_use);
    for (const auto& n : res.deleted) emit(d, "destroy", n);
    nlohmann::json deleted = res.deleted;
    ex.respond_json({{"VolumesDeleted", deleted}, {"SpaceReclaimed", res.reclaimed}});
  });
}

}  // namespace engine::api
