"""Sampling programs from models: backends (an OpenAI-compatible server, transformers,
vLLM), prompts and code extraction, infilling prompts, the three inference settings with
their trajectories and the resumable sampler (the end-to-end experiment is
`codefrontier.experiment`)
(docs/sampling.md).

    from codefrontier.sampling import SettingConfig, draw_samples, open_backend

Names load on first use, so that `codefrontier.sampling.cli` (which every `codefrontier`
command imports) stays light.
"""

from __future__ import annotations

from codefrontier.lazy import lazy_exports

_EXPORTS = {
    "Backend": "backends",
    "Completion": "backends",
    "ToolCall": "backends",
    "Usage": "backends",
    "OpenAIBackend": "backends",
    "TransformersBackend": "backends",
    "VLLMBackend": "backends",
    "open_backend": "backends",
    "BackendError": "backends",
    "EndpointError": "backends",
    "BackendUnavailable": "backends",
    "RequestFailed": "backends",
    "GenerationParams": "backends",
    "Setting": "settings",
    "SettingConfig": "settings",
    "Episode": "settings",
    "Trajectory": "settings",
    "Resources": "settings",
    "sample_seed": "settings",
    "PublicJudge": "feedback",
    "CodeRunner": "tools",
    "draw_samples": "sampler",
    "SampleRunReport": "sampler",
    "infill_prompt": "infilling",
    "infill": "infilling",
    "InfillOrder": "infilling",
    "InfillFormat": "infilling",
    "CODE_LLAMA": "infilling",
    "STARCODER": "infilling",
    "initial_messages": "prompts",
    "extract_answer": "prompts",
    "public_view": "feedback",
}

__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
