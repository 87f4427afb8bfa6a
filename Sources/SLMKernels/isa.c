#include "SLMKernels.h"
