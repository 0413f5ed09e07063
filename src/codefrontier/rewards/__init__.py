"""RL rewards with nested test coverage, trainer adapters, the HTTP service and the Ray
backend (docs/rewards.md).

    from codefrontier.rewards import CodeReward, RewardSpec, Rewarder, RewardItem

Importing this package needs no optional dependency: FastAPI/uvicorn (`serve`), httpx
(`client`) and Ray (`ray_backend`) are imported by the modules that use them.
"""

from codefrontier.judge.pool import JudgePool, PoolClosed, QueueFull
from codefrontier.rewards.rewarder import Rewarder, RewardItem
from codefrontier.rewards.spec import Reward, RewardKind, RewardSpec, reward_from_result
from codefrontier.rewards.trl_adapter import CodeReward

__all__ = [
    "CodeReward",
    "PoolClosed",
    "QueueFull",
    "Reward",
    "RewardItem",
    "RewardKind",
    "RewardSpec",
    "Rewarder",
    "JudgePool",
    "reward_from_result",
]
