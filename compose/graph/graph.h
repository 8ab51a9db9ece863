#pragma once
/// The service dependency graph: an edge a -> b means a needs b first (depends_on,
/// network_mode: service:b, volumes_from: b, links: b). Up walks it by levels, down in
/// reverse. All traversals visit names in sorted order, so output is deterministic.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compose/model/project.h"
#include "engine/base/error.h"

namespace compose::graph {

class Graph {
 public:
  /// Adds a service with no edges (idempotent).
  void add_node(const std::string& name);
  /// Adds "from needs to"; both nodes are created.
  void add_edge(const std::string& from, const std::string& to);
  /// The graph of a project's services; edges to unknown services are kept.
  static Graph from_project(const model::Project& p);

  const std::set<std::string>& dependencies(const std::string& name) const;
  /// Services that need `name`.
  std::set<std::string> dependents(const std::string& name) const;
  std::vector<std::string> nodes() const;

  /// A cycle as "a -> b -> a" names (first found in sorted order), or nullopt.
  std::optional<std::vector<std::string>> find_cycle() const;
  /// Level 0 needs nothing; level n needs only services of lower levels. Error on a cycle.
  engine::base::Result<std::vector<std::vector<std::string>>> levels() const;
  /// Start order (levels flattened); stop order is its reverse.
  engine::base::Result<std::vector<std::string>> start_order() const;

 private:
  std::map<std::string, std::set<std::string>> deps_;
};

/// Dependencies implied by one service besides depends_on (network_mode, volumes_from, links).
std::set<std::string> implicit_dependencies(const model::Service& s);
/// "service:x" / "x:ro" / "x:alias" parsing helpers shared with validation.
std::string service_of_network_mode(const std::string& mode);
std::string service_of_volumes_from(const std::string& entry);
std::string service_of_link(const std::string& link);

}  // namespace compose::graph
