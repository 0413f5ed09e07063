"""The experiment tests use the sampling tests' problems, loopback model server and tiny checkpoints."""

from sampling.conftest import problems, problems_file, serve, tiny_pair  # noqa: F401  (fixtures)
