import SLM
