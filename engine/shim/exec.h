#pragma once
/// `berth-shim exec --bundle DIR --pid PID --spec JSON [--error-fd N]`: runs a process in
/// a running container. Joins the container's cgroup and all its namespaces, forks (to
/// enter the pid namespace), applies user, capabilities and seccomp, and execs. Its stdio
/// is the exec'd process's stdio. The helper exits with the process's exit code; an error
/// before exec is written to the error fd (and stderr) with exit 126 (127 = not found).
#include <string>

namespace engine::shim {

/// Runs the exec helper; returns the exit code for main.
int run_exec(const std::string& bundle, int pid, const std::string& spec_json, int error_fd);

}  // namespace engine::shim
