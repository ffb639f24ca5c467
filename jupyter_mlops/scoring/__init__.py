"""Batch scoring, champion vs challenger: ``mlops.score`` scores a file with a model version
(challengers in its shadow or as a canary) and ``mlops.label`` turns the labels that arrive
later into each version's realized metrics per batch. See docs/scoring.md."""

from .labels import label
from .run import ScoreResult, score

__all__ = ["ScoreResult", "label", "score"]
