#include "cli/table.h"

#include <doctest/doctest.h>

TEST_CASE("table: columns line up as docker's (widest cell plus 3, at least 10) with no trailing blanks") {
  cli::Table t({"DRIVER", "VOLUME NAME"});
  t.add({"local", "data"});
  t.add({"local", "a-much-longer-name"});
  CHECK(t.render() ==
        "DRIVER    VOLUME NAME\n"
        "local     data\n"
        "local     a-much-longer-name\n");
  cli::Table wide({"CONTAINER ID", "NAMES"});
  wide.add({"0123456789ab", "web"});
  CHECK(wide.render() == "CONTAINER ID   NAMES\n0123456789ab   web\n");
}

TEST_CASE("table: width counts UTF-8 code points, not bytes") {
  cli::Table t({"A", "B"});
  t.add({"\xc3\xa9t\xc3\xa9", "x"});
  CHECK(t.render() == "A         B\n\xc3\xa9t\xc3\xa9       x\n");
}

TEST_CASE("table: sizes in docker's decimal units") {
  CHECK(cli::human_size(0) == "0B");
  CHECK(cli::human_size(999) == "999B");
  CHECK(cli::human_size(1500) == "1.5kB");
  CHECK(cli::human_size(12300000) == "12.3MB");
}
