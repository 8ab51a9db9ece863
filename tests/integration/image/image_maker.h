#pragma once
/// Test images for the registry tests: an ImageService on a temp root, and images of
/// gzip layers (one file each) made offline through `load`.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/image/service.h"
#include "tests/support/test_util.h"

namespace test {

/// Opens an ImageService under root (REQUIREs success).
std::unique_ptr<engine::image::ImageService> open_service(const std::string& root);

/// Loads an image of gzip layers (one file each, path -> content) tagged `tag` into svc,
/// with the given config architecture.
engine::image::Image make_image(engine::image::ImageService& svc, const TempDir& dir, const std::string& tag,
                                const std::vector<std::pair<std::string, std::string>>& files,
                                const std::string& architecture = "amd64");

}  // namespace test
