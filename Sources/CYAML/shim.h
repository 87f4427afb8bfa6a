// The one door to libyaml (Debian: libyaml-dev). Only Sources/YAML imports this module.
#pragma once
#include <yaml.h>
