#include "compose/load/parse.h"

#include "compose/load/split.h"
#include "compose/model/parallel.h"
#include "compose/load/utf8.h"

#include <algorithm>
#include <istream>
#include <map>
#include <optional>
#include <streambuf>
#include <unordered_set>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

namespace compose::load {
namespace {

using engine::base::invalid;

/// Thrown inside the event handler; turned into an Error by parse_yaml.
struct ParseFailure {
  Mark mark;
  std::string reason;
};

/// Lines after `after` (1-based) are `by` lines further down in the real file: the second
/// half of a split parse skips the first half's services.
struct LineShift {
  int after = 0;
  int by = 0;
};

/// Builds Node trees from yaml-cpp's parser events with an explicit stack (no recursion);
/// no YAML::Node tree is ever made.
class Builder : public YAML::EventHandler {
 public:
  Builder(const std::string* file, const ParseLimits& limits, LineShift shift = {})
      : file_(file), limits_(limits), shift_(shift) {}

  std::vector<Node> docs;

  /// Nodes made so far, aliases expanded.
  size_t nodes() const { return nodes_; }

  Mark mark(const YAML::Mark& m) const {
    int line = m.line + 1;
    if (line > shift_.after) line += shift_.by;
    return Mark{file_, line, m.column + 1};
  }

  void OnDocumentStart(const YAML::Mark&) override { anchors_.clear(); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override { add(Node::null(mark(m)), anchor_name(anchor)); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override { on_alias(mark(m), anchor_name(anchor)); }
  void OnScalar(const YAML::Mark& ym, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
    Mark m = mark(ym);
    // yaml-cpp's non-specific tags: "?" for a plain scalar, "!" for a quoted or block one.
    if (tag.size() == 1 && (tag[0] == '?' || tag[0] == '!')) {  // nearly every scalar
      add(tag[0] == '?' ? Node::plain(value, std::move(m)) : Node::str(value, std::move(m)), anchor_name(anchor));
      return;
    }
    Node n = tag == "?" ? Node::plain(value, m) : Node::str(value, m);
    n.tag = tag_of(tag, m);
    if (tag == "!!null" || tag == "tag:yaml.org,2002:null") n = Node::null(m);
    else if (tag == "!!int" || tag == "!!float" || tag == "!!bool" || tag == "tag:yaml.org,2002:int" ||
             tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:float")
      n.style = Style::Plain;
    else if (n.tag != Tag::None)
      n.style = Style::Plain;  // !reset / !override keep plain typing
    add(std::move(n), anchor_name(anchor));
  }
  void OnSequenceStart(const YAML::Mark& ym, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Node n = Node::seq(mark(ym));
    n.tag = tag_of(tag, n.mark);
    open(std::move(n), anchor_name(anchor));
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& ym, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Node n = Node::map(mark(ym));
    n.tag = tag_of(tag, n.mark);
    open(std::move(n), anchor_name(anchor));
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    Node node;
    std::string anchor;
    bool have_key = false;  // mappings: a key is pending
    Node key;
    std::vector<Node> merges;  // values of << keys, applied at the end
    std::unordered_set<std::string> keys;  // big mappings: their keys, for the duplicate check
  };

  static std::string anchor_name(YAML::anchor_t a) { return a ? std::to_string(a) : std::string(); }

  void on_alias(const Mark& m, const std::string& anchor) {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw ParseFailure{m, "unknown alias"};
    count(it->second.size(), m);
    Node copy = it->second;
    add(std::move(copy), {}, true);
  }

  Tag tag_of(const std::string& tag, const Mark& m) {
    if (tag == "!reset") return Tag::Reset;
    if (tag == "!override") return Tag::Override;
    if (tag.empty() || tag == "?" || tag == "!" || tag.rfind("!!", 0) == 0 || tag.rfind("tag:yaml.org,2002:", 0) == 0)
      return Tag::None;
    throw ParseFailure{m, "unsupported tag " + tag};
  }

  void count(size_t n, const Mark& m) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes)
      throw ParseFailure{m, "document too large after alias expansion (more than " +
                                std::to_string(limits_.max_nodes) + " nodes); alias bomb refused"};
  }

  void open(Node n, std::string anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth)
      throw ParseFailure{n.mark, "nesting deeper than " + std::to_string(limits_.max_depth) + " levels"};
    count(1, n.mark);
    stack_.push_back(Frame{std::move(n), std::move(anchor), false, {}, {}, {}});
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.node.is_map() && !f.merges.empty()) apply_merges(f.node, f.merges);
    add(std::move(f.node), f.anchor, true);
  }

