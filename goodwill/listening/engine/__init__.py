"""The listening engine: pure functions that read customer messages and agents' drafts.

No Django, no database: the app stores what these return.
"""

from .analysis import MODEL_VERSION, SCORED_LANGUAGES, analyze_message, warm_up
from .tone import TONE_CHECKS, check_tone
from .types import EMOTIONS, MessageAnalysis, Suggestion, ToneFinding

__all__ = [
    "EMOTIONS",
    "MODEL_VERSION",
    "SCORED_LANGUAGES",
    "TONE_CHECKS",
    "MessageAnalysis",
    "Suggestion",
    "ToneFinding",
    "analyze_message",
    "check_tone",
    "warm_up",
]
