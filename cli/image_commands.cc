// berth images|image ls, image inspect, history, tag, rmi|image rm, image prune
// (import, load, save, pull, push: image_transfer_commands.cc; login, logout: image_login_commands.cc).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <iostream>
#include <memory>

#include "cli/context.h"
#include "cli/object_verbs.h"
#include "cli/format.h"
#include "cli/image_support.h"
#include "cli/table.h"

namespace cli {

namespace {

struct ImageOpts {
  std::vector<std::string> filters, names;
  std::string format, repo, source, target;
  bool all = false, quiet = false, digests = false, no_trunc = false, force = false, no_prune = false;
  bool human = true;
};

/// One row of `berth images`: a repository:tag (or digest) of an image.
struct Row {
  std::string repo, tag, digest, id;
  int64_t created = 0;
  uint64_t size = 0;
};

std::string image_id_text(const std::string& id, bool no_trunc) { return no_trunc ? id : short_id(id); }

/// "repo:tag" -> {repo, tag}; the colon must come after the last slash (registry ports).
std::pair<std::string, std::string> split_tag(const std::string& ref, char sep) {
  size_t pos = ref.rfind(sep);
  if (pos == std::string::npos || (sep == ':' && ref.find('/', pos) != std::string::npos)) return {ref, ""};
  return {ref.substr(0, pos), ref.substr(pos + 1)};
}

std::vector<Row> rows_of(const nlohmann::json& img) {
  std::vector<std::string> tags, digests;
  for (const auto& t : img.value("RepoTags", nlohmann::json::array()))
    if (t.is_string() && t != "<none>:<none>") tags.push_back(t);
  for (const auto& d : img.value("RepoDigests", nlohmann::json::array()))
    if (d.is_string() && d != "<none>@<none>") digests.push_back(d);
  Row base{"<none>", "<none>", "<none>", img.value("Id", ""), img.value("Created", int64_t(0)),
           img.value("Size", uint64_t(0))};
  std::vector<Row> out;
  std::vector<std::string> tagged_repos;
  for (const auto& t : tags) {
    Row r = base;
    std::tie(r.repo, r.tag) = split_tag(t, ':');
    for (const auto& d : digests)
      if (split_tag(d, '@').first == r.repo) r.digest = split_tag(d, '@').second;
    tagged_repos.push_back(r.repo);
    out.push_back(r);
  }
  for (const auto& d : digests) {
    auto [repo, digest] = split_tag(d, '@');
    if (std::find(tagged_repos.begin(), tagged_repos.end(), repo) != tagged_repos.end()) continue;
    Row r = base;
    r.repo = repo;
    r.digest = digest;
    out.push_back(r);
  }
  if (out.empty()) out.push_back(base);
  return out;
}

std::string created_at(int64_t t) {
  std::time_t tt = t;
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  return buf;
}

std::string since(int64_t t) { return ago(t); }

/// The fields `--format` can name, as the docker CLI calls them.
std::map<std::string, std::string> row_fields(const Row& r, bool no_trunc) {
  return {{"Containers", "N/A"},         {"CreatedAt", created_at(r.created)}, {"CreatedSince", since(r.created)},
          {"Digest", r.digest},          {"ID", image_id_text(r.id, no_trunc)},     {"Repository", r.repo},
          {"SharedSize", "N/A"},         {"Size", human_size(double(r.size))}, {"Tag", r.tag},
          {"UniqueSize", "N/A"},         {"VirtualSize", human_size(double(r.size))}};
}

/// Column headers of `images --format "table ..."`, as the docker CLI names them.
const nlohmann::json kListHeaders = {
    {"Containers", "CONTAINERS"}, {"CreatedAt", "CREATED AT"}, {"CreatedSince", "CREATED"},
    {"Digest", "DIGEST"},         {"ID", "IMAGE ID"},          {"Repository", "REPOSITORY"},
    {"SharedSize", "SHARED SIZE"}, {"Size", "SIZE"},           {"Tag", "TAG"},
    {"UniqueSize", "UNIQUE SIZE"}, {"VirtualSize", "SIZE"}};

void list_images(const Context& ctx, const ImageOpts& o) {
  std::vector<std::string> filters = o.filters;
  if (!o.repo.empty()) filters.push_back("reference=" + o.repo);
  std::string path = "/images/json";
  std::string sep = "?";
  if (o.all) path += sep + "all=1", sep = "&";
  if (!filters.empty()) path += sep + "filters=" + url_encode(filters_json(filters));
  HttpResponse r = check(ctx.connect().request("GET", path));
  if (!r.ok()) fail_response(r, 1);
  std::vector<Row> rows;
  for (const auto& img : r.json())
    for (Row& row : rows_of(img)) rows.push_back(std::move(row));
  if (o.quiet) {
    for (const Row& row : rows) std::printf("%s\n", image_id_text(row.id, o.no_trunc).c_str());
    return;
  }
  if (o.format == "json" || (!o.format.empty() && o.format != "table")) {
    std::vector<nlohmann::json> fields;
    for (const Row& row : rows) fields.emplace_back(row_fields(row, o.no_trunc));
    print_formatted(o.format == "json" ? "{{json .}}" : o.format, fields, kListHeaders);
    return;
  }
  std::vector<std::string> head = {"REPOSITORY", "TAG"};
  if (o.digests) head.push_back("DIGEST");
  for (const char* h : {"IMAGE ID", "CREATED", "SIZE"}) head.emplace_back(h);
  Table t(head);
  for (const Row& row : rows) {
    std::vector<std::string> cells = {row.repo, row.tag};
    if (o.digests) cells.push_back(row.digest);
    for (std::string c : {image_id_text(row.id, o.no_trunc), since(row.created), human_size(double(row.size))})
      cells.push_back(std::move(c));
    t.add(std::move(cells));
  }
  std::fputs(t.render().c_str(), stdout);
}

void add_ls(CLI::App& parent, const char* name, const char* alias, Context& ctx) {
  auto o = std::make_shared<ImageOpts>();
  auto* ls = parent.add_subcommand(name, "List images");
  if (alias) ls->alias(alias);
  ls->add_option("repository", o->repo, "REPOSITORY[:TAG] to show");
  ls->add_flag("-a,--all", o->all, "Show all images (default hides intermediate images)");
  ls->add_flag("-q,--quiet", o->quiet, "Only show image IDs");
  ls->add_flag("--digests", o->digests, "Show digests");
  ls->add_flag("--no-trunc", o->no_trunc, "Don't truncate output");
  ls->add_option("-f,--filter", o->filters, "Filter output based on conditions provided (key=value)");
  ls->add_option("--format", o->format, "Format output: table, json, or a template ({{.Repository}}, {{.Tag}}, {{.ID}}, ...)");
  ls->callback([&ctx, o] { list_images(ctx, *o); });
}

void add_inspect(CLI::App& image, Context& ctx) {
  auto o = std::make_shared<ImageOpts>();
  auto* inspect = image.add_subcommand("inspect", "Display detailed information on one or more images");
  inspect->add_option("names", o->names, "Images")->required();
  inspect->add_option("-f,--format", o->format, "Format output: json (default)");
  inspect->callback([&ctx, o] {
    ApiClient api = ctx.connect();
    inspect_objects(api, o->names, [](const std::string& n) { return "/images/" + url_encode(n) + "/json"; },
                    o->format);
  });
}

void add_history(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<ImageOpts>();
  auto* h = parent.add_subcommand("history", "Show the history of an image");
  h->add_option("image", o->source, "Image")->required();
  h->add_flag("-H,--human", o->human, "Print sizes and dates in human readable format")->default_val(true);
  h->add_flag("--no-trunc", o->no_trunc, "Don't truncate output");
  h->add_flag("-q,--quiet", o->quiet, "Only show image IDs");
  h->add_option("--format", o->format, "Format output: table, json, or a template ({{.ID}}, {{.CreatedBy}}, ...)");
  h->callback([&ctx, o] {
    HttpResponse r = check(ctx.connect().request("GET", "/images/" + url_encode(o->source) + "/history"));
    if (!r.ok()) fail_response(r, 1);
    auto id_of = [&](const nlohmann::json& e) {
      std::string id = e.value("Id", "");
      return id == "<missing>" ? id : image_id_text(id, o->no_trunc);
    };
    if (o->quiet) {
      for (const auto& e : r.json()) std::printf("%s\n", id_of(e).c_str());
      return;
    }
    if (o->format == "json") {
      for (const auto& e : r.json()) std::printf("%s\n", e.dump().c_str());
      return;
    }
    // One row per step, with the fields docker's history templates name.
    std::vector<nlohmann::json> rows;
    for (const auto& e : r.json()) {
      std::string by = e.value("CreatedBy", "");
      std::replace(by.begin(), by.end(), '\t', ' ');
      if (!o->no_trunc) by = ellipsis(by, 45);
      int64_t created = e.value("Created", int64_t(0));
      uint64_t size = e.value("Size", uint64_t(0));
      rows.push_back({{"ID", id_of(e)},
                      {"CreatedSince", o->human ? since(created) : created_at(created)},
                      {"CreatedAt", created_at(created)},
                      {"CreatedBy", by},
                      {"Size", o->human ? human_size(double(size)) : std::to_string(size)},
                      {"Comment", e.value("Comment", "")}});
    }
    static const nlohmann::json kHeaders = {{"ID", "IMAGE"},         {"CreatedSince", "CREATED"},
                                            {"CreatedAt", "CREATED AT"}, {"CreatedBy", "CREATED BY"},
                                            {"Size", "SIZE"},         {"Comment", "COMMENT"}};
    bool custom = !o->format.empty() && o->format != "table";
    print_formatted(custom ? o->format
                           : "table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}",
                    rows, kHeaders);
  });
}

void add_tag(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<ImageOpts>();
  auto* tag = parent.add_subcommand("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
  tag->add_option("source", o->source, "SOURCE_IMAGE[:TAG]")->required();
  tag->add_option("target", o->target, "TARGET_IMAGE[:TAG]")->required();
  tag->callback([&ctx, o] {
    auto [repo, t] = split_tag(o->target, ':');
    std::string path = "/images/" + url_encode(o->source) + "/tag?repo=" + url_encode(repo);
    if (!t.empty()) path += "&tag=" + url_encode(t);
    HttpResponse r = check(ctx.connect().request("POST", path));
    if (!r.ok()) fail_response(r, 1);
  });
}

void add_rmi(CLI::App& parent, const char* name, const char* alias, Context& ctx) {
  auto o = std::make_shared<ImageOpts>();
  auto* rm = parent.add_subcommand(name, "Remove one or more images");
  if (alias) rm->alias(alias);
  rm->add_option("images", o->names, "Images")->required();
  rm->add_flag("-f,--force", o->force, "Force removal of the image");
  rm->add_flag("--no-prune", o->no_prune, "Do not delete untagged parents");
  rm->callback([&ctx, o] {
    ApiClient api = ctx.connect();
    int rc = 0;
    for (const auto& n : o->names) {
      std::string q = std::string("?force=") + (o->force ? "1" : "0") + "&noprune=" + (o->no_prune ? "1" : "0");
      HttpResponse r = check(api.request("DELETE", "/images/" + url_encode(n) + q));
      if (!r.ok()) {
        std::fprintf(stderr, "Error response from daemon: %s\n", r.error_message().c_str());
        rc = 1;
        continue;
      }
      for (const auto& it : r.json()) {
        if (it.contains("Untagged")) std::printf("Untagged: %s\n", it["Untagged"].get<std::string>().c_str());
        if (it.contains("Deleted")) std::printf("Deleted: %s\n", it["Deleted"].get<std::string>().c_str());
      }
    }
    if (rc) throw CLI::RuntimeError(rc);
  });
}

void add_prune(CLI::App& image, Context& ctx) {
  auto o = std::make_shared<ImageOpts>();
  auto* prune = image.add_subcommand("prune", "Remove unused images");
  prune->add_flag("-a,--all", o->all, "Remove all unused images, not just dangling ones");
  prune->add_flag("-f,--force", o->force, "Do not prompt for confirmation");
  prune->add_option("--filter", o->filters, "Provide filter values (e.g. until=<timestamp>, label=<key>=<value>)");
  prune->callback([&ctx, o] {
    if (!o->force) {
      std::printf("%s\nAre you sure you want to continue? [y/N] ",
                  o->all ? "WARNING! This will remove all images without at least one container associated to them."
                         : "WARNING! This will remove all dangling images.");
      std::fflush(stdout);
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "y" && answer != "Y" && answer != "yes") return;
    }
    std::vector<std::string> filters = o->filters;
    if (o->all) filters.push_back("dangling=false");
    std::string path = "/images/prune";
    if (!filters.empty()) path += "?filters=" + url_encode(filters_json(filters));
    HttpResponse r = check(ctx.connect().request("POST", path));
    if (!r.ok()) fail_response(r, 1);
    auto j = r.json();
    if (j["ImagesDeleted"].is_array() && !j["ImagesDeleted"].empty()) {
      std::printf("Deleted Images:\n");
      for (const auto& it : j["ImagesDeleted"]) {
        if (it.contains("Untagged")) std::printf("untagged: %s\n", it["Untagged"].get<std::string>().c_str());
        if (it.contains("Deleted")) std::printf("deleted: %s\n", it["Deleted"].get<std::string>().c_str());
      }
      std::printf("\n");
    }
    std::printf("Total reclaimed space: %s\n", human_size4(j.value("SpaceReclaimed", 0.0)).c_str());
  });
}

}  // namespace

void register_image_commands(CLI::App& app, Context& ctx) {
  auto* image = app.add_subcommand("image", "Manage images");
  image->require_subcommand(1);
  add_ls(app, "images", nullptr, ctx);
  add_ls(*image, "ls", "list", ctx);
  add_inspect(*image, ctx);
  add_history(app, ctx);
  add_history(*image, ctx);
  add_tag(app, ctx);
  add_tag(*image, ctx);
  add_rmi(app, "rmi", nullptr, ctx);
  add_rmi(*image, "rm", "remove", ctx);
  add_prune(*image, ctx);
  add_build_command(*image, ctx);
  add_image_transfer_commands(app, *image, ctx);
  add_login_commands(app, ctx);
}

}  // namespace cli