  // Merge keys: entries of the merged mappings that the mapping itself does not set.
  void apply_merges(Node& map, const std::vector<Node>& merges) {
    for (const Node& src : merges) {
      std::vector<const Node*> maps;
      if (src.is_map()) maps.push_back(&src);
      else if (src.is_seq())
        for (const Node& i : src.items) maps.push_back(&i);
      for (const Node* m : maps) {
        if (!m->is_map()) throw ParseFailure{m->mark, "merge key << needs a mapping or a list of mappings"};
        for (const Entry& e : m->entries)
          if (!map.find(e.key)) {
            count(e.value.size(), map.mark);
            map.entries.push_back(e);
          }
      }
    }
  }

  void add(Node n, const std::string& anchor, bool counted = false) {
    if (!counted) count(1, n.mark);
    if (!anchor.empty()) anchors_[anchor] = n;
    if (stack_.empty()) {
      docs.push_back(std::move(n));
      return;
    }
    Frame& top = stack_.back();
    if (top.node.is_seq()) {
      top.node.items.push_back(std::move(n));
      return;
    }
    if (!top.have_key) {
      if (!n.is_scalar() && !n.is_null()) throw ParseFailure{n.mark, "mapping keys must be scalars"};
      top.key = std::move(n);
      top.have_key = true;
      return;
    }
    top.have_key = false;
    if (top.key.text == "<<" && top.key.style == Style::Plain) {
      top.merges.push_back(std::move(n));
      return;
    }
    check_duplicate(top);
    top.node.entries.push_back(Entry{std::move(top.key.text), top.key.mark, std::move(n)});
  }

  /// A key seen before in the same mapping is an error. Small mappings are scanned; big
  /// ones (the services of a large project) keep a set so the check stays linear.
  static void check_duplicate(Frame& top) {
    constexpr size_t kScan = 16;
    std::vector<Entry>& entries = top.node.entries;
    if (entries.size() == kScan)
      for (const Entry& e : entries) top.keys.insert(e.key);
    bool dup = entries.size() < kScan ? std::any_of(entries.begin(), entries.end(),
                                                    [&](const Entry& e) { return e.key == top.key.text; })
                                      : !top.keys.insert(top.key.text).second;
    if (!dup) return;
    auto first = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.key == top.key.text; });
    throw ParseFailure{top.key.mark, "duplicate key \"" + top.key.text + "\" (first at line " +
                                         std::to_string(first->key_mark.line) + ")"};
  }

  const std::string* file_;
  ParseLimits limits_;
  LineShift shift_;
  std::vector<Frame> stack_;
  std::map<std::string, Node> anchors_;
  size_t nodes_ = 0;
};

/// An istream's buffer over text that is already in memory (no copy).
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view s) {
    char* p = const_cast<char*>(s.data());
    setg(p, p, p + s.size());
  }
};

/// Feeds text to yaml-cpp's event parser; throws ParseFailure or YAML::Exception.
void parse_into(std::string_view text, Builder& b) {
  ViewBuf buf(text);
  std::istream in(&buf);
  YAML::Parser parser(in);
  while (parser.HandleNextDocument(b)) {
  }
}

/// Appended to A as one more service key (see join_halves).
constexpr std::string_view kSentinel = "berth-split-end-of-first-half";

/// One half of a split parse: its documents, or nothing on any error.
struct Half {
  std::optional<std::vector<Node>> docs;
  size_t nodes = 0;
};

Half parse_half(std::string_view text, const std::string* name, const ParseLimits& limits,
                LineShift shift) noexcept {
  Half out;
  try {
    Builder b(name, limits, shift);
    parse_into(text, b);
    out.nodes = b.nodes();
    out.docs = std::move(b.docs);
  } catch (...) {
    out.docs.reset();
  }
  return out;
}

