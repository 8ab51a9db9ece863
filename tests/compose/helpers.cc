#include "compose/helpers.h"

#include <doctest/doctest.h>

namespace compose::testing {

nlohmann::json Fixture::json() {
  auto r = load();
  if (!r) FAIL_CHECK(r.error().str());
  REQUIRE(r.ok());
  return load::to_json(r->root);
}

std::string Fixture::error() {
  auto r = load();
  CHECK_FALSE(r.ok());
  return r ? std::string() : r.error().message;
}

nlohmann::json service(const std::string& yaml, const std::string& name) {
  Fixture f;
  f.file(yaml);
  nlohmann::json j = f.json();
  return j["services"][name];
}

}  // namespace compose::testing
