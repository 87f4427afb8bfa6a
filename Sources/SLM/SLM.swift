import SLMKernels