/// Joins the halves: A's tree with B's services (and B's keys after services) appended.
/// Nothing when either failed or the join would differ from a whole parse (a service
/// named in both halves, too many nodes): the caller then parses the whole text.
std::optional<std::vector<Node>> join_halves(Half a, Half b, int split_line, const ParseLimits& limits) {
  if (!a.docs || !b.docs || a.docs->size() != 1 || b.docs->size() != 1) return std::nullopt;
  if (a.nodes + b.nodes > limits.max_nodes) return std::nullopt;
  Node& ra = a.docs->front();
  Node& rb = b.docs->front();
  if (!ra.is_map() || !rb.is_map() || ra.entries.empty()) return std::nullopt;
  size_t header = ra.entries.size() - 1;  // top-level keys before services (B has them too)
  Node& sa = ra.entries.back().value;
  if (ra.entries.back().key != "services" || !sa.is_map() || rb.entries.size() <= header) return std::nullopt;
  // A ends with the sentinel key, on its own line, as the last service: the cut was at a
  // key of the services mapping and not inside a quoted scalar or a flow collection.
  if (sa.entries.size() < 2 || sa.entries.back().key != kSentinel || !sa.entries.back().value.is_null() ||
      sa.entries.back().key_mark.line != split_line)
    return std::nullopt;
  sa.entries.pop_back();
  for (size_t i = 0; i < header; ++i)
    if (rb.entries[i].key != ra.entries[i].key) return std::nullopt;
  Node& sb = rb.entries[header].value;
  if (rb.entries[header].key != "services" || !sb.is_map()) return std::nullopt;
  std::unordered_set<std::string_view> names;
  for (const Entry& e : sa.entries) names.insert(e.key);
  for (const Entry& e : sb.entries)
    if (names.count(e.key)) return std::nullopt;  // duplicate: the whole parse reports it
  sa.entries.reserve(sa.entries.size() + sb.entries.size());
  for (Entry& e : sb.entries) sa.entries.push_back(std::move(e));
  for (size_t i = header + 1; i < rb.entries.size(); ++i) ra.entries.push_back(std::move(rb.entries[i]));
  return std::move(*a.docs);
}

/// Parses a big file as two halves on two threads (see split.h); nothing when the file
/// cannot be split or a half fails.
std::optional<std::vector<Node>> parse_split(std::string_view text, const std::string* name,
                                             const ParseLimits& limits) {
  if (!model::can_split() && limits.split_min_bytes > 0) return std::nullopt;
  auto plan = plan_split(text, limits.split_min_bytes);
  if (!plan) return std::nullopt;
  size_t indent = text.find_first_not_of(' ', plan->split) - plan->split;
  std::string first;
  first.reserve(plan->split + indent + kSentinel.size() + 2);
  first.append(text.substr(0, plan->split)).append(indent, ' ').append(kSentinel).append(":\n");
  std::string second;
  second.reserve(plan->header_end + text.size() - plan->split);
  second.append(text.substr(0, plan->header_end)).append(text.substr(plan->split));
  LineShift shift{plan->header_lines, plan->split_line - plan->header_lines - 1};
  Half a, b;
  model::run_both([&] { a = parse_half(first, name, limits, {}); },
                  [&] { b = parse_half(second, name, limits, shift); });
  return join_halves(std::move(a), std::move(b), plan->split_line, limits);
}

}  // namespace

engine::base::Result<std::vector<Node>> parse_yaml(const std::string& text, const std::string& file,
                                                   const ParseLimits& limits) {
  const std::string* name = file_name(file);
  if (size_t bad = first_invalid_utf8(text); bad != std::string::npos) {
    int line = 1, col = 1;
    for (size_t i = 0; i < bad; ++i) {
      if (text[i] == '\n') ++line, col = 1;
      else if ((static_cast<unsigned char>(text[i]) >> 6) != 0x2) ++col;
    }
    return invalid(located(Mark{name, line, col}, "", "invalid UTF-8"));
  }
  if (auto docs = parse_split(text, name, limits)) return std::move(*docs);
  Builder b(name, limits);
  try {
    parse_into(text, b);
  } catch (const ParseFailure& f) {
    return invalid(located(f.mark, "", f.reason));
  } catch (const YAML::Exception& e) {
    Mark m{name, e.mark.line + 1, e.mark.column + 1};
    if (e.mark.is_null()) m.line = 0;
    return invalid(located(m, "", e.msg));
  }
  return std::move(b.docs);
}

}  // namespace compose::load
